"""The agreement page's chart: each code's pooled kappa (per pair) and alpha as bars over
the Landis–Koch bands, an inline SVG (no script, nothing fetched), so the page prints
and opens offline as it is.

The series are the report's headline statistics (kappa per pair of coders, then alpha),
read from the registry like every table; a value that was 0/0 is drawn hollow and
marked ``*``; with bootstrap intervals each bar carries its interval as a whisker.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from qualcode.domain.agreement_report import AgreementReport, CodeAgreement, measure_of
from qualcode.domain.statistics import Band, Measure, Scope, Statistic
from qualcode.domain.statistics.bands import LANDIS_KOCH, LANDIS_KOCH_BANDS
from qualcode.exporters.agreement_layout import shown

LABEL_WIDTH = 250
PLOT_WIDTH = 440
VALUE_WIDTH = 64
BAR_HEIGHT = 9
ROW_GAP = 8
TOP = 34
LOW = -0.2
"""The left end of the axis: values below it are drawn at it (worse than chance)."""
SERIES_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#806000", "#2e75b6")
BAND_FILLS = ("#f4d6d6", "#fbe5d6", "#fff2cc", "#e2efda", "#c6e0b4", "#a9d08e")
"""Pale fills of the bands by tone, worst to best, so the bars stay readable on them."""


@dataclass(frozen=True, slots=True)
class Series:
    """One bar per code: a headline statistic (for one pair, if a pair statistic)."""

    statistic: Statistic
    pair: int
    label: str
    colour: str


def _series(report: AgreementReport) -> list[Series]:
    found: list[Series] = []
    for statistic in (*shown(report, Scope.PAIR), *shown(report, Scope.CODERS)):
        if not statistic.headline or statistic.band is not LANDIS_KOCH:
            continue
        if statistic.scope is Scope.PAIR and report.codes:
            for index, pair in enumerate(report.codes[0].pooled.pairs):
                found.append(Series(statistic, index, f"{statistic.symbol} {pair.a}–{pair.b}", ""))
        else:
            found.append(Series(statistic, 0, statistic.symbol, ""))
    return [
        Series(s.statistic, s.pair, s.label, SERIES_COLOURS[i % len(SERIES_COLOURS)])
        for i, s in enumerate(found)
    ]


def _x(value: float) -> float:
    """The horizontal position of a value on the axis from :data:`LOW` to 1."""
    clamped = min(1.0, max(LOW, value))
    return LABEL_WIDTH + (clamped - LOW) / (1 - LOW) * PLOT_WIDTH


def _bands() -> list[tuple[float, float, Band]]:
    """(from, to, band) along the axis."""
    edges: list[tuple[float, float, Band]] = []
    start = LOW
    poor = LANDIS_KOCH.classify(-1.0)
    edges.append((start, 0.0, poor))
    start = 0.0
    for upper, band in LANDIS_KOCH_BANDS:
        edges.append((start, upper, band))
        start = upper
    edges.append((start, 1.0, LANDIS_KOCH.classify(1.0)))
    return edges


def agreement_chart(report: AgreementReport) -> str:
    """The chart as one ``<svg>`` element; empty when there is nothing to draw."""
    series = _series(report)
    if not series or not report.codes:
        return ""
    row = len(series) * BAR_HEIGHT + ROW_GAP
    plot_height = row * len(report.codes)
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    legend_top = TOP + plot_height + 24
    height = legend_top + 18
    title = "Pooled agreement per code over the Landis–Koch bands"
    out = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Arial, Liberation Sans, sans-serif" font-size="11">',
        f"<title>{html.escape(title)}</title>",
    ]
    for start, end, band in _bands():
        left, right = _x(start), _x(end)
        out.append(
            f'<rect x="{left:.1f}" y="{TOP - 4}" width="{right - left:.1f}" '
            f'height="{plot_height + 4}" fill="{BAND_FILLS[band.tone]}"/>'
        )
        out.append(
            f'<text x="{(left + right) / 2:.1f}" y="{TOP - 20}" text-anchor="middle" '
            f'font-size="9">{html.escape(band.label)}</text>'
        )
    for tick in (LOW, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        x = _x(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{TOP + plot_height}" '
            f'stroke="#999" stroke-width="{1 if tick == 0 else 0.5}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{TOP - 8}" text-anchor="middle" font-size="9">{tick:g}</text>'
        )
    for index, code in enumerate(report.codes):
        out += _code_rows(report, code, series, TOP + index * row)
    x = LABEL_WIDTH
    for one in series:
        out.append(
            f'<rect x="{x}" y="{legend_top - 9}" width="10" height="10" fill="{one.colour}"/>'
        )
        out.append(f'<text x="{x + 14}" y="{legend_top}">{html.escape(one.label)}</text>')
        x += 30 + 7 * len(one.label)
    out.append(f'<text x="{x}" y="{legend_top}">* 0/0, shown as 1.0</text>')
    out.append("</svg>")
    return "\n".join(out)


def _code_rows(
    report: AgreementReport, code: CodeAgreement, series: list[Series], top: float
) -> list[str]:
    label = code.code if len(code.code) <= 40 else code.code[:39] + "…"
    middle = top + len(series) * BAR_HEIGHT / 2 + 4
    out = [
        f'<text x="{LABEL_WIDTH - 6}" y="{middle:.1f}" text-anchor="end">'
        f"<title>{html.escape(code.code)}</title>{html.escape(label)}</text>"
    ]
    zero = _x(0.0)
    for index, one in enumerate(series):
        measure: Measure = measure_of(one.statistic, code.pooled, one.pair)
        y = top + index * BAR_HEIGHT
        end = _x(measure.value)
        left, bar = min(zero, end), abs(end - zero)
        style = (
            f'fill="none" stroke="{one.colour}"' if measure.undefined else f'fill="{one.colour}"'
        )
        text = f"{measure.value:.3f}" + ("*" if measure.undefined else "")
        out.append(
            f'<rect x="{left:.1f}" y="{y + 1}" width="{max(bar, 1):.1f}" '
            f'height="{BAR_HEIGHT - 2}" {style}><title>{html.escape(one.label)}: '
            f"{text}</title></rect>"
        )
        bounds = (
            None
            if report.intervals is None
            else report.intervals.of(code.code, one.statistic.key, one.pair)
        )
        if bounds is not None:
            low, high = _x(bounds[0]), _x(bounds[1])
            mid = y + BAR_HEIGHT / 2
            out.append(
                f'<line x1="{low:.1f}" y1="{mid}" x2="{high:.1f}" y2="{mid}" '
                f'stroke="#222" stroke-width="1"/>'
            )
        out.append(
            f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 4}" y="{y + BAR_HEIGHT - 1}" '
            f'font-size="9">{html.escape(text)}</text>'
        )
    return out
