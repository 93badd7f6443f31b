"""Cohen's kappa of two coders, from their 2×2 table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, T, of_table, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairCounts


def cohen_kappa_fraction(both: T, a_only: T, b_only: T, neither: T) -> tuple[T, T]:
    """Numerator and denominator of Cohen's kappa (Cohen 1960) ``(po - pe) / (1 - pe)``
    with ``pe = pA·pB + (1-pA)(1-pB)``.

    Multiplied through by ``N²``: ``(N·agree - E) / (N² - E)`` with
    ``E = a·b + (N-a)(N-b)``. Arithmetic only (integers or arrays)."""
    n = both + a_only + b_only + neither
    a = both + a_only
    b = both + b_only
    chance = a * b + (n - a) * (n - b)
    return n * (both + neither) - chance, n * n - chance


def cohen_kappa(counts: PairCounts) -> Measure:
    """Cohen's kappa. Undefined (0/0, reported as 1.0) exactly when both coders coded
    all units or both coded none."""
    return ratio(*cohen_kappa_fraction(counts.both, counts.a_only, counts.b_only, counts.neither))


STATISTIC = Statistic(
    key="kappa",
    name="kappa",
    label="kappa",
    symbol="κ",
    option="kappa",
    of_pair=of_table(cohen_kappa_fraction),
    pair_fraction=cohen_kappa_fraction,
    undefined_key="kappa_undefined",
    interval_key="kappa_ci",
    band=LANDIS_KOCH,
    headline=True,
    definition="Cohen's kappa (Cohen 1960): (po − pe)/(1 − pe), po the share of units "
    "both treat alike, pe = pA·pB + (1 − pA)(1 − pB) from each coder's own share pA, pB.",
)
