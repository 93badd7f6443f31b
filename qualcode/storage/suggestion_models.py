"""Reads and writes behind code suggestions (``uow.suggestions``): the model cache, what
invalidates it, and which codings came from accepted suggestions (read from the event
log)."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import CodeRow, CodingRow, EventRow, SuggestionModelRow

UNRELATED_ACTIONS = ("setting", "dismiss_suggestion", "done", "undone", "memo_edit", "memo")
"""Logged actions that change nothing a suggestion model learns from."""

_IDS_PER_QUERY = 500  # coding ids per IN (...) list, under every database's bound-value limit


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
        """Ids of existing codings whose ``apply`` event (not undone) records
        ``payload[origin_key] == origin``. Undo and redo keep a coding's id, so a redone
        accepted suggestion still counts; a coding since removed does not."""
        found: set[int] = set()
        rows = self._session.execute(
            select(EventRow.payload).where(EventRow.action == "apply", EventRow.undone.is_(False))
        )
        for (payload,) in rows:
            coding = payload.get("coding") if isinstance(payload, dict) else None
            if payload.get(origin_key) == origin and isinstance(coding, dict):
                coding_id = coding.get("id")
                if isinstance(coding_id, int):
                    found.add(coding_id)
        if not found:
            return found
        ordered = sorted(found)
        existing: set[int] = set()
        for first in range(0, len(ordered), _IDS_PER_QUERY):
            part = ordered[first : first + _IDS_PER_QUERY]
            existing.update(
                self._session.scalars(select(CodingRow.id).where(CodingRow.id.in_(part)))
            )
        return existing
