"""Comparing coders' spans on every transcript × code at once, as array arithmetic.

The domain compares one transcript × code at a time
(:func:`qualcode.domain.agreement.compare_spans`: merge each coder's spans, walk each
pair's overlaps, sweep all coders, collect unitizing alpha's sections). A large project
has 20,000 such cells and 150,000 codings, and doing that in Python loops was the
largest part of ``qualcode agreement``. Here the same steps run over all cells together
on integer arrays:

- **merge**: codings sorted by (cell, coder, start); a span opens a new merged span when
  it starts after every earlier span of its (cell, coder) ended (touching spans merge).
  Positions are offset by ``group × BIG`` (``BIG`` above every transcript's length), so
  one running maximum and one sort serve all groups at once without mixing them;
- **pairs**: each of coder i's merged spans finds the range of coder j's spans that
  overlap it with two ``searchsorted`` calls (both coders' spans are sorted and
  disjoint); the overlapping pairs give the units both cover, segment matches and
  unitizing alpha's observed distances;
- **coverage**: every merged span's start (+1) and end (−1) sorted and summed gives how
  many coders cover each stretch;
- **unitizing alpha**: the unit and gap lengths of each cell, and the expected
  disagreement's sums from them by ``searchsorted`` over each cell's sorted gaps.

Every count is an exact 64-bit integer: :func:`fits` refuses inputs whose sums could
leave that range (the service then takes the domain's path), and unitizing alpha's
final fraction is formed from Python integers. The results are the domain's
:class:`~qualcode.domain.agreement.Comparison` values, equal field for field
(``tests/agreement/test_sweep_arrays.py`` checks this on generated codings).
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from qualcode.domain.agreement_cells import (
    BulkComparison,
    CellColumns,
    Comparer,
    Histograms,
    Unitizing,
)
from qualcode.domain.agreement_report import CodingSpan, SkippedCoding, TranscriptUnits
from qualcode.domain.codings import SUGGESTED
from qualcode.domain.spans import span_problem
from qualcode.domain.statistics.base import ratio
from qualcode.domain.statistics.unitized_alpha import Sections, expected_sum

if TYPE_CHECKING:
    from qualcode.services.agreement import ComparisonData

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

LIMIT = 2**62
"""Every intermediate stays below this (int64 holds up to 2**63 - 1)."""


@dataclass(frozen=True, slots=True)
class CellCodings:
    """Valid codings (``0 <= start < end <= length`` of their transcript) as columns:
    ``cell = code position × transcripts + transcript position``, the coder's position,
    start and end in code points."""

    cell: Ints
    coder: Ints
    start: Ints
    end: Ints


def sweep_comparer(
    data: ComparisonData, threshold: Fraction | int, *, sections: bool = True
) -> Comparer | None:
    """The comparison of every transcript × code of ``data`` at once (character
    units), for :func:`~qualcode.domain.agreement_report.agreement_report`'s
    ``compare``; ``None`` when the counts could leave 64-bit integers (see :func:`fits`).
    ``sections``: also unitizing alpha's sections (only a statistic that
    :attr:`~qualcode.domain.statistics.Statistic.reads_sections` needs them)."""
    lengths = [transcript.length for transcript in data.transcripts]
    if not fits(lengths, len(data.codes), len(data.table) // 6, len(data.coders), threshold):
        return None

    def compare(kept: Sequence[TranscriptUnits], threshold: Fraction | int) -> BulkComparison:
        return compare_rows(data, kept, threshold, sections=sections)

    return compare


def compare_rows(
    data: ComparisonData,
    kept: Sequence[TranscriptUnits],
    threshold: Fraction | int,
    *,
    sections: bool = True,
) -> BulkComparison:
    """``data``'s codings in the ``kept`` transcripts and its codes compared: valid ones
    by :func:`compare_cells`, invalid ones skipped with their reason, in row order (as
    :func:`~qualcode.domain.agreement_report.group_codings` lists them)."""
    table = _table(data.table)
    tid, code_id, coder_id, start, end = (table[:, c].copy() for c in range(1, 6))
    lengths = [transcript.length for transcript in kept]
    place = _positions([data.transcript_ids[transcript.name] for transcript in kept], tid)
    code = _positions([data.code_ids[path] for path in data.codes], code_id)
    coder = _positions([data.coder_ids[name] for name in data.coders], coder_id)
    wanted = (place >= 0) & (code >= 0) & (coder >= 0)
    length = np.asarray([*lengths, 0], dtype=np.int64)[place]  # -1: the extra 0
    valid = wanted & (start >= 0) & (start < end) & (end <= length)
    invalid = np.flatnonzero(wanted & ~valid)
    # in the order the codings are read for a report cell by cell
    invalid = invalid[np.lexsort(tuple(table[invalid, c] for c in (0, 4, 3, 2, 1)))]
    skipped = _skipped(data, table[invalid], [lengths[at] for at in place[invalid].tolist()])
    cells = CellCodings(
        code[valid] * len(kept) + place[valid], coder[valid], start[valid], end[valid]
    )
    per_code, pooled = compare_cells(
        data.coders, lengths, len(data.codes), cells, threshold, sections=sections
    )
    return BulkComparison(per_code, pooled, skipped)


def _table(flat: array[int]) -> Ints:
    """Six integers per coding as a codings × 6 array (no copy)."""
    if not flat:
        return np.zeros((0, 6), dtype=np.int64)
    return np.frombuffer(flat, dtype=np.int64).reshape(-1, 6)


def coded_by(flat: array[int]) -> list[tuple[int, int]]:
    """Each (transcript id, coder id) with a coding in ``flat`` (six integers per coding,
    as :attr:`~qualcode.services.agreement.ComparisonData.table`)."""
    table = _table(flat)
    if not len(table) or int(np.abs(table[:, 1]).max()) >= 2**56:  # ids past any real rowid
        return list({(int(row[1]), int(row[3])) for row in table.tolist()})
    coders, coder = np.unique(table[:, 3], return_inverse=True)
    key = np.unique(table[:, 1] * len(coders) + coder)
    transcripts, which = np.divmod(key, len(coders))
    return list(zip(transcripts.tolist(), coders[which].tolist(), strict=True))


def ordered_rows(flat: array[int]) -> list[tuple[int, int, int, int, int, int]]:
    """``flat`` (six integers per coding) as tuples ordered by transcript id, code id,
    coder id, start and coding id."""
    table = _table(flat)
    order = np.lexsort(tuple(table[:, c] for c in (0, 4, 3, 2, 1)))
    return [(a, b, c, d, e, f) for a, b, c, d, e, f in table[order].tolist()]


def of_origins(flat: array[int], suggested: Collection[int], kept: Mapping[int, str]) -> array[int]:
    """The codings of ``flat`` (six integers each: id, transcript, code, coder, start,
    end) kept by origin: a coder id in ``kept`` keeps only its codings of that origin
    (ids in ``suggested`` are accepted suggestions, the rest made by hand); other coders
    keep all theirs."""
    if not kept or not flat:
        return flat
    table = _table(flat)
    ids = np.fromiter(suggested, dtype=np.int64, count=len(suggested))
    accepted = np.isin(table[:, 0], ids)
    keep = np.ones(len(table), dtype=bool)
    for coder_id, origin in kept.items():
        keep &= (table[:, 3] != coder_id) | (accepted == (origin == SUGGESTED))
    return array("q", table[keep].tobytes())


def _positions(keys: Sequence[int], values: Ints) -> Ints:
    """Each value's index in ``keys`` (distinct), or -1 where it is not one of them."""
    if not keys:
        return np.full(len(values), -1, dtype=np.int64)
    known = np.asarray(keys, dtype=np.int64)
    order = np.argsort(known)
    ordered = known[order]
    at = np.minimum(np.searchsorted(ordered, values), len(keys) - 1)
    return np.where(ordered[at] == values, order[at], -1).astype(np.int64)


def _skipped(data: ComparisonData, rows: Ints, lengths: Sequence[int]) -> list[SkippedCoding]:
    """Invalid codings (id rows) named, with the reason, each ``lengths`` long text."""
    transcripts = {tid: name for name, tid in data.transcript_ids.items()}
    paths = {data.code_ids[path]: path for path in data.codes}
    coders = {cid: name for name, cid in data.coder_ids.items()}
    skipped: list[SkippedCoding] = []
    for (coding_id, tid, code_id, coder_id, start, end), length in zip(
        rows.tolist(), lengths, strict=True
    ):
        coding = CodingSpan(
            coding_id, transcripts[tid], paths[code_id], coders[coder_id], start, end
        )
        skipped.append(SkippedCoding(coding, span_problem(length, start, end) or "invalid"))
    return skipped


Compared = tuple[list[CellColumns], Sequence[Sections | None]]
"""Each code's comparisons (one per transcript, in the given order) as columns, and its
transcripts' unitizing sections pooled (as
:func:`~qualcode.domain.statistics.unitized_alpha.pooled_sections` pools them)."""


def fits(
    lengths: Sequence[int], codes: int, codings: int, coders: int, threshold: Fraction | int
) -> bool:
    """Whether :func:`compare_cells` stays inside 64-bit integers for transcripts of
    these lengths (code points), this many codes, codings and coders, and this threshold
    (otherwise the domain's one-cell-at-a-time path, with Python's unbounded integers,
    is used). Unitizing alpha's expected sums are checked again on the spans."""
    if not lengths:
        return True
    big = max(lengths) + 1
    scale = 100 * Fraction(threshold).denominator * 101
    return (
        (codes + 1) * len(lengths) * coders * big < LIMIT  # (cell, coder) × position keys
        and 4 * coders * coders * (codings + 1) * big * big < LIMIT  # observed distances
        and scale * big < LIMIT  # the segment threshold's comparison
    )


def compare_cells(
    coders: Sequence[str],
    lengths: Sequence[int],
    codes: int,
    codings: CellCodings,
    threshold: Fraction | int,
    *,
    sections: bool = True,
) -> Compared:
    """Compare ``coders`` on every transcript (of ``lengths`` code points, all
    positive) × each of ``codes`` codes: the domain's
    :func:`~qualcode.domain.agreement.compare_spans` of every cell with character units
    (without unitizing alpha's sections unless ``sections``). The caller checks
    :func:`fits` first."""
    k = len(coders)
    transcripts = len(lengths)
    cells = codes * transcripts
    length = np.asarray(lengths, dtype=np.int64)
    big = int(length.max()) + 1 if transcripts else 1
    cell_length = np.tile(length, codes)
    merged = _merge(codings, k, big)
    group, start, end = merged
    cell = group // k
    coder = group % k
    size = end - start
    per_group = np.bincount(group, minlength=cells * k)
    covered = _sums(group, size, cells * k).reshape(cells, k)
    spans = per_group.reshape(cells, k)
    tables: list[Ints] = []  # per pair: cells × 4
    segments: list[Ints] = []
    observed = np.zeros(cells, dtype=np.int64)
    for i in range(k):
        for j in range(i + 1, k):
            both, a_agreed, b_agreed, distance = _pair(
                cell, coder, start, end, i, j, cells, big, threshold
            )
            observed += distance
            a_units, b_units = covered[:, i], covered[:, j]
            tables.append(
                np.stack(
                    (both, a_units - both, b_units - both, cell_length - a_units - b_units + both)
                )
            )
            segments.append(np.stack((a_agreed, spans[:, i], b_agreed, spans[:, j])))
    observed *= 2  # over ordered pairs of coders: (i, j) and (j, i) alike
    coverage = _coverage(cell, start, end, cells, k, big, cell_length)
    if sections:
        units = _Histogram(cell, size, big)
        gaps = _gaps(merged, per_group, cell, cells, k, cell_length, big)
        alpha, undefined = _alphas(cell, gaps, cells, k, cell_length, observed, units, big)
    per_code: list[CellColumns] = []
    for code in range(codes):
        first, stop = code * transcripts, (code + 1) * transcripts
        unitizing = (
            Unitizing(
                observed=_ints(observed[first:stop]),
                unit_lengths=units.columns(first, stop),
                gap_lengths=gaps.columns(first, stop),
                alpha=array("d", alpha[first:stop].tobytes()),
                alpha_undefined=undefined[first:stop].tolist(),
            )
            if sections
            else None
        )
        per_code.append(
            CellColumns(
                coders=tuple(coders),
                units=_ints(cell_length[first:stop]),
                tables=tuple(_four(table[:, first:stop]) for table in tables),
                segments=tuple(_four(segment[:, first:stop]) for segment in segments),
                coverage=tuple(_ints(coverage[first:stop, j]) for j in range(k + 1)),
                unitizing=unitizing,
            )
        )
    if not sections:
        return per_code, [None] * codes
    return per_code, _pooled(units, gaps, observed, cell_length, codes, transcripts, k, big)


def _ints(values: Ints) -> array[int]:
    """A column as the standard library's 64-bit integer array (no object per value)."""
    return array("q", np.ascontiguousarray(values, dtype=np.int64).tobytes())


def _four(rows: Ints) -> tuple[array[int], array[int], array[int], array[int]]:
    return _ints(rows[0]), _ints(rows[1]), _ints(rows[2]), _ints(rows[3])


Merged = tuple[Ints, Ints, Ints]
"""Merged spans: (group = cell × coders + coder, start, end), sorted by group and start."""


def _merge(codings: CellCodings, k: int, big: int) -> Merged:
    """Each (cell, coder)'s spans merged: overlapping and touching spans joined."""
    group = codings.cell * k + codings.coder
    # by group, then start: one key (spans starting together merge in any order)
    order = np.argsort(group * big + codings.start)
    group, start, end = group[order], codings.start[order], codings.end[order]
    if not len(group):
        return group, start, end
    reach = np.maximum.accumulate(group * big + end)  # furthest end so far, keyed
    opens = np.empty(len(group), dtype=np.bool_)
    opens[0] = True
    opens[1:] = group[1:] * big + start[1:] > reach[:-1]
    first = np.flatnonzero(opens)
    return group[first], start[first], np.maximum.reduceat(end, first)


def _sums(index: Ints, values: Ints, size: int) -> Ints:
    """``out[i] = Σ values where index == i``, in exact integers."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _pair(
    cell: Ints,
    coder: Ints,
    start: Ints,
    end: Ints,
    i: int,
    j: int,
    cells: int,
    big: int,
    threshold: Fraction | int,
) -> tuple[Ints, Ints, Ints, Ints]:
    """Per cell, coders i and j: (units both cover, i's spans matched, j's spans
    matched, Σ δ² one direction) — :func:`~qualcode.domain.agreement.pair_overlap`."""
    mine, theirs = coder == i, coder == j
    a_cell, a_start, a_end = cell[mine], start[mine], end[mine]
    b_cell, b_start, b_end = cell[theirs], start[theirs], end[theirs]
    # j's spans overlapping each of i's: those ending after it starts and starting
    # before it ends, a contiguous range since j's spans are sorted and disjoint
    low = np.searchsorted(b_cell * big + b_end, a_cell * big + a_start, side="right")
    high = np.searchsorted(b_cell * big + b_start, a_cell * big + a_end, side="left")
    count = np.maximum(high - low, 0)
    a_index = np.repeat(np.arange(len(a_cell)), count)
    offset = np.cumsum(count) - count
    b_index = low[a_index] + (np.arange(len(a_index)) - offset[a_index])
    p_start, p_end = a_start[a_index], a_end[a_index]
    q_start, q_end = b_start[b_index], b_end[b_index]
    inter = np.minimum(p_end, q_end) - np.maximum(p_start, q_start)
    union = np.maximum(p_end, q_end) - np.minimum(p_start, q_start)
    share = Fraction(threshold)
    matched = 100 * share.denominator * inter >= share.numerator * union
    pair_cell = a_cell[a_index]
    both = _sums(pair_cell, inter, cells)
    a_matched = np.zeros(len(a_cell), dtype=np.bool_)
    a_matched[a_index[matched]] = True
    b_matched = np.zeros(len(b_cell), dtype=np.bool_)
    b_matched[b_index[matched]] = True
    b_hit = np.zeros(len(b_cell), dtype=np.bool_)
    b_hit[b_index] = True
    a_alone, b_alone = count == 0, ~b_hit
    distance = (
        _sums(pair_cell, (p_start - q_start) ** 2 + (p_end - q_end) ** 2, cells)
        + _sums(a_cell[a_alone], (a_end - a_start)[a_alone] ** 2, cells)
        + _sums(b_cell[b_alone], (b_end - b_start)[b_alone] ** 2, cells)
    )
    return (
        both,
        np.bincount(a_cell[a_matched], minlength=cells),
        np.bincount(b_cell[b_matched], minlength=cells),
        distance,
    )


def _coverage(
    cell: Ints, start: Ints, end: Ints, cells: int, k: int, big: int, cell_length: Ints
) -> Ints:
    """cells × (k + 1): units covered by exactly ``j`` coders. Between consecutive
    boundaries of a cell the running sum of +1 (start) and −1 (end) is how many coders
    cover the stretch; it is back to 0 after each cell's last boundary."""
    keys = np.concatenate((cell * big + start, cell * big + end))
    steps = np.concatenate((np.ones(len(cell), np.int64), np.full(len(cell), -1, np.int64)))
    order = np.argsort(keys)
    keys, depth = keys[order], np.cumsum(steps[order])
    stretch = keys[1:] - keys[:-1]
    depth = depth[:-1]
    inside = depth > 0
    slot = (keys[:-1][inside] // big) * (k + 1) + depth[inside]
    counts = _sums(slot, stretch[inside], cells * (k + 1)).reshape(cells, k + 1)
    counts[:, 0] = cell_length - counts[:, 1:].sum(axis=1)
    return counts


class _Histogram:
    """How many sections of each length each cell has: sorted (cell, length, count)."""

    def __init__(self, cell: Ints, size: Ints, big: int) -> None:
        keys = np.sort(cell * big + size)
        if len(keys):
            first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            unique = keys[first]
            self.count: Ints = np.diff(np.append(first, len(keys)))
        else:
            unique = keys
            self.count = np.zeros(0, dtype=np.int64)
        self.cell: Ints = unique // big
        self.size: Ints = unique % big
        self.sorted_keys = keys
        self.big = big

    def columns(self, first: int, stop: int) -> Histograms:
        """The histograms of cells ``first`` to ``stop - 1``, per cell."""
        bounds = np.searchsorted(self.cell, np.arange(first, stop + 1))
        low, high = int(bounds[0]), int(bounds[-1])
        return Histograms(
            _ints(bounds - low), _ints(self.size[low:high]), _ints(self.count[low:high])
        )


def _gaps(
    merged: Merged,
    per_group: Ints,
    cell: Ints,
    cells: int,
    k: int,
    cell_length: Ints,
    big: int,
) -> _Histogram:
    """Each coder's gaps in each cell: before the first span, between spans, after the
    last (those of length 0 left out), and the whole transcript for a coder with no
    span in a cell."""
    group, start, end = merged
    count = len(group)
    first = np.ones(count, dtype=np.bool_)
    last = np.ones(count, dtype=np.bool_)
    if count:
        first[1:] = group[1:] != group[:-1]
        last[:-1] = group[1:] != group[:-1]
    before = np.where(first, start, start - np.roll(end, 1))
    after = cell_length[cell] - end
    empty = np.flatnonzero(per_group == 0)
    empty_cell = empty // k
    gap_cell = np.concatenate((cell, cell[last], empty_cell))
    gap_size = np.concatenate((before, after[last], cell_length[empty_cell]))
    kept = gap_size > 0
    return _Histogram(gap_cell[kept], gap_size[kept], big)


def _alphas(
    cell: Ints,
    gaps: _Histogram,
    cells: int,
    k: int,
    cell_length: Ints,
    observed: Ints,
    units: _Histogram,
    big: int,
) -> tuple[npt.NDArray[np.float64], Bools]:
    """Unitizing alpha of every cell and whether it is undefined (0/0, then 1.0), as
    :func:`~qualcode.domain.statistics.unitized_alpha.unitized_alpha` computes it: the
    expected sum per cell from its unit and gap histograms, then the one exact fraction
    in Python integers."""
    unit_cell, unit_size, unit_count = units.cell, units.size, units.count
    total_units = np.bincount(cell, minlength=cells)
    # the gaps at least as long as a unit, within its cell: a suffix of the cell's
    # gap lengths, which are sorted
    gap_keys = gaps.sorted_keys
    running = np.concatenate(([0], np.cumsum(gap_keys % big)))
    low = np.searchsorted(gap_keys, unit_cell * big + unit_size, side="left")
    high = np.searchsorted(gap_keys, (unit_cell + 1) * big, side="left")
    fits_sum = running[high] - running[low]
    fits = fits_sum - (high - low) * (unit_size - 1)
    n = total_units[unit_cell]
    # the terms' sizes, checked in floating point before they are formed in integers
    sizes = unit_size.astype(np.float64)
    bound = unit_count * (n * 2 * sizes**3 + 3 * sizes**2 * fits_sum)
    safe = float(bound.sum()) < LIMIT / 4
    chance = (n - 1) * unit_size * (unit_size - 1) * (2 * unit_size - 1) + (
        3 * unit_size * unit_size * fits
    )
    expected = _sums(unit_cell, unit_count * chance, cells).tolist() if safe else []
    within = _sums(unit_cell, unit_count * unit_size * (unit_size - 1), cells).tolist()
    lengths = cell_length.tolist()
    observed_list = observed.tolist()
    values = np.ones(cells, dtype=np.float64)
    undefined = np.ones(cells, dtype=np.bool_)
    for position in np.flatnonzero(total_units > 0).tolist():
        length = lengths[position]
        if safe:
            three_expected = expected[position]
        else:  # Python's integers, from the cell's histograms
            part = Sections(
                k,
                length,
                0,
                units.columns(position, position + 1).at(0),
                gaps.columns(position, position + 1).at(0),
            )
            three_expected = expected_sum(part)
        scale = 2 * k * (k - 1) * length * three_expected
        pairable = k * length * (k * length - 1) - within[position]
        measure = ratio(scale - 3 * observed_list[position] * pairable, scale)
        values[position], undefined[position] = measure.value, measure.undefined
    return values, undefined


def _pooled(
    units: _Histogram,
    gaps: _Histogram,
    observed: Ints,
    cell_length: Ints,
    codes: int,
    transcripts: int,
    k: int,
    big: int,
) -> list[Sections]:
    """Each code's sections over all its transcripts, end to end, with their unitizing
    alpha (as :func:`~qualcode.domain.statistics.unitized_alpha.unitized_alpha` computes
    it: the sums are too large for 64 bits, so the products are added as Python
    integers)."""
    total_length = int(cell_length[:transcripts].sum()) if transcripts else 0
    observed_by_code = observed.reshape(codes, transcripts).sum(axis=1).tolist()
    unit_code, unit_size, unit_count = _by_code(units, transcripts, big)
    gap_code, gap_size, gap_count = _by_code(gaps, transcripts, big)
    unit_bounds = np.searchsorted(unit_code, np.arange(codes + 1)).tolist()
    gap_bounds = np.searchsorted(gap_code, np.arange(codes + 1)).tolist()
    # the gaps of the code at least as long as each unit length: a suffix of the code's
    # sorted gap lengths, summed through running totals
    gap_keys = gap_code * big + gap_size
    running_count = np.concatenate(([0], np.cumsum(gap_count)))
    running_length = np.concatenate(([0], np.cumsum(gap_count * gap_size)))
    low = np.searchsorted(gap_keys, unit_code * big + unit_size, side="left")
    high = np.searchsorted(gap_keys, (unit_code + 1) * big, side="left")
    fits = (running_length[high] - running_length[low]) - (
        running_count[high] - running_count[low]
    ) * (unit_size - 1)
    # each term's factors stay below 2**62 (every count is at most the codings)
    spread = (unit_count * unit_size * (unit_size - 1)).tolist()
    odd = (2 * unit_size - 1).tolist()
    square = (unit_count * unit_size * unit_size).tolist()
    fits_list = fits.tolist()
    counts, sizes = unit_count.tolist(), unit_size.tolist()
    gap_counts, gap_sizes = gap_count.tolist(), gap_size.tolist()
    pooled: list[Sections] = []
    for code in range(codes):
        first, stop = unit_bounds[code], unit_bounds[code + 1]
        gap_first, gap_stop = gap_bounds[code], gap_bounds[code + 1]
        total_units = sum(counts[first:stop])
        within = sum(spread[first:stop])
        three_expected = (total_units - 1) * sum(
            map(mul, spread[first:stop], odd[first:stop])
        ) + 3 * sum(map(mul, square[first:stop], fits_list[first:stop]))
        scale = 2 * k * (k - 1) * total_length * three_expected
        pairable = k * total_length * (k * total_length - 1) - within
        alpha = ratio(scale - 3 * observed_by_code[code] * pairable, scale)
        pooled.append(
            Sections(
                k,
                total_length,
                observed_by_code[code],
                dict(zip(sizes[first:stop], counts[first:stop], strict=True)),
                dict(
                    zip(gap_sizes[gap_first:gap_stop], gap_counts[gap_first:gap_stop], strict=True)
                ),
                alpha,
            )
        )
    return pooled


def _by_code(histogram: _Histogram, transcripts: int, big: int) -> tuple[Ints, Ints, Ints]:
    """A histogram's counts summed over each code's transcripts: (code, length, count),
    sorted by code and length."""
    keys = histogram.cell // max(transcripts, 1) * big + histogram.size
    order = np.argsort(keys)
    keys, counts = keys[order], histogram.count[order]
    if not len(keys):
        return keys, keys, counts
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    unique = keys[first]
    return unique // big, unique % big, np.add.reduceat(counts, first)
