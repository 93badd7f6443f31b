"""Reads and writes behind code suggestions (``uow.suggestions``): the model cache, what
invalidates it, and which codings came from accepted suggestions (read from the event
log)."""

from __future__ import annotations

from sqlalchemy import Delete, delete, func, select

from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import CodeRow, CodingRow, EventRow, SuggestionModelRow

UNRELATED_ACTIONS = ("setting", "dismiss_suggestion", "done", "undone", "memo_edit", "memo")
"""Logged actions that change nothing a suggestion model learns from."""


class SuggestionRepository(StoredArea):
    """The suggestion model cache and which codings were accepted suggestions."""

    __slots__ = ()

    def fingerprint(self) -> str:
        """Changes whenever anything a model learns from may have changed: the latest
        event (other than those in :data:`UNRELATED_ACTIONS`), the number and latest id
        of codings, the number and latest id of codes."""
        session = self._session
        event = (
            session.scalar(
                select(func.max(EventRow.id)).where(EventRow.action.not_in(UNRELATED_ACTIONS))
            )
            or 0
        )
        codings, last_coding = session.execute(
            select(func.count(), func.max(CodingRow.id)).select_from(CodingRow)
        ).one()
        codes, last_code = session.execute(
            select(func.count(), func.max(CodeRow.id)).select_from(CodeRow)
        ).one()
        return f"e{event}:c{codings}/{last_coding or 0}:k{codes}/{last_code or 0}"

    def cached_model(self, key: str, wanted: str) -> str | None:
        """The cached model's JSON text for ``key`` if it was trained at fingerprint
        ``wanted`` (``None`` when there is none or it is stale)."""
        row = self._session.get(SuggestionModelRow, key)
        return row.model if row is not None and row.fingerprint == wanted else None

    def store_model(self, key: str, print_: str, model: str) -> None:
        """Replace the cached model for ``key`` (trained at fingerprint ``print_``)."""
        self._session.execute(delete(SuggestionModelRow).where(SuggestionModelRow.key == key))
        self._session.add(SuggestionModelRow(key=key, fingerprint=print_, model=model))
        self._session.flush()

    def suggested_coding_ids(self, origin_key: str, origin: str) -> set[int]:
        """Ids of existing codings whose stored origin (``coding.origin``, schema 9) is
        ``origin``. The origin follows the coding through undo, redo, merges and backups,
        not its id; ``origin_key`` (the event payload's key, which older versions read
        here) is no longer needed."""
        del origin_key
        return self._uow.codings.ids_of_origin(origin)

    def clear_all(self) -> int:
        """Delete every cached model (they hold words of the transcripts: anonymizing
        clears them; the next ``suggest`` trains afresh). Returns how many were deleted."""
        return self._deleted(delete(SuggestionModelRow))

    def prune(self, current: str, keep: int, stored: str) -> int:
        """Delete the models trained at another fingerprint than ``current`` (stale: codings
        or codes changed since, so they are never used again) and all but the ``keep``
        newest of the rest, always keeping the one under key ``stored`` (about to be
        replaced, or just stored). Returns how many were deleted."""
        table = SuggestionModelRow
        deleted = self._deleted(delete(table).where(table.fingerprint != current))
        others = select(table.key).where(table.key != stored)
        newest = others.order_by(table.created_at.desc(), table.key).limit(max(keep - 1, 0))
        kept = [stored, *self._session.scalars(newest)]
        return deleted + self._deleted(delete(table).where(table.key.not_in(kept)))

    def _deleted(self, statement: Delete) -> int:
        return int(getattr(self._session.execute(statement), "rowcount", 0) or 0)
