"""An agreement report as JSON-ready dicts, flat CSV rows and a terminal table.

Percentages are 0–100; kappa and alpha are -1–1 (1.0 with an ``undefined`` flag when
the formula was 0/0). Unit counts (``both``, ``a_only``, ``b_only``, ``neither``) are in
the report's unit. JSON and CSV keep full precision; the table rounds to 3 decimals.
Every statistic's keys, columns and text come from the report's statistics registry
(:mod:`qualcode.domain.statistics`).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import Any

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_intervals import Intervals, verdict
from qualcode.domain.agreement_origin import origin_text
from qualcode.domain.agreement_report import (
    AgreementReport,
    CodeAgreement,
    Mean,
    MeanComparison,
    MeanPair,
    applicable_measure,
    report_rules,
    threshold_number,
    threshold_text,
)
from qualcode.domain.statistics import Measure, Registry, Scope, Statistic
from qualcode.domain.statistics.base import coefficient_text, decimals
from qualcode.domain.statistics.registry import DEFAULT as DEFAULT_REGISTRY
from qualcode.domain.statistics.registry import by_scope, column_names, definitions
from qualcode.exporters.agreement_layout import (
    NOTHING_CHOSEN,
    Layout,
    band_notes,
    coders_layout,
    has_values,
    pair_layout,
    transcript_layout,
)
from qualcode.exporters.csv_numbers import COUNT_MEAN_DECIMALS, rounded_rows
from qualcode.exporters.tables import Cell, render_csv

UNDEFINED_NOTE = (
    "* undefined: every rating identical (0/0), reported as 1.0 with no band and no band "
    "colour (it is no evidence of agreement)"
)
LEVELS_NOTE = (
    "pooled: all compared transcripts' tables summed (unit-weighted); "
    "mean: unweighted mean over transcripts"
)


def undefined_count_note(statistics: Sequence[Statistic]) -> str:
    """What the ``undef.`` column counts (the pair headlines that can be 0/0)."""
    names = " or ".join(
        s.label for s in statistics if s.scope is Scope.PAIR and s.headline and s.undefined_key
    )
    if not names:
        return ""
    return f"undef.: transcripts whose {names} was undefined (1.0 in the mean)"


# --- JSON -----------------------------------------------------------------------------


def statistic_fields(statistic: Statistic, measure: Measure | None) -> dict[str, object]:
    """A statistic's JSON entries for one comparison (``None`` values when it does not
    apply): its value (nested with its parts if it has parts) and its 0/0 flag."""
    if statistic.parts:
        if measure is None:
            return {statistic.key: None}
        nested = dict(zip(statistic.parts, measure.parts, strict=True))
        return {statistic.key: {**nested, statistic.value_name: measure.value}}
    fields: dict[str, object] = {statistic.key: None if measure is None else measure.value}
    if statistic.undefined_key is not None:
        fields[statistic.undefined_key] = None if measure is None else measure.undefined
    return fields


def mean_fields(statistic: Statistic, mean: Mean | None) -> dict[str, object]:
    """As :func:`statistic_fields` for a mean, plus how many transcripts were 0/0."""
    fields = statistic_fields(statistic, None if mean is None else mean.measure)
    if statistic.undefined_key is not None:
        fields[statistic.undefined_key + "_transcripts"] = None if mean is None else mean.undefined
    return fields


Plan = tuple[tuple[tuple[Statistic, bool], ...], tuple[tuple[Statistic, bool], ...]]
"""The pair statistics and the all-coder ones of a registry, each with whether it
applies to the compared coders: worked out once per code, not per transcript (a large
report writes hundreds of thousands of values)."""


def plan(statistics: Registry, coders: int) -> Plan:
    return (
        tuple((s, s.applies(coders)) for s in by_scope(statistics, Scope.PAIR)),
        tuple((s, s.applies(coders)) for s in by_scope(statistics, Scope.CODERS)),
    )


def _put(result: dict[str, object], statistic: Statistic, measure: Measure | None) -> None:
    """:func:`statistic_fields` written straight into ``result``."""
    if measure is None:
        result.update(statistic_fields(statistic, None))
    elif statistic.parts:
        nested: dict[str, object] = dict(zip(statistic.parts, measure.parts, strict=True))
        nested[statistic.value_name] = measure.value
        result[statistic.key] = nested
    else:
        result[statistic.key] = measure.value
        if statistic.undefined_key is not None:
            result[statistic.undefined_key] = measure.undefined


def pair_dict(
    comparison: Comparison, index: int, statistics: Registry, chosen: Plan | None = None
) -> dict[str, object]:
    """Pair ``index`` of a comparison: its 2×2 table, then each pair statistic."""
    pair = comparison.pairs[index]
    counts = pair.counts
    result: dict[str, object] = {
        "a": pair.a,
        "b": pair.b,
        "units": counts.units,
        "both": counts.both,
        "a_only": counts.a_only,
        "b_only": counts.b_only,
        "neither": counts.neither,
    }
    pairs, _ = chosen or plan(statistics, comparison.coverage.coders)
    for statistic, applies in pairs:
        fraction = statistic.pair_fraction
        if applies and fraction is not None and statistic.undefined_key is not None:
            # the statistic's own fraction divided here, as ratio() does, without
            # building a Measure: hundreds of thousands of values in a large report
            numerator, denominator = fraction(
                counts.both, counts.a_only, counts.b_only, counts.neither
            )
            result[statistic.key] = numerator / denominator if denominator else 1.0
            result[statistic.undefined_key] = denominator == 0
            continue
        assert statistic.of_pair is not None
        _put(result, statistic, statistic.of_pair(pair) if applies else None)
    return result


def comparison_dict(
    comparison: Comparison, statistics: Registry, chosen: Plan | None = None
) -> dict[str, object]:
    chosen = chosen or plan(statistics, comparison.coverage.coders)
    result: dict[str, object] = {
        "pairs": [
            pair_dict(comparison, i, statistics, chosen) for i in range(len(comparison.pairs))
        ]
    }
    coverage = comparison.coverage
    for statistic, applies in chosen[1]:
        fraction = statistic.coverage_fraction
        if applies and fraction is not None and statistic.undefined_key is not None:
            numerator, denominator = fraction(coverage.counts)  # as in pair_dict
            result[statistic.key] = numerator / denominator if denominator else 1.0
            result[statistic.undefined_key] = denominator == 0
            continue
        assert statistic.of_coders is not None
        _put(result, statistic, statistic.of_coders(coverage) if applies else None)
    result["units"] = coverage.units
    return result


def mean_pair_dict(pair: MeanPair, statistics: Registry) -> dict[str, object]:
    result: dict[str, object] = {
        "a": pair.a,
        "b": pair.b,
        "both": pair.both,
        "a_only": pair.a_only,
        "b_only": pair.b_only,
        "neither": pair.neither,
    }
    for statistic in by_scope(statistics, Scope.PAIR):
        result |= mean_fields(statistic, pair.values.get(statistic.key))
    return result


def mean_dict(mean: MeanComparison, statistics: Registry) -> dict[str, object]:
    result: dict[str, object] = {
        "transcripts": mean.transcripts,
        "pairs": [mean_pair_dict(p, statistics) for p in mean.pairs],
    }
    for statistic in by_scope(statistics, Scope.CODERS):
        result |= mean_fields(statistic, mean.values.get(statistic.key))
    return result


def with_intervals(
    pooled: dict[str, Any], code: str, statistics: Registry, intervals: Intervals | None
) -> dict[str, Any]:
    """The pooled entry with each statistic's interval (``[low, high]``, ``null`` when
    every resample was 0/0) and alpha's verdict on its lower bound."""
    if intervals is None:
        return pooled
    for statistic in statistics:
        if statistic.interval_key is None:
            continue
        targets = pooled["pairs"] if statistic.scope is Scope.PAIR else [pooled]
        for index, target in enumerate(targets):
            if statistic.key not in target:
                continue
            bounds = intervals.of(code, statistic.key, index)
            target[statistic.interval_key] = None if bounds is None else list(bounds)
            if statistic.verdict_key is not None:
                target[statistic.verdict_key] = None if bounds is None else verdict(bounds[0])
    return pooled


def interval_dict(intervals: Intervals | None) -> dict[str, object] | None:
    if intervals is None:
        return None
    settings = intervals.settings
    return {
        "level": settings.level,
        "resamples": settings.resamples,
        "seed": settings.seed,
        "by": settings.by.value,
    }


def code_dict(report: AgreementReport, code: CodeAgreement) -> dict[str, object]:
    """One code's entry of ``per_code``: pooled (with intervals), mean, per transcript."""
    statistics = report.statistics
    chosen = plan(statistics, len(report.coders))
    pooled = comparison_dict(code.pooled, statistics, chosen)
    return {
        "pooled": with_intervals(pooled, code.code, statistics, report.intervals),
        "mean": mean_dict(code.mean, statistics),
        "per_transcript": {
            name: comparison_dict(comparison, statistics, chosen)
            for name, comparison in code.per_transcript
        },
    }


def report_dict(report: AgreementReport, *, codes: bool = True) -> dict[str, object]:
    """The whole report in the documented JSON shape (``per_code`` left empty when not
    ``codes``: :mod:`qualcode.exporters.agreement_json` streams it code by code)."""
    statistics = report.statistics
    return {
        "coders": list(report.coders),
        "unit": report.unit.value,
        "threshold": threshold_number(report.threshold),
        "origin": dict(report.origins) or None,
        "compared_transcripts": list(report.transcripts),
        "finished_by": dict(report.basis),
        "per_code": {code.code: code_dict(report, code) for code in report.codes} if codes else {},
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
        "intervals": interval_dict(report.intervals),
        "rules": report_rules(report),
        "definitions": {s.key: s.definition for s in statistics if s.definition},
    }


# --- CSV ------------------------------------------------------------------------------

KEY_HEADERS: tuple[str, ...] = (
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
)
"""What every row starts with: where it belongs, then the pair's 2×2 table."""


def csv_headers(statistics: Registry, intervals: Intervals | None = None) -> tuple[str, ...]:
    """One row per code × level (pooled, mean, transcript) × pair: the 2×2 table, the
    pair statistics' columns, then the all-coder statistics' (repeated on each pair's
    row); with intervals, each interval's low and high (and alpha's verdict), filled on
    pooled rows."""
    pair, coders = by_scope(statistics, Scope.PAIR), by_scope(statistics, Scope.CODERS)
    names = KEY_HEADERS + tuple(name for s in (*pair, *coders) for name in column_names(s))
    return names + tuple(name for s, name, _ in _interval_columns(statistics, intervals))


def _interval_columns(
    statistics: Registry, intervals: Intervals | None
) -> list[tuple[Statistic, str, int]]:
    """(statistic, CSV column, 0 low / 1 high / 2 verdict) of each interval column."""
    if intervals is None:
        return []
    columns: list[tuple[Statistic, str, int]] = []
    ordered = (*by_scope(statistics, Scope.PAIR), *by_scope(statistics, Scope.CODERS))
    for s in ordered:
        if s.interval_key is not None:
            columns += [(s, f"{s.interval_key}_low", 0), (s, f"{s.interval_key}_high", 1)]
            if s.verdict_key is not None:
                columns.append((s, s.verdict_key, 2))
    return columns


def _interval_cells(report: AgreementReport, code: str, pair: int) -> list[Cell]:
    """The pooled row's interval cells."""
    intervals = report.intervals
    cells: list[Cell] = []
    for statistic, _, which in _interval_columns(report.statistics, intervals):
        assert intervals is not None
        index = pair if statistic.scope is Scope.PAIR else 0
        bounds = intervals.of(code, statistic.key, index)
        if bounds is None or not statistic.applies(len(report.coders)):
            cells.append(None)
        else:
            cells.append(verdict(bounds[0]) if which == 2 else bounds[which])
    return cells


ANY_DECIMALS = "General"
"""The number format of counts, which are fractions in means (shown as they are)."""


def csv_number_formats(
    statistics: Registry, intervals: Intervals | None = None
) -> tuple[str | None, ...]:
    """Beside :func:`csv_headers`: each column's number format — a statistic's own for
    its value, :data:`ANY_DECIMALS` for counts and parts, ``None`` for names and flags."""
    pair, coders = by_scope(statistics, Scope.PAIR), by_scope(statistics, Scope.CODERS)
    names = KEY_HEADERS.index("units")  # code, level, transcript, a, b: text
    formats: list[str | None] = [None] * names + [ANY_DECIMALS] * (len(KEY_HEADERS) - names)
    for statistic in (*pair, *coders):
        formats += [ANY_DECIMALS] * len(statistic.parts) + [statistic.number_format]
        if statistic.undefined_key is not None:
            formats.append(None)
    for statistic, _, which in _interval_columns(statistics, intervals):
        formats.append(None if which == 2 else statistic.number_format)
    return tuple(formats)


CSV_HEADERS = csv_headers(DEFAULT_REGISTRY)
"""The columns with the default statistics."""


def _cells(statistic: Statistic, measure: Measure | None) -> list[Cell]:
    """The statistic's CSV cells (its parts, its value, its 0/0 flag); empty when it
    does not apply."""
    width = len(column_names(statistic))
    if measure is None:
        return [None] * width
    cells: list[Cell] = [*measure.parts, measure.value]
    if statistic.undefined_key is not None:
        cells.append(measure.undefined)
    return cells


ORIGIN_HEADERS = ("a_origin", "b_origin")
"""With ``--origin``: the origin of the codings compared of each row's two coders
(``human``, ``suggested`` or ``all``), last on every row."""


def report_csv_headers(report: AgreementReport) -> tuple[str, ...]:
    """:func:`csv_headers` of the report, with :data:`ORIGIN_HEADERS` when it filters
    codings by origin."""
    headers = csv_headers(report.statistics, report.intervals)
    return headers + ORIGIN_HEADERS if report.origins else headers


def report_csv_formats(report: AgreementReport) -> tuple[str | None, ...]:
    """:func:`csv_number_formats` beside :func:`report_csv_headers`."""
    formats = csv_number_formats(report.statistics, report.intervals)
    return formats + (None,) * len(ORIGIN_HEADERS) if report.origins else formats


def report_rows(report: AgreementReport) -> list[tuple[Cell, ...]]:
    """Every CSV row, as :func:`report_csv_headers` names the columns."""
    rows = _statistic_rows(report)
    if not report.origins:
        return rows
    origin = dict(report.origins)
    return [(*row, origin[str(row[3])], origin[str(row[4])]) for row in rows]


def _statistic_rows(report: AgreementReport) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    blank: tuple[Cell, ...] = (None,) * len(_interval_columns(report.statistics, report.intervals))
    for code in report.codes:
        pooled = _comparison_rows(report, code.code, "pooled", "", code.pooled)
        rows += [(*row, *_interval_cells(report, code.code, i)) for i, row in enumerate(pooled)]
        rows += [(*row, *blank) for row in _mean_rows(report, code)]
        for name, comparison in code.per_transcript:
            found = _comparison_rows(report, code.code, "transcript", name, comparison)
            rows += [(*row, *blank) for row in found]
    return rows


def _comparison_rows(
    report: AgreementReport, code: str, level: str, transcript: str, comparison: Comparison
) -> list[tuple[Cell, ...]]:
    statistics = report.statistics
    shared: list[Cell] = []
    for statistic in by_scope(statistics, Scope.CODERS):
        shared += _cells(statistic, applicable_measure(statistic, comparison))
    rows: list[tuple[Cell, ...]] = []
    for index, pair in enumerate(comparison.pairs):
        c = pair.counts
        row: list[Cell] = [code, level, transcript, pair.a, pair.b, c.units, c.both, c.a_only]
        row += [c.b_only, c.neither]
        for statistic in by_scope(statistics, Scope.PAIR):
            row += _cells(statistic, applicable_measure(statistic, comparison, index))
        rows.append((*row, *shared))
    return rows


def _mean_rows(report: AgreementReport, code: CodeAgreement) -> list[tuple[Cell, ...]]:
    statistics = report.statistics
    mean = code.mean
    shared: list[Cell] = []
    for statistic in by_scope(statistics, Scope.CODERS):
        found = mean.values.get(statistic.key)
        shared += _cells(statistic, None if found is None else found.measure)
    rows: list[tuple[Cell, ...]] = []
    for p in mean.pairs:
        row: list[Cell] = [code.code, "mean", "", p.a, p.b, None, p.both, p.a_only, p.b_only]
        row.append(p.neither)
        for statistic in by_scope(statistics, Scope.PAIR):
            found = p.values.get(statistic.key)
            row += _cells(statistic, None if found is None else found.measure)
        rows.append((*row, *shared))
    return rows


def render_report_csv(report: AgreementReport) -> str:
    """The CSV rows, each statistic rounded to the decimals of its number format (3 for
    coefficients, 1 for percentages) and means of counts to 3, unless
    :func:`~qualcode.exporters.csv_numbers.full_precision` is on."""
    places = [
        COUNT_MEAN_DECIMALS if f in (None, ANY_DECIMALS) else decimals(f)
        for f in report_csv_formats(report)
    ]
    headers = report_csv_headers(report)
    return render_csv(headers, rounded_rows(report_rows(report), places))


# --- terminal table -------------------------------------------------------------------


def statistic_text(value: float, undefined: bool = False) -> str:
    return coefficient_text(Measure(value, undefined))


def _aligned(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        cells = [
            v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(cells).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def layout_lines(layout: Layout) -> list[str]:
    """A layout as aligned text: numbers to the right."""
    right = {i for i, number in enumerate(layout.numbers) if number}
    rows = [[item.text for item in row] for row in layout.rows]
    return _aligned(layout.headers, rows, right)


def _block(title: str, layout: Layout) -> list[str]:
    """A titled table, or one line when the chosen statistics (``--stats``) have no
    column in it — a table of codes and pairs alone says nothing."""
    if not has_values(layout):
        return [f"{title} {NOTHING_CHOSEN}", ""]
    return [title, *layout_lines(layout), ""]


def nothing_to_compare(report: AgreementReport) -> str:
    """Why a report has no table, with the real reason (no code; no transcript; every
    transcript left out, and for what); empty when there is something to compare."""
    if not report.codes:
        return "Nothing to compare: the codebook has no code."
    if report.transcripts:
        return ""
    if not report.excluded:
        return "Nothing to compare: the project has no transcript."
    reasons = Counter(e.reason for e in report.excluded).most_common()
    listed = "; ".join(f"{reason} ({count})" for reason, count in reasons[:3])
    more = f"; {len(reasons) - 3} other reason(s)" if len(reasons) > 3 else ""
    return (
        f"Nothing to compare: all {len(report.excluded)} transcript(s) were left out — "
        f"{listed}{more} (listed below)."
    )


def render_report_table(report: AgreementReport, *, per_transcript: bool = False) -> str:
    """A terminal-readable report: pooled values per code and pair with Landis–Koch
    bands, then across all coders, then notes, exclusions and skipped codings."""
    finished = ", ".join(f"{coder} ({how})" for coder, how in report.basis)
    lines = [
        f"Agreement of {', '.join(report.coders)} · unit: {report.unit.value} · "
        f"segment threshold {threshold_text(report.threshold)}%"
        + (f" · {origin_text(report.origins)}" if report.origins else ""),
        f"{len(report.transcripts)} transcript(s) compared"
        + (f" (finished: {finished})" if finished else ""),
        "",
    ]
    nothing = nothing_to_compare(report)
    if nothing:
        lines.append(nothing)
    else:
        statistics = report.applicable()
        lines += _block("Pooled over transcripts, per pair of coders:", pair_layout(report))
        lines += _block("All coders:", coders_layout(report))
        if per_transcript:
            lines += ["Per transcript:", *layout_lines(transcript_layout(report)), ""]
        lines += [UNDEFINED_NOTE, *filter(None, [undefined_count_note(statistics)]), LEVELS_NOTE]
        lines += band_notes(statistics)
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
    for rule in report_rules(report):
        lines += textwrap.wrap(rule, 92, initial_indent="  - ", subsequent_indent="    ")
    lines += ["", "Statistics:"]
    for definition in definitions(report.applicable()):
        lines += textwrap.wrap(definition, 92, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"
