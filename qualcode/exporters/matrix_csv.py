"""Matrices as CSV: wide (one measure, rows × columns) or tidy long (row × column ×
measure per line). RFC 4180, LF line ends, UTF-8.

Percentages are rounded once, from the unrounded values, to the decimals the workbook
shows (:data:`PERCENT_PLACES`), unless
:func:`~qualcode.exporters.csv_numbers.full_precision` is on (``--full-precision``);
counts are whole numbers either way."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.matrices import Matrix, Measure
from qualcode.exporters.csv_numbers import rounded_rows
from qualcode.exporters.matrix_tables import LONG_HEADERS, PERCENT_PLACES, long_rows, wide_table
from qualcode.exporters.tables import render_csv


def matrix_wide_csv(matrix: Matrix, measure: Measure) -> str:
    """One measure; the row label first, the Total row last, a Total column per block."""
    headers, rows = wide_table(matrix, measure, exact=True)
    return render_csv(headers, rounded_rows(rows, [PERCENT_PLACES] * len(headers)))


def matrix_long_csv(matrix: Matrix, measures: Sequence[Measure]) -> str:
    """Columns row, column, coders, measure, value, then (for passages) transcript,
    start, end, speakers, codes."""
    rows = long_rows(matrix, measures, exact=True)
    return render_csv(LONG_HEADERS, rounded_rows(rows, [PERCENT_PLACES] * len(LONG_HEADERS)))
