"""Per-coder transcript status ("done") and per-project settings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from qualcode.storage.repositories import Repository
from qualcode.storage.tables import Coder, SettingRow, TranscriptRow, TranscriptStatusRow


def set_done(repo: Repository, transcript_id: int, coder_id: int, done: bool) -> bool:
    """Record whether the coder has finished the transcript; returns the previous value."""
    row = repo.session.scalar(
        select(TranscriptStatusRow).where(
            TranscriptStatusRow.transcript_id == transcript_id,
            TranscriptStatusRow.coder_id == coder_id,
        )
    )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    if row is None:
        repo.session.add(
            TranscriptStatusRow(
                transcript_id=transcript_id, coder_id=coder_id, done=done, updated_at=now
            )
        )
        return False
    previous = row.done
    row.done, row.updated_at = done, now
    return previous


def done_marks(repo: Repository) -> dict[str, set[str]]:
    """Transcript name -> the coders who marked it done."""
    marks: dict[str, set[str]] = {}
    rows = repo.session.execute(
        select(TranscriptRow.name, Coder.name)
        .join(TranscriptStatusRow, TranscriptStatusRow.transcript_id == TranscriptRow.id)
        .join(Coder, Coder.id == TranscriptStatusRow.coder_id)
        .where(TranscriptStatusRow.done.is_(True))
    )
    for transcript, coder in rows:
        marks.setdefault(transcript, set()).add(coder)
    return marks


def get_setting(repo: Repository, key: str, default: object = None) -> object:
    row = repo.session.get(SettingRow, key)
    return default if row is None else row.value


def set_setting(repo: Repository, key: str, value: object) -> None:
    row = repo.session.get(SettingRow, key)
    if row is None:
        repo.session.add(SettingRow(key=key, value=value))
    else:
        row.value = value
