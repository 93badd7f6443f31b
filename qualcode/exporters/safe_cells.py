"""Where a value becomes a cell of an exported document: the one place per format that
keeps user text (names, memos, passages, summaries, attribute values) inert.

- CSV (:func:`csv_cell`, used by :func:`qualcode.exporters.tables.render_csv`, the one
  CSV writer): a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return — what a spreadsheet would run as a formula — gets a single quote in
  front (OWASP's rule for CSV injection). Text that is just a number ("-3", "+4.5")
  and the numbers we compute are left as they are. :func:`raw_cells` turns this off
  for scripts that want the stored text exactly (``--raw-cells``).
- XLSX (:func:`xlsx_row`, the one way exporters add a row to a sheet): every text cell
  is stored as text, never as a formula, whatever it begins with, and keeps its value
  exactly; a cell that looks like a formula is also marked "quote prefix", so a
  spreadsheet keeps it text when someone edits it. Characters XML cannot hold (control
  characters other than tab, newline, carriage return) become U+FFFD.
- Markdown (:func:`markdown_text`): ``&``, ``<`` and ``>`` become entities, so a
  passage such as ``<script>`` or ``<img onerror=...>`` renders as text, and line
  breaks become spaces, so a name cannot start a heading or leave a table row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
# What XML 1.0 cannot hold (openpyxl refuses it with an exception).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RAW = ContextVar("qualcode_raw_cells", default=False)


@contextmanager
def raw_cells(enabled: bool = True) -> Iterator[None]:
    """While active, CSV cells are written exactly as stored (no quote prefix)."""
    token = _RAW.set(enabled)
    try:
        yield
    finally:
        _RAW.reset(token)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula (see the module doc)."""
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text)


def csv_cell(value: object) -> object:
    """The value to hand to :mod:`csv`: ``None`` is an empty cell, formula-like text is
    quoted (unless :func:`raw_cells`), everything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and not _RAW.get() and looks_like_formula(value):
        return "'" + value
    return value


def xlsx_row(
    sheet: Any,
    values: Sequence[object],
    *,
    font: Any = None,
    alignment: Any = None,
    style: Callable[[int, Any], None] | None = None,
) -> None:
    """Append one row to an openpyxl sheet (normal or write-only): text as text, numbers
    as numbers, ``None`` as an empty cell; ``font``/``alignment`` styles every cell,
    ``style(index, cell)`` (0-based column index) each cell on its own."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in values:
        text = isinstance(value, str)
        if text:
            value = _NOT_IN_XML.sub("\ufffd", str(value))
        cell = WriteOnlyCell(sheet, value=None if text else value)
        if text:
            # assigned past openpyxl's value binding, which makes "=..." a formula
            cell._value = value
            cell.data_type = "s"
            if looks_like_formula(str(value)):
                cell.quotePrefix = True
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        if style is not None:
            style(len(cells), cell)
        cells.append(cell)
    sheet.append(cells)


def markdown_text(value: object) -> str:
    """Text for a Markdown document: HTML-escaped (``&``, ``<``, ``>``), on one line."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.splitlines())
