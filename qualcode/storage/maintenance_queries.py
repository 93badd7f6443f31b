"""Queries behind ``qualcode check``, the review flags and codebook-edit conflicts.

Every function takes the :class:`Repository` of the caller's transaction and never
commits. Offsets are half-open code points into the transcript text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, Text, and_, func, select, type_coerce, update
from sqlalchemy.orm import aliased

from qualcode.storage import migrations
from qualcode.storage.dump import project_tables
from qualcode.storage.repositories import Repository, iso_utc
from qualcode.storage.tables import (
    CaseAssignmentRow,
    Coder,
    CodeRow,
    CodingRow,
    EventRow,
    TranscriptRow,
    TurnRow,
)

_SAMPLE = 5  # ids named per problem


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One row of the event log; ``at`` is ISO-8601 UTC ("...Z")."""

    id: int
    at: str
    action: str
    coder: str | None
    summary: str
    payload: object
    undone: bool

    @property
    def fields(self) -> dict[str, object]:
        """The payload when it is an object (as every valid one is), else empty."""
        return self.payload if isinstance(self.payload, dict) else {}


@dataclass(frozen=True, slots=True)
class Orphans:
    """Rows of ``table`` whose ``column`` names a ``parent`` row that does not exist."""

    table: str
    column: str
    parent: str
    count: int
    sample_ids: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class StoredText:
    id: int
    name: str
    text: str
    sha256: str
    characters: int
    words: int


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """A coding, turn or case assignment: ``kind`` says which, ``key`` its id (turns:
    their 1-based position)."""

    kind: str
    key: int
    start: int
    end: int
    anchor_text: str | None = None


@dataclass(frozen=True, slots=True)
class FlaggedCoding:
    id: int
    transcript: str
    coder: str
    start: int
    end: int
    text: str
    note: str


def _iso(value: dt.datetime | None) -> str:
    return "" if value is None else iso_utc(value)


def _event(row: EventRow) -> LoggedEvent:
    return LoggedEvent(
        row.id, _iso(row.at), row.action, row.coder, row.summary, row.payload, bool(row.undone)
    )


def recent_events(repo: Repository, actions: Sequence[str], limit: int) -> list[LoggedEvent]:
    """The latest ``limit`` events of the given actions, newest first."""
    rows = repo.session.scalars(
        select(EventRow)
        .where(EventRow.action.in_(actions))
        .order_by(EventRow.id.desc())
        .limit(limit)
    )
    return [_event(row) for row in rows]


def iter_events(repo: Repository) -> Iterator[LoggedEvent]:
    """Every event, oldest first (streamed in batches)."""
    last = 0
    while True:
        rows = list(
            repo.session.scalars(
                select(EventRow).where(EventRow.id > last).order_by(EventRow.id).limit(2000)
            )
        )
        if not rows:
            return
        for row in rows:
            yield _event(row)
        last = rows[-1].id
        repo.session.expunge_all()


@dataclass(frozen=True, slots=True)
class UnreadablePayload:
    """An event payload as stored when it is not valid JSON."""

    stored: object


def iter_events_as_stored(repo: Repository) -> Iterator[LoggedEvent]:
    """Every event, oldest first, for ``qualcode check``: the payload is parsed here, so a
    payload that is not JSON arrives as :class:`UnreadablePayload` instead of failing the
    read, and the time (which a damaged row may not hold) is left empty."""
    payload = type_coerce(EventRow.payload, Text)  # SQLAlchemy leaves it unparsed
    columns = (EventRow.id, EventRow.action, EventRow.coder, EventRow.summary, payload)
    last: int | None = None
    while True:
        query = select(*columns, EventRow.undone).order_by(EventRow.id).limit(2000)
        if last is not None:
            query = query.where(EventRow.id > last)
        rows = repo.session.execute(query).all()
        if not rows:
            return
        for event_id, action, coder, summary, stored, undone in rows:
            yield LoggedEvent(event_id, "", action, coder, summary, _parsed(stored), bool(undone))
        last = rows[-1][0]


def _parsed(stored: object) -> object:
    if isinstance(stored, bytes):
        return UnreadablePayload(stored)
    if not isinstance(stored, str):
        return stored  # PostgreSQL's driver parses JSON itself
    try:
        return json.loads(stored)
    except ValueError:
        return UnreadablePayload(stored)


def schema_version(repo: Repository) -> int:
    return migrations.project_version(repo.session.connection())


def sqlite_problems(repo: Repository) -> list[str]:
    """SQLite's own checks (``PRAGMA quick_check``, ``PRAGMA foreign_key_check``); empty
    on other backends, whose server enforces these."""
    connection = repo.session.connection()
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


def orphans(repo: Repository, tables: Sequence[Table] | None = None) -> list[Orphans]:
    """Every foreign key of ``tables`` (default: all) checked by query: rows pointing at
    parents that are missing. Keys whose parent table is not among ``tables`` are
    skipped."""
    names = {t.name for t in (project_tables() if tables is None else tables)}
    found: list[Orphans] = []
    for table, column, parent, count_query, sample_query in _orphan_queries():
        if table in names and parent in names:
            count = repo.session.scalar(count_query)
            if count:
                sample = tuple(repo.session.scalars(sample_query))
                found.append(Orphans(table, column, parent, count, sample))
    return found


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


def transcript_ids(repo: Repository) -> list[int]:
    return list(repo.session.scalars(select(TranscriptRow.id).order_by(TranscriptRow.name)))


def stored_text(repo: Repository, transcript_id: int) -> StoredText:
    row = repo.session.execute(
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


def stored_spans(repo: Repository, transcript_id: int) -> list[StoredSpan]:
    """Every coding, turn and case assignment of one transcript."""
    spans = [
        StoredSpan("coding", cid, s, e, anchor)
        for cid, s, e, anchor in repo.session.execute(
            select(CodingRow.id, CodingRow.start, CodingRow.end, CodingRow.anchor_text)
            .where(CodingRow.transcript_id == transcript_id)
            .order_by(CodingRow.id)
        )
    ]
    spans.extend(
        StoredSpan("turn", position, s, e)
        for position, s, e in repo.session.execute(
            select(TurnRow.position, TurnRow.start, TurnRow.end)
            .where(TurnRow.transcript_id == transcript_id)
            .order_by(TurnRow.position)
        )
    )
    spans.extend(
        StoredSpan("case assignment", aid, s, e)
        for aid, s, e in repo.session.execute(
            select(CaseAssignmentRow.id, CaseAssignmentRow.start, CaseAssignmentRow.end)
            .where(CaseAssignmentRow.transcript_id == transcript_id)
            .order_by(CaseAssignmentRow.id)
        )
    )
    return spans


def flagged_notes(repo: Repository, coder: str | None = None) -> dict[int, str]:
    """Coding id -> review note of every coding waiting for review (only ``coder``'s
    when given)."""
    query = select(CodingRow.id, CodingRow.review_note).where(CodingRow.review_note.is_not(None))
    if coder is not None:
        query = query.join(Coder, Coder.id == CodingRow.coder_id).where(Coder.name == coder)
    return {int(cid): note or "" for cid, note in repo.session.execute(query)}


def flagged_codings(repo: Repository) -> list[FlaggedCoding]:
    """Codings waiting for review, by transcript and position."""
    notes = flagged_notes(repo)
    if not notes:
        return []
    codings = sorted(repo.codings(ids=notes), key=lambda c: (c.transcript, c.start, c.id))
    return [
        FlaggedCoding(c.id, c.transcript, c.coder, c.start, c.end, c.text, notes[c.id])
        for c in codings
    ]


def review_notes(repo: Repository, coding_ids: Sequence[int]) -> dict[int, str | None]:
    """The review note (or ``None``) of each of these codings that exists."""
    rows = repo.session.execute(
        select(CodingRow.id, CodingRow.review_note).where(CodingRow.id.in_(list(coding_ids)))
    )
    return {int(cid): note for cid, note in rows}


def set_review_notes(repo: Repository, notes: dict[int, str | None]) -> None:
    """Set (or with ``None`` clear) the review note of each coding."""
    for coding_id, note in notes.items():
        repo.session.execute(
            update(CodingRow).where(CodingRow.id == coding_id).values(review_note=note)
        )


def code_paths(repo: Repository) -> dict[int, str]:
    return {code.id: code.path for code in repo.codes()}


def code_count(repo: Repository) -> int:
    return repo.session.scalar(select(func.count()).select_from(CodeRow)) or 0
