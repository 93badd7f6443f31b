"""The tables of an agreement report, laid out once from its statistics registry.

The terminal table, the HTML page and the workbook's summary sheet render these
layouts; none of them names a statistic. Column order: a scope's headline statistics
(kappa, alpha) with their band, then its other statistics in registry order, then the
headlines' means.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_intervals import (
    Bounds,
    Intervals,
    bound_text,
    interval_text,
    verdict,
)
from qualcode.domain.agreement_report import (
    AgreementReport,
    CodeAgreement,
    Mean,
    mean_of,
    measure_of,
)
from qualcode.domain.statistics import Band, Measure, Registry, Scope, Statistic
from qualcode.domain.statistics.base import UNDEFINED_BAND
from qualcode.domain.statistics.registry import display_order
from qualcode.exporters.tables import Cell


@dataclass(frozen=True, slots=True)
class Item:
    """One cell: its text, its value for spreadsheets, and its band (for colour)."""

    text: str
    value: Cell = None
    band: Band | None = None
    undefined: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    number: bool
    item: Callable[[CodeAgreement, int], Item]
    """The cell of a code and pair index (0 for the all-coder tables)."""


@dataclass(frozen=True, slots=True)
class Layout:
    headers: tuple[str, ...]
    numbers: tuple[bool, ...]
    rows: tuple[tuple[Item, ...], ...]


NOTHING_CHOSEN = "nothing to show: none of the chosen statistics is computed here"
"""What a report says instead of a table that no chosen statistic (``--stats``) has a
column in (a table of codes and pairs alone)."""


def has_values(layout: Layout) -> bool:
    """Whether ``layout`` has a column of values, not only codes and pairs."""
    return any(layout.numbers)


def shown(report: AgreementReport, scope: Scope) -> Registry:
    """The statistics of ``scope`` the tables show, in display order."""
    return display_order([s for s in report.applicable() if s.shown and s.scope is scope])


def _value(statistic: Statistic, measure: Measure, text: str) -> Item:
    return Item(text, measure.value, statistic.band_of(measure), measure.undefined)


def value_columns(
    statistic: Statistic, of: Callable[[CodeAgreement], Comparison], *, band: bool
) -> list[Column]:
    """The statistic's value in ``of(code)`` (pooled, say), then its band if asked."""

    def item(code: CodeAgreement, pair: int) -> Item:
        measure = measure_of(statistic, of(code), pair)
        return _value(statistic, measure, statistic.text(measure))

    columns = [Column(statistic.label, True, item)]
    if band and statistic.band is not None:
        columns.append(Column("band", False, lambda code, pair: _band(item(code, pair))))
    return columns


def _band(value: Item) -> Item:
    """The band's name; a 0/0 value has none and says so (the ``*`` note explains)."""
    if value.undefined:
        return Item(UNDEFINED_BAND, UNDEFINED_BAND)
    label = "" if value.band is None else value.band.label
    return Item(label, label, value.band)


def mean_columns(statistic: Statistic, *, undefined_counts: bool) -> list[Column]:
    """The statistic's mean over transcripts, then (if asked and it can be 0/0) in how
    many transcripts it was undefined."""

    def mean(code: CodeAgreement, pair: int) -> Mean:
        found = mean_of(statistic, code.mean, pair)
        assert found is not None  # shown() keeps applicable statistics only
        return found

    def item(code: CodeAgreement, pair: int) -> Item:
        measure = mean(code, pair).measure
        return _value(statistic, measure, statistic.text(measure))

    columns = [Column(f"mean {statistic.label}", True, item)]
    if undefined_counts and statistic.undefined_key is not None:

        def count(code: CodeAgreement, pair: int) -> Item:
            found = mean(code, pair)
            return Item(f"{found.undefined}/{found.transcripts}", found.undefined)

        columns.append(Column("undef.", True, count))
    return columns


def pooled(code: CodeAgreement) -> Comparison:
    return code.pooled


def interval_columns(
    statistic: Statistic, intervals: Intervals | None, *, split: bool = False
) -> list[Column]:
    """The pooled value's bootstrap interval (one ``[low, high]`` cell, or a low and a
    high column when ``split``) and, for alpha, Krippendorff's verdict on its lower
    bound; none when there are no intervals or the statistic has none."""
    if intervals is None or statistic.interval_key is None:
        return []
    found = intervals
    level = f"{found.settings.level:g}%"

    def bounds(code: CodeAgreement, pair: int) -> Bounds | None:
        return found.of(code.code, statistic.key, pair)

    def both(code: CodeAgreement, pair: int) -> Item:
        b = bounds(code, pair)
        return Item(interval_text(b))

    def end(which: int) -> Callable[[CodeAgreement, int], Item]:
        def item(code: CodeAgreement, pair: int) -> Item:
            b = bounds(code, pair)
            return Item("" if b is None else bound_text(b[which]), None if b is None else b[which])

        return item

    def judged(code: CodeAgreement, pair: int) -> Item:
        b = bounds(code, pair)
        word = "" if b is None else verdict(b[0])
        return Item(word, word)

    if split:
        columns = [
            Column(f"{statistic.name} {level} CI low", True, end(0)),
            Column(f"{statistic.name} {level} CI high", True, end(1)),
        ]
    else:
        columns = [Column(f"{level} CI", False, both)]
    if statistic.verdict_key is not None:
        columns.append(Column("verdict", False, judged))
    return columns


def summary_columns(
    statistics: Sequence[Statistic], *, undefined_counts: bool, intervals: Intervals | None = None
) -> list[Column]:
    """Pooled values (headlines with their band and interval), then the headlines'
    means."""
    columns: list[Column] = []
    for statistic in statistics:
        columns += value_columns(statistic, pooled, band=statistic.headline)
        columns += interval_columns(statistic, intervals)
    for statistic in statistics:
        if statistic.headline:
            columns += mean_columns(statistic, undefined_counts=undefined_counts)
    return columns


def _layout(
    report: AgreementReport, keys: Sequence[Column], columns: Sequence[Column], pairs: bool
) -> Layout:
    everything = [*keys, *columns]
    rows = []
    for code in report.codes:
        count = len(code.pooled.pairs) if pairs else 1
        rows += [tuple(column.item(code, pair) for column in everything) for pair in range(count)]
    return Layout(
        tuple(c.header for c in everything), tuple(c.number for c in everything), tuple(rows)
    )


def _code(code: CodeAgreement, _pair: int) -> Item:
    return Item(code.code, code.code)


def _pair(code: CodeAgreement, pair: int) -> Item:
    found = code.pooled.pairs[pair]
    return Item(f"{found.a}–{found.b}", f"{found.a}–{found.b}")


def pair_layout(report: AgreementReport) -> Layout:
    """Per code and pair of coders: pooled values, headline bands and means."""
    columns = summary_columns(
        shown(report, Scope.PAIR), undefined_counts=True, intervals=report.intervals
    )
    return _layout(
        report, [Column("code", False, _code), Column("pair", False, _pair)], columns, True
    )


def coders_layout(report: AgreementReport) -> Layout:
    """Per code, across all coders: pooled values, headline bands and means."""
    columns = summary_columns(
        shown(report, Scope.CODERS), undefined_counts=False, intervals=report.intervals
    )
    return _layout(report, [Column("code", False, _code)], columns, False)


def transcript_layout(report: AgreementReport) -> Layout:
    """Per code, transcript and pair: every pair statistic the tables show, then every
    all-coder one (unitizing alpha included), in their brief form. With no pair
    statistic shown, one row per code and transcript, without a pair column."""
    pair_statistics = shown(report, Scope.PAIR)
    statistics = [*pair_statistics, *shown(report, Scope.CODERS)]
    keys = ("code", "transcript", "pair") if pair_statistics else ("code", "transcript")
    headers = (*keys, *(s.label for s in statistics))
    numbers = (*(False for _ in keys), *(True for _ in statistics))
    rows = []
    for code in report.codes:
        for name, comparison in code.per_transcript:
            pairs = comparison.pairs if pair_statistics else comparison.pairs[:1]
            for index, pair in enumerate(pairs):
                cells = [Item(code.code), Item(name)]
                if pair_statistics:
                    cells.append(Item(f"{pair.a}–{pair.b}"))
                for statistic in statistics:
                    measure = measure_of(statistic, comparison, index)
                    cells.append(_value(statistic, measure, statistic.brief_text(measure)))
                rows.append(tuple(cells))
    return Layout(headers, numbers, tuple(rows))


def band_notes(statistics: Sequence[Statistic]) -> list[str]:
    """One note per band scale the statistics use."""
    scales = {s.band.name: s.band.note for s in statistics if s.band is not None}
    return list(scales.values())
