"""Scott's pi of two coders, from their 2×2 table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, T, of_table, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairCounts


def scott_pi_fraction(both: T, a_only: T, b_only: T, neither: T) -> tuple[T, T]:
    """Numerator and denominator of Scott's pi (Scott 1955), ``(po - pe) / (1 - pe)``
    with chance from the coders' pooled marginals, ``pe = π² + (1-π)²``,
    ``π = (a + b) / 2N`` (``a``, ``b``: units each coder coded).

    Multiplied through by ``4N²``: ``(4N·agree - E) / (4N² - E)`` with
    ``E = m² + (2N - m)²``, ``m = a + b``. Arithmetic only, so it works on integers
    and, elementwise, on arrays (the bootstrap)."""
    n = both + a_only + b_only + neither
    m = 2 * both + a_only + b_only
    chance = m * m + (2 * n - m) * (2 * n - m)
    return 4 * n * (both + neither) - chance, 4 * n * n - chance


def scott_pi(counts: PairCounts) -> Measure:
    """Scott's pi; undefined (0/0) when both coders coded all units or none."""
    return ratio(*scott_pi_fraction(counts.both, counts.a_only, counts.b_only, counts.neither))


STATISTIC = Statistic(
    key="scott_pi",
    name="scott pi",
    label="pi",
    symbol="π",
    option="pi",
    of_pair=of_table(scott_pi_fraction),
    pair_fraction=scott_pi_fraction,
    undefined_key="scott_pi_undefined",
    band=LANDIS_KOCH,
    definition="Scott's pi (Scott 1955): (po − pe)/(1 − pe), pe = π² + (1 − π)² with π the "
    "share of both coders' ratings that are 'coded' (chance from pooled marginals).",
)
