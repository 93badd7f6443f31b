"""The memos repository (``uow.memos``): writing, reading, correcting, deleting and
putting back memos on the project, transcripts and codes (a coding's memo is a column of
the coding, read with the codings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Row, func, select, update

from qualcode.domain.memos import StoredMemo
from qualcode.domain.text_entry import (
    enter_name,
    enter_text,
)
from qualcode.storage.repository_base import StoredArea, iso_utc, utcnow
from qualcode.storage.tables import (
    MemoRow,
)

_CHUNK = 500  # ids per IN (...) list, well under every backend's parameter limit


def _memo(row: Row[int, str, int | None, str | None, dt.datetime, str]) -> StoredMemo:
    memo_id, target_type, target_id, author, created, text = row
    return StoredMemo(memo_id, target_type, target_id, author, iso_utc(created), text)


class MemoRepository(StoredArea):
    """Memos on the project, transcripts and codes."""

    __slots__ = ()

    def add(self, target_type: str, target_id: int | None, author: str | None, text: str) -> int:
        now = utcnow()
        row = MemoRow(
            target_type=target_type,
            target_id=target_id,
            author=None if author is None else enter_name(author, "memo author"),
            text=enter_text(text, "memo"),
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def find(
        self,
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
            return [_memo(row) for row in self._session.execute(query)]
        wanted = sorted(set(target_ids))
        found: list[StoredMemo] = []
        for index in range(0, len(wanted), _CHUNK):
            chunk = wanted[index : index + _CHUNK]
            found.extend(
                _memo(row)
                for row in self._session.execute(query.where(MemoRow.target_id.in_(chunk)))
            )
        return sorted(found, key=lambda memo: memo.id)

    def get(self, memo_id: int) -> StoredMemo | None:
        """One memo by id; ``None`` when there is none."""
        row = self._session.get(MemoRow, memo_id)
        if row is None:
            return None
        return StoredMemo(
            row.id, row.target_type, row.target_id, row.author, iso_utc(row.created_at), row.text
        )

    def guid_of(self, memo_id: int) -> str | None:
        """The memo's exchange GUID (set by REFI imports and exports), if any."""
        return self._session.scalar(select(MemoRow.guid).where(MemoRow.id == memo_id))

    def update(self, memo_id: int, text: str, author: str | None) -> None:
        """Replace an existing memo's text and author; ``updated_at`` becomes now."""
        row = self._session.get_one(MemoRow, memo_id)
        row.text = enter_text(text, "memo")
        row.author = None if author is None else enter_name(author, "memo author")
        row.updated_at = utcnow()
        self._session.flush()

    def delete(self, memo_id: int) -> None:
        """Remove an existing memo."""
        self._session.delete(self._session.get_one(MemoRow, memo_id))
        self._session.flush()

    def restore(self, stored: StoredMemo, guid: str | None) -> None:
        """Insert a deleted memo again under its old id, with its creation time (to the
        second) and GUID."""
        created = dt.datetime.fromisoformat(stored.created.removesuffix("Z"))
        self._session.add(
            MemoRow(
                id=stored.id,
                target_type=stored.target_type,
                target_id=stored.target_id,
                author=stored.author,
                text=stored.text,
                created_at=created,
                updated_at=utcnow(),
                guid=guid,
            )
        )
        self._session.flush()

    def counts(self, target_type: str, *, author: str | None = None) -> dict[int, int]:
        """Target id -> number of memos on it (only ``author``'s when given), for every
        target of ``target_type`` that has any."""
        query = select(MemoRow.target_id, func.count()).where(
            MemoRow.target_type == target_type, MemoRow.target_id.is_not(None)
        )
        if author is not None:
            query = query.where(MemoRow.author == author)
        rows = self._session.execute(query.group_by(MemoRow.target_id))
        return {target_id: count for target_id, count in rows if target_id is not None}

    def retarget(self, memo_ids: Sequence[int], target_id: int) -> None:
        """Attach memos to another target of the same type (a code merge moving a code's
        memos), keeping their ``updated_at`` (so an undo leaves them exactly as they were)."""
        for index in range(0, len(memo_ids), _CHUNK):
            self._session.execute(
                update(MemoRow)
                .where(MemoRow.id.in_(memo_ids[index : index + _CHUNK]))
                .values(target_id=target_id, updated_at=MemoRow.updated_at)
            )
