"""Krippendorff's alpha (nominal) across all compared coders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage


def krippendorff_alpha(coverage: Coverage) -> Measure:
    """Krippendorff's alpha, nominal, every coder rating every unit.

    ``alpha = 1 - (n-1)·o01 / (n0·n1)`` where ``n = k·N`` pairable values, ``n1`` of
    them "coded", and the off-diagonal coincidence ``o01 = Σ_j counts[j]·j·(k-j) / (k-1)``;
    multiplied through by ``(k-1)``. Undefined (0/0) when every rating is identical."""
    k = coverage.coders
    if k < 2:
        raise ValueError("alpha needs at least two coders")
    coded, not_coded = coverage.ratings()
    n = coded + not_coded
    mismatched = sum(units * j * (k - j) for j, units in enumerate(coverage.counts))
    expected = (k - 1) * coded * not_coded
    return ratio(expected - (n - 1) * mismatched, expected)


STATISTIC = Statistic(
    key="krippendorff_alpha",
    name="alpha",
    label="alpha",
    symbol="α",
    of_coders=krippendorff_alpha,
    undefined_key="alpha_undefined",
    band=LANDIS_KOCH,
    headline=True,
)
