"""Fleiss' kappa across three or more coders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, T, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage


def fleiss_kappa_fraction(counts: Sequence[T]) -> tuple[T, T]:
    """Numerator and denominator of Fleiss' kappa (Fleiss 1971) ``(P̄ - P̄e) / (1 - P̄e)``
    with ``P̄ = Σ_j counts[j]·(j² + (k-j)² - k) / (N·k(k-1))`` and
    ``P̄e = (n1² + n0²) / (N·k)²``; multiplied through, the denominator is
    ``2(k-1)·n0·n1``. Arithmetic only (integers or arrays)."""
    k = len(counts) - 1
    units = coded = agreeing_pairs = 0 * counts[0]
    for j, count in enumerate(counts):
        units = units + count
        coded = coded + j * count
        agreeing_pairs = agreeing_pairs + (j * j + (k - j) * (k - j) - k) * count
    not_coded = k * units - coded
    numerator = k * agreeing_pairs * units - (k - 1) * (coded * coded + not_coded * not_coded)
    return numerator, 2 * (k - 1) * coded * not_coded


def fleiss_kappa(coverage: Coverage) -> Measure:
    """Fleiss' kappa; meant for three or more coders (see ``min_coders``)."""
    return ratio(*fleiss_kappa_fraction(coverage.counts))


STATISTIC = Statistic(
    key="fleiss_kappa",
    name="fleiss kappa",
    label="fleiss",
    symbol="Fleiss",
    option="fleiss",
    of_coders=fleiss_kappa,
    coverage_fraction=fleiss_kappa_fraction,
    min_coders=3,
    undefined_key="fleiss_undefined",
    band=LANDIS_KOCH,
    definition="Fleiss' kappa (Fleiss 1971), three or more coders: (P̄ − P̄e)/(1 − P̄e), P̄ the "
    "mean share of agreeing coder pairs per unit, P̄e from the pooled share of 'coded'.",
)
