"""Statistic columns as array arithmetic: a code's per-transcript values of every
statistic computed over numpy arrays at once, equal to the one-at-a-time path.

A large report has about 20,000 transcript × code cells and three pairs; computing
half a dozen coefficients of every cell's 2×2 table one Python call at a time was the
largest part of `qualcode agreement`. Here each pair's tables of one code become four
integer arrays and each statistic's fraction (written with arithmetic only, see
:attr:`~qualcode.domain.statistics.Statistic.pair_fraction`) runs on them once.

The values are bit for bit those of
:func:`qualcode.domain.agreement_report.statistic_column`: numerators and denominators
are exact 64-bit integers below 2**53, so turning each into a double is exact and the
one division is the correctly rounded quotient, as Python's ``int / int`` gives. A code
whose counts could leave that range (a transcript over a million characters) and any
statistic without an array form (unitizing alpha, say) take the scalar path.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_cells import CellColumns, LazyComparisons
from qualcode.domain.agreement_report import Column, statistic_column
from qualcode.domain.statistics import Scope, Statistic
from qualcode.domain.statistics.all_agree import STATISTIC as ALL_AGREE
from qualcode.domain.statistics.disagreement import STATISTIC as DISAGREEMENT
from qualcode.domain.statistics.percent_agreement import STATISTIC as PERCENT
from qualcode.domain.statistics.segment_agreement import STATISTIC as SEGMENT
from qualcode.domain.statistics.unitized_alpha import STATISTIC as UNITIZED

Ints = npt.NDArray[np.int64]

EXACT = 2**53
"""Integers below this are exact doubles."""
MAX_UNITS = 2**20
"""Largest unit count of one comparison taken as arrays: the fractions are of degree
two in the counts with small constant factors, so every intermediate stays far inside
64 bits and (checked again on the results) below :data:`EXACT`."""


def statistic_columns(
    statistics: Sequence[Statistic], comparisons: Sequence[Comparison], pairs: int
) -> dict[tuple[str, int], Column]:
    """As :func:`qualcode.domain.agreement_report.statistic_columns`, with array
    arithmetic where a statistic has an array form and the counts are small enough."""
    found: dict[tuple[str, int], Column] = {}
    if not comparisons:
        return {
            (s.key, index): statistic_column(s, comparisons, index)
            for s in statistics
            for index in (range(pairs) if s.scope is Scope.PAIR else (0,))
        }
    cells = comparisons.cells if isinstance(comparisons, LazyComparisons) else None
    pair_statistics = [s for s in statistics if s.scope is Scope.PAIR]
    for index in range(pairs):
        tables: Ints | None = None
        if any(_pair_form(s) is not None for s in pair_statistics):
            tables = (
                _matrix([c.pairs[index].counts for c in comparisons])
                if cells is None
                else _stacked(cells.tables[index])
            )
            if int(tables.sum(axis=1).max()) >= MAX_UNITS or int(tables.min()) < 0:
                tables = None
        for statistic in pair_statistics:
            form = _pair_form(statistic)
            column = None
            if statistic is SEGMENT:
                column = _segment_column(comparisons, index, cells)
            elif form is not None and tables is not None:
                numerator, denominator = form(*(tables[:, part] for part in range(4)))
                column = _divided(numerator, denominator, _WHEN_EMPTY.get(statistic.key))
            if column is None:
                column = statistic_column(statistic, comparisons, index)
            found[(statistic.key, index)] = column
    coverage: Ints | None = None
    for statistic in statistics:
        if statistic.scope is not Scope.CODERS:
            continue
        column = None
        by_coverage = _coverage_form(statistic)
        if statistic is UNITIZED and cells is not None and cells.unitizing is not None:
            column = Column(cells.unitizing.alpha, cells.unitizing.alpha_undefined)
        elif by_coverage is not None:
            if coverage is None:
                coverage = (
                    _matrix([c.coverage.counts for c in comparisons])
                    if cells is None
                    else _stacked(cells.coverage)
                )
            if int(coverage.sum(axis=1).max()) < MAX_UNITS and int(coverage.min()) >= 0:
                counts = [coverage[:, j] for j in range(coverage.shape[1])]
                numerator, denominator = by_coverage(counts)
                column = _divided(numerator, denominator, _WHEN_EMPTY.get(statistic.key))
        found[(statistic.key, 0)] = column or statistic_column(statistic, comparisons)
    return found


def _matrix(rows: Sequence[Sequence[int]]) -> Ints:
    """Equal-length rows of integers as a 2-D array (through a flat ``array('q')``:
    several times faster than ``np.array`` of tuples)."""
    flat = array("q", chain.from_iterable(rows))
    return np.frombuffer(flat, dtype=np.int64).reshape(len(rows), -1)


def _stacked(columns: Sequence[array[int]]) -> Ints:
    """Columns of 64-bit integers (``array('q')``) side by side, without copying each."""
    return np.stack([np.frombuffer(column, dtype=np.int64) for column in columns], axis=1)


PairForm = Callable[[Ints, Ints, Ints, Ints], tuple[Any, Any]]
CoverageForm = Callable[[Sequence[Ints]], tuple[Any, Any]]


def _percent(both: Ints, a_only: Ints, b_only: Ints, neither: Ints) -> tuple[Ints, Ints]:
    return 100 * (both + neither), both + a_only + b_only + neither


def _disagree(both: Ints, a_only: Ints, b_only: Ints, neither: Ints) -> tuple[Ints, Ints]:
    return 100 * (a_only + b_only), both + a_only + b_only + neither


def _all_agree(counts: Sequence[Ints]) -> tuple[Ints, Ints]:
    return 100 * (counts[0] + counts[-1]), sum(counts[1:], counts[0])


def _coverage_form(statistic: Statistic) -> CoverageForm | None:
    """The statistic's fraction of the coverage arrays, or ``None`` (scalar path)."""
    if statistic is ALL_AGREE:
        return _all_agree
    if statistic.coverage_fraction is not None and not statistic.parts:
        return statistic.coverage_fraction
    return None


_WHEN_EMPTY = {PERCENT.key: 100.0, DISAGREEMENT.key: 0.0, ALL_AGREE.key: 100.0}
"""What the percentages are for zero units (a defined value, not 0/0)."""


def _segment_column(
    comparisons: Sequence[Comparison], index: int, cells: CellColumns | None = None
) -> Column:
    """Segment agreement: percent of both coders' segments matched (100.0 when neither
    has one), with its parts (agreed, total, a_agreed, b_agreed)."""
    segments = (
        _matrix([c.pairs[index].segment for c in comparisons])
        if cells is None
        else _stacked(cells.segments[index])
    )
    a_agreed, a_total, b_agreed, b_total = (segments[:, part] for part in range(4))
    agreed, total = a_agreed + b_agreed, a_total + b_total
    column = _divided(100 * agreed, total, 100.0)
    if column is None:
        return statistic_column(SEGMENT, comparisons, index)
    parts = (agreed.tolist(), total.tolist(), a_agreed.tolist(), b_agreed.tolist())
    return column._replace(parts=parts)


def _pair_form(statistic: Statistic) -> PairForm | None:
    """The statistic's fraction of the 2×2 arrays, or ``None`` (scalar path)."""
    if statistic is PERCENT:
        return _percent
    if statistic is DISAGREEMENT:
        return _disagree
    if statistic.pair_fraction is not None and not statistic.parts:
        return statistic.pair_fraction
    return None


def _divided(numerator: Ints, denominator: Ints, empty: float | None = None) -> Column | None:
    """``numerator / denominator`` per transcript; a zero denominator gives ``empty``
    (a defined value), or when that is ``None`` 1.0 flagged undefined (0/0, the rule of
    :func:`~qualcode.domain.statistics.base.ratio`). ``None`` when a numerator or
    denominator is not an exact double (then the scalar path decides)."""
    if int(np.abs(numerator).max()) >= EXACT or int(np.abs(denominator).max()) >= EXACT:
        return None
    zero = denominator == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        values = numerator.astype(np.float64) / denominator.astype(np.float64)
    values[zero] = 1.0 if empty is None else empty
    undefined = zero.tolist() if empty is None else [False] * len(values)
    return Column(array("d", values.tobytes()), undefined)
