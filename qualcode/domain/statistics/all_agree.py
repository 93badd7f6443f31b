"""Percent of units on which all compared coders agree (all coded, or none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.base import Measure, Statistic, percent_text

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage


def percent_all_agree(coverage: Coverage) -> float:
    """Percent (0–100) of units every coder coded or none did; 100.0 for zero units."""
    units = coverage.units
    if units == 0:
        return 100.0
    return 100 * (coverage.counts[0] + coverage.counts[-1]) / units


def _measure(coverage: Coverage) -> Measure:
    return Measure(percent_all_agree(coverage))


STATISTIC = Statistic(
    key="percent_agreement_all",
    name="all agree %",
    label="all agree %",
    symbol="all agree",
    option="all-agree",
    of_coders=_measure,
    definition="all agree: the share of units every compared coder coded or none did, 0–100.",
    text=percent_text,
    number_format="0.0",
    width=5,
    suffix="%",
)
