"""Fleiss' kappa across three or more coders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import Measure, Statistic, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage


def fleiss_kappa(coverage: Coverage) -> Measure:
    """Fleiss' kappa ``(P̄ - P̄e) / (1 - P̄e)`` with
    ``P̄ = Σ_j counts[j]·(j² + (k-j)² - k) / (N·k(k-1))`` and
    ``P̄e = (n1² + n0²) / (N·k)²``; multiplied through, the denominator is
    ``2(k-1)·n0·n1``. Meant for three or more coders (see ``min_coders``)."""
    k = coverage.coders
    units = coverage.units
    coded, not_coded = coverage.ratings()
    agreeing_pairs = sum(
        count * (j * j + (k - j) * (k - j) - k) for j, count in enumerate(coverage.counts)
    )
    numerator = agreeing_pairs * units * k - (coded * coded + not_coded * not_coded) * (k - 1)
    return ratio(numerator, 2 * (k - 1) * coded * not_coded)


STATISTIC = Statistic(
    key="fleiss_kappa",
    name="fleiss kappa",
    label="fleiss",
    symbol="Fleiss",
    of_coders=fleiss_kappa,
    min_coders=3,
    undefined_key="fleiss_undefined",
    band=LANDIS_KOCH,
)
