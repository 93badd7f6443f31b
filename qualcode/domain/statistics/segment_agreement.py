"""Segment agreement of two coders: the share of their merged passages that the other
coder matches (intersection/union at or above the threshold; the matching itself is
:func:`qualcode.domain.agreement.segment_counts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.domain.statistics.base import Measure, Statistic

if TYPE_CHECKING:
    from qualcode.domain.agreement import PairAgreement, SegmentCounts


def segment_percent(segment: SegmentCounts) -> float:
    """Percent (0–100) of all segments that agree; 100.0 when neither coder has one."""
    return _percent(segment.agreed, segment.total)


def _percent(agreed: int, total: int) -> float:
    return 100.0 if total == 0 else 100 * agreed / total


def _measure(pair: PairAgreement) -> Measure:
    s = pair.segment
    agreed, total = s.a_agreed + s.b_agreed, s.a_total + s.b_total  # read once: a hot path
    return Measure(_percent(agreed, total), False, (agreed, total, s.a_agreed, s.b_agreed))


def _count(part: float) -> str:
    # counts of one comparison are ints; means over transcripts are not
    return str(part) if isinstance(part, int) else f"{part:.1f}"


def _counted(measure: Measure) -> str:
    agreed, total = measure.parts[:2]
    return f"{_count(agreed)}/{_count(total)}"


def _text(measure: Measure) -> str:
    return f"{_counted(measure)} ({measure.value:.0f}%)"


STATISTIC = Statistic(
    key="segment",
    name="segment agreement %",
    label="segments",
    symbol="seg%",
    word="segments",
    option="segment",
    of_pair=_measure,
    definition="segment agreement: the share of both coders' merged passages that the other "
    "coder matches with intersection/union at or above the threshold.",
    parts=("agreed", "total", "a_agreed", "b_agreed"),
    value_name="percent",
    text=_text,
    number_format="0.0",
    brief=_counted,
    screen=lambda measure: f"{measure.value:.0f}",
    width=3,
)
