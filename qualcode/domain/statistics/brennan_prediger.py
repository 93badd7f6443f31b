"""Brennan–Prediger's coefficient of two coders (chance 1/q, q = 2: coded or not)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, T, of_table, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairCounts


def brennan_prediger_fraction(both: T, a_only: T, b_only: T, neither: T) -> tuple[T, T]:
    """Numerator and denominator of Brennan & Prediger (1981)'s kappa_n with q = 2
    categories (Bennett, Alpert & Goldstein's S): ``(po - 1/q) / (1 - 1/q)``, which is
    ``(2·agree - N) / N``. Arithmetic only (integers or arrays)."""
    n = both + a_only + b_only + neither
    return 2 * (both + neither) - n, n


def brennan_prediger(counts: PairCounts) -> Measure:
    """Brennan–Prediger (q = 2); undefined (0/0) only for zero units."""
    fraction = brennan_prediger_fraction(counts.both, counts.a_only, counts.b_only, counts.neither)
    return ratio(*fraction)


STATISTIC = Statistic(
    key="brennan_prediger",
    name="brennan-prediger",
    label="B-P",
    symbol="BP",
    option="bp",
    of_pair=of_table(brennan_prediger_fraction),
    pair_fraction=brennan_prediger_fraction,
    undefined_key="brennan_prediger_undefined",
    band=LANDIS_KOCH,
    definition="Brennan–Prediger (1981), q = 2 (coded / not coded; MAXQDA's segment kappa): "
    "(po − 1/q)/(1 − 1/q) = 2·po − 1.",
)
