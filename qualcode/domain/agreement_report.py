"""Agreement of chosen coders over transcripts × codes: per transcript, pooled, mean.

This module decides *what* is compared (which transcripts, which codings are valid) and
assembles the statistics of :mod:`qualcode.domain.agreement` into one report. The rules
it applies are listed in :data:`RULES`, which every output repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
from qualcode.domain.agreement_units import Unit, UnitGrid, whole_transcript_units
from qualcode.domain.spans import span_problem

DEFAULT_THRESHOLD = 90
DONE_MARKS = "marked done"
CODED_AT_ALL = "coded at all"

RULES = (
    "A coder's overlapping or touching codings of one code are merged first; they never "
    "count as agreement with themselves.",
    "When every rating is identical (all coders coded nothing, or everything), kappa and "
    "alpha are 0/0: they are reported as 1.0 and flagged undefined, as NVivo does.",
    "Invalid codings (out of range, reversed, empty) are skipped and listed.",
    "Only transcripts every compared coder has marked done are compared; a coder who has "
    "marked nothing done counts every transcript they coded at all.",
    "Units: a turn or sentence counts as coded when any character in it is coded; all "
    "units weigh equally. Transcript units: presence per transcript.",
    "Segment agreement compares each coder's merged passages in characters, whatever the "
    "unit: a passage agrees when the other coder has one with intersection/union at or "
    "above the threshold (exact integer comparison); 100 % when neither coded anything.",
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


@dataclass(frozen=True, slots=True)
class MeanPair:
    """Unweighted means over transcripts of one pair's per-transcript values.
    ``kappa_undefined`` counts the transcripts whose kappa was undefined (taken as 1.0)."""

    a: str
    b: str
    percent_agreement: float
    disagreement: float
    kappa: float
    kappa_undefined: int
    both: float
    a_only: float
    b_only: float
    neither: float
    segment_agreed: float
    segment_total: float
    segment_a_agreed: float
    segment_b_agreed: float
    segment_percent: float


@dataclass(frozen=True, slots=True)
class MeanComparison:
    """Unweighted means over ``transcripts`` transcripts (all zero when there are none)."""

    transcripts: int
    pairs: tuple[MeanPair, ...]
    krippendorff_alpha: float
    alpha_undefined: int
    fleiss_kappa: float | None
    fleiss_undefined: int
    percent_agreement_all: float


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    code: str
    per_transcript: tuple[tuple[str, Comparison], ...]
    pooled: Comparison
    mean: MeanComparison


@dataclass(frozen=True, slots=True)
class AgreementReport:
    coders: tuple[str, ...]
    unit: Unit
    threshold: int
    transcripts: tuple[str, ...]
    codes: tuple[CodeAgreement, ...]
    skipped: tuple[SkippedCoding, ...]
    excluded: tuple[ExcludedTranscript, ...]
    basis: tuple[tuple[str, str], ...] = ()
    """How each coder's finished transcripts were found: :data:`DONE_MARKS` or
    :data:`CODED_AT_ALL`."""


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
    threshold: int = DEFAULT_THRESHOLD,
    excluded: Sequence[ExcludedTranscript] = (),
    basis: Sequence[tuple[str, str]] = (),
) -> AgreementReport:
    """Compare ``coders`` on every transcript × code given.

    Codings of other coders, codes or transcripts are ignored; invalid spans are
    skipped and listed. Transcripts with no unit (no turns, say) are excluded with a
    reason. Codes keep the given order; transcripts too.
    """
    if len(coders) < 2 or len(set(coders)) != len(coders):
        raise ValueError("compare at least two different coders")
    if not 0 <= threshold <= 100:
        raise ValueError("threshold is a percent from 0 to 100")
    excluded_list = list(excluded)
    kept: list[tuple[TranscriptUnits, int]] = []
    for transcript in transcripts:
        count = _unit_count(transcript, unit)
        if count == 0:
            excluded_list.append(ExcludedTranscript(transcript.name, f"no {unit.value}s"))
        else:
            kept.append((transcript, count))
    grouped, skipped = group_codings(coders, codes, {t.name: t.length for t, _ in kept}, codings)
    results: list[CodeAgreement] = []
    for code in codes:
        per_transcript: list[tuple[str, Comparison]] = []
        for transcript, count in kept:
            raw = grouped.get((transcript.name, code))
            if raw is None:
                comparison = _nothing_coded(coders, count)
            else:
                segments = [merge_intervals(spans) for spans in raw]
                comparison = compare_spans(
                    coders,
                    count,
                    [_to_units(s, transcript, unit) for s in segments],
                    segments,
                    threshold,
                )
            per_transcript.append((transcript.name, comparison))
        results.append(_code_agreement(code, coders, per_transcript))
    return AgreementReport(
        coders=tuple(coders),
        unit=unit,
        threshold=threshold,
        transcripts=tuple(t.name for t, _ in kept),
        codes=tuple(results),
        skipped=tuple(skipped),
        excluded=tuple(excluded_list),
        basis=tuple(basis),
    )


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
    return Comparison(pairs, Coverage((units,) + (0,) * len(coders)))


def _code_agreement(
    code: str, coders: Sequence[str], per_transcript: list[tuple[str, Comparison]]
) -> CodeAgreement:
    """Pooled (summed counts) and mean (of per-transcript values) in one pass."""
    names = _nothing_coded(coders, 0).pairs
    n = len(per_transcript)
    counts = [[0] * 8 for _ in names]  # both, a_only, b_only, neither, 4 segment counts
    sums = [[0.0] * 5 for _ in names]  # percent, disagreement, kappa, undefined, segment %
    coverage_counts = [0] * (len(coders) + 1)
    alpha_sum = fleiss_sum = all_sum = 0.0
    alpha_undefined = fleiss_undefined = 0
    for _, comparison in per_transcript:
        for index, pair in enumerate(comparison.pairs):
            c, segment = pair.counts, pair.segment
            total, running = counts[index], sums[index]
            total[0] += c.both
            total[1] += c.a_only
            total[2] += c.b_only
            total[3] += c.neither
            total[4] += segment.a_agreed
            total[5] += segment.a_total
            total[6] += segment.b_agreed
            total[7] += segment.b_total
            kappa = c.kappa
            running[0] += c.percent_agreement
            running[1] += c.disagreement
            running[2] += kappa.value
            running[3] += kappa.undefined
            running[4] += segment.percent
        coverage = comparison.coverage
        for j, units in enumerate(coverage.counts):
            coverage_counts[j] += units
        alpha = coverage.krippendorff_alpha
        alpha_sum += alpha.value
        alpha_undefined += alpha.undefined
        fleiss = coverage.fleiss_kappa
        if fleiss is not None:
            fleiss_sum += fleiss.value
            fleiss_undefined += fleiss.undefined
        all_sum += coverage.percent_all_agree
    pooled = Comparison(
        tuple(
            PairAgreement(pair.a, pair.b, PairCounts(*total[:4]), SegmentCounts(*total[4:]))
            for pair, total in zip(names, counts, strict=True)
        ),
        Coverage(tuple(coverage_counts)),
    )
    divisor = n or 1  # no transcripts: every mean is 0.0
    mean_pairs = tuple(
        MeanPair(
            a=pair.a,
            b=pair.b,
            percent_agreement=sum_[0] / divisor,
            disagreement=sum_[1] / divisor,
            kappa=sum_[2] / divisor,
            kappa_undefined=int(sum_[3]),
            both=total[0] / divisor,
            a_only=total[1] / divisor,
            b_only=total[2] / divisor,
            neither=total[3] / divisor,
            segment_agreed=(total[4] + total[6]) / divisor,
            segment_total=(total[5] + total[7]) / divisor,
            segment_a_agreed=total[4] / divisor,
            segment_b_agreed=total[6] / divisor,
            segment_percent=sum_[4] / divisor,
        )
        for pair, total, sum_ in zip(names, counts, sums, strict=True)
    )
    averages = MeanComparison(
        transcripts=n,
        pairs=mean_pairs,
        krippendorff_alpha=alpha_sum / divisor,
        alpha_undefined=alpha_undefined,
        fleiss_kappa=fleiss_sum / divisor if len(coders) >= 3 else None,
        fleiss_undefined=fleiss_undefined,
        percent_agreement_all=all_sum / divisor,
    )
    return CodeAgreement(code, tuple(per_transcript), pooled, averages)
