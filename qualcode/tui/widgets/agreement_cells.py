"""Cells and columns of the agreement screens, from the statistics registry: values as
the command line prints them, banded ones coloured by their band's tone with the
current theme's colours. A band's name is always written out beside a headline value,
so the table reads the same without colour."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_intervals import (
    RELIABLE,
    TENTATIVE,
    Bounds,
    Intervals,
    IntervalSettings,
    interval_text,
    verdict,
)
from qualcode.domain.agreement_report import (
    AgreementReport,
    Mean,
    MeanComparison,
    mean_of,
    measure_of,
)
from qualcode.domain.statistics import Measure, Scope, Statistic
from qualcode.domain.statistics.base import UNDEFINED_BAND
from qualcode.domain.statistics.registry import display_order

TONE_STYLES: tuple[tuple[str, str | None, bool], ...] = (
    # (text colour variable, background variable, bold), from tone 0 (worst) to 5 (best)
    ("text-error", "error-muted", True),
    ("text-error", None, False),
    ("text-warning", None, False),
    ("text-warning", "warning-muted", False),
    ("text-success", None, False),
    ("text-success", "success-muted", True),
)
"""Each band tone's look, as theme variables (``App.get_css_variables()``)."""

NOTES = "* 0/0 (as 1.0, no band) · pool: summed · mean: of transcripts"
VERDICT_NOTE = (
    f"verdict on the CI's low end (Krippendorff): ≥{RELIABLE:.3f} reliable, "
    f"≥{TENTATIVE:.3f} tentative, below not reliable"
)
PENDING = "…"
"""An interval's cell while the bootstrap runs."""
VERDICT_TONES = {"reliable": 4, "tentative": 2, "not reliable": 1}
"""Each verdict's look, as a band tone (:data:`TONE_STYLES`)."""


@dataclass(frozen=True, slots=True)
class IntervalView:
    """The intervals a screen shows: how they are made, and the intervals themselves
    once the bootstrap has run (``None`` while it runs: the cells say so)."""

    settings: IntervalSettings
    found: Intervals | None = None
    problem: str = ""
    """Why there are no intervals (too few transcripts to resample); cells are then
    empty instead of :data:`PENDING`."""

    def caption(self) -> str:
        """``95% CI of 2000 resamples of transcripts`` (``computing …`` while they are;
        ``no CI: …`` when they cannot be made)."""
        if self.problem:
            return f"no CI: {self.problem}"
        made = (
            f"{self.settings.level:g}% CI of {self.settings.resamples} resamples of "
            f"{self.settings.by.value}s"
        )
        return made if self.found is not None else f"{made}: computing {PENDING}"

    @property
    def pending(self) -> bool:
        """The bootstrap still runs."""
        return self.found is None and not self.problem


def bands_note(statistics: Sequence[Statistic], intervals: IntervalView | None = None) -> str:
    """The bands the statistics use, briefly, then what ``*``, pool and mean mean (and,
    with intervals, how they were made and the verdict's rule)."""
    scales = {s.band.name: s.band.brief for s in statistics if s.band is not None}
    notes = [*scales.values(), NOTES]
    if intervals is not None and any(s.interval_key for s in statistics):
        notes.append(intervals.caption())
        if any(s.verdict_key for s in statistics):
            notes.append(VERDICT_NOTE)
    return " · ".join(notes)


def tone_style(tone: int | None, variables: Mapping[str, str]) -> Style:
    """The style of a band tone in the theme whose CSS variables are ``variables``."""
    colour, background, bold = ("text", None, False) if tone is None else TONE_STYLES[tone]
    return Style(
        color=variables.get(colour),
        bgcolor=variables.get(background) if background else None,
        bold=bold,
    )


def value_cell(statistic: Statistic, measure: Measure, variables: Mapping[str, str]) -> Text:
    """A value as the screen shows it (``0.341``, ``1.000*`` when undefined, ``92.1``),
    right-aligned, in its band's colour when the statistic is banded."""
    band = statistic.band_of(measure)
    if band is None:
        return Text(statistic.screen_text(measure), justify="right")
    text = statistic.screen_text(measure)
    return Text(text, style=tone_style(band.tone, variables), justify="right")


def band_cell(statistic: Statistic, measure: Measure, variables: Mapping[str, str]) -> Text:
    """The band's name in its colour; a 0/0 value has none and says so, uncoloured."""
    band = statistic.band_of(measure)
    if band is None:
        return Text(UNDEFINED_BAND if measure.undefined and statistic.band else "")
    return Text(band.label, style=tone_style(band.tone, variables))


Cell = Callable[[Comparison, MeanComparison | None, int, Mapping[str, str]], Text]
"""A cell of a comparison (pooled, or one transcript's), its means over transcripts
(for the mean columns) and a pair index, in a theme's variables."""


@dataclass(frozen=True, slots=True)
class ScreenColumn:
    header: str
    width: int
    """Widest cell, in cells (headers included)."""
    cell: Cell


def _band_width(statistic: Statistic) -> int:
    assert statistic.band is not None
    return max(len(band.label) for band in statistic.band.bands)


def screen_statistics(
    report: AgreementReport, *, coders: bool = True, every: bool = False
) -> list[Statistic]:
    """In screen order: pair headlines, all-coder headlines (if ``coders``), the other
    pair statistics (the other all-coder ones are in the detail line). ``every``: each
    statistic of the report (a chosen set), those kept out of the tables and the other
    all-coder ones last."""
    applicable = report.applicable()
    shown = applicable if every else [s for s in applicable if s.shown]
    pair = display_order([s for s in shown if s.scope is Scope.PAIR])
    others = [s for s in shown if s.scope is Scope.CODERS]
    headlines = [s for s in others if s.headline] if coders else []
    rest = display_order([s for s in others if not s.headline]) if coders and every else []
    return [
        *(s for s in pair if s.headline),
        *headlines,
        *(s for s in pair if not s.headline),
        *rest,
    ]


Render = Callable[[Statistic, Measure, Mapping[str, str]], Text]


def _cell(statistic: Statistic, render: Render, *, of_mean: bool = False) -> Cell:
    """A column's cell: ``render`` of the statistic's value (``of_mean``: of its mean
    over transcripts). All-coder values stand once per code, on its first pair's row."""

    def cell(
        comparison: Comparison, mean: MeanComparison | None, pair: int, variables: Mapping[str, str]
    ) -> Text:
        if statistic.scope is Scope.CODERS and pair > 0:
            return Text("")
        if not of_mean:
            return render(statistic, measure_of(statistic, comparison, pair), variables)
        found = None if mean is None else mean_of(statistic, mean, pair)
        return Text("") if found is None else render(statistic, found.measure, variables)

    return cell


def screen_columns(
    report: AgreementReport,
    *,
    means: bool = True,
    coders: bool = True,
    every: bool = False,
    intervals: IntervalView | None = None,
) -> list[ScreenColumn]:
    """The statistic columns of a screen table: pair headlines with their band (and,
    with ``means``, their mean over transcripts), all-coder headlines (with
    ``coders``), then the other pair statistics (``every``: see
    :func:`screen_statistics`). With ``intervals``, the pooled value of each statistic
    that has a bootstrap interval is followed by it (and by Krippendorff's verdict where
    the statistic has one)."""
    columns: list[ScreenColumn] = []
    for statistic in screen_statistics(report, coders=coders, every=every):
        pair_headline = statistic.scope is Scope.PAIR and statistic.headline
        header = statistic.symbol + (" pool" if pair_headline and means else "")
        value = _cell(statistic, value_cell)
        columns.append(ScreenColumn(header, max(len(header), statistic.width), value))
        if pair_headline and statistic.band is not None:
            band = _cell(statistic, band_cell)
            columns.append(ScreenColumn("band", _band_width(statistic), band))
        if intervals is not None and statistic.interval_key is not None:
            columns += interval_columns(report, statistic, intervals)
        if pair_headline and means:
            header = f"{statistic.symbol} mean"
            mean = _cell(statistic, value_cell, of_mean=True)
            columns.append(ScreenColumn(header, max(len(header), statistic.width), mean))
    return columns


def interval_columns(
    report: AgreementReport, statistic: Statistic, view: IntervalView
) -> list[ScreenColumn]:
    """The pooled value's interval and, if the statistic has one, the verdict on its
    lower bound, as screen columns (:data:`PENDING` until the intervals are found)."""
    # a cell is handed the pooled comparison: which code it belongs to
    codes = {id(code.pooled): code.code for code in report.codes}
    found = view.found

    def bounds(comparison: Comparison, pair: int) -> Bounds | None:
        assert found is not None
        index = pair if statistic.scope is Scope.PAIR else 0
        return found.of(codes.get(id(comparison), ""), statistic.key, index)

    def skipped(pair: int) -> bool:  # all-coder values stand on a code's first row
        return statistic.scope is Scope.CODERS and pair > 0

    def interval(
        comparison: Comparison, _mean: MeanComparison | None, pair: int, _v: Mapping[str, str]
    ) -> Text:
        if skipped(pair) or (found is None and not view.pending):
            return Text("")
        if found is None:
            return Text(PENDING, justify="center")
        return Text(interval_text(bounds(comparison, pair)), justify="right")

    def judged(
        comparison: Comparison,
        _mean: MeanComparison | None,
        pair: int,
        variables: Mapping[str, str],
    ) -> Text:
        if skipped(pair) or (found is None and not view.pending):
            return Text("")
        if found is None:
            return Text(PENDING, justify="center")
        low = bounds(comparison, pair)
        if low is None:
            return Text("")
        word = verdict(low[0])
        return Text(word, style=tone_style(VERDICT_TONES[word], variables))

    header = f"{statistic.symbol} {view.settings.level:g}% CI"
    columns = [ScreenColumn(header, max(len(header), 16), interval)]
    if statistic.verdict_key is not None:
        columns.append(ScreenColumn("verdict", max(map(len, VERDICT_TONES)), judged))
    return columns


def describe_interval(statistic: Statistic, bounds: Bounds | None, level: float) -> str:
    """`` (95% CI [0.412, 0.770], tentative)``: a pooled value's interval in words, with
    the verdict where the statistic has one; empty when every resample was 0/0."""
    if bounds is None:
        return ""
    judged = f", {verdict(bounds[0])}" if statistic.verdict_key is not None else ""
    return f" ({level:g}% CI {interval_text(bounds)}{judged})"


def describe(
    statistic: Statistic, measure: Measure, *, brief: bool = False, band: bool = True
) -> str:
    """A value in words: ``κ 0.341 fair``, ``agree 92.1%``, ``segments 2/19 (11%)``
    (``brief``: ``segments 2/19``). The band is named for headlines when ``band``."""
    text = statistic.brief_text(measure) if brief else statistic.text(measure)
    words = f"{statistic.in_words} {text}{statistic.suffix}"
    found = statistic.band_of(measure)
    if band and statistic.headline and found is not None:
        words += f" {found.label}"
    return words


def describe_mean(statistic: Statistic, mean: Mean) -> str:
    """`` (mean 0.300, 1/5 undefined)``: the mean over transcripts, and how many were
    0/0 when the statistic can be."""
    text = statistic.text(Measure(mean.value, parts=mean.parts))
    if statistic.undefined_key is not None:
        text += f", {mean.undefined}/{mean.transcripts} undefined"
    return f" (mean {text})"
