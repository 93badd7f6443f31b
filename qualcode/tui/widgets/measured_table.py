"""A :class:`DataTable` that repaints its rows once it has measured them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

CellType = TypeVar("CellType")


class MeasuredTable(DataTable[CellType]):
    """Textual's DataTable measures new rows (auto-width columns, row labels) only when
    idle, yet caches what it paints under keys that leave those widths out. A paint in
    between kept rows drawn to the unmeasured widths (cells cut short) until the next
    change, and the measuring itself read the cached rows, painted before the table knew
    it had row labels, so the labels got no width at all. This table drops what it
    cached before measuring, then paints again."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        self._clear_caches()
        super()._update_dimensions(new_rows)
        self.refresh()
