"""A matrix as plain rows: the wide table of one measure and the tidy long table.

Every matrix format (CSV, Markdown, XLSX, HTML) is drawn from these rows, so the numbers
agree across formats. The row label is always the first column; the Total row is last
and each coder block ends with its Total column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.domain.matrices import MEASURE_DESCRIPTIONS, TOTAL, Matrix, Measure, Passage
from qualcode.domain.statistics.base import decimals
from qualcode.exporters.tables import Cell
from qualcode.exporters.xlsx_style import COEFFICIENT, PERCENT

PERCENT_PLACES = decimals(PERCENT)
"""Decimals a percentage is shown and written with: the workbook's (``0.0``)."""
COEFFICIENT_PLACES = decimals(COEFFICIENT)
"""Decimals a co-occurrence coefficient is shown and written with (``0.000``)."""
DENOMINATOR = "references (denominator)"
LONG_HEADERS = (
    "row",
    "column",
    "coders",
    "measure",
    "value",
    "transcript",
    "start",
    "end",
    "speakers",
    "codes",
)


@dataclass(frozen=True, slots=True)
class WideColumn:
    """One column of a wide table: which block and matrix column (``column ==
    len(matrix.columns)`` is the block's Total) it shows, and its header."""

    block: int
    column: int
    header: str
    is_total: bool = False
    is_denominator: bool = False


def wide_columns(matrix: Matrix, measure: Measure) -> list[WideColumn]:
    """Columns block by block; headers carry the coder when blocks are separate coders."""
    separate = len(matrix.blocks) > 1

    def header(label: str, block: int) -> str:
        return f"{label} [{matrix.blocks[block].group}]" if separate else label

    found: list[WideColumn] = []
    for block in range(len(matrix.blocks)):
        for column, label in enumerate(matrix.columns):
            found.append(WideColumn(block, column, header(label, block)))
        total = len(matrix.columns)
        found.append(WideColumn(block, total, header(TOTAL, block), is_total=True))
        if measure is Measure.ROW_PCT:
            found.append(WideColumn(block, total, header(DENOMINATOR, block), is_denominator=True))
    return found


def wide_table(
    matrix: Matrix, measure: Measure, *, exact: bool = False
) -> tuple[list[str], list[list[Cell]]]:
    """Headers and rows of one measure: matrix rows, then Total (and, for column %,
    the references each column's percentages divide by). Percentages as shown, or
    with ``exact`` as computed."""
    columns = wide_columns(matrix, measure)
    headers = [matrix.row_dimension, *(c.header for c in columns)]
    lines: list[list[Cell]] = []
    labels = [*matrix.rows, TOTAL]
    for row, label in enumerate(labels):
        line: list[Cell] = [label]
        for column in columns:
            if column.is_denominator:
                line.append(matrix.value(Measure.REFERENCES, column.block, row, column.column))
            else:
                line.append(
                    cell_value(matrix, measure, column.block, row, column.column, exact=exact)
                )
        lines.append(line)
    if measure is Measure.COL_PCT:
        total_row = len(matrix.rows)
        lines.append(
            [DENOMINATOR]
            + [matrix.value(Measure.REFERENCES, c.block, total_row, c.column) for c in columns]
        )
    return headers, lines


def number_text(value: Cell, places: int) -> Cell:
    """A float as text with exactly ``places`` decimals (rounded once, from the value
    as computed), so a column reads 18.8, 13.0, 5.2 rather than 18.8, 13, 5.22; other
    values as they are."""
    return f"{value:.{places}f}" if isinstance(value, float) else value


def cell_value(
    matrix: Matrix, measure: Measure, block: int, row: int, column: int, *, exact: bool = False
) -> Cell:
    """A cell as shown in tables: the number (``exact``: unrounded), or for passages the
    framework cell text (blank in the totals)."""
    if measure is not Measure.PASSAGES:
        return matrix.value(measure, block, row, column, exact=exact)
    if row >= len(matrix.rows) or column >= len(matrix.columns):
        return ""
    return framework_cell_text(matrix, block, row, column)


def passage_reference(passage: Passage) -> str:
    """``transcript start–end, speaker`` for citing a passage."""
    where = f"{passage.transcript} {passage.start}–{passage.end}"
    return f"{where}, {', '.join(passage.speakers)}" if passage.speakers else where


def framework_cell_text(matrix: Matrix, block: int, row: int, column: int) -> str:
    """The summary (if any) and each passage with its reference, blank-line separated."""
    return "\n\n".join(framework_cell_parts(matrix, block, row, column))


def framework_cell_parts(matrix: Matrix, block: int, row: int, column: int) -> list[str]:
    """The parts of :func:`framework_cell_text`: the summary, then each passage."""
    parts: list[str] = []
    summary = matrix.summaries.get((row, column))
    if summary is not None:
        parts.append(f"Summary: {summary.text}")
    parts.extend(
        f"[{passage_reference(p)}] {p.text}" for p in matrix.cell_passages(block, row, column)
    )
    return parts


def long_rows(
    matrix: Matrix, measures: Sequence[Measure], *, exact: bool = False
) -> list[list[Cell]]:
    """One line per row × column × measure (totals included, labelled Total); passages
    give one line per passage (measure ``passage``) after the cell's summary (measure
    ``summary``). Percentages as shown, or with ``exact`` as computed."""
    lines: list[list[Cell]] = []
    labels = [*matrix.rows, TOTAL]
    columns = [*matrix.columns, TOTAL]
    numeric = [m for m in measures if m is not Measure.PASSAGES]
    for block_index, block in enumerate(matrix.blocks):
        for row, row_label in enumerate(labels):
            for column, column_label in enumerate(columns):
                for measure in numeric:
                    value = matrix.value(measure, block_index, row, column, exact=exact)
                    lines.append(
                        [row_label, column_label, block.group, measure.value, value] + [None] * 5
                    )
                if Measure.PASSAGES in measures:
                    lines.extend(_passage_lines(matrix, block_index, row, column))
    return lines


def _passage_lines(matrix: Matrix, block: int, row: int, column: int) -> list[list[Cell]]:
    if row >= len(matrix.rows) or column >= len(matrix.columns):
        return []
    lead: list[Cell] = [matrix.rows[row], matrix.columns[column], matrix.blocks[block].group]
    lines: list[list[Cell]] = []
    summary = matrix.summaries.get((row, column))
    if summary is not None and block == 0:
        lines.append([*lead, "summary", summary.text, None, None, None, None, None])
    for p in matrix.cell_passages(block, row, column):
        speakers, codes = "; ".join(p.speakers), "; ".join(p.codes)
        lines.append([*lead, "passage", p.text, p.transcript, p.start, p.end, speakers, codes])
    return lines


def matrix_notes(matrix: Matrix, measures: Sequence[Measure]) -> list[tuple[str, str]]:
    """Settings and the meaning of each measure shown, as (label, text) pairs."""
    notes = matrix.settings.describe()
    notes.append(("row text", f"{matrix.total_characters} characters in all rows' text"))
    if not matrix.words_counted:
        notes.append(("words", "not counted"))
    notes.extend((m.value, MEASURE_DESCRIPTIONS[m]) for m in measures)
    return notes
