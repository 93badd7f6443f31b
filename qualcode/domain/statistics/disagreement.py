"""Disagreement of two coders: the share of units only one of them coded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.base import Measure, Statistic, percent_text

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairAgreement, PairCounts


def disagreement(counts: PairCounts) -> float:
    """Percent (0–100) of units only one coder coded; 0.0 for zero units."""
    units = counts.units
    return 0.0 if units == 0 else 100 * (counts.a_only + counts.b_only) / units


def _measure(pair: PairAgreement) -> Measure:
    return Measure(disagreement(pair.counts))


STATISTIC = Statistic(
    key="disagreement",
    name="disagreement %",
    label="disagree %",
    symbol="disagree%",
    word="disagree",
    option="disagree",
    of_pair=_measure,
    definition="disagreement: the share of units only one of the two coded, 0–100.",
    text=percent_text,
    number_format="0.0",
    width=5,
    suffix="%",
    shown=False,  # 100 − percent agreement: JSON and CSV carry it, the tables need not
)
