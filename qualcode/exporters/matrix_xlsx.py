"""Matrices as an XLSX workbook (openpyxl): one sheet per numeric measure (the same rows
as the wide CSV, header row and label column frozen, a heat-map colour scale over the
cells), the framework matrix and a passages list when passages are asked for, and an
"about" sheet stating settings, measures and counting rules."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from qualcode.domain.matrices import COUNTING_RULES, Matrix, Measure
from qualcode.exporters.matrix_tables import matrix_notes, wide_columns, wide_table
from qualcode.exporters.safe_cells import xlsx_row

HEAT_LOW = "FFFFFF"
HEAT_HIGH = "F8696B"
FRAMEWORK_SHEET = "framework"
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


def matrix_xlsx(matrix: Matrix, measures: Sequence[Measure]) -> bytes:
    """The workbook's bytes. Sheet names are the measure names (``references``, ...).

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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: Any, headers: Sequence[str]) -> None:
    from openpyxl.styles import Font

    xlsx_row(sheet, headers, font=Font(bold=True))


def _measure_sheet(workbook: Any, matrix: Matrix, measure: Measure) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(measure.value)
    headers, rows = wide_table(matrix, measure)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = max(12, min(40, max(len(str(r[0])) for r in rows) + 2))
    # The heat map covers the body cells of each block, not its totals or denominators.
    body_rows = len(matrix.rows)
    for index, column in enumerate(wide_columns(matrix, measure), start=2):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(30, len(column.header) + 2))
        if column.is_total or column.is_denominator or not body_rows:
            continue
        sheet.conditional_formatting.add(
            f"{letter}2:{letter}{body_rows + 1}",
            ColorScaleRule(
                start_type="num",
                start_value=0,
                start_color=HEAT_LOW,
                end_type="max",
                end_color=HEAT_HIGH,
            ),
        )
    _header(sheet, headers)
    for row in rows:
        xlsx_row(sheet, row)


def _framework_sheet(workbook: Any, matrix: Matrix) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    headers, rows = wide_table(matrix, Measure.PASSAGES)
    sheet = workbook.create_sheet(FRAMEWORK_SHEET)
    sheet.freeze_panes = "B2"
    for index in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 50
    _header(sheet, headers)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows[:-1]:  # the Total row has no passages
        xlsx_row(sheet, row, alignment=wrap)


def _passages_sheet(workbook: Any, matrix: Matrix) -> None:
    sheet = workbook.create_sheet(PASSAGES_SHEET)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["J"].width = 80
    _header(sheet, PASSAGE_HEADERS)
    for (block, row, column), passages in sorted((matrix.passages or {}).items()):
        for p in passages:
            xlsx_row(
                sheet,
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
                ],
            )


def _about_sheet(workbook: Any, matrix: Matrix, measures: Sequence[Measure]) -> None:
    sheet = workbook.create_sheet(ABOUT_SHEET)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 120
    _header(sheet, ["setting", "value"])
    for label, text in matrix_notes(matrix, measures):
        xlsx_row(sheet, [label, text])
    xlsx_row(sheet, [])
    xlsx_row(sheet, ["counting rule", ""])
    for number, rule in enumerate(COUNTING_RULES, start=1):
        xlsx_row(sheet, [number, rule])
