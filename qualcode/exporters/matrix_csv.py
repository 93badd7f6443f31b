"""Matrices as CSV: wide (one measure, rows × columns) or tidy long (row × column ×
measure per line). RFC 4180, LF line ends, UTF-8."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.matrices import Matrix, Measure
from qualcode.exporters.matrix_tables import LONG_HEADERS, long_rows, wide_table
from qualcode.exporters.tables import render_csv


def matrix_wide_csv(matrix: Matrix, measure: Measure) -> str:
    """One measure; the row label first, the Total row last, a Total column per block."""
    headers, rows = wide_table(matrix, measure)
    return render_csv(headers, rows)


def matrix_long_csv(matrix: Matrix, measures: Sequence[Measure]) -> str:
    """Columns row, column, coders, measure, value, then (for passages) transcript,
    start, end, speakers, codes."""
    return render_csv(LONG_HEADERS, long_rows(matrix, measures))
