"""How every exported workbook looks: one function, :func:`add_table`, lays out a sheet
so it reads and prints as a report table.

- Columns are as wide as their content (text capped at :data:`TEXT_WIDTH`, long text
  such as passages at :data:`LONG_TEXT_WIDTH`), text wraps, and each row is as tall
  as its most-wrapped cell (openpyxl does not fit rows: the lines are counted here by
  wrapping the text at the column's width in characters), capped at Excel's 409 pt.
- Numbers carry their column's format (:data:`COUNT` ``0``, :data:`PERCENT` ``0.0``
  with the unit in the header, :data:`COEFFICIENT` ``0.000``); ``True``/``False``
  become ``yes``/``no``.
- One named font (:data:`FONT_NAME`, which LibreOffice maps to the metric-compatible
  Liberation Sans), bold header, header row and label columns frozen.
- A table wider than a landscape page turns its number columns' headers upright, so
  those columns are only as wide as their numbers.
- Printing: landscape, one page wide, the header row repeated on every page, the sheet
  name at the top and the project and export date at the bottom of every page.

Rows go through :func:`~qualcode.exporters.safe_cells.xlsx_row`, so text stays text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from qualcode.domain.document_info import DocumentInfo
from qualcode.exporters.safe_cells import xlsx_row

FONT_NAME = "Arial"
FONT_SIZE = 10
LINE_POINTS = 12.75
"""Height of one line of 10-point text, in points."""
MAX_ROW_POINTS = 409.0
"""The tallest row Excel allows."""
COUNT = "0"
PERCENT = "0.0"
COEFFICIENT = "0.000"
TEXT_WIDTH = 50
LONG_TEXT_WIDTH = 70
MIN_WIDTH = 6
SHEET_NAME_LIMIT = 31
UPRIGHT_POINTS_PER_CHARACTER = 5.5
"""Length of an upright header per character, in points (10-point bold text)."""
HEADER_LIMIT = 200
"""Characters of a printed header part (Excel allows 255 for all of them)."""
PAGE_CHARACTERS = 150
"""About as many characters as a landscape page holds across at full size."""
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))

Fill = Callable[[int, int, object], "str | None"]
"""``(row index, column index, value)`` → a cell's ``RRGGBB`` fill, or ``None``."""


@dataclass(frozen=True, slots=True)
class SheetColumn:
    """One column of a sheet: its header, the format of its numbers (``None``: text or
    whatever the values are), whether it holds long text (passages, notes), and the
    most characters it may be wide (``None``: :data:`LONG_TEXT_WIDTH` for long text,
    else :data:`TEXT_WIDTH`; a narrower cap wraps secondary text so the main text keeps
    its room on a page)."""

    header: str
    number_format: str | None = None
    long_text: bool = False
    cap: int | None = None


def sheet_title(name: str) -> str:
    """``name`` as a valid sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return name.translate(_NOT_IN_SHEET_NAMES)[:SHEET_NAME_LIMIT] or "sheet"


def shown_value(value: object) -> object:
    """A cell as written: booleans as ``yes``/``no`` (a spreadsheet shows raw booleans
    as 0/1 or TRUE/FALSE depending on the client)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _number_text(value: float, number_format: str | None) -> str:
    if isinstance(value, int):
        return str(value)
    if number_format is None or "." not in number_format:
        return f"{value:.0f}" if number_format == COUNT else str(value)
    return f"{value:.{len(number_format.partition('.')[2])}f}"


def _cell_text(value: object, number_format: str | None) -> str:
    value = shown_value(value)
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _number_text(value, number_format)
    return str(value)


def column_width(column: SheetColumn, texts: Sequence[str]) -> float:
    """Characters wide: the longest line (capped), never narrower than the header's
    longest word, so headers wrap between words only."""
    cap = column.cap or (LONG_TEXT_WIDTH if column.long_text else TEXT_WIDTH)
    longest_line = max((len(line) for text in texts for line in text.split("\n")), default=0)
    # split at spaces and line breaks only: a no-break space holds its words together
    longest_word = max((len(w) for w in re.split(r"[ \n]+", column.header)), default=0)
    return float(max(MIN_WIDTH, min(cap, longest_line + 2), min(cap, longest_word + 2)))


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide (each line break
    starts a line; words move whole to the next line, as a spreadsheet wraps; a run of
    spaces inside a line is as wide as its spaces; a word longer than a line starts a
    line of its own and is broken, which may count a line more than the text needs)."""
    # Text averages a little narrower than the digit '0' a width counts, less padding.
    per_line = max(1, int(width * 1.2) - 2)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        if len(paragraph) <= per_line:
            continue
        used = 0
        # split at single spaces: each further space of a run is an empty word of width 1
        for word in paragraph.strip(" ").split(" "):
            if used and used + 1 + len(word) <= per_line:
                used += 1 + len(word)
                continue
            lines += 1 if used else 0
            used = len(word)
            while used > per_line:  # broken inside the word
                lines += 1
                used -= per_line
    return lines


ROW_LINES = int((MAX_ROW_POINTS - 2) // LINE_POINTS)
"""Lines of text the tallest row shows."""


def rows_of_parts(parts: Sequence[str], width: float, separator: str = "\n\n") -> list[str]:
    """``parts`` (passages of one cell, in order) joined by ``separator`` into as few
    cells as keep each within :data:`ROW_LINES` lines at ``width``, for consecutive
    rows: a cell taller than the tallest row would be cut in print. A part taller than
    a row on its own gets a row to itself. No parts: one empty cell."""
    cells: list[list[str]] = []
    lines = 0
    gap = separator.count("\n") - 1  # the blank lines between two parts
    for part in parts:
        needed = wrapped_lines(part, width)
        if cells and cells[-1] and lines + gap + needed <= ROW_LINES:
            cells[-1].append(part)
            lines += gap + needed
        else:
            cells.append([part])
            lines = needed
    return [separator.join(cell) for cell in cells] or [""]


def row_points(texts: Sequence[str], widths: Sequence[float]) -> float:
    """The height, in points, that shows every line of the row's tallest cell."""
    lines = max((wrapped_lines(t, w) for t, w in zip(texts, widths, strict=True) if t), default=1)
    return min(MAX_ROW_POINTS, math.ceil(lines * LINE_POINTS + 2))


def add_table(
    workbook: Any,
    title: str,
    columns: Sequence[SheetColumn],
    rows: Sequence[Sequence[object]],
    document: DocumentInfo,
    *,
    label_columns: int = 1,
    fill: Fill | None = None,
    bold_rows: frozenset[int] = frozenset(),
    caption: str = "",
) -> Any:
    """Add a sheet ``title`` to ``workbook`` (normal or write-only) holding a header row
    and ``rows``, styled as the module describes. ``label_columns`` columns are frozen
    beside the data; ``fill`` colours cells; ``bold_rows`` (0-based) are totals;
    ``caption`` heads every printed page (default: the sheet's name)."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(sheet_title(title))
    formats = [c.number_format for c in columns]
    texts = [[_cell_text(v, f) for v, f in zip(row, formats, strict=False)] for row in rows]
    widths = [
        column_width(column, [line[i] for line in texts if i < len(line)])
        for i, column in enumerate(columns)
    ]
    # Too wide for a landscape page with headers across: turn the number columns'
    # headers upright, so those columns are only as wide as their numbers.
    upright = frozenset(
        i
        for i, column in enumerate(columns)
        if sum(widths) > PAGE_CHARACTERS and i >= label_columns and column.number_format
    )
    for i in upright:
        widths[i] = column_width(SheetColumn(""), [line[i] for line in texts if i < len(line)])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"{get_column_letter(label_columns + 1)}2"
    _print_setup(sheet, document, caption)

    header_texts = [c.header for c in columns]
    across = [h for i, h in enumerate(header_texts) if i not in upright]
    longest_upright = max((len(header_texts[i]) for i in upright), default=0)
    sheet.row_dimensions[1].height = max(
        row_points(across, [w for i, w in enumerate(widths) if i not in upright]),
        min(MAX_ROW_POINTS, longest_upright * UPRIGHT_POINTS_PER_CHARACTER + 6),
    )
    styles = _Styles(formats, fill, bold_rows)
    xlsx_row(sheet, header_texts, style=styles.of_header(upright))
    for index, (row, line) in enumerate(zip(rows, texts, strict=True)):
        tall = row_points(line, widths[: len(line)])
        if tall > LINE_POINTS + 2:
            sheet.row_dimensions[index + 2].height = tall
        xlsx_row(sheet, [shown_value(v) for v in row], style=styles.of_row(index, row))
    return sheet


class _Styles:
    """The fonts, alignments, number formats and fills of one sheet's cells."""

    def __init__(
        self, formats: Sequence[str | None], fill: Fill | None, bold_rows: frozenset[int]
    ) -> None:
        from openpyxl.styles import Alignment, Font

        self.formats, self.fill, self.bold_rows = formats, fill, bold_rows
        self.body = Font(name=FONT_NAME, size=FONT_SIZE)
        self.bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
        self.header = Alignment(wrap_text=True, vertical="bottom")
        self.text = Alignment(wrap_text=True, vertical="top")
        self.number = Alignment(horizontal="right", vertical="top")
        self.known: dict[tuple[bool, bool, str | None, str | None], Any] = {}

    def of_header(self, upright: frozenset[int]) -> Callable[[int, Any], None]:
        """Bold; the ``upright`` columns' text turned 90° (a wide table's numbers)."""
        from openpyxl.styles import Alignment

        turned = Alignment(text_rotation=90, horizontal="center", vertical="bottom")

        def style(position: int, cell: Any) -> None:
            cell.font = self.bold
            cell.alignment = turned if position in upright else self.header

        return style

    def of_row(self, index: int, row: Sequence[object]) -> Callable[[int, Any], None]:
        """What :func:`xlsx_row` calls on each cell of row ``index``."""
        from openpyxl.styles import PatternFill

        def style(position: int, cell: Any) -> None:
            value = row[position]
            bold = index in self.bold_rows
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            number_format = self.formats[position] if position < len(self.formats) else None
            if is_number and number_format and isinstance(value, int):
                number_format = COUNT  # a whole number (a denominator row) has no decimals
            colour = None if self.fill is None else self.fill(index, position, value)
            key = (bold, is_number, number_format if is_number else None, colour)
            known = self.known.get(key)
            if known is not None:  # openpyxl hashes each style set: copy a made one
                cell._style = copy(known)
                return
            cell.font = self.bold if bold else self.body
            cell.alignment = self.number if is_number else self.text
            if is_number and number_format:
                cell.number_format = number_format
            if colour is not None:
                cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
            self.known[key] = copy(cell._style)

        return style


def _header_text(text: str) -> str:
    """Text for a printed header or footer: ``&`` doubled (it starts a code there)."""
    return text.replace("&", "&&")[:HEADER_LIMIT]


def _print_setup(sheet: Any, document: DocumentInfo, caption: str) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.oddHeader.center.text = _header_text(caption) if caption else "&A"  # &A: its name
    sheet.oddFooter.left.text = _header_text(document.project)
    sheet.oddFooter.center.text = "page &P of &N"
    sheet.oddFooter.right.text = f"exported {date.today().isoformat()}"


def workbook_bytes(workbook: Any) -> bytes:
    """The saved workbook."""
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
