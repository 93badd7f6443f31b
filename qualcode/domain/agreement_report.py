"""Agreement of chosen coders over transcripts × codes: per transcript, pooled, mean.

This module decides *what* is compared (which transcripts, which codings are valid) and
assembles the statistics of :mod:`qualcode.domain.agreement` into one report. The rules
it applies are listed in :data:`RULES`, which every output repeats.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import reduce
from operator import add
from typing import NamedTuple

from qualcode.domain.agreement import (
    NO_SEGMENTS,
    Comparison,
    Coverage,
    Interval,
    PairAgreement,
    PairCounts,
    SegmentCounts,
    compare_spans,
    merge_intervals,
)
from qualcode.domain.agreement_cells import CellComparisons, Comparer, totals
from qualcode.domain.agreement_intervals import Intervals, interval_rules
from qualcode.domain.agreement_origin import Origins, origin_rule
from qualcode.domain.agreement_units import Unit, UnitGrid, whole_transcript_units
from qualcode.domain.document_info import UNKNOWN_DOCUMENT, DocumentInfo
from qualcode.domain.errors import FieldError
from qualcode.domain.spans import span_problem
from qualcode.domain.statistics import DEFAULT, Measure, Registry, Scope, Statistic, active
from qualcode.domain.statistics.unitized_alpha import Sections, pooled_sections

DEFAULT_THRESHOLD = 90
THRESHOLD_DECIMALS = 6
_THRESHOLD = re.compile(rf"[0-9]{{1,12}}(?:\.[0-9]{{1,{THRESHOLD_DECIMALS}}})?")


def parse_threshold(text: str) -> Fraction:
    """A segment threshold typed as a percent from 0 to 100 with up to six decimals
    (``"90"``, ``"66.7"``), as the exact fraction it names (667/10: never a float, so
    the comparison is exact). A :class:`FieldError` for ``threshold`` otherwise."""
    typed = text.strip()
    if _THRESHOLD.fullmatch(typed) is None:
        raise FieldError(
            "threshold",
            f"a percent from 0 to 100 with at most {THRESHOLD_DECIMALS} decimals "
            f"(such as 90 or 66.7), not {typed!r}",
        )
    value = Fraction(typed)
    if value > 100:
        raise FieldError("threshold", f"a percent from 0 to 100, not {typed}")
    return value


def threshold_text(threshold: Fraction | int) -> str:
    """The threshold as typed: ``"90"``, ``"66.7"`` (a fraction from
    :func:`parse_threshold` has a short exact decimal, which ``float`` repr keeps)."""
    if isinstance(threshold, int) or threshold.denominator == 1:
        return str(int(threshold))
    return repr(float(threshold))


def threshold_number(threshold: Fraction | int) -> int | float:
    """The threshold for JSON: a whole number as an integer, else the nearest float."""
    if isinstance(threshold, int) or threshold.denominator == 1:
        return int(threshold)
    return float(threshold)


DONE_MARKS = "marked done"
CODED_AT_ALL = "coded at all"

RULES = (
    "A coder's overlapping or touching codings of one code are merged first; they never "
    "count as agreement with themselves.",
    "When every rating is identical (all coders coded nothing, or everything), kappa and "
    "alpha are 0/0: they are reported as 1.0 and flagged undefined, as NVivo does.",
    "Every code of the codebook (or every named code with its sub-codes) is listed; one "
    "nobody applied is full agreement on absence, with zero counts.",
    "Invalid codings (out of range, reversed, empty) are skipped and listed.",
    "Only transcripts every compared coder has marked done are compared; a coder who has "
    "marked nothing done counts every transcript they coded at all.",
    "Units: a turn or sentence counts as coded when any character in it is coded; all "
    "units weigh equally. Transcript units: presence per transcript.",
    "Segment agreement compares each coder's merged passages in characters, whatever the "
    "unit: a passage agrees when the other coder has one with intersection/union at or "
    "above the threshold (exact rational comparison: 66.7 % is 667/1000); 100 % when "
    "neither coded anything.",
    "pooled: the 2×2 tables and counts of all compared transcripts summed (unit-weighted); "
    "mean: the unweighted mean of the per-transcript values, undefined ones as 1.0.",
)


CodingRecord = tuple[int, str, str, str, int, int]
"""(coding id, transcript, code, coder, start, end): a :class:`CodingSpan` or a plain
tuple in the same order (the bulk path builds plain tuples, which are cheaper)."""


class CodingSpan(NamedTuple):
    """One stored coding as agreement needs it; ``start``/``end`` are code points."""

    coding_id: int
    transcript: str
    code: str
    coder: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TranscriptUnits:
    """A compared transcript: its length in code points and, for turn or sentence
    units, the units as a grid."""

    name: str
    length: int
    grid: UnitGrid | None = None


@dataclass(frozen=True, slots=True)
class SkippedCoding:
    coding: CodingSpan
    reason: str


@dataclass(frozen=True, slots=True)
class ExcludedTranscript:
    transcript: str
    reason: str


class Mean(NamedTuple):
    """One statistic's unweighted mean over ``transcripts`` transcripts (0.0 when there
    are none); ``undefined`` transcripts had a 0/0 value, counted as 1.0. ``parts``: the
    means of the statistic's parts (segment counts, say). A named tuple: a report makes
    one per code, pair and statistic."""

    value: float
    undefined: int
    transcripts: int
    parts: tuple[float, ...] = ()

    @property
    def all_undefined(self) -> bool:
        """Every transcript's value was 0/0 (false when there are none)."""
        return self.transcripts > 0 and self.undefined == self.transcripts

    @property
    def measure(self) -> Measure:
        """As a :class:`Measure`, undefined when every transcript's value was."""
        return Measure(self.value, self.all_undefined, self.parts)


@dataclass(frozen=True, slots=True)
class MeanPair:
    """Unweighted means over transcripts of one pair's 2×2 table and of each pair
    statistic, by statistic key."""

    a: str
    b: str
    both: float
    a_only: float
    b_only: float
    neither: float
    values: dict[str, Mean]

    # Read by older callers; new code reads values[key].
    @property
    def kappa(self) -> float:
        return self.values["kappa"].value

    @property
    def kappa_undefined(self) -> int:
        return self.values["kappa"].undefined


@dataclass(frozen=True, slots=True)
class MeanComparison:
    """Unweighted means over ``transcripts`` transcripts: per pair, and of each
    all-coder statistic that applies (by key; absent when it does not, as Fleiss'
    kappa for two coders)."""

    transcripts: int
    pairs: tuple[MeanPair, ...]
    values: dict[str, Mean]


class Column(NamedTuple):
    """One statistic's value in each of a code's transcripts (in ``per_transcript``
    order), for one pair or for all coders: what the mean is taken over, kept so that an
    export writing every transcript's value does not compute it again. Values are
    doubles in an array (8 bytes each, not a float object: a large report has hundreds
    of thousands)."""

    values: array[float]
    undefined: list[bool]
    parts: tuple[list[float], ...] = ()
    """Each of the statistic's :attr:`Measure.parts` in each transcript, part by part."""


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    code: str
    per_transcript: Sequence[tuple[str, Comparison]]
    """Each transcript's name and comparison, in the report's order (a tuple, or the
    same pairs made from columns: :class:`~qualcode.domain.agreement_cells.CellComparisons`)."""
    pooled: Comparison
    mean: MeanComparison
    columns: Mapping[tuple[str, int], Column] = field(default_factory=dict)
    """``columns[(statistic key, pair index)]`` (pair index 0 for an all-coder
    statistic): each applicable statistic's per-transcript values."""


@dataclass(frozen=True, slots=True)
class AgreementReport:
    coders: tuple[str, ...]
    unit: Unit
    threshold: Fraction | int
    """Segment agreement threshold, percent, exact (see :func:`parse_threshold`)."""
    transcripts: tuple[str, ...]
    codes: tuple[CodeAgreement, ...]
    skipped: tuple[SkippedCoding, ...]
    excluded: tuple[ExcludedTranscript, ...]
    basis: tuple[tuple[str, str], ...] = ()
    """How each coder's finished transcripts were found: :data:`DONE_MARKS` or
    :data:`CODED_AT_ALL`."""
    statistics: Registry = DEFAULT
    """The statistics computed, in registry order; every output shows these."""
    document: DocumentInfo = UNKNOWN_DOCUMENT
    """The project's name and language, for titles and footers."""
    intervals: Intervals | None = None
    """Bootstrap intervals of the pooled values, when asked for."""
    origins: Origins = ()
    """Each coder and the origin of the codings compared (``--origin``); empty: all."""
    origin_missing: tuple[str, ...] = ()
    """Coders whom ``--origin`` left with no coding in the compared transcripts."""

    def applicable(self) -> Registry:
        """The statistics that apply to this many coders (Fleiss' kappa needs three)."""
        return tuple(s for s in self.statistics if s.applies(len(self.coders)))


def report_rules(report: AgreementReport) -> list[str]:
    """The rules every output prints: :data:`RULES`, which codings were compared (by
    origin), and how intervals were made."""
    rules = [*RULES, *filter(None, [origin_rule(report.origins, report.origin_missing)])]
    if report.intervals is None:
        return rules
    return [*rules, *interval_rules(report.intervals.settings, report.unit.value)]


def select_transcripts(
    candidates: Sequence[str],
    coders: Sequence[str],
    done: Mapping[str, set[str]],
    coded: Mapping[str, set[str]],
) -> tuple[list[str], list[ExcludedTranscript], list[tuple[str, str]]]:
    """Which of ``candidates`` every coder has finished.

    ``done`` and ``coded`` map a transcript to the coders who marked it done / coded
    anything in it (over the whole project). A coder with any done mark is judged by
    done marks; a coder with none by having coded the transcript at all. Returns the
    compared transcripts, the excluded ones with reasons, and each coder's basis."""
    marked_any = {coder for marks in done.values() for coder in marks}
    basis = [(c, DONE_MARKS if c in marked_any else CODED_AT_ALL) for c in coders]
    compared: list[str] = []
    excluded: list[ExcludedTranscript] = []
    for name in candidates:
        missing = [
            f"not marked done by {coder}" if how == DONE_MARKS else f"not coded by {coder}"
            for coder, how in basis
            if coder not in (done if how == DONE_MARKS else coded).get(name, set())
        ]
        if missing:
            excluded.append(ExcludedTranscript(name, "; ".join(missing)))
        else:
            compared.append(name)
    return compared, excluded, basis


def agreement_report(
    coders: Sequence[str],
    codes: Sequence[str],
    transcripts: Sequence[TranscriptUnits],
    codings: Iterable[CodingRecord],
    *,
    unit: Unit = Unit.CHARACTER,
    threshold: Fraction | int = DEFAULT_THRESHOLD,
    excluded: Sequence[ExcludedTranscript] = (),
    basis: Sequence[tuple[str, str]] = (),
    statistics: Sequence[Statistic] | None = None,
    columns: ColumnsMaker | None = None,
    compare: Comparer | None = None,
) -> AgreementReport:
    """Compare ``coders`` on every transcript × code given.

    Codings of other coders, codes or transcripts are ignored; invalid spans are
    skipped and listed. Transcripts with no unit (no turns, say) are excluded with a
    reason. Codes keep the given order; transcripts too. ``statistics``: the registry
    to compute (default: the active one, :func:`qualcode.domain.statistics.active`).
    ``columns``: computes each code's statistic columns (default:
    :func:`statistic_columns`, one value at a time; the services pass an array form
    that gives the same values). ``compare``: compares every transcript × code at once
    instead of :func:`group_codings` and :func:`~qualcode.domain.agreement.compare_spans`
    cell by cell (the services pass an array form for character units; ``codings`` is
    then not read), giving the same comparisons.
    """
    registry = active() if statistics is None else tuple(statistics)
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise ValueError("compare at least two different coders")
    if not 0 <= threshold <= 100:
        raise ValueError("threshold is a percent from 0 to 100")
    excluded_list = list(excluded)
    kept: list[tuple[TranscriptUnits, int]] = []
    for transcript in transcripts:
        count = _unit_count(transcript, unit)
        if count == 0:
            excluded_list.append(ExcludedTranscript(transcript.name, _no_units(unit)))
        else:
            kept.append((transcript, count))
    make_columns = columns or statistic_columns
    names = [transcript.name for transcript, _ in kept]
    if compare is not None:
        bulk = compare([transcript for transcript, _ in kept], threshold)
        skipped = list(bulk.skipped)
        per_code: Iterable[tuple[str, Sequence[tuple[str, Comparison]], Sections | None]] = (
            (code, CellComparisons(names, cells), pooled)
            for code, cells, pooled in zip(codes, bulk.per_code, bulk.pooled, strict=True)
        )
    else:
        grouped, skipped = group_codings(
            coders, codes, {t.name: t.length for t, _ in kept}, codings
        )
        per_code = (
            (
                code,
                [
                    (cell[0].name, _compare_cell(coders, grouped, code, *cell, unit, threshold))
                    for cell in kept
                ],
                None,
            )
            for code in codes
        )
    results = [
        _code_agreement(code, coders, compared, registry, make_columns, pooled)
        for code, compared, pooled in per_code
    ]
    return AgreementReport(
        coders=tuple(coders),
        unit=unit,
        threshold=threshold,
        transcripts=tuple(t.name for t, _ in kept),
        codes=tuple(results),
        skipped=tuple(skipped),
        excluded=tuple(excluded_list),
        basis=tuple(basis),
        statistics=registry,
    )


def _compare_cell(
    coders: Sequence[str],
    grouped: Mapping[tuple[str, str], list[list[Interval]]],
    code: str,
    transcript: TranscriptUnits,
    count: int,
    unit: Unit,
    threshold: Fraction | int,
) -> Comparison:
    """One transcript × code compared, from :func:`group_codings`' groups."""
    raw = grouped.get((transcript.name, code))
    if raw is None:
        return _nothing_coded(coders, count)
    segments = [merge_intervals(spans) for spans in raw]
    units = (
        segments  # characters are the units: the very same lists
        if unit is Unit.CHARACTER
        else [_to_units(s, transcript, unit) for s in segments]
    )
    return compare_spans(coders, count, units, segments, threshold)


def _no_units(unit: Unit) -> str:
    """Why a transcript has no unit to compare."""
    if unit is Unit.TURN:
        return "no turns (its text is not divided into speaker turns)"
    if unit is Unit.CHARACTER:
        return "no characters (its text is empty)"
    return f"no {unit.value}s"


def _unit_count(transcript: TranscriptUnits, unit: Unit) -> int:
    if unit is Unit.CHARACTER:
        return transcript.length
    if unit is Unit.TRANSCRIPT:
        return 1
    return len(transcript.grid) if transcript.grid is not None else 0


def _to_units(spans: list[Interval], transcript: TranscriptUnits, unit: Unit) -> list[Interval]:
    if unit is Unit.CHARACTER:
        return spans
    if unit is Unit.TRANSCRIPT:
        return whole_transcript_units(spans)
    assert transcript.grid is not None
    return transcript.grid.to_units(spans)


def group_codings(
    coders: Sequence[str],
    codes: Sequence[str],
    lengths: Mapping[str, int],
    codings: Iterable[CodingRecord],
) -> tuple[dict[tuple[str, str], list[list[Interval]]], list[SkippedCoding]]:
    """Valid codings as ``{(transcript, code): [intervals of coder 0, of coder 1, …]}``
    (raw, unmerged), and the invalid ones skipped with their reason.

    Only codings of ``coders``, ``codes`` and the transcripts in ``lengths`` (name →
    length in code points) are kept."""
    coder_index = {coder: i for i, coder in enumerate(coders)}
    wanted_codes = set(codes)
    grouped: dict[tuple[str, str], list[list[Interval]]] = {}
    skipped: list[SkippedCoding] = []
    for coding_id, transcript, code, coder, start, end in codings:
        index = coder_index.get(coder)
        length = lengths.get(transcript)
        if index is None or length is None or code not in wanted_codes:
            continue
        if not 0 <= start < end <= length:
            reason = span_problem(length, start, end) or "invalid"
            coding = CodingSpan(coding_id, transcript, code, coder, start, end)
            skipped.append(SkippedCoding(coding, reason))
            continue
        key = (transcript, code)
        spans = grouped.get(key)
        if spans is None:
            spans = grouped[key] = [[] for _ in coders]
        spans[index].append((start, end))
    return grouped, skipped


def _nothing_coded(coders: Sequence[str], units: int) -> Comparison:
    nothing = PairCounts(0, 0, 0, units)
    pairs = tuple(
        PairAgreement(coders[i], coders[j], nothing, NO_SEGMENTS)
        for i in range(len(coders))
        for j in range(i + 1, len(coders))
    )
    k = len(coders)
    nothing_marked = Sections(k, units, 0, {}, {units: k} if units else {})
    return Comparison(pairs, Coverage((units,) + (0,) * k, nothing_marked))


def _column(measures: Sequence[Measure], parts: int) -> Column:
    """Per-transcript measures as a column, with each of their ``parts`` (one list per
    part, empty ones when there is no transcript: a mean over none still has its parts)."""
    return Column(
        array("d", [m.value for m in measures]),
        [m.undefined for m in measures],
        tuple(list(part) for part in zip(*[m.parts for m in measures], strict=True))
        if measures
        else tuple([] for _ in range(parts)),
    )


def _fraction_column(fractions: Sequence[tuple[int, int]]) -> Column:
    """A statistic given as (numerator, denominator) per transcript: the same divisions
    as :func:`~qualcode.domain.statistics.base.ratio`, without a :class:`Measure` per
    value (a large report has hundreds of thousands)."""
    return Column(
        array("d", [n / d if d else 1.0 for n, d in fractions]), [d == 0 for _, d in fractions]
    )


def statistic_column(
    statistic: Statistic, comparisons: Sequence[Comparison], pair_index: int = 0
) -> Column:
    """``statistic`` of each comparison (of its pair ``pair_index`` for a pair
    statistic), computed from its fraction when it has one."""
    if statistic.scope is Scope.PAIR:
        pairs = [comparison.pairs[pair_index] for comparison in comparisons]
        fraction = statistic.pair_fraction
        if fraction is not None and not statistic.parts:
            tables = [pair.counts for pair in pairs]
            return _fraction_column(
                [fraction(c.both, c.a_only, c.b_only, c.neither) for c in tables]
            )
        assert statistic.of_pair is not None
        of_pair = statistic.of_pair
        return _column([of_pair(pair) for pair in pairs], len(statistic.parts))
    assert statistic.of_coders is not None
    of_coders = statistic.of_coders
    return _column([of_coders(c.coverage) for c in comparisons], len(statistic.parts))


Columns = dict[tuple[str, int], Column]
ColumnsMaker = Callable[[Sequence[Statistic], Sequence[Comparison], int], Columns]
"""``(statistics, comparisons, pairs) -> {(key, pair index): Column}``: every given
statistic's column over one code's comparisons (each pair statistic for each of the
``pairs`` pairs, an all-coder one at pair index 0), as :func:`statistic_columns`."""


def statistic_columns(
    statistics: Sequence[Statistic], comparisons: Sequence[Comparison], pairs: int
) -> Columns:
    """Each statistic's :func:`statistic_column`, for each pair (a pair statistic) or
    once (an all-coder one), keyed ``(statistic key, pair index)``."""
    return {
        (s.key, index): statistic_column(s, comparisons, index)
        for s in statistics
        for index in (range(pairs) if s.scope is Scope.PAIR else (0,))
    }


def _mean(column: Column, transcripts: int) -> Mean:
    """The unweighted mean of one statistic's per-transcript values (0.0 for none)."""
    divisor = transcripts or 1
    # added in transcript order one at a time (sum() may compensate on newer Pythons)
    value = reduce(add, column.values, 0.0) / divisor
    undefined = column.undefined.count(True)
    if not column.parts:
        return Mean(value, undefined, transcripts)
    return Mean(value, undefined, transcripts, tuple(sum(p) / divisor for p in column.parts))


def _code_agreement(
    code: str,
    coders: Sequence[str],
    per_transcript: Sequence[tuple[str, Comparison]],
    statistics: Registry,
    make_columns: ColumnsMaker = statistic_columns,
    pooled_sections: Sections | None = None,
) -> CodeAgreement:
    """Pooled (summed counts) and mean (of per-transcript values) in one pass;
    ``pooled_sections``: the transcripts' unitizing sections already pooled."""
    names = _nothing_coded(coders, 0).pairs
    n = len(per_transcript)
    applicable = [s for s in statistics if s.applies(len(coders))]
    comparisons: Sequence[Comparison]
    if isinstance(per_transcript, CellComparisons):
        comparisons = per_transcript.comparisons
        counts, coverage_counts = per_transcript.cells.totals()
    else:
        comparisons = [comparison for _, comparison in per_transcript]
        counts, coverage_counts = totals(comparisons, len(names), len(coders))
    # each statistic's value per transcript: one column per statistic and pair
    columns = make_columns(applicable, comparisons, len(names))
    pooled = Comparison(
        tuple(
            PairAgreement(pair.a, pair.b, PairCounts(*total[:4]), SegmentCounts(*total[4:]))
            for pair, total in zip(names, counts, strict=True)
        ),
        Coverage(
            tuple(coverage_counts),
            pooled_sections or _pooled_sections(comparisons, len(coders)),
        ),
    )
    divisor = n or 1
    mean_pairs = tuple(
        MeanPair(
            a=pair.a,
            b=pair.b,
            both=total[0] / divisor,
            a_only=total[1] / divisor,
            b_only=total[2] / divisor,
            neither=total[3] / divisor,
            values={
                s.key: _mean(columns[(s.key, index)], n)
                for s in applicable
                if s.scope is Scope.PAIR
            },
        )
        for index, (pair, total) in enumerate(zip(names, counts, strict=True))
    )
    averages = MeanComparison(
        transcripts=n,
        pairs=mean_pairs,
        values={
            s.key: _mean(columns[(s.key, 0)], n) for s in applicable if s.scope is Scope.CODERS
        },
    )
    kept = per_transcript if isinstance(per_transcript, CellComparisons) else tuple(per_transcript)
    return CodeAgreement(code, kept, pooled, averages, columns)


def _pooled_sections(comparisons: Sequence[Comparison], coders: int) -> Sections | None:
    """The transcripts' unitizing sections laid end to end (``None`` if one lacks them)."""
    parts = [comparison.coverage.sections for comparison in comparisons]
    if any(part is None for part in parts):
        return None
    return pooled_sections([part for part in parts if part is not None], coders)


def measure_of(statistic: Statistic, comparison: Comparison, pair_index: int = 0) -> Measure:
    """``statistic`` of one comparison: of its pair ``pair_index`` for a pair
    statistic, of all its coders otherwise."""
    if statistic.of_pair is not None:
        return statistic.of_pair(comparison.pairs[pair_index])
    assert statistic.of_coders is not None
    return statistic.of_coders(comparison.coverage)


def applicable_measure(
    statistic: Statistic, comparison: Comparison, pair_index: int = 0
) -> Measure | None:
    """As :func:`measure_of`, or ``None`` when the statistic does not apply to this many
    coders."""
    if not statistic.applies(comparison.coverage.coders):
        return None
    return measure_of(statistic, comparison, pair_index)


def mean_of(statistic: Statistic, mean: MeanComparison, pair_index: int = 0) -> Mean | None:
    """``statistic``'s mean over transcripts (of pair ``pair_index`` for a pair
    statistic); ``None`` when it does not apply."""
    if statistic.scope is Scope.PAIR:
        return mean.pairs[pair_index].values.get(statistic.key)
    return mean.values.get(statistic.key)
