"""Cohen's kappa of two coders, from their 2×2 table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairAgreement, PairCounts


def cohen_kappa(counts: PairCounts) -> Measure:
    """Cohen's kappa ``(po - pe) / (1 - pe)`` with ``pe = pA·pB + (1-pA)(1-pB)``.

    Multiplied through by ``N²``: ``(N·agree - E) / (N² - E)`` with
    ``E = a·b + (N-a)(N-b)``. Undefined (0/0, reported as 1.0) exactly when both coders
    coded all units or both coded none."""
    n = counts.units
    a = counts.both + counts.a_only
    b = counts.both + counts.b_only
    chance = a * b + (n - a) * (n - b)
    return ratio(n * (counts.both + counts.neither) - chance, n * n - chance)


def _measure(pair: PairAgreement) -> Measure:
    return cohen_kappa(pair.counts)


STATISTIC = Statistic(
    key="kappa",
    name="kappa",
    label="kappa",
    symbol="κ",
    of_pair=_measure,
    undefined_key="kappa_undefined",
    band=LANDIS_KOCH,
    headline=True,
)
