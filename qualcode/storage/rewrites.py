"""The rewrite repository (``uow.rewrites``): rewriting stored strings outside
transcript texts (pseudonymisation) — memos, case names, speakers of case assignments,
framework summaries, source paths and the event log. ``rewrite`` maps a string to its new
form (returning it unchanged when nothing applies); columns are named by the labels of
:data:`TEXT_LABELS`, never by row classes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from sqlalchemy import select, update

from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import (
    Base,
    CaseAssignmentRow,
    CaseRow,
    CodingRow,
    EventRow,
    FrameworkSummaryRow,
    MemoRow,
    TranscriptRow,
)

Rewrite = Callable[[str], str]

TEXT_COLUMNS: tuple[tuple[str, type[Base], str], ...] = (
    ("coding memos", CodingRow, "memo"),
    ("memos", MemoRow, "text"),
    ("framework summaries", FrameworkSummaryRow, "text"),
    ("case names", CaseRow, "name"),
    ("case speakers", CaseAssignmentRow, "speaker"),
    ("source paths", TranscriptRow, "source_path"),
    ("transcript names", TranscriptRow, "name"),
)

_COLUMNS = {label: (row, column) for label, row, column in TEXT_COLUMNS}
TEXT_LABELS = tuple(_COLUMNS)
"""What holds rewritable strings, by the name the report uses ("memos", "case names")."""

UNIQUE_NAMES: dict[str, str] = {"case names": "case", "transcript names": "transcript"}
"""The labels whose values must stay unique, and what to call one in an error."""


def _rewrite_json(value: Any, rewrite: Rewrite) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_rewrite_json(item, rewrite) for item in value]
    if isinstance(value, dict):
        return {key: _rewrite_json(item, rewrite) for key, item in value.items()}
    return value


class RewriteRepository(StoredArea):
    """Rewriting stored strings outside transcript texts."""

    __slots__ = ()

    labels: ClassVar[tuple[str, ...]] = TEXT_LABELS
    unique_names: ClassVar[Mapping[str, str]] = UNIQUE_NAMES

    def changed_values(self, label: str, rewrite: Rewrite) -> dict[int, tuple[str, str]]:
        """Row id -> (old, new) for every value under ``label`` (one of
        :data:`TEXT_LABELS`) that ``rewrite`` changes."""
        row, column = _COLUMNS[label]
        attribute = getattr(row, column)
        identity = row.id  # type: ignore[attr-defined]
        found: dict[int, tuple[str, str]] = {}
        for row_id, value in self._session.execute(
            select(identity, attribute).where(attribute.is_not(None))
        ):
            new = rewrite(value)
            if new != value:
                found[row_id] = (value, new)
        return found

    def store_values(self, label: str, values: dict[int, tuple[str, str]]) -> None:
        """Write the new values of :meth:`changed_values`."""
        row, column = _COLUMNS[label]
        identity = row.id  # type: ignore[attr-defined]
        for row_id, (_, new) in values.items():
            self._session.execute(update(row).where(identity == row_id).values({column: new}))

    def names(self, label: str) -> set[str]:
        """Every value under a label of :data:`UNIQUE_NAMES` (case or transcript names)."""
        row, _ = _COLUMNS[label]
        return set(self._session.scalars(select(row.name)))  # type: ignore[attr-defined]

    def rewrite_event_log(self, rewrite: Rewrite) -> int:
        """Rewrite every string in each event's summary and payload; returns events changed."""
        changed = 0
        last = 0
        while True:
            rows = list(
                self._session.execute(
                    select(EventRow.id, EventRow.summary, EventRow.payload)
                    .where(EventRow.id > last)
                    .order_by(EventRow.id)
                    .limit(1000)
                )
            )
            if not rows:
                return changed
            for event_id, summary, payload in rows:
                new_summary = rewrite(summary)
                new_payload = _rewrite_json(payload, rewrite)
                if new_summary != summary or new_payload != payload:
                    self._session.execute(
                        update(EventRow)
                        .where(EventRow.id == event_id)
                        .values(summary=new_summary, payload=new_payload)
                    )
                    changed += 1
            last = rows[-1][0]

    def rename_in_event_log(self, key: str, old: str, new: str) -> int:
        """In every event's payload, set each ``key`` whose value is exactly ``old`` to
        ``new`` (at any depth: a coding inside a list of codings too); summaries are left as
        they were written. Returns how many events changed."""

        def rename(value: Any) -> Any:
            if isinstance(value, list):
                return [rename(item) for item in value]
            if isinstance(value, dict):
                return {
                    name: new if name == key and item == old else rename(item)
                    for name, item in value.items()
                }
            return value

        changed = 0
        for event_id, payload in self._session.execute(select(EventRow.id, EventRow.payload)):
            renamed = rename(payload)
            if renamed != payload:
                self._session.execute(
                    update(EventRow).where(EventRow.id == event_id).values(payload=renamed)
                )
                changed += 1
        return changed
