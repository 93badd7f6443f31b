"""One code's comparisons in every transcript, kept as columns instead of objects.

A large report compares 20,000 transcript × code cells; a
:class:`~qualcode.domain.agreement.Comparison` per cell is a dozen small objects (pair
tables, segment counts, coverage, unitizing sections with two histograms), which cost
more time and memory to build than the counts in them. :class:`CellColumns` holds the
same numbers as one typed ``array`` per count (one value per transcript), and
:class:`CellComparisons` is the code's per-transcript sequence of ``(name, Comparison)``
built from them on demand, equal to the one the cell-by-cell comparison gives. Readers
that want every transcript's value of a count (statistic columns, the JSON writer, the
pooled sums) read the columns; everything else reads comparisons as before.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple, overload

from qualcode.domain.agreement import (
    Comparison,
    Coverage,
    PairAgreement,
    PairCounts,
    SegmentCounts,
)
from qualcode.domain.statistics.base import Measure
from qualcode.domain.statistics.unitized_alpha import Sections

if TYPE_CHECKING:
    from qualcode.domain.agreement_report import SkippedCoding, TranscriptUnits


class Histograms(NamedTuple):
    """Per transcript, how many sections (units or gaps) there are of each length:
    transcript ``i``'s lengths are ``sizes[offsets[i]:offsets[i + 1]]`` with the
    matching ``counts``."""

    offsets: array[int]
    sizes: array[int]
    counts: array[int]

    def at(self, index: int) -> dict[int, int]:
        """Transcript ``index``'s ``{length: count}``."""
        first, stop = self.offsets[index], self.offsets[index + 1]
        return dict(zip(self.sizes[first:stop], self.counts[first:stop], strict=True))


@dataclass(frozen=True, slots=True)
class Unitizing:
    """Unitizing alpha's part of a code's columns: per transcript, the observed sum over
    ordered pairs of coders, the unit and gap lengths, and the value (1.0 where
    undefined)."""

    observed: array[int]
    unit_lengths: Histograms
    gap_lengths: Histograms
    alpha: array[float]
    alpha_undefined: list[bool]

    def sections(self, coders: int, units: int, index: int) -> Sections:
        return Sections(
            coders,
            units,
            self.observed[index],
            self.unit_lengths.at(index),
            self.gap_lengths.at(index),
            Measure(self.alpha[index], self.alpha_undefined[index]),
        )


@dataclass(frozen=True, slots=True)
class CellColumns:
    """One code compared in every transcript, count by count: each array has one entry
    per transcript (in the report's order)."""

    coders: tuple[str, ...]
    units: array[int]
    """Units of each transcript (code points with character units)."""
    tables: tuple[tuple[array[int], array[int], array[int], array[int]], ...]
    """Per pair (in :func:`~qualcode.domain.agreement.compare_spans`' order): both,
    a only, b only, neither."""
    segments: tuple[tuple[array[int], array[int], array[int], array[int]], ...]
    """Per pair: a's segments agreed, a's total, b's agreed, b's total."""
    coverage: tuple[array[int], ...]
    """``coverage[j]``: units exactly ``j`` coders cover."""
    unitizing: Unitizing | None = None
    """What unitizing alpha reads, when a statistic asked for it (else the comparisons
    have no sections)."""

    def __len__(self) -> int:
        return len(self.units)

    def totals(self) -> tuple[list[list[int]], list[int]]:
        """As :func:`totals`, from the columns."""
        counts = [
            [sum(column) for column in (*table, *segment)]
            for table, segment in zip(self.tables, self.segments, strict=True)
        ]
        return counts, [sum(column) for column in self.coverage]

    def pair_names(self) -> list[tuple[str, str]]:
        k = len(self.coders)
        return [(self.coders[i], self.coders[j]) for i in range(k) for j in range(i + 1, k)]

    def comparison(self, index: int, names: Sequence[tuple[str, str]] | None = None) -> Comparison:
        """Transcript ``index``'s comparison, as the cell-by-cell comparison makes it."""
        pairs = tuple(
            PairAgreement(
                a,
                b,
                PairCounts(table[0][index], table[1][index], table[2][index], table[3][index]),
                SegmentCounts(
                    segment[0][index], segment[1][index], segment[2][index], segment[3][index]
                ),
            )
            for (a, b), table, segment in zip(
                names or self.pair_names(), self.tables, self.segments, strict=True
            )
        )
        unitizing = self.unitizing
        sections = (
            None
            if unitizing is None
            else unitizing.sections(len(self.coders), self.units[index], index)
        )
        counts = tuple(column[index] for column in self.coverage)
        return Comparison(pairs, Coverage(counts, sections))


def totals(
    comparisons: Sequence[Comparison], pairs: int, coders: int
) -> tuple[list[list[int]], list[int]]:
    """Each pair's 2×2 table and segment counts summed over the comparisons (both,
    a_only, b_only, neither, a_agreed, a_total, b_agreed, b_total), and the coverage."""
    counts = [[0] * 8 for _ in range(pairs)]
    coverage_counts = [0] * (coders + 1)
    for comparison in comparisons:
        for index, pair in enumerate(comparison.pairs):
            c, segment = pair.counts, pair.segment
            total = counts[index]
            total[0] += c.both
            total[1] += c.a_only
            total[2] += c.b_only
            total[3] += c.neither
            total[4] += segment.a_agreed
            total[5] += segment.a_total
            total[6] += segment.b_agreed
            total[7] += segment.b_total
        for j, units in enumerate(comparison.coverage.counts):
            coverage_counts[j] += units
    return counts, coverage_counts


class BulkComparison(NamedTuple):
    """Every transcript × code compared at once (see ``compare`` of
    :func:`~qualcode.domain.agreement_report.agreement_report`): each code's comparisons
    in transcript order, as columns, each code's unitizing sections pooled over its
    transcripts, and the codings skipped as invalid (in the order
    :func:`~qualcode.domain.agreement_report.group_codings` lists them)."""

    per_code: Sequence[CellColumns]
    pooled: Sequence[Sections | None]
    skipped: Sequence[SkippedCoding]


Comparer = Callable[[Sequence["TranscriptUnits"], Fraction | int], BulkComparison]
"""``(compared transcripts, threshold) -> BulkComparison``."""


class LazyComparisons(Sequence[Comparison]):
    """A code's comparisons, one per transcript, made from its :class:`CellColumns`
    when read."""

    __slots__ = ("cells",)

    def __init__(self, cells: CellColumns) -> None:
        self.cells = cells

    def __len__(self) -> int:
        return len(self.cells)

    @overload
    def __getitem__(self, index: int) -> Comparison: ...
    @overload
    def __getitem__(self, index: slice) -> list[Comparison]: ...
    def __getitem__(self, index: int | slice) -> Comparison | list[Comparison]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self.cells.comparison(index % len(self))

    def __iter__(self) -> Iterator[Comparison]:
        names = self.cells.pair_names()
        for index in range(len(self)):
            yield self.cells.comparison(index, names)


class CellComparisons(Sequence[tuple[str, Comparison]]):
    """A code's ``(transcript, comparison)`` per transcript, from its columns: what
    :attr:`~qualcode.domain.agreement_report.CodeAgreement.per_transcript` holds when
    every cell was compared at once. Equal to the tuple of pairs it stands for."""

    __slots__ = ("comparisons", "names")

    def __init__(self, names: Sequence[str], cells: CellColumns) -> None:
        if len(names) != len(cells):
            raise ValueError("one name per transcript of the columns")
        self.names = tuple(names)
        self.comparisons = LazyComparisons(cells)

    @property
    def cells(self) -> CellColumns:
        return self.comparisons.cells

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> tuple[str, Comparison]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, Comparison]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> tuple[str, Comparison] | list[tuple[str, Comparison]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.names[index], self.comparisons[index]

    def __iter__(self) -> Iterator[tuple[str, Comparison]]:
        return zip(self.names, self.comparisons, strict=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CellComparisons({len(self)} transcripts)"
