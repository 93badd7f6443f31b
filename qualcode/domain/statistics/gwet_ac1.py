"""Gwet's AC1 of two coders, from their 2×2 table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, T, of_table, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairCounts


def gwet_ac1_fraction(both: T, a_only: T, b_only: T, neither: T) -> tuple[T, T]:
    """Numerator and denominator of Gwet's AC1 (Gwet 2008), ``(po - pe) / (1 - pe)``
    with ``pe = 1/(q-1) · Σ_k π_k(1 - π_k)``; for q = 2 categories that is
    ``2π(1 - π)``, ``π = (a + b) / 2N``.

    Multiplied through by ``2N²``: ``(2N·agree - m(2N - m)) / (2N² - m(2N - m))`` with
    ``m = a + b``; the denominator is ``N² + (N - m)²``, zero only for zero units.
    Arithmetic only (integers or arrays)."""
    n = both + a_only + b_only + neither
    m = 2 * both + a_only + b_only
    chance = m * (2 * n - m)
    return 2 * n * (both + neither) - chance, 2 * n * n - chance


def gwet_ac1(counts: PairCounts) -> Measure:
    """Gwet's AC1; undefined (0/0) only for zero units."""
    return ratio(*gwet_ac1_fraction(counts.both, counts.a_only, counts.b_only, counts.neither))


STATISTIC = Statistic(
    key="gwet_ac1",
    name="gwet ac1",
    label="AC1",
    symbol="AC1",
    option="ac1",
    of_pair=of_table(gwet_ac1_fraction),
    pair_fraction=gwet_ac1_fraction,
    undefined_key="gwet_ac1_undefined",
    band=LANDIS_KOCH,
    definition="Gwet's AC1 (Gwet 2008): (po − pe)/(1 − pe), pe = 2π(1 − π) with π as for "
    "pi; stays near percent agreement when a code is rare (no kappa paradox).",
)
