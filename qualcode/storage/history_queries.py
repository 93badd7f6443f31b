"""Event-log and coding-row helpers behind undo/redo and the coding workspace.

Every function takes the :class:`Repository` of the caller's transaction and never
commits. Offsets are half-open code points into the transcript text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from qualcode.domain.events import Action
from qualcode.storage.repositories import Repository
from qualcode.storage.tables import (
    CaseAssignmentRow,
    CaseRow,
    Coder,
    CodeRow,
    CodingRow,
    EventRow,
    TranscriptRow,
)

UNDO_ACTION = Action.UNDO
REDO_ACTION = Action.REDO


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One row of the event log."""

    id: int
    action: str
    coder: str | None
    summary: str
    payload: dict[str, object]
    undone: bool


def _record(row: EventRow) -> EventRecord:
    return EventRecord(row.id, row.action, row.coder, row.summary, dict(row.payload), row.undone)


def event(repo: Repository, event_id: int) -> EventRecord | None:
    row = repo.session.get(EventRow, event_id)
    return None if row is None else _record(row)


def last_active_event(repo: Repository, coder: str, actions: Iterable[str]) -> EventRecord | None:
    """The coder's most recent event of one of ``actions`` that is not undone."""
    row = repo.session.scalar(
        select(EventRow)
        .where(
            EventRow.coder == coder, EventRow.action.in_(list(actions)), EventRow.undone.is_(False)
        )
        .order_by(EventRow.id.desc())
        .limit(1)
    )
    return None if row is None else _record(row)


def active_events(repo: Repository, coder: str, actions: Iterable[str]) -> list[EventRecord]:
    """The coder's events of one of ``actions`` that are not undone, oldest first."""
    rows = repo.session.scalars(
        select(EventRow)
        .where(
            EventRow.coder == coder, EventRow.action.in_(list(actions)), EventRow.undone.is_(False)
        )
        .order_by(EventRow.id)
    )
    return [_record(row) for row in rows]


def redo_candidate(repo: Repository, coder: str, actions: Iterable[str]) -> EventRecord | None:
    """The event the coder's next redo restores, or ``None``.

    The redo stack is the coder's undo events logged after their latest action of one of
    ``actions`` (a new action empties it); the most recent one whose target is still
    undone is next."""
    latest_action = repo.session.scalar(
        select(func.max(EventRow.id)).where(
            EventRow.coder == coder, EventRow.action.in_(list(actions))
        )
    )
    if latest_action is None:
        return None
    undo_rows = repo.session.scalars(
        select(EventRow)
        .where(
            EventRow.coder == coder,
            EventRow.action == UNDO_ACTION,
            EventRow.id > latest_action,
        )
        .order_by(EventRow.id.desc())
    )
    for undo_row in undo_rows:
        target_id = undo_row.payload.get("event_id")
        if not isinstance(target_id, int):
            continue
        target = repo.session.get(EventRow, target_id)
        if target is not None and target.undone:
            return _record(target)
    return None


def set_undone(repo: Repository, event_id: int, undone: bool) -> None:
    repo.session.execute(update(EventRow).where(EventRow.id == event_id).values(undone=undone))


# -- codings ---------------------------------------------------------------------------


def coding_exists(repo: Repository, coding_id: int) -> bool:
    return repo.session.get(CodingRow, coding_id) is not None


def restore_coding(
    repo: Repository,
    coding_id: int,
    transcript_id: int,
    code_id: int,
    coder_id: int,
    span: tuple[int, int],
    anchor_text: str,
    memo: str | None,
    created_at: dt.datetime,
) -> None:
    """Insert a coding under its old id (undoing a removal keeps ids stable, so later
    events that name the coding still find it)."""
    repo.session.add(
        CodingRow(
            id=coding_id,
            transcript_id=transcript_id,
            code_id=code_id,
            coder_id=coder_id,
            start=span[0],
            end=span[1],
            anchor_text=anchor_text,
            memo=memo,
            created_at=created_at,
        )
    )
    repo.session.flush()


def update_coding(
    repo: Repository,
    coding_id: int,
    *,
    code_id: int,
    span: tuple[int, int],
    anchor_text: str,
    memo: str | None,
) -> None:
    row = repo.session.get_one(CodingRow, coding_id)
    row.code_id = code_id
    row.start, row.end = span
    row.anchor_text = anchor_text
    row.memo = memo
    repo.session.flush()


def delete_codings(repo: Repository, coding_ids: Iterable[int]) -> None:
    ids = list(coding_ids)
    if ids:
        repo.session.execute(delete(CodingRow).where(CodingRow.id.in_(ids)))


def coding_counts(
    repo: Repository, *, coder: str | None = None, transcript_id: int | None = None
) -> dict[int, int]:
    """Number of codings per code id, optionally of one coder and/or in one transcript."""
    query = select(CodingRow.code_id, func.count()).group_by(CodingRow.code_id)
    if coder is not None:
        query = query.join(Coder, Coder.id == CodingRow.coder_id).where(Coder.name == coder)
    if transcript_id is not None:
        query = query.where(CodingRow.transcript_id == transcript_id)
    return dict(repo.session.execute(query).all())


def case_spans(repo: Repository, case: str) -> dict[str, list[tuple[int, int]]]:
    """Transcript name -> the ``[start, end)`` spans a case covers in it."""
    rows = repo.session.execute(
        select(TranscriptRow.name, CaseAssignmentRow.start, CaseAssignmentRow.end)
        .join(CaseAssignmentRow, CaseAssignmentRow.transcript_id == TranscriptRow.id)
        .join(CaseRow, CaseRow.id == CaseAssignmentRow.case_id)
        .where(CaseRow.name == case)
        .order_by(TranscriptRow.name, CaseAssignmentRow.start)
    )
    spans: dict[str, list[tuple[int, int]]] = {}
    for name, start, end in rows:
        spans.setdefault(name, []).append((start, end))
    return spans


# -- codebook --------------------------------------------------------------------------


def move_code(repo: Repository, code_id: int, parent_id: int | None, position: int) -> None:
    row = repo.session.get_one(CodeRow, code_id)
    row.parent_id = parent_id
    row.position = position
    repo.session.flush()


def delete_code(repo: Repository, code_id: int) -> None:
    repo.session.execute(delete(CodeRow).where(CodeRow.id == code_id))


def recode_all(repo: Repository, from_code_id: int, to_code_id: int) -> list[int]:
    """Move every coding of one code to another; returns the moved coding ids."""
    ids = list(repo.session.scalars(select(CodingRow.id).where(CodingRow.code_id == from_code_id)))
    if ids:
        repo.session.execute(
            update(CodingRow).where(CodingRow.id.in_(ids)).values(code_id=to_code_id)
        )
    return ids


def set_codings_code(repo: Repository, coding_ids: Iterable[int], code_id: int) -> None:
    ids = list(coding_ids)
    if ids:
        repo.session.execute(update(CodingRow).where(CodingRow.id.in_(ids)).values(code_id=code_id))


def next_position(repo: Repository, parent_id: int | None) -> int:
    condition = CodeRow.parent_id.is_(None) if parent_id is None else CodeRow.parent_id == parent_id
    found = repo.session.scalar(select(func.max(CodeRow.position)).where(condition))
    return 0 if found is None else found + 1


def transcript_text(repo: Repository, name: str) -> tuple[int, str] | None:
    """A transcript's id and text by name, without its turns."""
    row = repo.session.execute(
        select(TranscriptRow.id, TranscriptRow.text).where(TranscriptRow.name == name)
    ).first()
    return None if row is None else (row[0], row[1])


def insert_code(
    repo: Repository,
    code_id: int,
    fields: dict[str, object],
    parent_id: int | None,
    position: int,
) -> None:
    """Insert a code under a known id (undoing a merge or redoing an add keeps ids
    stable). ``fields`` are the code's columns (name, description, colour, ...)."""
    repo.session.add(CodeRow(id=code_id, parent_id=parent_id, position=position, **fields))
    repo.session.flush()


def code_place(repo: Repository, code_id: int) -> tuple[int | None, int]:
    """A code's parent id and position among its siblings."""
    row = repo.session.get_one(CodeRow, code_id)
    return row.parent_id, row.position


def transcript_listing(repo: Repository) -> list[tuple[str, int, tuple[str, ...]]]:
    """(name, words, case names) of every transcript, by name — lighter than the full
    summaries (no turn or speaker counts)."""
    cases: dict[int, list[str]] = {}
    for transcript_id, case in repo.session.execute(
        select(CaseAssignmentRow.transcript_id, CaseRow.name)
        .join(CaseRow, CaseRow.id == CaseAssignmentRow.case_id)
        .group_by(CaseAssignmentRow.transcript_id, CaseRow.name)
        .order_by(CaseAssignmentRow.transcript_id, CaseRow.name)
    ):
        cases.setdefault(transcript_id, []).append(case)
    rows = repo.session.execute(
        select(TranscriptRow.id, TranscriptRow.name, TranscriptRow.words).order_by(
            TranscriptRow.name
        )
    )
    return [(name, words, tuple(cases.get(tid, ()))) for tid, name, words in rows]


def transcripts_coded_by(repo: Repository, coder: str) -> set[str]:
    """Names of the transcripts in which ``coder`` has at least one coding."""
    coder_id = repo.coder_id(coder)
    if coder_id is None:
        return set()
    ids = select(CodingRow.transcript_id).where(CodingRow.coder_id == coder_id).distinct()
    return set(repo.session.scalars(select(TranscriptRow.name).where(TranscriptRow.id.in_(ids))))
