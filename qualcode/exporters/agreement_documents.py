"""An agreement report as a spreadsheet (XLSX) or a self-contained HTML page.

Both hold the same numbers as the CSV (:func:`qualcode.exporters.agreement.report_rows`),
unrounded in the workbook, plus the notes, exclusions, skipped codings and rules. The
page shows the terminal table's layouts
(:mod:`qualcode.exporters.agreement_layout`); banded values carry their band's colour.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import replace

from qualcode.domain.agreement_report import RULES, AgreementReport, CodeAgreement, mean_of
from qualcode.domain.statistics import Band, Scope, Statistic
from qualcode.exporters.agreement import (
    LEVELS_NOTE,
    UNDEFINED_NOTE,
    csv_headers,
    report_rows,
)
from qualcode.exporters.agreement_layout import (
    Column,
    Item,
    Layout,
    band_notes,
    coders_layout,
    pair_layout,
    pooled,
    shown,
    transcript_layout,
    value_columns,
)
from qualcode.exporters.safe_cells import xlsx_row

TONE_COLOURS = ("D73027", "FC8D59", "FEE08B", "D9EF8B", "91CF60", "1A9850")
"""Fill of each band tone, from 0 (worst) to 5 (best)."""


def _notes(report: AgreementReport) -> list[str]:
    notes = [
        f"coders: {', '.join(report.coders)}",
        f"unit: {report.unit.value}",
        f"segment threshold: {report.threshold}%",
        f"compared transcripts: {', '.join(report.transcripts) or 'none'}",
        *(f"{coder}: finished transcripts by {how}" for coder, how in report.basis),
        UNDEFINED_NOTE,
        LEVELS_NOTE,
        *band_notes(report.applicable()),
        *(f"left out {e.transcript}: {e.reason}" for e in report.excluded),
        *(
            f"skipped coding {s.coding.coding_id} ({s.coding.coder}, {s.coding.transcript}, "
            f"{s.coding.code}, {s.coding.start}:{s.coding.end}): {s.reason}"
            for s in report.skipped
        ),
        *(f"rule: {rule}" for rule in RULES),
    ]
    return notes


# --- workbook -------------------------------------------------------------------------


def _mean_column(statistic: Statistic) -> Column:
    def item(code: CodeAgreement, pair: int) -> Item:
        mean = mean_of(statistic, code.mean, pair)
        return Item("", None if mean is None else mean.value)

    return Column(f"{statistic.name} (mean)", True, item)


def _workbook_columns(statistics: tuple[Statistic, ...], scope: Scope) -> list[Column]:
    """Pooled value, 0/0 flag and (headlines) band of each statistic; then, for pair
    statistics, each mean."""
    columns: list[Column] = []
    for statistic in statistics:
        value, *band = value_columns(statistic, pooled, band=True)
        columns.append(Column(f"{statistic.name} (pooled)", True, value.item))
        if statistic.undefined_key is not None:
            columns.append(Column(f"{statistic.name} undefined", False, _flag(value.item)))
        if statistic.headline:  # named: kappa's and alpha's bands share a sheet
            columns += [replace(column, header=f"{statistic.name} band") for column in band]
    if scope is Scope.PAIR:
        columns += [_mean_column(statistic) for statistic in statistics]
    return columns


def _flag(value: Callable[[CodeAgreement, int], Item]) -> Callable[[CodeAgreement, int], Item]:
    def item(code: CodeAgreement, pair: int) -> Item:
        found = value(code, pair)
        return Item("", found.undefined)

    return item


def summary_layout(report: AgreementReport) -> Layout:
    """One row per code and pair: the pair statistics, then the all-coder ones."""
    columns = [
        *_workbook_columns(shown(report, Scope.PAIR), Scope.PAIR),
        *_workbook_columns(shown(report, Scope.CODERS), Scope.CODERS),
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


def report_xlsx(report: AgreementReport) -> bytes:
    """A workbook: ``summary`` (pooled and mean per code and pair, banded values filled
    with their band's colour), ``all rows`` (the CSV rows) and ``notes``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    summary = workbook.active
    summary.title = "summary"
    layout = summary_layout(report)
    xlsx_row(summary, layout.headers)
    for row in layout.rows:
        xlsx_row(summary, [item.value for item in row])
        for column, item in enumerate(row, start=1):
            if item.band is not None and layout.numbers[column - 1]:
                colour = TONE_COLOURS[item.band.tone]
                summary.cell(summary.max_row, column).fill = PatternFill(
                    "solid", start_color=colour, end_color=colour
                )
    detail = workbook.create_sheet("all rows")
    xlsx_row(detail, csv_headers(report.statistics))
    for csv_row in report_rows(report):
        xlsx_row(detail, csv_row)
    notes = workbook.create_sheet("notes")
    for note in _notes(report):
        xlsx_row(notes, (note,))
    for sheet in (summary, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Agreement: {e(', '.join(report.coders))}</title>",
        f"<style>{_style(report)}</style></head><body>",
        f"<h1>Agreement of {e(', '.join(report.coders))}</h1>",
        f"<p>Unit: {e(report.unit.value)} · segment threshold {report.threshold}% · "
        f"{len(report.transcripts)} transcript(s) compared</p>",
    ]
    out += _table("Per code and pair", pair_layout(report))
    out += _table("All coders", coders_layout(report))
    out += _table("Per transcript", transcript_layout(report))
    out.append("<h2>Notes</h2><ul>")
    out.extend(f"<li>{e(note)}</li>" for note in _notes(report))
    out.append("</ul></body></html>")
    return "\n".join(out) + "\n"
