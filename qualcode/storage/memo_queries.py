"""Reading, correcting, deleting and putting back memos on the project, transcripts and
codes (a coding's memo is a column of the coding, read with the codings). Every function
takes the :class:`Repository` of the caller's transaction and never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row, func, select

from qualcode.domain.text_entry import enter_name, enter_text
from qualcode.storage.repositories import Repository, iso_utc
from qualcode.storage.tables import MemoRow, TranscriptRow

_CHUNK = 500  # ids per IN (...) list, well under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class StoredMemo:
    """A memo row: ``target_type`` is ``project``, ``transcript`` or ``code`` (other
    types may come from older tools); ``target_id`` is ``None`` on the project;
    ``created`` is ISO-8601 UTC to the second ("2026-11-22T18:04:05Z")."""

    id: int
    target_type: str
    target_id: int | None
    author: str | None
    created: str
    text: str


def memos(
    repo: Repository,
    target_type: str | None = None,
    target_ids: Sequence[int] | None = None,
    *,
    author: str | None = None,
) -> list[StoredMemo]:
    """Memos, oldest first (by id); only on ``target_type`` when given, and then only on
    ``target_ids`` when given (an empty sequence finds none); only by ``author`` when
    given."""
    query = select(
        MemoRow.id,
        MemoRow.target_type,
        MemoRow.target_id,
        MemoRow.author,
        MemoRow.created_at,
        MemoRow.text,
    ).order_by(MemoRow.id)
    if target_type is not None:
        query = query.where(MemoRow.target_type == target_type)
    if author is not None:
        query = query.where(MemoRow.author == author)
    if target_ids is None:
        return [_memo(row) for row in repo.session.execute(query)]
    wanted = sorted(set(target_ids))
    found: list[StoredMemo] = []
    for index in range(0, len(wanted), _CHUNK):
        chunk = wanted[index : index + _CHUNK]
        found.extend(
            _memo(row) for row in repo.session.execute(query.where(MemoRow.target_id.in_(chunk)))
        )
    return sorted(found, key=lambda memo: memo.id)


def memo(repo: Repository, memo_id: int) -> StoredMemo | None:
    """One memo by id; ``None`` when there is none."""
    row = repo.session.get(MemoRow, memo_id)
    if row is None:
        return None
    return StoredMemo(
        row.id, row.target_type, row.target_id, row.author, iso_utc(row.created_at), row.text
    )


def memo_guid(repo: Repository, memo_id: int) -> str | None:
    """The memo's exchange GUID (set by REFI imports and exports), if any."""
    return repo.session.scalar(select(MemoRow.guid).where(MemoRow.id == memo_id))


def update_memo(repo: Repository, memo_id: int, text: str, author: str | None) -> None:
    """Replace an existing memo's text and author; ``updated_at`` becomes now."""
    row = repo.session.get_one(MemoRow, memo_id)
    row.text = enter_text(text, "memo")
    row.author = None if author is None else enter_name(author, "memo author")
    row.updated_at = _now()
    repo.session.flush()


def delete_memo(repo: Repository, memo_id: int) -> None:
    """Remove an existing memo."""
    repo.session.delete(repo.session.get_one(MemoRow, memo_id))
    repo.session.flush()


def restore_memo(repo: Repository, stored: StoredMemo, guid: str | None) -> None:
    """Insert a deleted memo again under its old id, with its creation time (to the
    second) and GUID."""
    created = dt.datetime.fromisoformat(stored.created.removesuffix("Z"))
    repo.session.add(
        MemoRow(
            id=stored.id,
            target_type=stored.target_type,
            target_id=stored.target_id,
            author=stored.author,
            text=stored.text,
            created_at=created,
            updated_at=_now(),
            guid=guid,
        )
    )
    repo.session.flush()


def memo_counts(repo: Repository, target_type: str, *, author: str | None = None) -> dict[int, int]:
    """Target id -> number of memos on it (only ``author``'s when given), for every
    target of ``target_type`` that has any."""
    query = select(MemoRow.target_id, func.count()).where(
        MemoRow.target_type == target_type, MemoRow.target_id.is_not(None)
    )
    if author is not None:
        query = query.where(MemoRow.author == author)
    rows = repo.session.execute(query.group_by(MemoRow.target_id))
    return {target_id: count for target_id, count in rows if target_id is not None}


def transcript_names(repo: Repository) -> dict[int, str]:
    """Transcript id -> name, for naming memo targets."""
    rows = repo.session.execute(select(TranscriptRow.id, TranscriptRow.name))
    return {int(transcript_id): str(name) for transcript_id, name in rows}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def _memo(row: Row[int, str, int | None, str | None, dt.datetime, str]) -> StoredMemo:
    memo_id, target_type, target_id, author, created, text = row
    return StoredMemo(memo_id, target_type, target_id, author, iso_utc(created), text)
