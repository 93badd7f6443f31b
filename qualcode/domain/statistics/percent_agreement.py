"""Percent agreement of two coders: the share of units both treat alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.base import Measure, Statistic, percent_text

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairAgreement, PairCounts


def percent_agreement(counts: PairCounts) -> float:
    """Percent (0–100) of units both coders coded or both left uncoded; 100.0 for zero
    units."""
    units = counts.units
    return 100.0 if units == 0 else 100 * (counts.both + counts.neither) / units


def _measure(pair: PairAgreement) -> Measure:
    return Measure(percent_agreement(pair.counts))


STATISTIC = Statistic(
    key="percent_agreement",
    name="agreement %",
    label="agree %",
    symbol="agree%",
    word="agree",
    option="agree",
    of_pair=_measure,
    definition="percent agreement: the share of units both coders coded or both left "
    "uncoded, 0–100.",
    text=percent_text,
    number_format="0.0",
    width=5,
    suffix="%",
)
