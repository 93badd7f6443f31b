"""Krippendorff's alpha (nominal) across all compared coders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, T, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage


def krippendorff_alpha_fraction(counts: Sequence[T]) -> tuple[T, T]:
    """Numerator and denominator of Krippendorff's alpha, nominal, every coder rating
    every unit (``counts[j]``: units exactly ``j`` of ``k`` coders coded).

    ``alpha = 1 - (n-1)·o01 / (n0·n1)`` where ``n = k·N`` pairable values, ``n1`` of
    them "coded", and the off-diagonal coincidence ``o01 = Σ_j counts[j]·j·(k-j) / (k-1)``;
    multiplied through by ``(k-1)``. Arithmetic only (integers or arrays)."""
    k = len(counts) - 1
    if k < 2:
        raise ValueError("alpha needs at least two coders")
    units = coded = mismatched = 0 * counts[0]
    for j, count in enumerate(counts):
        units = units + count
        coded = coded + j * count
        mismatched = mismatched + j * (k - j) * count
    not_coded = k * units - coded
    n = k * units
    expected = (k - 1) * coded * not_coded
    return expected - (n * mismatched - mismatched), expected


def krippendorff_alpha(coverage: Coverage) -> Measure:
    """Krippendorff's alpha; undefined (0/0) when every rating is identical."""
    return ratio(*krippendorff_alpha_fraction(coverage.counts))


STATISTIC = Statistic(
    key="krippendorff_alpha",
    name="alpha",
    label="alpha",
    symbol="α",
    option="alpha",
    of_coders=krippendorff_alpha,
    coverage_fraction=krippendorff_alpha_fraction,
    undefined_key="alpha_undefined",
    interval_key="alpha_ci",
    verdict_key="alpha_verdict",
    band=LANDIS_KOCH,
    headline=True,
    definition="Krippendorff's alpha, nominal (Krippendorff 2004, 2011): 1 − (n − 1)·o01/(n0·n1) "
    "over the coincidences of all coders' ratings (n pairable values, n0 and n1 of them "
    "'not coded' and 'coded').",
)
