"""Storage for REFI-QDA exchange and merging: identities (``guid`` columns), the project
read as exchange objects (streamed where it is large), and bulk writes for imports.

Offsets are half-open code points into the stored text, as everywhere in qualcode.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from qualcode.domain.cases import AttributeDef, AttributeType
from qualcode.domain.codebook import nest
from qualcode.domain.exchange import (
    ExchangeCase,
    ExchangeCode,
    ExchangeCoding,
    ExchangeNote,
    ExchangeSource,
    ExchangeUser,
    ExchangeVariable,
    Identified,
    IdentifiedCoding,
    Identities,
    SourceInfo,
    StoredTranscript,
    derived_guid,
    new_guid,
)
from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import (
    AttributeRow,
    Base,
    CaseAssignmentRow,
    CaseAttributeRow,
    CaseRow,
    Coder,
    CodeRow,
    CodingRow,
    MemoRow,
    NamedSetRow,
    TranscriptAttributeRow,
    TranscriptRow,
)

_IDENTIFIED: tuple[type[Base], ...] = (
    Coder,
    TranscriptRow,
    CaseRow,
    AttributeRow,
    CodeRow,
    CodingRow,
    MemoRow,
    NamedSetRow,
)

_AUTHORS = "a0e1b2c3-d4e5-4f60-8172-839405a6b7c8"  # base of memo authors' derived identities


def exchange_time(value: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as xsd:dateTime, ``2026-11-22T19:09:53Z``."""
    if value is None:
        return None
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


STORED_IDENTITIES = _STORED = Identities()


_GUID_TABLES: dict[str, type[Base]] = {
    "attribute": AttributeRow,
    "coder": Coder,
    "case": CaseRow,
    "code": CodeRow,
    "coding": CodingRow,
    "memo": MemoRow,
    "set": NamedSetRow,
    "transcript": TranscriptRow,
}


def _identified_table(kind: Identified) -> Any:
    return _GUID_TABLES[kind].__table__


class RefiRepository(StoredArea):
    """REFI-QDA exchange and merging: identities, exchange objects, bulk writes."""

    __slots__ = ()

    def missing_guids(self) -> int:
        """How many rows have no identity yet."""
        total = 0
        for row in _IDENTIFIED:
            table: Any = row.__table__
            missing = select(func.count()).select_from(table).where(table.c.guid.is_(None))
            total += self._session.scalar(missing) or 0
        return total

    def ensure_guids(self) -> int:
        """Give every row without an identity a new random GUID; returns how many."""
        assigned = 0
        for row in _IDENTIFIED:
            table: Any = row.__table__
            ids = list(self._session.scalars(select(table.c.id).where(table.c.guid.is_(None))))
            if ids:
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("row_id"))
                    .values(guid=bindparam("new_guid"))
                )
                self._session.connection().execute(
                    statement, [{"row_id": row_id, "new_guid": new_guid()} for row_id in ids]
                )
                assigned += len(ids)
        return assigned

    def exchange_users(self, ids: Identities = _STORED) -> list[ExchangeUser]:
        """Every coder, then memo authors who are not coders (identity derived from the name)."""
        rows = self._session.execute(select(Coder.id, Coder.guid, Coder.name).order_by(Coder.id))
        users = [ExchangeUser(ids("coder", cid, guid), name) for cid, guid, name in rows]
        names = {user.name for user in users}
        for (author,) in self._session.execute(
            select(MemoRow.author).where(MemoRow.author.is_not(None)).distinct()
        ):
            if author and author not in names:
                users.append(ExchangeUser(derived_guid(_AUTHORS, author), author))
                names.add(author)
        return users

    def exchange_codes(self, ids: Identities = _STORED) -> list[ExchangeCode]:
        """The code tree, siblings in their stored order."""
        guids = dict(self._session.execute(select(CodeRow.id, CodeRow.guid)).all())
        return list(
            nest(
                self._uow.codebook.codes(),
                lambda code, children: ExchangeCode(
                    ids("code", code.id, guids[code.id]), code.spec, code.spec.codable, children
                ),
            )
        )

    def exchange_variables(self, ids: Identities = _STORED) -> list[ExchangeVariable]:
        rows = self._session.scalars(select(AttributeRow).order_by(AttributeRow.id))
        return [
            ExchangeVariable(
                ids("attribute", row.id, row.guid),
                AttributeDef(row.name, AttributeType(row.value_type), tuple(row.levels)),
                row.description,
            )
            for row in rows
        ]

    def transcript_values(self, ids: Identities = _STORED) -> dict[int, list[tuple[str, str]]]:
        """Transcript id -> its own (attribute identity, value), in attribute order."""
        found: dict[int, list[tuple[str, str]]] = {}
        for transcript_id, attribute_id, guid, value in self._session.execute(
            select(
                TranscriptAttributeRow.transcript_id,
                AttributeRow.id,
                AttributeRow.guid,
                TranscriptAttributeRow.value,
            )
            .join(AttributeRow, AttributeRow.id == TranscriptAttributeRow.attribute_id)
            .where(TranscriptAttributeRow.value != "")
            .order_by(TranscriptAttributeRow.transcript_id, AttributeRow.id)
        ):
            found.setdefault(transcript_id, []).append(
                (ids("attribute", attribute_id, guid), value)
            )
        return found

    def exchange_cases(self, ids: Identities = _STORED) -> list[ExchangeCase]:
        """Cases with their values, whole transcripts (source guids) and partial spans."""
        values: dict[int, list[tuple[str, str]]] = {}
        for case_id, attribute_id, attribute_guid, value in self._session.execute(
            select(
                CaseAttributeRow.case_id, AttributeRow.id, AttributeRow.guid, CaseAttributeRow.value
            )
            .join(AttributeRow, AttributeRow.id == CaseAttributeRow.attribute_id)
            .where(CaseAttributeRow.value != "")
            .order_by(CaseAttributeRow.case_id, AttributeRow.id)
        ):
            values.setdefault(case_id, []).append(
                (ids("attribute", attribute_id, attribute_guid), value)
            )
        whole: dict[int, list[str]] = {}
        parts: dict[int, list[tuple[str, int, int]]] = {}
        for case_id, transcript_id, transcript_guid, length, start, end in self._session.execute(
            select(
                CaseAssignmentRow.case_id,
                TranscriptRow.id,
                TranscriptRow.guid,
                TranscriptRow.characters,
                CaseAssignmentRow.start,
                CaseAssignmentRow.end,
            )
            .join(TranscriptRow, TranscriptRow.id == CaseAssignmentRow.transcript_id)
            .order_by(TranscriptRow.name, CaseAssignmentRow.start, CaseAssignmentRow.end)
        ):
            source_guid = ids("transcript", transcript_id, transcript_guid)
            if start == 0 and end == length:
                whole.setdefault(case_id, []).append(source_guid)
            else:
                parts.setdefault(case_id, []).append((source_guid, start, end))
        return [
            ExchangeCase(
                ids("case", case_id, guid),
                name,
                tuple(values.get(case_id, ())),
                tuple(dict.fromkeys(whole.get(case_id, ()))),
                tuple(dict.fromkeys(parts.get(case_id, ()))),
            )
            for case_id, guid, name in self._session.execute(
                select(CaseRow.id, CaseRow.guid, CaseRow.name).order_by(CaseRow.name)
            )
        ]

    def code_and_transcript_identities(
        self, ids: Identities = _STORED
    ) -> tuple[dict[int, str], dict[int, str]]:
        """Code id -> identity and transcript id -> identity."""
        codes = {
            cid: ids("code", cid, guid)
            for cid, guid in self._session.execute(select(CodeRow.id, CodeRow.guid))
        }
        transcripts = {
            tid: ids("transcript", tid, guid)
            for tid, guid in self._session.execute(select(TranscriptRow.id, TranscriptRow.guid))
        }
        return codes, transcripts

    def exchange_notes(
        self, users: Sequence[ExchangeUser], ids: Identities = _STORED
    ) -> list[ExchangeNote]:
        """Memos on the project, transcripts and codes (coding memos travel with codings)."""
        user_guids = {user.name: user.guid for user in users}
        code_guids, transcript_guids = self.code_and_transcript_identities(ids)
        notes: list[ExchangeNote] = []
        for row in self._session.scalars(select(MemoRow).order_by(MemoRow.id)):
            target_guid: str | None = None
            target = row.target_type
            if target == "transcript":
                target, target_guid = "source", transcript_guids.get(row.target_id or -1)
            elif target == "code":
                target_guid = code_guids.get(row.target_id or -1)
            if target not in ("project", "source", "code") or (
                target != "project" and target_guid is None
            ):
                target, target_guid = "project", None
            notes.append(
                ExchangeNote(
                    ids("memo", row.id, row.guid),
                    row.text,
                    target,
                    target_guid,
                    user_guids.get(row.author or ""),
                    exchange_time(row.created_at),
                )
            )
        return notes

    def source_infos(self, ids: Identities = _STORED) -> list[SourceInfo]:
        """Transcripts in name order, without their text."""
        return [
            SourceInfo(tid, ids("transcript", tid, guid), name, exchange_time(imported))
            for tid, guid, name, imported in self._session.execute(
                select(
                    TranscriptRow.id,
                    TranscriptRow.guid,
                    TranscriptRow.name,
                    TranscriptRow.imported_at,
                ).order_by(TranscriptRow.name)
            )
        ]

    def source_text(self, transcript_id: int) -> str:
        return (
            self._session.scalar(
                select(TranscriptRow.text).where(TranscriptRow.id == transcript_id)
            )
            or ""
        )

    def exchange_sources(
        self,
        infos: Sequence[SourceInfo],
        case_selections: dict[str, list[tuple[str, int, int]]],
        ids: Identities = _STORED,
    ) -> Iterator[ExchangeSource]:
        """Each transcript with its codings (one query per transcript, so only one
        transcript's codings are in memory). ``case_selections`` maps a source guid to
        ``(case guid, start, end)`` spans."""
        values = self.transcript_values(ids)
        for info in infos:
            rows = self._session.execute(
                select(
                    CodingRow.id,
                    CodingRow.guid,
                    CodingRow.start,
                    CodingRow.end,
                    CodeRow.id,
                    CodeRow.guid,
                    Coder.id,
                    Coder.guid,
                    CodingRow.created_at,
                    CodingRow.memo,
                    CodingRow.origin,
                )
                .join(CodeRow, CodeRow.id == CodingRow.code_id)
                .join(Coder, Coder.id == CodingRow.coder_id)
                .where(CodingRow.transcript_id == info.id)
                .order_by(CodingRow.start, CodingRow.end, CodingRow.id)
            )
            codings = tuple(
                ExchangeCoding(
                    ids("coding", row[0], row[1]),
                    row[2],
                    row[3],
                    ids("code", row[4], row[5]),
                    ids("coder", row[6], row[7]),
                    exchange_time(row[8]),
                    row[9] or None,
                    row[10],
                )
                for row in rows
            )
            yield ExchangeSource(
                info.guid,
                info.name,
                codings,
                tuple(case_selections.get(info.guid, ())),
                info.created,
                tuple(values.get(info.id, ())),
            )

    def set_guid(self, kind: Identified, row_id: int, guid: str) -> None:
        table = _identified_table(kind)
        self._session.execute(update(table).where(table.c.id == row_id).values(guid=guid))

    def guid_in_use(self, kind: Identified, guid: str) -> bool:
        table = _identified_table(kind)
        return self._session.scalar(select(table.c.id).where(table.c.guid == guid)) is not None

    def add_codings_with_guids(self, rows: Sequence[IdentifiedCoding]) -> int:
        """Insert codings with their identities and creation times in one executemany."""
        if rows:
            self._session.execute(
                insert(CodingRow),
                [
                    {
                        "transcript_id": r.transcript_id,
                        "code_id": r.code_id,
                        "coder_id": r.coder_id,
                        "start": r.start,
                        "end": r.end,
                        "anchor_text": r.anchor_text,
                        "memo": r.memo,
                        "created_at": r.created_at,
                        "guid": r.guid,
                        "origin": r.origin,
                    }
                    for r in rows
                ],
            )
        return len(rows)

    def coder_rows(self) -> list[tuple[int, str, str | None]]:
        """(id, name, guid) of every coder."""
        rows = self._session.execute(select(Coder.id, Coder.name, Coder.guid))
        return [(cid, name, guid) for cid, name, guid in rows]

    def code_guids(self) -> dict[int, str | None]:
        return dict(self._session.execute(select(CodeRow.id, CodeRow.guid)).all())

    def attribute_rows(self) -> list[tuple[int, str | None, AttributeDef]]:
        return [
            (
                row.id,
                row.guid,
                AttributeDef(row.name, AttributeType(row.value_type), tuple(row.levels)),
            )
            for row in self._session.scalars(select(AttributeRow).order_by(AttributeRow.id))
        ]

    def case_rows(self) -> list[tuple[int, str, str | None]]:
        """(id, name, guid) of every case."""
        rows = self._session.execute(select(CaseRow.id, CaseRow.name, CaseRow.guid))
        return [(cid, name, guid) for cid, name, guid in rows]

    def case_values(self) -> dict[tuple[int, int], str]:
        """(case id, attribute id) -> stored value."""
        rows = self._session.execute(
            select(CaseAttributeRow.case_id, CaseAttributeRow.attribute_id, CaseAttributeRow.value)
        )
        return {(case_id, attribute_id): value for case_id, attribute_id, value in rows}

    def stored_transcripts(self) -> list[StoredTranscript]:
        rows = self._session.execute(
            select(
                TranscriptRow.id,
                TranscriptRow.name,
                TranscriptRow.sha256,
                TranscriptRow.guid,
                TranscriptRow.characters,
            ).order_by(TranscriptRow.name)
        )
        return [StoredTranscript(*row) for row in rows]

    def coding_keys(self, transcript_id: int) -> set[tuple[int, int, int, int]]:
        """(code id, coder id, start, end) of the transcript's codings."""
        rows = self._session.execute(
            select(CodingRow.code_id, CodingRow.coder_id, CodingRow.start, CodingRow.end).where(
                CodingRow.transcript_id == transcript_id
            )
        )
        return {(code, coder, start, end) for code, coder, start, end in rows}

    def used_guids(self, kind: Identified) -> set[str]:
        table = _identified_table(kind)
        return set(self._session.scalars(select(table.c.guid).where(table.c.guid.is_not(None))))

    def memo_texts(self) -> set[tuple[str, int | None, str]]:
        """(target type, target id, text) of every memo, to avoid adding one twice."""
        rows = self._session.execute(select(MemoRow.target_type, MemoRow.target_id, MemoRow.text))
        return {(kind, target, text) for kind, target, text in rows}
