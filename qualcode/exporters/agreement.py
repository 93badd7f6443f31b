"""An agreement report as JSON-ready dicts, flat CSV rows and a terminal table.

Percentages are 0–100; kappa and alpha are -1–1 (1.0 with an ``undefined`` flag when
the formula was 0/0). Unit counts (``both``, ``a_only``, ``b_only``, ``neither``) are in
the report's unit. JSON and CSV keep full precision; the table rounds to 3 decimals.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from qualcode.domain.agreement import Comparison, PairAgreement, landis_koch_band
from qualcode.domain.agreement_report import (
    RULES,
    AgreementReport,
    CodeAgreement,
    MeanComparison,
    MeanPair,
)
from qualcode.exporters.tables import Cell, render_csv

UNDEFINED_NOTE = "* undefined: every rating identical (0/0), reported as 1.0"
UNDEFINED_COUNT_NOTE = "undef.: transcripts whose kappa was undefined (1.0 in the mean)"
LEVELS_NOTE = (
    "pooled: all compared transcripts' tables summed (unit-weighted); "
    "mean: unweighted mean over transcripts"
)
BANDS_NOTE = (
    "Landis–Koch: < 0 poor, ≤ .20 slight, ≤ .40 fair, ≤ .60 moderate, ≤ .80 substantial, "
    "above almost perfect"
)

# --- JSON -----------------------------------------------------------------------------


def pair_dict(pair: PairAgreement) -> dict[str, object]:
    counts, segment = pair.counts, pair.segment
    kappa = counts.kappa
    return {
        "a": pair.a,
        "b": pair.b,
        "percent_agreement": counts.percent_agreement,
        "kappa": kappa.value,
        "kappa_undefined": kappa.undefined,
        "both": counts.both,
        "a_only": counts.a_only,
        "b_only": counts.b_only,
        "neither": counts.neither,
        "disagreement": counts.disagreement,
        "units": counts.units,
        "segment": {
            "agreed": segment.agreed,
            "total": segment.total,
            "a_agreed": segment.a_agreed,
            "b_agreed": segment.b_agreed,
            "percent": segment.percent,
        },
    }


def comparison_dict(comparison: Comparison) -> dict[str, object]:
    coverage = comparison.coverage
    alpha = coverage.krippendorff_alpha
    fleiss = coverage.fleiss_kappa
    return {
        "pairs": [pair_dict(p) for p in comparison.pairs],
        "krippendorff_alpha": alpha.value,
        "alpha_undefined": alpha.undefined,
        "fleiss_kappa": None if fleiss is None else fleiss.value,
        "fleiss_undefined": None if fleiss is None else fleiss.undefined,
        "percent_agreement_all": coverage.percent_all_agree,
        "units": coverage.units,
    }


def mean_pair_dict(pair: MeanPair, transcripts: int) -> dict[str, object]:
    return {
        "a": pair.a,
        "b": pair.b,
        "percent_agreement": pair.percent_agreement,
        "kappa": pair.kappa,
        "kappa_undefined": transcripts > 0 and pair.kappa_undefined == transcripts,
        "kappa_undefined_transcripts": pair.kappa_undefined,
        "both": pair.both,
        "a_only": pair.a_only,
        "b_only": pair.b_only,
        "neither": pair.neither,
        "disagreement": pair.disagreement,
        "segment": {
            "agreed": pair.segment_agreed,
            "total": pair.segment_total,
            "a_agreed": pair.segment_a_agreed,
            "b_agreed": pair.segment_b_agreed,
            "percent": pair.segment_percent,
        },
    }


def mean_dict(mean: MeanComparison) -> dict[str, object]:
    n = mean.transcripts
    return {
        "transcripts": n,
        "pairs": [mean_pair_dict(p, n) for p in mean.pairs],
        "krippendorff_alpha": mean.krippendorff_alpha,
        "alpha_undefined": n > 0 and mean.alpha_undefined == n,
        "alpha_undefined_transcripts": mean.alpha_undefined,
        "fleiss_kappa": mean.fleiss_kappa,
        "fleiss_undefined": None if mean.fleiss_kappa is None else mean.fleiss_undefined == n,
        "percent_agreement_all": mean.percent_agreement_all,
    }


def report_dict(report: AgreementReport) -> dict[str, object]:
    """The whole report in the documented JSON shape."""
    return {
        "coders": list(report.coders),
        "unit": report.unit.value,
        "threshold": report.threshold,
        "compared_transcripts": list(report.transcripts),
        "finished_by": dict(report.basis),
        "per_code": {
            code.code: {
                "pooled": comparison_dict(code.pooled),
                "mean": mean_dict(code.mean),
                "per_transcript": {
                    name: comparison_dict(comparison) for name, comparison in code.per_transcript
                },
            }
            for code in report.codes
        },
        "skipped": [
            {
                "id": s.coding.coding_id,
                "transcript": s.coding.transcript,
                "code": s.coding.code,
                "coder": s.coding.coder,
                "start": s.coding.start,
                "end": s.coding.end,
                "reason": s.reason,
            }
            for s in report.skipped
        ],
        "excluded_transcripts": [
            {"transcript": e.transcript, "reason": e.reason} for e in report.excluded
        ],
        "rules": list(RULES),
    }


# --- CSV ------------------------------------------------------------------------------

CSV_HEADERS = (
    "code",
    "level",
    "transcript",
    "a",
    "b",
    "units",
    "both",
    "a_only",
    "b_only",
    "neither",
    "percent_agreement",
    "disagreement",
    "kappa",
    "kappa_undefined",
    "segment_agreed",
    "segment_total",
    "segment_a_agreed",
    "segment_b_agreed",
    "segment_percent",
    "krippendorff_alpha",
    "alpha_undefined",
    "fleiss_kappa",
    "percent_agreement_all",
)
"""One row per code × level (pooled, mean, transcript) × pair; the all-coder columns
repeat on each pair's row."""


def report_rows(report: AgreementReport) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for code in report.codes:
        rows.extend(_comparison_rows(code.code, "pooled", "", code.pooled))
        rows.extend(_mean_rows(code))
        for name, comparison in code.per_transcript:
            rows.extend(_comparison_rows(code.code, "transcript", name, comparison))
    return rows


def _comparison_rows(
    code: str, level: str, transcript: str, comparison: Comparison
) -> list[tuple[Cell, ...]]:
    coverage = comparison.coverage
    alpha = coverage.krippendorff_alpha
    fleiss = coverage.fleiss_kappa
    rows: list[tuple[Cell, ...]] = []
    for pair in comparison.pairs:
        c, s = pair.counts, pair.segment
        rows.append(
            (
                code,
                level,
                transcript,
                pair.a,
                pair.b,
                c.units,
                c.both,
                c.a_only,
                c.b_only,
                c.neither,
                c.percent_agreement,
                c.disagreement,
                c.kappa.value,
                c.kappa.undefined,
                s.agreed,
                s.total,
                s.a_agreed,
                s.b_agreed,
                s.percent,
                alpha.value,
                alpha.undefined,
                None if fleiss is None else fleiss.value,
                coverage.percent_all_agree,
            )
        )
    return rows


def _mean_rows(code: CodeAgreement) -> list[tuple[Cell, ...]]:
    mean = code.mean
    n = mean.transcripts
    return [
        (
            code.code,
            "mean",
            "",
            p.a,
            p.b,
            None,
            p.both,
            p.a_only,
            p.b_only,
            p.neither,
            p.percent_agreement,
            p.disagreement,
            p.kappa,
            n > 0 and p.kappa_undefined == n,
            p.segment_agreed,
            p.segment_total,
            p.segment_a_agreed,
            p.segment_b_agreed,
            p.segment_percent,
            mean.krippendorff_alpha,
            n > 0 and mean.alpha_undefined == n,
            mean.fleiss_kappa,
            mean.percent_agreement_all,
        )
        for p in mean.pairs
    ]


def render_report_csv(report: AgreementReport) -> str:
    return render_csv(CSV_HEADERS, report_rows(report))


# --- terminal table -------------------------------------------------------------------


def statistic_text(value: float, undefined: bool = False) -> str:
    return f"{value:.3f}" + ("*" if undefined else "")


def _aligned(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        cells = [
            v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(cells).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _pair_table(report: AgreementReport) -> list[str]:
    headers = ("code", "pair", "kappa", "band", "agree %", "segments", "mean kappa", "undef.")
    rows = []
    for code in report.codes:
        n = code.mean.transcripts
        for pair, mean in zip(code.pooled.pairs, code.mean.pairs, strict=True):
            kappa = pair.counts.kappa
            rows.append(
                (
                    code.code,
                    f"{pair.a}–{pair.b}",
                    statistic_text(kappa.value, kappa.undefined),
                    landis_koch_band(kappa.value),
                    f"{pair.counts.percent_agreement:.1f}",
                    f"{pair.segment.agreed}/{pair.segment.total} ({pair.segment.percent:.0f}%)",
                    statistic_text(mean.kappa, n > 0 and mean.kappa_undefined == n),
                    f"{mean.kappa_undefined}/{n}",
                )
            )
    return _aligned(headers, rows, {2, 4, 5, 6, 7})


def _all_coders_table(report: AgreementReport) -> list[str]:
    fleiss = len(report.coders) >= 3
    headers = ["code", "alpha", "band", "all agree %", "mean alpha"]
    if fleiss:
        headers[3:3] = ["fleiss"]
    rows = []
    for code in report.codes:
        coverage = code.pooled.coverage
        alpha = coverage.krippendorff_alpha
        row = [
            code.code,
            statistic_text(alpha.value, alpha.undefined),
            landis_koch_band(alpha.value),
            f"{coverage.percent_all_agree:.1f}",
            statistic_text(
                code.mean.krippendorff_alpha, code.mean.alpha_undefined == code.mean.transcripts
            ),
        ]
        value = coverage.fleiss_kappa
        if fleiss and value is not None:
            row[3:3] = [statistic_text(value.value, value.undefined)]
        rows.append(row)
    right = {1, 3, 4, 5} if fleiss else {1, 3, 4}
    return _aligned(headers, rows, right)


def _per_transcript_table(report: AgreementReport) -> list[str]:
    headers = ("code", "transcript", "pair", "kappa", "agree %", "segments", "alpha")
    rows = []
    for code in report.codes:
        for name, comparison in code.per_transcript:
            alpha = comparison.coverage.krippendorff_alpha
            for pair in comparison.pairs:
                kappa = pair.counts.kappa
                rows.append(
                    (
                        code.code,
                        name,
                        f"{pair.a}–{pair.b}",
                        statistic_text(kappa.value, kappa.undefined),
                        f"{pair.counts.percent_agreement:.1f}",
                        f"{pair.segment.agreed}/{pair.segment.total}",
                        statistic_text(alpha.value, alpha.undefined),
                    )
                )
    return _aligned(headers, rows, {3, 4, 5, 6})


def render_report_table(report: AgreementReport, *, per_transcript: bool = False) -> str:
    """A terminal-readable report: pooled values per code and pair with Landis–Koch
    bands, then across all coders, then notes, exclusions and skipped codings."""
    finished = ", ".join(f"{coder} ({how})" for coder, how in report.basis)
    lines = [
        f"Agreement of {', '.join(report.coders)} · unit: {report.unit.value} · "
        f"segment threshold {report.threshold}%",
        f"{len(report.transcripts)} transcript(s) compared"
        + (f" (finished: {finished})" if finished else ""),
        "",
    ]
    if not report.codes or not report.transcripts:
        lines.append("Nothing to compare: no code was used in a compared transcript.")
    else:
        lines += ["Pooled over transcripts, per pair of coders:", *_pair_table(report), ""]
        lines += ["All coders:", *_all_coders_table(report), ""]
        if per_transcript:
            lines += ["Per transcript:", *_per_transcript_table(report), ""]
        lines += [UNDEFINED_NOTE, UNDEFINED_COUNT_NOTE, LEVELS_NOTE, BANDS_NOTE]
    if report.excluded:
        lines += ["", f"Left out ({len(report.excluded)} transcript(s)):"]
        lines += [f"  {e.transcript}: {e.reason}" for e in report.excluded]
    if report.skipped:
        lines += ["", f"Skipped ({len(report.skipped)} invalid coding(s)):"]
        lines += [
            f"  coding {s.coding.coding_id} ({s.coding.coder}, {s.coding.transcript}, "
            f"{s.coding.code}): {s.reason}"
            for s in report.skipped
        ]
    lines += ["", "Rules:"]
    for rule in RULES:
        lines += textwrap.wrap(rule, 92, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"
