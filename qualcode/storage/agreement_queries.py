"""Lean reads for agreement and reconciliation: ids and offsets only, no anchor text.

Every function takes the :class:`Repository` of the caller's session and never commits.
Offsets are half-open code points into the transcript text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select

from qualcode.storage.repositories import Repository
from qualcode.storage.tables import CodingRow, TranscriptRow, TurnRow

CodingKey = tuple[int, int, int, int, int, int]
"""(coding id, transcript id, code id, coder id, start, end)."""


def coder_codings(repo: Repository, coder_ids: Collection[int]) -> list[CodingKey]:
    """Every coding of these coders, ordered by transcript, code, coder and start."""
    if not coder_ids:
        return []
    # Core execution (no ORM row processing): this returns every coding of a project
    rows = repo.session.connection().execute(
        select(
            CodingRow.id,
            CodingRow.transcript_id,
            CodingRow.code_id,
            CodingRow.coder_id,
            CodingRow.start,
            CodingRow.end,
        )
        .where(CodingRow.coder_id.in_(list(coder_ids)))
        .order_by(CodingRow.transcript_id, CodingRow.code_id, CodingRow.coder_id, CodingRow.start)
    )
    return list(rows)  # each Row is a tuple


def transcript_lengths(repo: Repository) -> list[tuple[int, str, int]]:
    """(id, name, length in code points) of every transcript, by name."""
    rows = repo.session.execute(
        select(TranscriptRow.id, TranscriptRow.name, TranscriptRow.characters).order_by(
            TranscriptRow.name
        )
    )
    return [(tid, name, characters) for tid, name, characters in rows]


def turn_spans(repo: Repository, transcript_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
    """Each transcript's turns as ``(start, end)``, in order (absent: no turns)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    if not transcript_ids:
        return spans
    rows = repo.session.execute(
        select(TurnRow.transcript_id, TurnRow.start, TurnRow.end)
        .where(TurnRow.transcript_id.in_(list(transcript_ids)))
        .order_by(TurnRow.transcript_id, TurnRow.position)
    )
    for tid, start, end in rows:
        spans.setdefault(tid, []).append((start, end))
    return spans


def texts_by_id(repo: Repository, transcript_ids: Sequence[int]) -> dict[int, str]:
    """The texts of these transcripts."""
    if not transcript_ids:
        return {}
    rows = repo.session.execute(
        select(TranscriptRow.id, TranscriptRow.text).where(
            TranscriptRow.id.in_(list(transcript_ids))
        )
    )
    return dict(rows.all())


def coding_ids_after(repo: Repository, coder_id: int, after_id: int) -> list[int]:
    """Ids of the coder's codings with an id above ``after_id`` (just inserted), in order."""
    return list(
        repo.session.scalars(
            select(CodingRow.id)
            .where(CodingRow.coder_id == coder_id, CodingRow.id > after_id)
            .order_by(CodingRow.id)
        )
    )


def delete_codings(repo: Repository, coding_ids: Sequence[int]) -> None:
    """Delete these codings (in chunks, to stay under bound-parameter limits)."""
    for first in range(0, len(coding_ids), 500):
        chunk = list(coding_ids[first : first + 500])
        repo.session.execute(delete(CodingRow).where(CodingRow.id.in_(chunk)))
