"""Matrices as an XLSX workbook (openpyxl): one sheet per numeric measure (the same rows
as the wide CSV; counts as whole numbers, percentages with one decimal and the unit in
the corner header; one heat-map scale over the whole table, as on the HTML page), the
framework matrix and a passages list when passages are asked for, and an "about" sheet
stating settings, measures and counting rules. Every sheet is laid out for reading and
printing by :func:`qualcode.exporters.xlsx_style.add_table`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qualcode.domain.matrices import COUNTING_RULES, MEASURE_DESCRIPTIONS, Matrix, Measure
from qualcode.exporters.heat import heat_hex, heat_highest
from qualcode.exporters.html_page import brief
from qualcode.exporters.matrix_tables import (
    framework_cell_parts,
    matrix_notes,
    wide_columns,
    wide_table,
)
from qualcode.exporters.tables import Cell
from qualcode.exporters.xlsx_style import (
    COUNT,
    PERCENT,
    SheetColumn,
    add_table,
    column_width,
    rows_of_parts,
    workbook_bytes,
)

FRAMEWORK_SHEET = "framework"
CONTINUED = "(continued)"
PASSAGES_SHEET = "passages"
ABOUT_SHEET = "about"
PASSAGE_HEADERS = (
    "row",
    "column",
    "coders",
    "transcript",
    "start",
    "end",
    "speakers",
    "codes",
    "coded by",
    "text",
)
PERCENT_UNITS = {
    Measure.COVERAGE: "coverage %",
    Measure.ROW_PCT: "row %",
    Measure.COL_PCT: "column %",
}
"""The unit a percentage sheet names in its corner header."""
SHEET_NAMES = {
    Measure.COVERAGE: "coverage %",
    Measure.ROW_PCT: "row %",
    Measure.COL_PCT: "column %",
}
"""A measure's sheet where its command-line name (``row-pct``) would not say it."""


def measure_sheet(measure: Measure) -> str:
    """The name of ``measure``'s sheet: ``references``, ..., ``row %``, ``column %``."""
    return SHEET_NAMES.get(measure, measure.value)


def matrix_xlsx(matrix: Matrix, measures: Sequence[Measure]) -> bytes:
    """The workbook's bytes. Sheets are named by :func:`measure_sheet` (``references``,
    ..., ``row %``), then ``framework``, ``passages`` and ``about``.

    The workbook is written in openpyxl's write-only mode: rows stream out as they are
    appended, so a framework matrix with tens of thousands of passages stays quick."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for measure in measures:
        if measure is not Measure.PASSAGES:
            _measure_sheet(workbook, matrix, measure)
    if Measure.PASSAGES in measures:
        _framework_sheet(workbook, matrix)
        _passages_sheet(workbook, matrix)
    _about_sheet(workbook, matrix, measures)
    return workbook_bytes(workbook)


def _totals(matrix: Matrix, rows: Sequence[object]) -> frozenset[int]:
    """Row indexes of the Total (and denominator) rows, printed bold."""
    return frozenset(range(len(matrix.rows), len(rows)))


def _measure_sheet(workbook: Any, matrix: Matrix, measure: Measure) -> None:
    # unrounded: the cell's format shows one decimal, the value keeps them all
    headers, rows = wide_table(matrix, measure, exact=True)
    wide = wide_columns(matrix, measure)
    unit = PERCENT_UNITS.get(measure)
    values = COUNT if unit is None else PERCENT
    columns = [SheetColumn(headers[0] if unit is None else f"{headers[0]} ({unit})")]
    columns += [
        SheetColumn(header, COUNT if column.is_denominator else values)
        for header, column in zip(headers[1:], wide, strict=True)
    ]
    # One scale for the whole table (as the HTML page): its body cells, not the totals.
    body = len(matrix.rows)
    heated = {i for i, column in enumerate(wide, start=1) if not column.is_total}
    heated -= {i for i, column in enumerate(wide, start=1) if column.is_denominator}
    highest = heat_highest(line[i] for line in rows[:body] for i in heated)

    def fill(row: int, position: int, value: object) -> str | None:
        return heat_hex(value, highest) if row < body and position in heated else None

    add_table(
        workbook,
        measure_sheet(measure),
        columns,
        rows,
        matrix.settings.document,
        fill=fill,
        bold_rows=_totals(matrix, rows),
        caption=f"{_dimensions(matrix)}: {MEASURE_DESCRIPTIONS[measure]}",
    )


def _dimensions(matrix: Matrix) -> str:
    """``cases × themes``: what the rows and columns are."""
    return f"{brief(matrix.settings.rows)} × {brief(matrix.settings.columns)}"


def _framework_sheet(workbook: Any, matrix: Matrix) -> None:
    """One row per case (the Total row and columns hold no passages); a case whose
    passages are taller than the tallest row continues on rows labelled
    "(continued)", split between passages, so nothing is cut in print."""
    wide = [c for c in wide_columns(matrix, Measure.PASSAGES) if not c.is_total]
    columns = [SheetColumn(matrix.row_dimension), *(SheetColumn(c.header) for c in wide)]
    parts = [
        [framework_cell_parts(matrix, c.block, row, c.column) for c in wide]
        for row in range(len(matrix.rows))
    ]
    widths = [
        column_width(column, ["\n\n".join(line[i]) for line in parts])
        for i, column in enumerate(columns[1:])
    ]
    cells: list[list[str]] = []
    for label, line in zip(matrix.rows, parts, strict=True):
        split = [rows_of_parts(p, w) for p, w in zip(line, widths, strict=True)]
        for k in range(max((len(s) for s in split), default=1)):
            cells.append(
                [label if k == 0 else f"{label} {CONTINUED}"]
                + [s[k] if k < len(s) else "" for s in split]
            )
    caption = f"Framework matrix, {_dimensions(matrix)}: summaries and coded passages"
    add_table(workbook, FRAMEWORK_SHEET, columns, cells, matrix.settings.document, caption=caption)


def _passages_sheet(workbook: Any, matrix: Matrix) -> None:
    rows: list[list[Cell]] = []
    for (block, row, column), passages in sorted((matrix.passages or {}).items()):
        rows.extend(
            [
                matrix.rows[row],
                matrix.columns[column],
                matrix.blocks[block].group,
                p.transcript,
                p.start,
                p.end,
                "; ".join(p.speakers),
                "; ".join(p.codes),
                "; ".join(p.coders),
                p.text,
            ]
            for p in passages
        )
    columns = [
        SheetColumn(h, COUNT if h in ("start", "end") else None, long_text=h == "text")
        for h in PASSAGE_HEADERS
    ]
    add_table(
        workbook,
        PASSAGES_SHEET,
        columns,
        rows,
        matrix.settings.document,
        label_columns=2,
        caption=f"Coded passages, one per line, {_dimensions(matrix)}",
    )


def _about_sheet(workbook: Any, matrix: Matrix, measures: Sequence[Measure]) -> None:
    rows: list[list[Cell]] = [[label, text] for label, text in matrix_notes(matrix, measures)]
    rows.append([None, None])
    rows.append(["counting rule", ""])
    rows.extend([number, rule] for number, rule in enumerate(COUNTING_RULES, start=1))
    columns = [SheetColumn("setting"), SheetColumn("value", long_text=True)]
    caption = "About this matrix: settings, measures and counting rules"
    add_table(workbook, ABOUT_SHEET, columns, rows, matrix.settings.document, caption=caption)
