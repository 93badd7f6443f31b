"""The maintenance repository (``uow.maintenance``): what ``qualcode check`` reads
(orphans, stored texts and spans), review flags, codebook-edit conflicts and restoring a
backup's rows. Offsets are half-open code points into the transcript text."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, and_, func, select, update
from sqlalchemy.orm import aliased

from qualcode.domain.checks import FlaggedCoding, Orphans, StoredSpan, StoredText
from qualcode.storage import migrations
from qualcode.storage.dump import TableRows, project_tables, restore_rows
from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import (
    CaseAssignmentRow,
    Coder,
    CodingRow,
    TranscriptRow,
    TurnRow,
)

_SAMPLE = 5  # ids named per problem


@cache
def _orphan_queries() -> list[tuple[str, str, str, Select[Any], Select[Any]]]:
    """(table, column, parent table, count query, sample query) per foreign key, built
    once: building the statements costs more than running them on a small project."""
    queries: list[tuple[str, str, str, Select[Any], Select[Any]]] = []
    for table in project_tables():
        for foreign in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
            parent_table = foreign.column.table
            assert isinstance(parent_table, Table)
            parent = aliased(parent_table)
            key = table.primary_key.columns.values()[0]
            missing = (
                select(key)
                .select_from(table)
                .outerjoin(parent, parent.c[foreign.column.name] == foreign.parent)
                .where(and_(foreign.parent.is_not(None), parent.c[foreign.column.name].is_(None)))
                .order_by(key)
            )
            count = select(func.count()).select_from(missing.subquery())
            queries.append(
                (table.name, foreign.parent.name, parent_table.name, count, missing.limit(_SAMPLE))
            )
    return queries


class MaintenanceRepository(StoredArea):
    """What ``qualcode check`` and the review flags read and write."""

    __slots__ = ()

    def schema_version(self) -> int:
        return migrations.project_version(self._session.connection())

    def sqlite_problems(self) -> list[str]:
        """SQLite's own checks (``PRAGMA quick_check``, ``PRAGMA foreign_key_check``); empty
        on other backends, whose server enforces these."""
        connection = self._session.connection()
        if connection.dialect.name != "sqlite":
            return []
        found = [
            f"SQLite quick_check: {row[0]}"
            for row in connection.exec_driver_sql("PRAGMA quick_check").all()
            if row[0] != "ok"
        ]
        for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check").all():
            found.append(f"SQLite foreign_key_check: {table} row {rowid} names a missing {parent}")
        return found

    def orphans(self, table_names: Sequence[str] | None = None) -> list[Orphans]:
        """Every foreign key of these tables (default: all) checked by query: rows pointing
        at parents that are missing. Keys whose parent table is not among them are
        skipped."""
        names = {t.name for t in project_tables()} if table_names is None else set(table_names)
        found: list[Orphans] = []
        for table, column, parent, count_query, sample_query in _orphan_queries():
            if table in names and parent in names:
                count = self._session.scalar(count_query)
                if count:
                    sample = tuple(self._session.scalars(sample_query))
                    found.append(Orphans(table, column, parent, count, sample))
        return found

    def transcript_ids(self) -> list[int]:
        return list(self._session.scalars(select(TranscriptRow.id).order_by(TranscriptRow.name)))

    def stored_text(self, transcript_id: int) -> StoredText:
        row = self._session.execute(
            select(
                TranscriptRow.id,
                TranscriptRow.name,
                TranscriptRow.text,
                TranscriptRow.sha256,
                TranscriptRow.characters,
                TranscriptRow.words,
            ).where(TranscriptRow.id == transcript_id)
        ).one()
        return StoredText(*row)

    def stored_spans(self, transcript_id: int) -> list[StoredSpan]:
        """Every coding, turn and case assignment of one transcript."""
        spans = [
            StoredSpan("coding", cid, s, e, anchor)
            for cid, s, e, anchor in self._session.execute(
                select(CodingRow.id, CodingRow.start, CodingRow.end, CodingRow.anchor_text)
                .where(CodingRow.transcript_id == transcript_id)
                .order_by(CodingRow.id)
            )
        ]
        spans.extend(
            StoredSpan("turn", position, s, e)
            for position, s, e in self._session.execute(
                select(TurnRow.position, TurnRow.start, TurnRow.end)
                .where(TurnRow.transcript_id == transcript_id)
                .order_by(TurnRow.position)
            )
        )
        spans.extend(
            StoredSpan("case assignment", aid, s, e)
            for aid, s, e in self._session.execute(
                select(CaseAssignmentRow.id, CaseAssignmentRow.start, CaseAssignmentRow.end)
                .where(CaseAssignmentRow.transcript_id == transcript_id)
                .order_by(CaseAssignmentRow.id)
            )
        )
        return spans

    def flagged_notes(self, coder: str | None = None) -> dict[int, str]:
        """Coding id -> review note of every coding waiting for review (only ``coder``'s
        when given)."""
        query = select(CodingRow.id, CodingRow.review_note).where(
            CodingRow.review_note.is_not(None)
        )
        if coder is not None:
            query = query.join(Coder, Coder.id == CodingRow.coder_id).where(Coder.name == coder)
        return {int(cid): note or "" for cid, note in self._session.execute(query)}

    def flagged_codings(self) -> list[FlaggedCoding]:
        """Codings waiting for review, by transcript and position."""
        notes = self.flagged_notes()
        if not notes:
            return []
        codings = sorted(
            self._uow.codings.find(ids=notes), key=lambda c: (c.transcript, c.start, c.id)
        )
        return [
            FlaggedCoding(c.id, c.transcript, c.coder, c.start, c.end, c.text, notes[c.id])
            for c in codings
        ]

    def review_notes(self, coding_ids: Sequence[int]) -> dict[int, str | None]:
        """The review note (or ``None``) of each of these codings that exists."""
        rows = self._session.execute(
            select(CodingRow.id, CodingRow.review_note).where(CodingRow.id.in_(list(coding_ids)))
        )
        return {int(cid): note for cid, note in rows}

    def set_review_notes(self, notes: dict[int, str | None]) -> None:
        """Set (or with ``None`` clear) the review note of each coding."""
        for coding_id, note in notes.items():
            self._session.execute(
                update(CodingRow).where(CodingRow.id == coding_id).values(review_note=note)
            )

    def code_paths(self) -> dict[int, str]:
        return {code.id: code.path for code in self._uow.codebook.codes()}

    def restore_rows(
        self, version: int, tables: Sequence[TableRows], source: str
    ) -> dict[str, int]:
        """Write a backup's rows into this (empty) project inside the unit's transaction
        (:func:`~qualcode.storage.dump.restore_rows`); returns the rows written per table."""
        return restore_rows(self._session.connection(), version, tables, source)
