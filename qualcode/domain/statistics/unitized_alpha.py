"""Krippendorff's unitizing alpha (αU) of one code across all compared coders.

Coders who each cut a continuum into units of a code (and the gaps between them) are
compared by squared-length distances between their sections (Krippendorff 1995, "On the
reliability of unitizing continuous data", Sociological Methodology 25: 47–76; in the
form of Krippendorff 2004, "Measuring the reliability of qualitative text analysis
data", Quality & Quantity 38: 787–800, and Content Analysis, 2nd ed., 2004, §12.6).
For one code ``c``, with ``m`` coders, a continuum of length ``L``, and each coder's
sections ``g`` (a unit of ``c`` or a gap) of length ``l_g`` starting at ``b_g``:

- distance of coder i's section g and coder j's section h:
  both units and overlapping: ``(b_g - b_h)² + (b_g + l_g - b_h - l_h)²``;
  a unit inside the other's gap: the unit's length squared; otherwise 0.
- observed disagreement ``D_o = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(g, h) / (m(m-1)L²)``.
- expected disagreement ``D_e = (2/L) · Σ_units [ (N-1)/3 · (2l³ - 3l² + l)
  + l² · Σ_{gaps h of every coder with l_h ≥ l} (l_h - l + 1) ]
  / ( mL(mL-1) - Σ_units l(l-1) )`` with ``N`` the number of units of all coders.
- ``αU = 1 - D_o / D_e``.

Everything is an integer, so ``αU`` is one exact fraction divided once. Several
transcripts are pooled as one continuum laid end to end in which no gap runs across a
transcript's boundary: lengths, observed sums and the section lengths add up.

A unit inside the other coder's gap is a unit overlapping none of that coder's units,
so the observed sum needs only a sweep over the units of each pair of coders and the
expected sum only the histograms of unit and gap lengths: the cost grows with the
number of codings, never with the length of the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from qualcode.domain.statistics.bands import LANDIS_KOCH
from qualcode.domain.statistics.base import UNDEFINED, Measure, Statistic, ratio

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage

Section = tuple[int, int]
"""A half-open ``(start, end)`` unit of the code."""


@dataclass(frozen=True, slots=True)
class Sections:
    """What αU needs of one comparison (or of several, pooled): the coders, the
    continuum's length, the observed sum of squared distances over ordered pairs of
    coders, and how many units and gaps there are of each length."""

    coders: int
    length: int
    observed: int
    units: Mapping[int, int] = field(default_factory=dict)
    """Unit length → how many units of that length (all coders)."""
    gaps: Mapping[int, int] = field(default_factory=dict)
    """Gap length → how many gaps of that length (all coders)."""
    alpha: Measure | None = field(default=None, compare=False, repr=False)
    """αU once computed (:func:`unitized_alpha` fills it: reports read it twice)."""

    def __add__(self, other: Sections) -> Sections:
        """Two continua laid end to end, no gap joining across the boundary."""
        if self.coders != other.coders:
            raise ValueError("cannot pool sections of different numbers of coders")
        return Sections(
            self.coders,
            self.length + other.length,
            self.observed + other.observed,
            _added(self.units, other.units),
            _added(self.gaps, other.gaps),
        )


def _added(first: Mapping[int, int], second: Mapping[int, int]) -> dict[int, int]:
    total = dict(first)
    for length, count in second.items():
        total[length] = total.get(length, 0) + count
    return total


def pooled_sections(parts: Iterable[Sections], coders: int) -> Sections:
    """Several comparisons' sections as one continuum (see :meth:`Sections.__add__`);
    adds the histograms in place once instead of copying them per part."""
    length = observed = 0
    units: dict[int, int] = {}
    gaps: dict[int, int] = {}
    for part in parts:
        length += part.length
        observed += part.observed
        for size, count in part.units.items():
            units[size] = units.get(size, 0) + count
        for size, count in part.gaps.items():
            gaps[size] = gaps.get(size, 0) + count
    return Sections(coders, length, observed, units, gaps)


def sections(length: int, units_by_coder: Sequence[Sequence[Section]]) -> Sections:
    """The sections of one continuum ``[0, length)``: each coder's units sorted, not
    overlapping one another (touching is allowed: two units then), inside the
    continuum. Gaps are the rest of the continuum, coder by coder."""
    observed = 0
    coders = len(units_by_coder)
    for i in range(coders):
        for j in range(i + 1, coders):
            observed += pair_distance(units_by_coder[i], units_by_coder[j])
    # the sum runs over ordered pairs: (i, j) and (j, i) alike
    return observed_sections(length, units_by_coder, 2 * observed)


def observed_sections(
    length: int, units_by_coder: Sequence[Sequence[Section]], observed: int
) -> Sections:
    """As :func:`sections`, given the observed sum over ordered pairs of coders (a
    comparison that walks each pair's units anyway computes it on the way:
    :func:`qualcode.domain.agreement.pair_overlap`)."""
    unit_counts: dict[int, int] = {}
    gap_counts: dict[int, int] = {}
    for units in units_by_coder:
        previous = 0
        for start, end in units:
            size = end - start
            unit_counts[size] = unit_counts.get(size, 0) + 1
            if start > previous:
                gap_counts[start - previous] = gap_counts.get(start - previous, 0) + 1
            previous = end
        if length > previous:
            gap_counts[length - previous] = gap_counts.get(length - previous, 0) + 1
    return Sections(len(units_by_coder), length, observed, unit_counts, gap_counts)


def pair_distance(a: Sequence[Section], b: Sequence[Section]) -> int:
    """Σ δ² over coder A's and coder B's sections, one direction: overlapping units
    by their boundaries, each unit overlapping none of the other's by its squared
    length (it lies inside the other's gap). Two pointers over sorted units."""
    if not a or not b:
        return sum((end - start) ** 2 for start, end in (*a, *b))
    total = 0
    hit_b = [False] * len(b)
    first = 0
    count_b = len(b)
    for a_start, a_end in a:
        while first < count_b and b[first][1] <= a_start:
            first += 1
        hit = False
        j = first
        while j < count_b and b[j][0] < a_end:
            b_start, b_end = b[j]
            if b_end > a_start:
                hit = hit_b[j] = True
                total += (a_start - b_start) ** 2 + (a_end - b_end) ** 2
            j += 1
        if not hit:
            total += (a_end - a_start) ** 2
    for (b_start, b_end), hit in zip(b, hit_b, strict=True):
        if not hit:
            total += (b_end - b_start) ** 2
    return total


def expected_sum(part: Sections) -> int:
    """Three times the expected sum of the module's formula (so every term is whole):
    ``Σ_units [ (N-1)·l(l-1)(2l-1) + 3l²·Σ_{gaps ≥ l}(l_h - l + 1) ]``, from the
    histograms, longest units first so that the gaps at least as long only ever grow."""
    units = sorted(part.units.items(), reverse=True)
    total_units = sum(count for _, count in units)
    gaps = sorted(part.gaps.items(), reverse=True)
    expected = 0
    gap_index = gaps_at_least = gap_length_sum = 0
    for size, count in units:
        while gap_index < len(gaps) and gaps[gap_index][0] >= size:
            gap_size, gap_count = gaps[gap_index]
            gaps_at_least += gap_count
            gap_length_sum += gap_size * gap_count
            gap_index += 1
        fits = gap_length_sum - gaps_at_least * (size - 1)  # Σ (l_h - l + 1)
        chance = (total_units - 1) * size * (size - 1) * (2 * size - 1) + 3 * size * size * fits
        expected += count * chance
    return expected


def pairable(part: Sections) -> int:
    """``mL(mL-1) - Σ_units l(l-1)``: the denominator of the expected disagreement."""
    m, length = part.coders, part.length
    return m * length * (m * length - 1) - sum(
        count * size * (size - 1) for size, count in part.units.items()
    )


def unitized_alpha_fraction(part: Sections) -> tuple[int, int]:
    """Numerator and denominator of αU, exact integers: with ``S_o`` the observed sum,
    ``D`` :func:`pairable` and ``S`` :func:`expected_sum`,
    ``αU = 1 - D_o/D_e = 1 - 3·S_o·D / (2m(m-1)L·S)``."""
    m, length = part.coders, part.length
    scale = 2 * m * (m - 1) * length * expected_sum(part)
    return scale - 3 * part.observed * pairable(part), scale


def disagreements(part: Sections) -> tuple[Fraction, Fraction]:
    """The observed and expected disagreement ``(D_o, D_e)`` as exact fractions, as the
    papers print them."""
    m, length = part.coders, part.length
    observed = Fraction(part.observed, m * (m - 1) * length * length)
    return observed, Fraction(2 * expected_sum(part), 3 * length * pairable(part))


def unitized_alpha(part: Sections) -> Measure:
    """αU of a code; undefined (0/0, reported as 1.0) when no coder marked a unit."""
    if part.alpha is None:
        # a frozen value's cache, filled once: the value it caches never changes
        object.__setattr__(part, "alpha", ratio(*unitized_alpha_fraction(part)))
    assert part.alpha is not None
    return part.alpha


def _measure(coverage: Coverage) -> Measure:
    if coverage.sections is None:
        return UNDEFINED
    return unitized_alpha(coverage.sections)


STATISTIC = Statistic(
    key="unitized_alpha",
    name="unitized alpha",
    label="alpha-U",
    symbol="αU",
    option="alpha-u",
    of_coders=_measure,
    reads_sections=True,
    undefined_key="unitized_alpha_undefined",
    band=LANDIS_KOCH,
    definition="Krippendorff's unitizing alpha αU (Krippendorff 1995; 2004, Quality & "
    "Quantity 38): 1 − Do/De over each coder's units and gaps of the code, with "
    "squared-length distances (units that overlap: squared differences of both ends; a "
    "unit inside another coder's gap: its squared length); transcripts pooled end to end.",
)
