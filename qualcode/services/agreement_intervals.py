"""Bootstrap confidence intervals of a report's pooled coefficients, as array arithmetic.

numpy earns its place here: 2,000 resamples × every code × every pair is millions of
coefficient evaluations, which as Python loops take minutes and as arrays milliseconds.
Each statistic's own fraction (written with arithmetic only, in
:mod:`qualcode.domain.statistics`) is evaluated on whole arrays of resampled counts, so
no formula is written twice. numpy is imported only when intervals are asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualcode.domain.agreement_cells import CellComparisons
from qualcode.domain.agreement_intervals import (
    Bounds,
    Intervals,
    IntervalSettings,
    Resampling,
    check_clusters,
)
from qualcode.domain.agreement_report import AgreementReport
from qualcode.domain.statistics import Scope, Statistic

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]


def report_intervals(report: AgreementReport, settings: IntervalSettings) -> Intervals:
    """The interval of every pooled value of every statistic of the report that has
    one (:attr:`~qualcode.domain.statistics.base.Statistic.interval_key`).

    Deterministic: one random generator seeded with ``settings.seed`` draws in a fixed
    order (codes in report order, then pairs, then the all-coder counts). Drawing whole
    transcripts uses one set of draws for every code, so a resample is the same set of
    transcripts throughout. Drawing transcripts needs at least
    :data:`~qualcode.domain.agreement_intervals.MIN_CLUSTERS` of them compared (else a
    :class:`~qualcode.domain.errors.FieldError` for ``ci_by``)."""
    check_clusters(settings, len(report.transcripts))
    import numpy as np

    statistics = [s for s in report.applicable() if s.interval_key is not None]
    bounds: dict[tuple[str, str, int], Bounds | None] = {}
    if not statistics or not report.codes:
        return Intervals(settings, bounds)
    generator = np.random.default_rng(settings.seed)
    transcripts = len(report.transcripts)
    weights = None
    if settings.by is Resampling.TRANSCRIPT and transcripts:
        # how often each transcript is drawn in each resample: resamples × transcripts
        weights = generator.multinomial(
            transcripts, np.full(transcripts, 1 / transcripts), size=settings.resamples
        ).astype(np.float64)
    for code in report.codes:
        pairs = range(len(code.pooled.pairs))
        for statistic in statistics:
            indices = pairs if statistic.scope is Scope.PAIR else range(1)
            for index in indices:
                counts = _counts(code.per_transcript, statistic, index)
                if weights is not None:
                    drawn = weights @ counts  # resamples × categories, tables summed
                else:
                    drawn = _draw_units(generator, counts.sum(axis=0), settings.resamples)
                bounds[(code.code, statistic.key, index)] = _bounds(
                    _values(statistic, drawn), settings.level
                )
    return Intervals(settings, bounds)


def _counts(
    per_transcript: Sequence[tuple[str, Any]], statistic: Statistic, index: int
) -> FloatArray:
    """Transcripts × categories: the pair's 2×2 table, or the coverage counts."""
    import numpy as np

    if isinstance(per_transcript, CellComparisons):  # the counts are columns already
        cells = per_transcript.cells
        columns = cells.tables[index] if statistic.scope is Scope.PAIR else cells.coverage
        return np.stack([np.frombuffer(c, dtype=np.int64) for c in columns], axis=1).astype(
            np.float64
        )
    if statistic.scope is Scope.PAIR:
        rows = [
            (c.both, c.a_only, c.b_only, c.neither)
            for c in (comparison.pairs[index].counts for _, comparison in per_transcript)
        ]
        width = 4
    else:
        rows = [comparison.coverage.counts for _, comparison in per_transcript]
        width = len(per_transcript[0][1].coverage.counts) if per_transcript else 1
    return np.array(rows, dtype=np.float64).reshape(len(rows), width)


def _draw_units(generator: Any, pooled: FloatArray, resamples: int) -> FloatArray:
    """Resamples × categories: as many units as pooled, drawn with replacement (a
    multinomial draw over the categories' shares)."""
    import numpy as np

    total = int(pooled.sum())
    if total == 0:
        return np.zeros((resamples, len(pooled)))
    drawn: FloatArray = generator.multinomial(total, pooled / total, size=resamples).astype(
        np.float64
    )
    return drawn


def _values(statistic: Statistic, drawn: FloatArray) -> FloatArray:
    """The statistic of each resample; NaN where it is 0/0."""
    import numpy as np

    columns = list(drawn.T)
    if statistic.pair_fraction is not None:
        numerator, denominator = statistic.pair_fraction(*columns)
    else:
        assert statistic.coverage_fraction is not None
        numerator, denominator = statistic.coverage_fraction(columns)
    values: FloatArray = np.full(len(drawn), np.nan)
    np.divide(numerator, denominator, out=values, where=denominator != 0)
    return values


def _bounds(values: FloatArray, level: float) -> Bounds | None:
    """The percentile interval of the defined values; ``None`` if none is defined."""
    import numpy as np

    defined = values[~np.isnan(values)]
    if len(defined) == 0:
        return None
    tail = (100 - level) / 200
    low, high = np.quantile(defined, [tail, 1 - tail])
    return float(low), float(high)
