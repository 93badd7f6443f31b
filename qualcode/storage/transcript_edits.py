"""Writes behind editing a transcript's text: the text itself, its turns, case
assignments and the codings carried over. Each function takes the :class:`Repository`
of the caller's transaction and never commits. Offsets are half-open code points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from qualcode.domain.transcripts import Turn
from qualcode.storage.repositories import Repository
from qualcode.storage.tables import CaseAssignmentRow, CodingRow, TranscriptRow, TurnRow


@dataclass(frozen=True, slots=True)
class Assignment:
    case_id: int
    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True, slots=True)
class CodingPlace:
    """A coding's new span, its anchor text there and its review note (``None`` = no
    review needed)."""

    coding_id: int
    start: int
    end: int
    anchor_text: str
    review_note: str | None


def review_note(repo: Repository, coding_id: int) -> str | None:
    return repo.session.scalar(select(CodingRow.review_note).where(CodingRow.id == coding_id))


def assignments(repo: Repository, transcript_id: int) -> list[Assignment]:
    rows = repo.session.execute(
        select(
            CaseAssignmentRow.case_id,
            CaseAssignmentRow.start,
            CaseAssignmentRow.end,
            CaseAssignmentRow.speaker,
        )
        .where(CaseAssignmentRow.transcript_id == transcript_id)
        .order_by(CaseAssignmentRow.id)
    )
    return [Assignment(case_id, s, e, speaker) for case_id, s, e, speaker in rows]


def replace_text(
    repo: Repository,
    transcript_id: int,
    *,
    text: str,
    sha256: str,
    words: int,
    language: str | None,
    source_path: str | None,
) -> None:
    """Store a transcript's new text (with its hash, length, words and language)."""
    values: dict[str, object] = {
        "text": text,
        "sha256": sha256,
        "characters": len(text),
        "words": words,
        "language": language,
    }
    if source_path is not None:
        values["source_path"] = source_path
    repo.session.execute(
        update(TranscriptRow).where(TranscriptRow.id == transcript_id).values(**values)
    )


def replace_turns(repo: Repository, transcript_id: int, turns: Sequence[Turn]) -> None:
    repo.session.execute(delete(TurnRow).where(TurnRow.transcript_id == transcript_id))
    if turns:
        repo.session.execute(
            insert(TurnRow),
            [
                {
                    "transcript_id": transcript_id,
                    "position": number,
                    "start": turn.start,
                    "end": turn.end,
                    "speaker": turn.speaker,
                    "timestamp": turn.timestamp,
                }
                for number, turn in enumerate(turns, start=1)
            ],
        )


def replace_assignments(repo: Repository, transcript_id: int, rows: Sequence[Assignment]) -> None:
    repo.session.execute(
        delete(CaseAssignmentRow).where(CaseAssignmentRow.transcript_id == transcript_id)
    )
    if rows:
        repo.session.execute(
            insert(CaseAssignmentRow),
            [
                {
                    "case_id": row.case_id,
                    "transcript_id": transcript_id,
                    "start": row.start,
                    "end": row.end,
                    "speaker": row.speaker,
                }
                for row in rows
            ],
        )


def place_codings(repo: Repository, places: Sequence[CodingPlace]) -> None:
    for place in places:
        repo.session.execute(
            update(CodingRow)
            .where(CodingRow.id == place.coding_id)
            .values(
                start=place.start,
                end=place.end,
                anchor_text=place.anchor_text,
                review_note=place.review_note,
            )
        )
