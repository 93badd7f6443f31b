"""Inter-coder agreement statistics for one transcript × code, by interval sweep.

Units are counted, never expanded: with character units a coder's merged spans are
half-open ``[start, end)`` code-point ranges; with turn or sentence units they are
half-open ranges of unit *indices* (see :mod:`qualcode.domain.agreement_units`). Either
way each unit is coded (1) or not coded (0) by each coder, so every statistic here is a
two-category statistic computed in closed form from counts:

- :class:`PairCounts` — the 2×2 table of two coders (both, a only, b only, neither);
- :class:`Coverage` — how many units exactly ``j`` of ``k`` coders cover, ``j = 0..k``.

Each statistic is computed as one integer numerator over one integer denominator and
divided once, so results are the correctly rounded value of the exact rational. The
formulas are in :mod:`qualcode.domain.statistics`, one module per statistic. When
every rating is identical (all coders coded nothing, or everything) kappa and alpha are
0/0: the value is reported as 1.0 with ``undefined=True``, as NVivo does.

The sweep (:func:`coverage_by_mask`) costs O(s log s) for s spans, independent of the
text length.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from qualcode.domain.statistics.all_agree import percent_all_agree
from qualcode.domain.statistics.bands import landis_koch_band as landis_koch_band
from qualcode.domain.statistics.base import UNDEFINED as UNDEFINED
from qualcode.domain.statistics.base import Measure as Measure
from qualcode.domain.statistics.cohen_kappa import cohen_kappa
from qualcode.domain.statistics.disagreement import disagreement
from qualcode.domain.statistics.fleiss_kappa import STATISTIC as FLEISS
from qualcode.domain.statistics.fleiss_kappa import fleiss_kappa
from qualcode.domain.statistics.krippendorff_alpha import krippendorff_alpha
from qualcode.domain.statistics.percent_agreement import percent_agreement
from qualcode.domain.statistics.segment_agreement import segment_percent
from qualcode.domain.statistics.unitized_alpha import Sections, observed_sections

Interval = tuple[int, int]
"""A half-open ``(start, end)`` range. The sweep works on plain tuples rather than
:class:`~qualcode.domain.spans.Span` objects: it handles hundreds of thousands of them
per report, and creating and reading tuples is several times cheaper."""

MAX_CODERS = 60
"""Coders per comparison: each coder is one bit of a sweep mask and a 6-bit event tag."""

_TAG_BITS = 6
_TAG_MASK = (1 << _TAG_BITS) - 1


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Union overlapping *and touching* intervals: sorted, disjoint, non-touching.
    Empty or reversed intervals are dropped. The same rule as
    :func:`qualcode.domain.spans.merge_spans`, on tuples."""
    ordered = sorted(intervals)
    if len(ordered) == 1 and ordered[0][0] < ordered[0][1]:
        return ordered  # the common case: one coding
    merged: list[Interval] = []
    for start, end in ordered:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


class PairCounts(NamedTuple):
    """Two coders' 2×2 table, in units: coded by both, by A only, by B only, by neither.

    A named tuple, as :class:`SegmentCounts` and :class:`PairAgreement`: a report makes
    three per pair and transcript × code, and tuples are made several times faster than
    frozen dataclasses. ``+`` adds the tables (it does not join the tuples)."""

    both: int
    a_only: int
    b_only: int
    neither: int

    @property
    def units(self) -> int:
        return self.both + self.a_only + self.b_only + self.neither

    def __add__(self, other: PairCounts) -> PairCounts:  # type: ignore[override]
        return PairCounts(
            self.both + other.both,
            self.a_only + other.a_only,
            self.b_only + other.b_only,
            self.neither + other.neither,
        )

    # The formulas live in qualcode.domain.statistics, one module each.
    @property
    def percent_agreement(self) -> float:
        return percent_agreement(self)

    @property
    def disagreement(self) -> float:
        return disagreement(self)

    @property
    def kappa(self) -> Measure:
        return cohen_kappa(self)


class SegmentCounts(NamedTuple):
    """Segment agreement of two coders: how many of each coder's (merged) segments are
    matched by a segment of the other with intersection/union at or above the
    threshold. ``+`` adds the counts."""

    a_agreed: int
    a_total: int
    b_agreed: int
    b_total: int

    @property
    def agreed(self) -> int:
        return self.a_agreed + self.b_agreed

    @property
    def total(self) -> int:
        return self.a_total + self.b_total

    @property
    def percent(self) -> float:
        return segment_percent(self)

    def __add__(self, other: SegmentCounts) -> SegmentCounts:  # type: ignore[override]
        return SegmentCounts(
            self.a_agreed + other.a_agreed,
            self.a_total + other.a_total,
            self.b_agreed + other.b_agreed,
            self.b_total + other.b_total,
        )


NO_SEGMENTS = SegmentCounts(0, 0, 0, 0)


class PairAgreement(NamedTuple):
    """Coders ``a`` and ``b`` compared: their unit table and their segment agreement."""

    a: str
    b: str
    counts: PairCounts
    segment: SegmentCounts


@dataclass(frozen=True, slots=True)
class Coverage:
    """``counts[j]`` = units covered by exactly ``j`` of the ``len(counts) - 1`` coders;
    ``sections``: the coders' units and gaps as unitizing alpha needs them (``None``
    where only the counts are known)."""

    counts: tuple[int, ...]
    sections: Sections | None = None

    @property
    def coders(self) -> int:
        return len(self.counts) - 1

    @property
    def units(self) -> int:
        return sum(self.counts)

    def __add__(self, other: Coverage) -> Coverage:
        if len(self.counts) != len(other.counts):
            raise ValueError("cannot add coverage of different numbers of coders")
        mine, theirs = self.sections, other.sections
        return Coverage(
            tuple(x + y for x, y in zip(self.counts, other.counts, strict=True)),
            mine + theirs if mine is not None and theirs is not None else None,
        )

    def ratings(self) -> tuple[int, int]:
        """(ratings "coded", ratings "not coded") over all units and coders."""
        coded = sum(j * units for j, units in enumerate(self.counts))
        return coded, self.coders * self.units - coded

    # The formulas live in qualcode.domain.statistics, one module each.
    @property
    def percent_all_agree(self) -> float:
        return percent_all_agree(self)

    @property
    def krippendorff_alpha(self) -> Measure:
        return krippendorff_alpha(self)

    @property
    def fleiss_kappa(self) -> Measure | None:
        """``None`` where the statistic does not apply (fewer than three coders)."""
        return fleiss_kappa(self) if FLEISS.applies(self.coders) else None


def coverage_by_mask(
    unit_count: int, spans_by_coder: Sequence[Sequence[Interval]]
) -> dict[int, int]:
    """Sweep the coders' intervals: ``{mask: units}`` where bit ``i`` of ``mask`` means
    coder ``i`` covers those units. Masks covering no unit are absent.

    Each coder's intervals must be merged (sorted, disjoint, not touching: see
    :func:`merge_intervals`) and inside ``[0, unit_count)``. Merging first is what keeps
    a coder's overlapping codings from agreeing with themselves: a boundary then toggles
    exactly one coder's bit.
    """
    coders = len(spans_by_coder)
    if coders > MAX_CODERS:
        raise ValueError(f"at most {MAX_CODERS} coders can be compared at once")
    # Each boundary is one int, position << 6 | tag, so sorting is a plain int sort. Up
    # to 6 coders the tag is the coder's bit itself and units accumulate in a list
    # indexed by mask; beyond that the tag is the coder's index and a dict is used.
    small = coders <= _TAG_BITS
    events: list[int] = []
    for index, spans in enumerate(spans_by_coder):
        tag = 1 << index if small else index
        for start, end in spans:
            events.append(start << _TAG_BITS | tag)
            events.append(end << _TAG_BITS | tag)
    if not events:
        return {0: unit_count} if unit_count else {}
    events.sort()
    mask = previous = 0
    if small:
        totals = [0] * (1 << coders)
        for event in events:
            position = event >> _TAG_BITS
            if position != previous:
                totals[mask] += position - previous
                previous = position
            mask ^= event & _TAG_MASK
        totals[0] += unit_count - previous
        return {m: units for m, units in enumerate(totals) if units}
    by_mask: dict[int, int] = {}
    for event in events:
        position = event >> _TAG_BITS
        if position != previous:
            by_mask[mask] = by_mask.get(mask, 0) + position - previous
            previous = position
        mask ^= 1 << (event & _TAG_MASK)
    if unit_count > previous:
        by_mask[0] = by_mask.get(0, 0) + unit_count - previous
    return by_mask


def pair_counts(by_mask: dict[int, int], a: int, b: int) -> PairCounts:
    """The 2×2 table of coders ``a`` and ``b`` (bit indices) from a sweep's masks."""
    bit_a, bit_b = 1 << a, 1 << b
    both = a_only = b_only = neither = 0
    for mask, units in by_mask.items():
        if mask & bit_a:
            if mask & bit_b:
                both += units
            else:
                a_only += units
        elif mask & bit_b:
            b_only += units
        else:
            neither += units
    return PairCounts(both, a_only, b_only, neither)


def coverage(by_mask: dict[int, int], coders: int, unitized: Sections | None = None) -> Coverage:
    """How many units each number of coders covers, from a sweep's masks."""
    counts = [0] * (coders + 1)
    for mask, units in by_mask.items():
        counts[mask.bit_count()] += units
    return Coverage(tuple(counts), unitized)


def segment_counts(
    a: Sequence[Interval], b: Sequence[Interval], threshold: Fraction | int
) -> SegmentCounts:
    """Segment agreement of two coders' merged intervals (sorted, disjoint).

    A segment agrees when the other coder has a segment with
    ``100·|intersection| ≥ threshold·|union|``, ``threshold`` a percent as an exact
    fraction (66.7 is 667/10) — integer arithmetic, so 29 of 100 characters meets a 29 %
    threshold exactly and 667 of 1000 meets 66.7 %. Intersection over union is
    symmetric, so a matching pair agrees in both directions. Two pointers:
    O(len(a) + len(b)).
    """
    if not a or not b:
        return SegmentCounts(0, len(a), 0, len(b))
    # 100·inter ≥ (p/q)·union  ⇔  100·q·inter ≥ p·union, all integers
    scale = 100 * threshold.denominator
    bar = threshold.numerator
    b_agreed: set[int] = set()
    a_agreed = 0
    first = 0
    b_count = len(b)
    for a_start, a_end in a:
        while first < b_count and b[first][1] <= a_start:
            first += 1
        matched = False
        j = first
        while j < b_count:
            b_start, b_end = b[j]
            if b_start >= a_end:
                break
            # conditionals rather than min()/max(): this is the innermost loop
            inter = (a_end if a_end < b_end else b_end) - (
                a_start if a_start > b_start else b_start
            )
            union = (a_end if a_end > b_end else b_end) - (
                a_start if a_start < b_start else b_start
            )
            if scale * inter >= bar * union:
                matched = True
                b_agreed.add(j)
            j += 1
        a_agreed += matched
    return SegmentCounts(a_agreed, len(a), len(b_agreed), b_count)


@dataclass(frozen=True, slots=True)
class Comparison:
    """All coders compared on one transcript × code (or pooled over transcripts)."""

    pairs: tuple[PairAgreement, ...]
    coverage: Coverage

    def __add__(self, other: Comparison) -> Comparison:
        """Pooled: the 2×2 tables, segment counts and coverage summed (unit-weighted)."""
        pairs = tuple(
            PairAgreement(p.a, p.b, p.counts + q.counts, p.segment + q.segment)
            for p, q in zip(self.pairs, other.pairs, strict=True)
        )
        return Comparison(pairs, self.coverage + other.coverage)


def pair_overlap(
    a: Sequence[Interval], b: Sequence[Interval], threshold: Fraction | int
) -> tuple[int, int, int, int]:
    """One pass over two coders' merged intervals (sorted, disjoint): ``(units both
    cover, a's intervals matched, b's intervals matched, Σ δ²)``.

    Matched is segment agreement's rule (see :func:`segment_counts`); ``Σ δ²`` is
    unitizing alpha's observed sum of one direction
    (:func:`~qualcode.domain.statistics.unitized_alpha.pair_distance`). The three are
    the same walk over the overlapping pairs, so a comparison walks them once.
    """
    if not a or not b:
        return 0, 0, 0, sum((end - start) ** 2 for start, end in (*a, *b))
    scale = 100 * threshold.denominator
    bar = threshold.numerator
    b_count = len(b)
    hit_b = [False] * b_count
    matched_b: set[int] = set()
    both = a_matched = distance = first = 0
    for a_start, a_end in a:
        while first < b_count and b[first][1] <= a_start:
            first += 1
        hit = matched = False
        j = first
        while j < b_count:
            b_start, b_end = b[j]
            if b_start >= a_end:
                break
            # conditionals rather than min()/max(): this is the innermost loop
            low = a_start if a_start > b_start else b_start
            inter = (a_end if a_end < b_end else b_end) - low
            union = (a_end if a_end > b_end else b_end) - (
                a_start if a_start < b_start else b_start
            )
            both += inter
            distance += (a_start - b_start) ** 2 + (a_end - b_end) ** 2
            hit = hit_b[j] = True
            if scale * inter >= bar * union:
                matched = True
                matched_b.add(j)
            j += 1
        if not hit:
            distance += (a_end - a_start) ** 2
        a_matched += matched
    for (b_start, b_end), hit in zip(b, hit_b, strict=True):
        if not hit:
            distance += (b_end - b_start) ** 2
    return both, a_matched, len(matched_b), distance


def compare_spans(
    coders: Sequence[str],
    unit_count: int,
    unit_spans: Sequence[Sequence[Interval]],
    segments: Sequence[Sequence[Interval]],
    threshold: Fraction | int,
) -> Comparison:
    """Compare ``coders`` on one transcript × code.

    ``unit_spans[i]``: coder i's merged intervals in units (``[0, unit_count)``);
    ``segments[i]``: coder i's merged intervals in code points, for segment agreement.
    Pairs come in the order (0,1), (0,2), …, (1,2), ….

    Each pair's 2×2 table, segment counts and unitizing distances come from one walk
    (:func:`pair_overlap`): with ``units`` covered by both and ``a``, ``b`` the units
    each covers, the table is (both, a − both, b − both, units − a − b + both). The
    sweep over all coders (:func:`coverage_by_mask`) is needed only for three or more.
    """
    k = len(coders)
    if k > MAX_CODERS:
        raise ValueError(f"at most {MAX_CODERS} coders can be compared at once")
    covered = [sum(end - start for start, end in spans) for spans in unit_spans]
    pairs: list[PairAgreement] = []
    observed = 0
    for i in range(k):
        for j in range(i + 1, k):
            a, b = unit_spans[i], unit_spans[j]
            both, a_agreed, b_agreed, distance = pair_overlap(a, b, threshold)
            if a is not segments[i] or b is not segments[j]:  # units other than characters
                _, a_agreed, b_agreed, _ = pair_overlap(segments[i], segments[j], threshold)
            observed += distance
            a_units, b_units = covered[i], covered[j]
            counts = PairCounts(
                both, a_units - both, b_units - both, unit_count - a_units - b_units + both
            )
            segment = SegmentCounts(a_agreed, len(segments[i]), b_agreed, len(segments[j]))
            pairs.append(PairAgreement(coders[i], coders[j], counts, segment))
    if k == 2:
        table = pairs[0].counts
        counts_by_coders: tuple[int, ...] = (
            table.neither,
            table.a_only + table.b_only,
            table.both,
        )
    else:
        counts_by_coders = coverage(coverage_by_mask(unit_count, unit_spans), k).counts
    # the sum runs over ordered pairs of coders: (i, j) and (j, i) alike
    unitized = observed_sections(unit_count, unit_spans, 2 * observed)
    return Comparison(tuple(pairs), Coverage(counts_by_coders, unitized))


def krippendorff_alpha_nominal(ratings: Sequence[Sequence[Hashable | None]]) -> Measure:
    """Krippendorff's alpha for nominal data in general: ``ratings[coder][unit]``, with
    ``None`` for a missing rating. Units with fewer than two ratings are not pairable
    and are left out. Used to check the closed form and for published examples."""
    if not ratings:
        raise ValueError("no coders")
    unit_count = len(ratings[0])
    if any(len(row) != unit_count for row in ratings):
        raise ValueError("every coder needs one entry per unit (None when missing)")
    coincidence: dict[tuple[Hashable, Hashable], float] = {}
    for unit in range(unit_count):
        values = [row[unit] for row in ratings if row[unit] is not None]
        m = len(values)
        if m < 2:
            continue
        for x, first in enumerate(values):
            for y, second in enumerate(values):
                if x != y:
                    key = (first, second)
                    coincidence[key] = coincidence.get(key, 0.0) + 1 / (m - 1)
    totals: dict[Hashable, float] = {}
    for (first, _), value in coincidence.items():
        totals[first] = totals.get(first, 0.0) + value
    n = sum(totals.values())
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return UNDEFINED
    return Measure(1 - (n - 1) * observed / expected)
