"""A matrix as a heat map: numbers in a :class:`DataTable`, each body cell tinted by its
share of the largest body value. The tints mix the theme's ``$primary`` into its
``$surface`` (the table's background), so they follow the theme; the numbers are always
printed, so the table reads without colour. Totals are bold and never tinted."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.coordinate import Coordinate

from qualcode.tui.widgets.measured_table import MeasuredTable

Value = int | float | None

LEVELS = 5
TINTS = (0.15, 0.3, 0.5, 0.7, 0.9)  # share of $primary in each level's background
TOTAL_STYLE = Style(bold=True)
EMPTY_STYLE = Style(dim=True)
MAX_LABEL = 18
EMPTY = "–"


def format_value(value: Value) -> str:
    """A cell as printed: integers as they are, percentages with two decimals, ``–``
    where there is no value (a row without text, a percentage of nothing)."""
    if value is None:
        return EMPTY
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def heat_level(value: Value, highest: float) -> int:
    """0 for nothing, else 1..LEVELS by ``value`` ÷ ``highest`` (rounded up)."""
    if value is None or value <= 0 or highest <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(LEVELS * value / highest)))


def heat_styles(theme_variables: Mapping[str, str]) -> tuple[Style, ...]:
    """The style of each level (index 0 = level 1): ``$primary`` mixed into
    ``$surface``, with whichever of light or dark text reads best on it."""
    surface = Color.parse(theme_variables["surface"])
    primary = Color.parse(theme_variables["primary"])
    styles = []
    for share in TINTS:
        background = surface.blend(primary, share)
        text = background + background.get_contrast_text(0.9)
        styles.append(Style(color=text.rich_color, bgcolor=background.rich_color))
    return tuple(styles)


def short_label(label: str, limit: int = MAX_LABEL) -> str:
    """A code path's last part, cut to ``limit`` characters with an ellipsis."""
    last = label.rsplit("/", 1)[-1]
    return last if len(last) <= limit else last[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class HeatGrid:
    """What the table shows: ``values[row][column]`` for the body rows and columns, with
    the Total row last and the Total column last."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[Value, ...], ...]

    def body_highest(self) -> float:
        body = [v for line in self.values[: len(self.rows)] for v in line[: len(self.columns)] if v]
        return float(max(body, default=0))


class HeatTable(MeasuredTable[Text]):
    """Rows × columns of numbers with totals; the cursor moves cell by cell."""

    def __init__(self, *, id: str | None = None) -> None:
        # the cursor's colours win over a cell's tint, so it stays visible on any cell
        super().__init__(
            id=id,
            cursor_type="cell",
            cell_padding=0,
            cursor_background_priority="css",
            cursor_foreground_priority="css",
        )
        self.grid = HeatGrid((), (), ())

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.show(self.grid))

    def show(self, grid: HeatGrid) -> None:
        """Fill the table with ``grid``, keeping the cursor where it was if it fits."""
        cursor = self.cursor_coordinate
        self.grid = grid
        self.clear(columns=True)
        if not grid.values:
            return
        texts = [[format_value(v) for v in line] for line in grid.values]
        labels = [*(short_label(c) for c in grid.columns), "Total"]
        widths = [
            max(len(label), *(len(line[index]) for line in texts))
            for index, label in enumerate(labels)
        ]
        for index, (label, width) in enumerate(zip(labels, widths, strict=True)):
            self.add_column(Text(f" {label.rjust(width)} "), width=width + 2, key=str(index))
        highest = grid.body_highest()
        levels = heat_styles(self.app.theme_variables)
        body_rows, body_columns = len(grid.rows), len(grid.columns)
        for row, line in enumerate(texts):
            cells = []
            for column, text in enumerate(line):
                level = heat_level(grid.values[row][column], highest)
                if row == body_rows or column == body_columns:
                    style = TOTAL_STYLE
                else:
                    style = levels[level - 1] if level else EMPTY_STYLE
                cells.append(Text(f" {text.rjust(widths[column])} ", style=style))
            label = grid.rows[row] if row < body_rows else "Total"
            shown = label if len(label) <= 2 * MAX_LABEL else label[: 2 * MAX_LABEL - 1] + "…"
            label_style = "bold" if row == body_rows else ""
            self.add_row(*cells, label=Text(f" {shown} ", style=label_style), key=str(row))
        if cursor.row < self.row_count and cursor.column < len(self.columns):
            self.cursor_coordinate = cursor

    def shown(self, row: int, column: int) -> str:
        """The text printed in a cell, without its padding."""
        return self.get_cell_at(Coordinate(row, column)).plain.strip()
