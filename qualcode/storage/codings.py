"""The coders and codings repositories (``uow.coders``, ``uow.codings``): adding codings
one at a time or in bulk, finding them as :class:`~qualcode.domain.codings.Coding`
values, and the changes undo, recode and reconcile make. Offsets are half-open code
points into the transcript text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import aliased

from qualcode.domain.codebook import StoredCode
from qualcode.domain.codings import HUMAN, Coding, NewCoding
from qualcode.domain.spans import Span
from qualcode.domain.text_entry import (
    enter_name,
    enter_optional_text,
    lookup_name,
)

if TYPE_CHECKING:
    from qualcode.storage.coding_writes import SpanCoding
from qualcode.storage.repository_base import IDS_PER_QUERY, StoredArea, insert_rows, iso_utc, utcnow
from qualcode.storage.tables import (
    Coder,
    CodingRow,
    TranscriptRow,
)


class CodingRepository(StoredArea):
    """Codings: adding, finding, changing and removing them."""

    __slots__ = ()

    def find(
        self,
        *,
        ids: Iterable[int] | None = None,
        coders: Sequence[str] = (),
        code_ids: Sequence[int] = (),
        transcripts: Sequence[str] = (),
        codes: Sequence[StoredCode] | None = None,
    ) -> list[Coding]:
        """Codings by id, coder, code id and transcript; ``codes`` (``uow.codebook.codes()``)
        saves reading the codebook again when the caller has it."""
        codes = self._uow.codebook.codes() if codes is None else codes
        if ids is not None:
            wanted = list(ids)
            if len(wanted) > IDS_PER_QUERY:  # keep under the databases' bound-value limits
                parts = [
                    wanted[i : i + IDS_PER_QUERY] for i in range(0, len(wanted), IDS_PER_QUERY)
                ]
                found = [
                    coding
                    for part in parts
                    for coding in self.find(
                        ids=part,
                        coders=coders,
                        code_ids=code_ids,
                        transcripts=transcripts,
                        codes=codes,
                    )
                ]
                return sorted(found, key=lambda c: (c.transcript, c.start, c.end, c.id))
            ids = wanted
        code_paths = {code.id: code.path for code in codes}
        query = (
            select(
                CodingRow.id,
                TranscriptRow.name,
                CodingRow.code_id,
                Coder.name,
                CodingRow.start,
                CodingRow.end,
                CodingRow.anchor_text,
                CodingRow.memo,
                CodingRow.created_at,
                CodingRow.origin,
            )
            .join(TranscriptRow, TranscriptRow.id == CodingRow.transcript_id)
            .join(Coder, Coder.id == CodingRow.coder_id)
            .order_by(TranscriptRow.name, CodingRow.start, CodingRow.end, CodingRow.id)
        )
        if ids is not None:
            query = query.where(CodingRow.id.in_(list(ids)))
        if coders:
            query = query.where(Coder.name.in_(coders))
        if code_ids:
            query = query.where(CodingRow.code_id.in_(code_ids))
        if transcripts:
            query = query.where(TranscriptRow.name.in_(transcripts))
        return [
            Coding(cid, transcript, code_paths[code], coder, s, e, text, memo, iso_utc(at), origin)
            for cid, transcript, code, coder, s, e, text, memo, at, origin in self._session.execute(
                query
            )
        ]

    def set_memo(self, coding_id: int, memo: str | None) -> None:
        self._session.get_one(CodingRow, coding_id).memo = enter_optional_text(memo, "coding memo")

    def delete(self, coding_id: int) -> None:
        self._session.execute(delete(CodingRow).where(CodingRow.id == coding_id))

    def find_ids(
        self, transcript_id: int, code_id: int, coder_id: int, start: int, end: int
    ) -> list[int]:
        return list(
            self._session.scalars(
                select(CodingRow.id).where(
                    CodingRow.transcript_id == transcript_id,
                    CodingRow.code_id == code_id,
                    CodingRow.coder_id == coder_id,
                    CodingRow.start == start,
                    CodingRow.end == end,
                )
            )
        )

    def max_id(self) -> int:
        return self._session.scalar(select(func.max(CodingRow.id))) or 0

    def add_bulk(self, rows: Sequence[NewCoding]) -> int:
        """Insert the codings in one driver-level executemany; returns the number inserted.

        The statement is compiled once for the connection's dialect and the rows go to the
        DBAPI as plain tuples: per-row SQLAlchemy parameter processing cost more than the
        insert itself (see BENCHMARKS.md)."""
        connection = self._session.connection()
        table = CodingRow.__table__
        keys = (
            "transcript_id", "code_id", "coder_id", "start_offset", "end_offset",
            "anchor_text", "memo", "created_at",
        )  # fmt: skip
        created_type = table.c.created_at.type
        # the dialect's own processor (SQLite: the same text the ORM writes), applied once
        to_db = created_type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        created = utcnow()
        created_value = to_db(created) if to_db else created
        insert_rows(connection, table, keys, ((*row, created_value) for row in rows))
        return len(rows)

    def add(
        self,
        transcript_id: int,
        code_id: int,
        coder_id: int,
        span: Span,
        anchor_text: str,
        memo: str | None,
        origin: str = HUMAN,
    ) -> int:
        """Store a new coding and return its id; ``origin`` where it came from
        (domain/codings.py ORIGINS)."""
        row = CodingRow(
            transcript_id=transcript_id,
            code_id=code_id,
            coder_id=coder_id,
            start=span.start,
            end=span.end,
            anchor_text=anchor_text,
            memo=enter_optional_text(memo, "coding memo"),
            created_at=utcnow(),
            origin=origin,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def add_at_span(self, request: SpanCoding) -> Coding | None:
        """Apply ``request`` in one statement on PostgreSQL, or ``None`` for the ordinary
        path (storage/coding_writes.py says when)."""
        from qualcode.storage.coding_writes import add_coding_at_span  # imports database

        return add_coding_at_span(self._session, request)

    def lock_for_adding(self, timeout_ms: int) -> None:
        """Take the project's write lock shared (the ordinary path after ``add_at_span``)."""
        from qualcode.storage.coding_writes import lock_for_adding

        lock_for_adding(self._session, timeout_ms)

    def exists(self, coding_id: int) -> bool:
        return self._session.get(CodingRow, coding_id) is not None

    def restore(
        self,
        coding_id: int,
        transcript_id: int,
        code_id: int,
        coder_id: int,
        span: Span,
        anchor_text: str,
        memo: str | None,
        created_at: dt.datetime,
        *,
        guid: str | None = None,
        review_note: str | None = None,
        origin: str = HUMAN,
    ) -> None:
        """Insert a coding under its old id (undoing a removal keeps ids stable, so later
        events that name the coding still find it); ``guid``, ``review_note`` and
        ``origin`` as it had them (a code merge's undo puts dropped duplicates back
        exactly; a redone accepted suggestion is one again)."""
        self._session.add(
            CodingRow(
                id=coding_id,
                transcript_id=transcript_id,
                code_id=code_id,
                coder_id=coder_id,
                start=span.start,
                end=span.end,
                anchor_text=anchor_text,
                memo=memo,
                created_at=created_at,
                guid=guid,
                review_note=review_note,
                origin=origin,
            )
        )
        self._session.flush()

    def update(
        self,
        coding_id: int,
        *,
        code_id: int,
        span: Span,
        anchor_text: str,
        memo: str | None,
        origin: str | None = None,
    ) -> None:
        """Change a coding in place; ``origin`` ``None`` keeps the one it has."""
        row = self._session.get_one(CodingRow, coding_id)
        row.code_id = code_id
        row.start, row.end = span.start, span.end
        row.anchor_text = anchor_text
        row.memo = memo
        if origin is not None:
            row.origin = origin
        self._session.flush()

    def delete_many(self, coding_ids: Iterable[int]) -> None:
        ids = list(coding_ids)
        if ids:
            self._session.execute(delete(CodingRow).where(CodingRow.id.in_(ids)))

    def counts(
        self, *, coder: str | None = None, transcript_id: int | None = None
    ) -> dict[int, int]:
        """Number of codings per code id, optionally of one coder and/or in one transcript."""
        query = select(CodingRow.code_id, func.count()).group_by(CodingRow.code_id)
        if coder is not None:
            query = query.join(Coder, Coder.id == CodingRow.coder_id).where(Coder.name == coder)
        if transcript_id is not None:
            query = query.where(CodingRow.transcript_id == transcript_id)
        return dict(self._session.execute(query).all())

    def recode_all(self, from_code_id: int, to_code_id: int) -> list[int]:
        """Move every coding of one code to another; returns the moved coding ids."""
        ids = list(
            self._session.scalars(select(CodingRow.id).where(CodingRow.code_id == from_code_id))
        )
        if ids:
            self._session.execute(
                update(CodingRow).where(CodingRow.id.in_(ids)).values(code_id=to_code_id)
            )
        return ids

    def merge_duplicates(self, from_code_id: int, to_code_id: int) -> dict[int, int]:
        """Codings of ``from_code_id`` that a coding of ``to_code_id`` already matches (same
        coder, transcript and span), which merging the first code into the second would
        duplicate: their id -> the matching coding's id (the lowest when several)."""
        kept = aliased(CodingRow)
        same = and_(
            kept.code_id == to_code_id,
            kept.transcript_id == CodingRow.transcript_id,
            kept.coder_id == CodingRow.coder_id,
            kept.start == CodingRow.start,
            kept.end == CodingRow.end,
        )
        rows = self._session.execute(
            select(CodingRow.id, func.min(kept.id))
            .join(kept, same)
            .where(CodingRow.code_id == from_code_id)
            .group_by(CodingRow.id)
        )
        return {int(dropped): int(survivor) for dropped, survivor in rows.all()}

    def marks(self, coding_ids: Iterable[int]) -> dict[int, tuple[str | None, str | None]]:
        """Each coding's exchange GUID and review note (which ``find`` leaves out)."""
        ids = list(coding_ids)
        found: dict[int, tuple[str | None, str | None]] = {}
        for index in range(0, len(ids), IDS_PER_QUERY):
            rows = self._session.execute(
                select(CodingRow.id, CodingRow.guid, CodingRow.review_note).where(
                    CodingRow.id.in_(ids[index : index + IDS_PER_QUERY])
                )
            )
            found.update({cid: (guid, note) for cid, guid, note in rows})
        return found

    def ids_of_origin(self, origin: str) -> set[int]:
        """Ids of the codings whose stored origin is ``origin`` (domain/codings.py
        ORIGINS)."""
        return set(self._session.scalars(select(CodingRow.id).where(CodingRow.origin == origin)))

    def set_code(self, coding_ids: Iterable[int], code_id: int) -> None:
        ids = list(coding_ids)
        if ids:
            self._session.execute(
                update(CodingRow).where(CodingRow.id.in_(ids)).values(code_id=code_id)
            )


class CoderRepository(StoredArea):
    """Coders by name."""

    __slots__ = ()

    def ids(self) -> dict[str, int]:
        return dict(self._session.execute(select(Coder.name, Coder.id)).all())

    def ensure(self, name: str) -> int:
        name = enter_name(name, "coder name")
        found = self.id_of(name)
        if found is not None:
            return found
        coder = Coder(name=name)
        self._session.add(coder)
        self._session.flush()
        return coder.id

    def id_of(self, name: str) -> int | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self._session.scalar(select(Coder.id).where(Coder.name == wanted))
