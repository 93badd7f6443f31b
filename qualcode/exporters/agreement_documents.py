"""An agreement report as a spreadsheet (XLSX) or a self-contained HTML page.

Both hold the same numbers as the CSV (:func:`qualcode.exporters.agreement.report_rows`),
unrounded in the workbook, plus the notes, exclusions, skipped codings and rules. The
page shows the terminal table's layouts
(:mod:`qualcode.exporters.agreement_layout`); banded values carry their band's colour.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import replace

from qualcode.domain.agreement_intervals import Intervals
from qualcode.domain.agreement_origin import origin_text
from qualcode.domain.agreement_report import (
    AgreementReport,
    CodeAgreement,
    mean_of,
    report_rules,
    threshold_text,
)
from qualcode.domain.statistics import Band, Scope, Statistic
from qualcode.domain.statistics.registry import definitions
from qualcode.exporters.agreement import (
    LEVELS_NOTE,
    UNDEFINED_NOTE,
    report_csv_formats,
    report_csv_headers,
    report_rows,
    undefined_count_note,
)
from qualcode.exporters.agreement_chart import agreement_chart
from qualcode.exporters.agreement_layout import (
    NOTHING_CHOSEN,
    Column,
    Item,
    Layout,
    band_notes,
    coders_layout,
    has_values,
    interval_columns,
    pair_layout,
    pooled,
    shown,
    transcript_layout,
    value_columns,
)
from qualcode.exporters.html_page import page_start
from qualcode.exporters.xlsx_style import COUNT, SheetColumn, add_table, workbook_bytes

TONE_COLOURS = ("D73027", "FC8D59", "FEE08B", "D9EF8B", "91CF60", "1A9850")
"""Fill of each band tone, from 0 (worst) to 5 (best)."""


def _notes(report: AgreementReport) -> list[str]:
    notes = [
        f"coders: {', '.join(report.coders)}",
        f"unit: {report.unit.value}",
        f"segment threshold: {threshold_text(report.threshold)}%",
        *filter(None, [origin_text(report.origins)]),
        f"compared transcripts: {', '.join(report.transcripts) or 'none'}",
        *(f"{coder}: finished transcripts are those {how}" for coder, how in report.basis),
        UNDEFINED_NOTE,
        *filter(None, [undefined_count_note(report.applicable())]),
        LEVELS_NOTE,
        *band_notes(report.applicable()),
        *(f"left out {e.transcript}: {e.reason}" for e in report.excluded),
        *(
            f"skipped coding {s.coding.coding_id} ({s.coding.coder}, {s.coding.transcript}, "
            f"{s.coding.code}, {s.coding.start}:{s.coding.end}): {s.reason}"
            for s in report.skipped
        ),
        *(f"rule: {rule}" for rule in report_rules(report)),
        *(f"statistic: {text}" for text in definitions(report.applicable())),
    ]
    return notes


# --- workbook -------------------------------------------------------------------------


def _mean_columns(statistic: Statistic) -> list[Column]:
    """The mean over transcripts and, if it can be 0/0, in how many it was."""

    def item(code: CodeAgreement, pair: int) -> Item:
        mean = mean_of(statistic, code.mean, pair)
        return Item("", None if mean is None else mean.value)

    def undefined(code: CodeAgreement, pair: int) -> Item:
        mean = mean_of(statistic, code.mean, pair)
        return Item("", None if mean is None else mean.undefined)

    columns = [Column(_mean_header(statistic), True, item)]
    if statistic.undefined_key is not None:
        columns.append(Column(f"{statistic.name} (mean): transcripts undefined", True, undefined))
    return columns


def _pooled_header(statistic: Statistic) -> str:
    return f"{statistic.name} (pooled)"


def _mean_header(statistic: Statistic) -> str:
    return f"{statistic.name} (mean)"


def _workbook_columns(
    statistics: tuple[Statistic, ...], intervals: Intervals | None
) -> list[Column]:
    """Pooled value of each statistic; a headline's (kappa's, alpha's) with its
    interval, 0/0 flag and band; then the headlines' means. The
    rest (every flag, every mean) is on the ``all rows`` sheet: the summary is meant to
    print one readable page wide."""
    columns: list[Column] = []
    for statistic in statistics:
        value, *band = value_columns(statistic, pooled, band=True)
        columns.append(Column(_pooled_header(statistic), True, value.item))
        if not statistic.headline:
            continue
        columns += interval_columns(statistic, intervals, split=True)
        if statistic.undefined_key is not None:
            columns.append(Column(f"{statistic.name} undefined", False, _flag(value.item)))
        # named: kappa's and alpha's bands share a sheet
        columns += [replace(column, header=f"{statistic.name} band") for column in band]
    headlines = [s for s in statistics if s.headline]
    columns += [c for statistic in headlines for c in _mean_columns(statistic)]
    return columns


def _flag(value: Callable[[CodeAgreement, int], Item]) -> Callable[[CodeAgreement, int], Item]:
    def item(code: CodeAgreement, pair: int) -> Item:
        found = value(code, pair)
        return Item("", found.undefined)

    return item


def summary_layout(report: AgreementReport) -> Layout:
    """One row per code and pair: the pair statistics, then the all-coder ones."""
    columns = [
        *_workbook_columns(shown(report, Scope.PAIR), report.intervals),
        *_workbook_columns(shown(report, Scope.CODERS), report.intervals),
    ]

    def names(code: CodeAgreement, pair: int) -> tuple[Item, Item, Item]:
        found = code.pooled.pairs[pair]
        return Item("", code.code), Item("", found.a), Item("", found.b)

    rows = []
    for code in report.codes:
        for pair in range(len(code.pooled.pairs)):
            rows.append((*names(code, pair), *(c.item(code, pair) for c in columns)))
    headers = ("code", "a", "b", *(c.header for c in columns))
    return Layout(headers, (False, False, False, *(c.number for c in columns)), tuple(rows))


def _summary_formats(report: AgreementReport, headers: Sequence[str]) -> list[str | None]:
    """Each summary column's number format: a statistic's own for its values, whole
    numbers for counts of transcripts, none (text) for names, bands and flags."""
    formats: dict[str, str] = {}
    for statistic in report.applicable():
        formats[_pooled_header(statistic)] = statistic.number_format
        formats[_mean_header(statistic)] = statistic.number_format
        if statistic.interval_key is not None:  # the interval's low and high
            formats |= {
                h: statistic.number_format
                for h in headers
                if h.startswith(statistic.name + " ") and " CI " in h
            }
    return [formats.get(h, COUNT if h.endswith("transcripts undefined") else None) for h in headers]


def report_xlsx(report: AgreementReport) -> bytes:
    """A workbook: ``summary`` (pooled and mean per code and pair, banded values filled
    with their band's colour), ``all rows`` (the CSV rows, full precision shown to the
    statistic's decimals) and ``notes``; laid out by
    :func:`qualcode.exporters.xlsx_style.add_table`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    document = report.document
    layout = summary_layout(report)
    formats = _summary_formats(report, layout.headers)
    columns = [SheetColumn(h, f) for h, f in zip(layout.headers, formats, strict=True)]

    def band_fill(row: int, position: int, value: object) -> str | None:
        band = layout.rows[row][position].band
        banded = band is not None and layout.numbers[position]
        return TONE_COLOURS[band.tone] if banded and band is not None else None

    rows = [[item.value for item in row] for row in layout.rows]
    who = f"Agreement of {', '.join(report.coders)}"
    add_table(
        workbook,
        "summary",
        columns,
        rows,
        document,
        label_columns=3,
        fill=band_fill,
        caption=f"{who}: pooled and mean per code and pair",
    )
    detail = [
        SheetColumn(h, f)
        for h, f in zip(
            report_csv_headers(report),
            report_csv_formats(report),
            strict=True,
        )
    ]
    add_table(
        workbook,
        "all rows",
        detail,
        report_rows(report),
        document,
        label_columns=5,
        caption=f"{who}: every row of the CSV (pooled, mean, per transcript)",
    )
    notes = [[note] for note in _notes(report)]
    add_table(
        workbook,
        "notes",
        [SheetColumn("note", long_text=True)],
        notes,
        document,
        caption=f"{who}: settings, notes and rules",
    )
    return workbook_bytes(workbook)


# --- page -----------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
"""


def _style(report: AgreementReport) -> str:
    bands: dict[str, Band] = {}
    for statistic in report.statistics:
        if statistic.band is not None:
            bands |= {band.label: band for band in statistic.band.bands}
    return _STYLE + "\n".join(
        f".band-{_css_name(band)} {{ background: #{TONE_COLOURS[band.tone]}; }}"
        for band in bands.values()
    )


def _css_name(band: Band) -> str:
    return band.label.replace(" ", "-")


def _cell(item: Item, number: bool) -> str:
    # a band's colour goes on the value; the band's name beside it stays plain
    band = item.band if number else None
    classes = (["number"] if number else []) + ([f"band-{_css_name(band)}"] if band else [])
    attribute = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attribute}>{html.escape(item.text)}</td>"


def _table(title: str, layout: Layout) -> list[str]:
    if not has_values(layout):
        return [f"<h2>{html.escape(title)}</h2><p>{NOTHING_CHOSEN}.</p>"]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in layout.headers)
    out = [f"<h2>{html.escape(title)}</h2><table><tr>{head}</tr>"]
    for row in layout.rows:
        cells = (_cell(item, number) for item, number in zip(row, layout.numbers, strict=True))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


def report_html(report: AgreementReport) -> str:
    """A standalone HTML page: per code and pair (pooled, mean), all coders, per
    transcript, then notes. Banded values carry their band's colour."""
    e = html.escape
    out = page_start(f"Agreement: {', '.join(report.coders)}", report.document, _style(report))
    out += [
        f"<h1>Agreement of {e(', '.join(report.coders))}</h1>",
        f"<p>Unit: {e(report.unit.value)} · "
        f"segment threshold {threshold_text(report.threshold)}% · "
        + (f"{e(origin_text(report.origins))} · " if report.origins else "")
        + f"{len(report.transcripts)} transcript(s) compared</p>",
    ]
    chart = agreement_chart(report)
    if chart:
        out += ["<h2>Pooled kappa and alpha per code</h2>", chart]
    out += _table("Per code and pair", pair_layout(report))
    out += _table("All coders", coders_layout(report))
    out += _table("Per transcript", transcript_layout(report))
    out.append("<h2>Notes</h2><ul>")
    out.extend(f"<li>{e(note)}</li>" for note in _notes(report))
    out.append("</ul></body></html>")
    return "\n".join(out) + "\n"
