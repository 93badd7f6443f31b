"""Storage for REFI-QDA's named sets (code sets and document sets, usable as filters),
variable descriptions and transcripts' own attribute values."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from qualcode.domain.exchange import ExchangeSet, Identities, SetMembers
from qualcode.domain.text_entry import enter_name, enter_optional_text
from qualcode.storage.refi_exchange import STORED_IDENTITIES as _STORED
from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import (
    AttributeRow,
    NamedSetMemberRow,
    NamedSetRow,
    TranscriptAttributeRow,
)


class RefiSetRepository(StoredArea):
    """Named sets, variable descriptions and transcripts' own values."""

    __slots__ = ()

    def exchange_sets(self, ids: Identities = _STORED) -> list[ExchangeSet]:
        """Named sets with their member codes and transcripts (as identities), by name."""
        code_guids, transcript_guids = self._uow.refi.code_and_transcript_identities(ids)
        members: dict[int, tuple[list[str], list[str]]] = {}
        for set_id, code_id, transcript_id in self._session.execute(
            select(
                NamedSetMemberRow.set_id, NamedSetMemberRow.code_id, NamedSetMemberRow.transcript_id
            ).order_by(NamedSetMemberRow.id)
        ):
            codes, transcripts = members.setdefault(set_id, ([], []))
            if code_id is not None:
                codes.append(code_guids[code_id])
            elif transcript_id is not None:
                transcripts.append(transcript_guids[transcript_id])
        return [
            ExchangeSet(
                ids("set", row.id, row.guid),
                row.name,
                row.description,
                tuple(members.get(row.id, ([], []))[0]),
                tuple(members.get(row.id, ([], []))[1]),
            )
            for row in self._session.scalars(select(NamedSetRow).order_by(NamedSetRow.name))
        ]

    def set_members(self) -> dict[str, SetMembers]:
        """Every named set's members, by set name."""
        found: dict[str, SetMembers] = {}
        rows = self._session.execute(
            select(NamedSetRow.name, NamedSetMemberRow.code_id, NamedSetMemberRow.transcript_id)
            .join(NamedSetMemberRow, NamedSetMemberRow.set_id == NamedSetRow.id, isouter=True)
            .order_by(NamedSetRow.name, NamedSetMemberRow.id)
        )
        codes: dict[str, list[int]] = {}
        transcripts: dict[str, list[int]] = {}
        for name, code_id, transcript_id in rows:
            codes.setdefault(name, [])
            transcripts.setdefault(name, [])
            if code_id is not None:
                codes[name].append(code_id)
            if transcript_id is not None:
                transcripts[name].append(transcript_id)
        for name in codes:
            found[name] = SetMembers(name, tuple(codes[name]), tuple(transcripts[name]))
        return found

    def set_rows(self) -> list[tuple[int, str, str | None]]:
        """(id, name, guid) of every named set."""
        rows = self._session.execute(select(NamedSetRow.id, NamedSetRow.name, NamedSetRow.guid))
        return [(sid, name, guid) for sid, name, guid in rows]

    def add_set(self, name: str, description: str | None) -> int:
        row = NamedSetRow(
            name=enter_name(name, "set name", max_chars=300),
            description=enter_optional_text(description, "set description"),
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def add_set_members(
        self, set_id: int, code_ids: Sequence[int], transcript_ids: Sequence[int]
    ) -> int:
        """Add members not yet in the set; returns how many were added."""
        present = {
            (code_id, transcript_id)
            for code_id, transcript_id in self._session.execute(
                select(NamedSetMemberRow.code_id, NamedSetMemberRow.transcript_id).where(
                    NamedSetMemberRow.set_id == set_id
                )
            )
        }
        wanted = [(cid, None) for cid in code_ids] + [(None, tid) for tid in transcript_ids]
        rows = [
            {"set_id": set_id, "code_id": cid, "transcript_id": tid}
            for cid, tid in dict.fromkeys(wanted)
            if (cid, tid) not in present
        ]
        if rows:
            self._session.execute(insert(NamedSetMemberRow), rows)
        return len(rows)

    def code_memberships(self, code_id: int) -> list[tuple[int, int]]:
        """The sets a code is a member of: (member row id, set id) each, by row id."""
        rows = self._session.execute(
            select(NamedSetMemberRow.id, NamedSetMemberRow.set_id)
            .where(NamedSetMemberRow.code_id == code_id)
            .order_by(NamedSetMemberRow.id)
        )
        return [(member_id, set_id) for member_id, set_id in rows]

    def put_code_membership(self, member_id: int, set_id: int, code_id: int) -> None:
        """Make member row ``member_id`` put code ``code_id`` in set ``set_id`` (inserted
        when missing): a code merge and its undo move memberships keeping their ids."""
        row = self._session.get(NamedSetMemberRow, member_id)
        if row is None:
            row = NamedSetMemberRow(id=member_id)
            self._session.add(row)
        row.set_id, row.code_id, row.transcript_id = set_id, code_id, None
        self._session.flush()

    def delete_membership(self, member_id: int) -> None:
        self._session.execute(delete(NamedSetMemberRow).where(NamedSetMemberRow.id == member_id))

    def set_attribute_description(self, attribute_id: int, text: str | None) -> None:
        """Keep a variable's description on its attribute (only where it has none yet)."""
        row = self._session.get_one(AttributeRow, attribute_id)
        if text and not row.description:
            row.description = enter_optional_text(text, "attribute description")

    def set_transcript_value(self, transcript_id: int, attribute_id: int, value: str) -> str | None:
        """Store a transcript's own attribute value unless it has another one; returns the
        value it already had when that differs (kept), else ``None``."""
        row = self._session.scalar(
            select(TranscriptAttributeRow).where(
                TranscriptAttributeRow.transcript_id == transcript_id,
                TranscriptAttributeRow.attribute_id == attribute_id,
            )
        )
        if row is None:
            self._session.add(
                TranscriptAttributeRow(
                    transcript_id=transcript_id, attribute_id=attribute_id, value=value
                )
            )
            return None
        if not row.value:
            row.value = value
            return None
        return row.value if row.value != value else None
