"""Units of analysis for agreement: characters, turns, sentences or whole transcripts.

With ``character`` units a coder's spans are compared as they are (code points). With
``turn`` or ``sentence`` units a unit counts as coded when any character in it is coded,
and all units weigh equally: character spans become half-open ranges of unit indices.
With ``transcript`` units each transcript is one unit, coded when the coder coded
anything in it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from qualcode.domain.agreement import Interval, merge_intervals


class Unit(StrEnum):
    """What one unit of agreement is."""

    CHARACTER = "character"
    TURN = "turn"
    SENTENCE = "sentence"
    TRANSCRIPT = "transcript"


@dataclass(frozen=True, slots=True)
class UnitGrid:
    """Units as sorted, disjoint code-point spans ``[starts[i], ends[i])``."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def from_spans(cls, spans: Sequence[tuple[int, int]]) -> UnitGrid:
        """Build from ``(start, end)`` pairs; they must be non-empty, sorted, disjoint."""
        previous_end = 0
        for start, end in spans:
            if start < previous_end or end <= start:
                raise ValueError(f"units must be sorted, disjoint and non-empty: {start}:{end}")
            previous_end = end
        return cls(tuple(s for s, _ in spans), tuple(e for _, e in spans))

    def __len__(self) -> int:
        return len(self.starts)

    def to_units(self, spans: Sequence[Interval]) -> list[Interval]:
        """Character intervals → merged ranges of the indices of the units they touch.

        A unit is touched when the span shares at least one code point with it; spans
        falling only between units (a speaker label, say) touch none."""
        ranges: list[Interval] = []
        for start, end in spans:
            first = bisect_right(self.ends, start)  # first unit ending after start
            stop = bisect_left(self.starts, end)  # units starting before end
            if first < stop:
                ranges.append((first, stop))
        return merge_intervals(ranges)


def whole_transcript_units(spans: Sequence[Interval]) -> list[Interval]:
    """Transcript units: one unit, coded when there is any span."""
    return [(0, 1)] if spans else []
