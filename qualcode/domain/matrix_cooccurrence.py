"""Code × code co-occurrence: how often two codes' references overlap in the same transcript.

References are counted as in matrices (codings merged per code, sub-codes rolled up into
themes, cut to the filtered text). Two references *overlap* when they share at least one
code point. An *overlap event* is one chain of overlapping references of the two codes:
if a1 overlaps b1 and b1 overlaps a2, that is one event. So each event counts once,
however many codings, coders or characters it involves, and n12 never exceeds n1 or n2.
The coefficient n12 / (n1 + n2 − n12) then runs from 0 (never together) to 1 (always
together, one reference of each per event).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from qualcode.domain.matrices import CodingSpan, MatrixLayout, MatrixSettings
from qualcode.domain.matrix_intervals import Interval, intersect_intervals, merge_intervals

COEFFICIENT_DECIMALS = 3

COOCCURRENCE_RULES: tuple[str, ...] = (
    "Co-occurrence: two codes co-occur where their references (merged as in matrices) "
    "overlap by at least one character in the same transcript.",
    "An overlap event is one chain of overlapping references of the two codes (a1 overlaps "
    "b1 and b1 overlaps a2: one event); each event counts once, however many codings, "
    "coders or characters it involves.",
    "Coefficient: n12 / (n1 + n2 − n12), where n12 is the number of overlap events and n1, "
    "n2 the references of each code (shown on the diagonal); 0 = never together, 1 = "
    "always together.",
)


def overlap_events(first: Sequence[Interval], second: Sequence[Interval]) -> int:
    """Chains of overlapping intervals between two sorted, disjoint lists.

    The overlapping pairs come out of a two-pointer sweep in order; a pair that shares
    neither interval with the pair before starts a new chain (later pairs cannot reach
    back to earlier intervals, since both lists are sorted and disjoint)."""
    events = 0
    last_i = last_j = -1
    i = j = 0
    while i < len(first) and j < len(second):
        a_start, a_end = first[i]
        b_start, b_end = second[j]
        if a_start < b_end and b_start < a_end:
            if i != last_i and j != last_j:
                events += 1
            last_i, last_j = i, j
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return events


@dataclass(frozen=True, slots=True)
class CooccurrenceBlock:
    """One coder group's counts: ``counts[i][j]`` overlap events of codes i and j;
    ``counts[i][i]`` the references of code i."""

    group: str
    counts: tuple[tuple[int, ...], ...]

    def coefficient(self, i: int, j: int, *, exact: bool = False) -> float | None:
        """n12 / (n1 + n2 − n12), rounded to :data:`COEFFICIENT_DECIMALS` (with
        ``exact``: as computed); ``None`` when neither code has references."""
        both = self.counts[i][j]
        either = self.counts[i][i] + self.counts[j][j] - both
        if either == 0:
            return None
        return both / either if exact else round(both / either, COEFFICIENT_DECIMALS)


@dataclass(frozen=True, slots=True)
class Cooccurrence:
    codes: tuple[str, ...]
    blocks: tuple[CooccurrenceBlock, ...]
    settings: MatrixSettings


def count_cooccurrence(layout: MatrixLayout, codings: Iterable[CodingSpan]) -> Cooccurrence:
    """Count co-occurrence of ``layout``'s columns within the text of its rows (the union
    of all rows' text per transcript). ``codings`` come grouped by transcript."""
    size = len(layout.columns)
    groups = max(1, len(layout.groups))
    counts = [[[0] * size for _ in range(size)] for _ in range(groups)]
    for transcript_id, rows in groupby(codings, key=itemgetter(0)):
        parts = layout.parts.get(transcript_id)
        if not parts:
            continue
        text = merge_intervals(s for part in parts for s in part.spans)
        spans: dict[tuple[int, int], list[Interval]] = {}
        for _, code_id, coder_id, start, end in rows:
            group = layout.coder_groups.get(coder_id)
            if group is None:
                continue
            for column in layout.code_columns.get(code_id, ()):
                spans.setdefault((group, column), []).append((start, end))
        references: dict[tuple[int, int], list[Interval]] = {}
        for key, found in spans.items():
            pieces = intersect_intervals(merge_intervals(found), text)
            if pieces:
                references[key] = pieces
        for (group, i), first in references.items():
            counts[group][i][i] += len(first)
            for j in range(i + 1, size):
                second = references.get((group, j))
                if second:
                    events = overlap_events(first, second)
                    counts[group][i][j] += events
                    counts[group][j][i] += events
    labels = layout.groups or ("",)
    return Cooccurrence(
        codes=layout.columns,
        blocks=tuple(
            CooccurrenceBlock(labels[g], tuple(tuple(line) for line in counts[g]))
            for g in range(groups)
        ),
        settings=layout.settings,
    )
