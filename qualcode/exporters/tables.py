"""Plain-text, CSV and JSON renderings of rows for the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence

from qualcode.domain.terminal_text import visible
from qualcode.exporters.safe_cells import csv_cell

Cell = str | int | float | bool | None


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    max_cell: int = 48,
    uncut: Collection[str] = (),
) -> str:
    """Aligned columns; numbers right-aligned; long cells cut with "…" (except in the
    columns named in ``uncut``, e.g. code names a reader needs whole); newlines shown as
    ⏎ and every other control character made visible (ESC as ␛, tab as ␉: see
    :func:`qualcode.domain.terminal_text.visible`), so a stored name cannot move the
    cursor or break the columns."""

    whole = [header in uncut for header in headers]

    def show(value: Cell, column: int) -> str:
        text = "" if value is None else str(value)
        text = visible(text.replace("\n", "⏎"), keep="")
        return text if len(text) <= max_cell or whole[column] else text[: max_cell - 1] + "…"

    cells = [[show(v, i) for i, v in enumerate(row)] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    numeric = [
        all(isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in rows)
        and bool(rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def render_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """RFC 4180 CSV with LF line ends (a cell holding a comma, a quote or any line
    break is quoted); ``None`` becomes an empty cell. The one CSV writer: every cell
    passes :func:`~qualcode.exporters.safe_cells.csv_cell`, so text
    a spreadsheet would run as a formula is quoted (unless ``raw_cells``)."""
    lines = [_csv_line(headers), *(_csv_line(row) for row in rows)]
    return "".join(lines)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_line(values: Sequence[Cell]) -> str:
    # Written here rather than by csv.writer, which with LF line ends leaves a lone
    # carriage return unquoted, so a cell holding one split its row in two when read.
    fields = []
    for value in values:
        text = str(csv_cell(value))
        if _NEEDS_QUOTES.search(text):
            text = '"' + text.replace('"', '""') + '"'
        fields.append(text)
    if fields == [""]:
        return '""\n'  # one empty cell, not an empty line
    return ",".join(fields) + "\n"


def render_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
