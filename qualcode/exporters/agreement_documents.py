"""An agreement report as a spreadsheet (XLSX) or a self-contained HTML page.

Both hold the same numbers as the CSV (:func:`qualcode.exporters.agreement.report_rows`),
unrounded in the workbook, plus the notes, exclusions, skipped codings and rules.
"""

from __future__ import annotations

import html
import io

from qualcode.domain.agreement import landis_koch_band
from qualcode.domain.agreement_report import RULES, AgreementReport
from qualcode.exporters.agreement import (
    BANDS_NOTE,
    CSV_HEADERS,
    LEVELS_NOTE,
    UNDEFINED_NOTE,
    report_rows,
    statistic_text,
)
from qualcode.exporters.safe_cells import xlsx_row

BAND_COLOURS = {
    "poor": "D73027",
    "slight": "FC8D59",
    "fair": "FEE08B",
    "moderate": "D9EF8B",
    "substantial": "91CF60",
    "almost perfect": "1A9850",
}

SUMMARY_HEADERS = (
    "code",
    "a",
    "b",
    "kappa (pooled)",
    "kappa undefined",
    "band",
    "agreement % (pooled)",
    "segment agreement % (pooled)",
    "kappa (mean)",
    "agreement % (mean)",
    "alpha (pooled)",
    "alpha undefined",
    "fleiss kappa (pooled)",
    "all agree % (pooled)",
)


def _summary_rows(report: AgreementReport) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for code in report.codes:
        coverage = code.pooled.coverage
        alpha = coverage.krippendorff_alpha
        fleiss = coverage.fleiss_kappa
        for pair, mean in zip(code.pooled.pairs, code.mean.pairs, strict=True):
            kappa = pair.counts.kappa
            rows.append(
                (
                    code.code,
                    pair.a,
                    pair.b,
                    kappa.value,
                    kappa.undefined,
                    landis_koch_band(kappa.value),
                    pair.counts.percent_agreement,
                    pair.segment.percent,
                    mean.kappa,
                    mean.percent_agreement,
                    alpha.value,
                    alpha.undefined,
                    None if fleiss is None else fleiss.value,
                    coverage.percent_all_agree,
                )
            )
    return rows


def _notes(report: AgreementReport) -> list[str]:
    notes = [
        f"coders: {', '.join(report.coders)}",
        f"unit: {report.unit.value}",
        f"segment threshold: {report.threshold}%",
        f"compared transcripts: {', '.join(report.transcripts) or 'none'}",
        *(f"{coder}: finished transcripts by {how}" for coder, how in report.basis),
        UNDEFINED_NOTE,
        LEVELS_NOTE,
        BANDS_NOTE,
        *(f"left out {e.transcript}: {e.reason}" for e in report.excluded),
        *(
            f"skipped coding {s.coding.coding_id} ({s.coding.coder}, {s.coding.transcript}, "
            f"{s.coding.code}, {s.coding.start}:{s.coding.end}): {s.reason}"
            for s in report.skipped
        ),
        *(f"rule: {rule}" for rule in RULES),
    ]
    return notes


def report_xlsx(report: AgreementReport) -> bytes:
    """A workbook: ``summary`` (pooled and mean per code and pair, kappa cells filled
    with their Landis–Koch colour), ``all rows`` (the CSV rows) and ``notes``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    summary = workbook.active
    summary.title = "summary"
    xlsx_row(summary, SUMMARY_HEADERS)
    for row in _summary_rows(report):
        xlsx_row(summary, row)
        band = str(row[5])
        summary.cell(summary.max_row, 4).fill = PatternFill(
            "solid", start_color=BAND_COLOURS[band], end_color=BAND_COLOURS[band]
        )
    detail = workbook.create_sheet("all rows")
    xlsx_row(detail, CSV_HEADERS)
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


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
""" + "\n".join(
    f".band-{name.replace(' ', '-')} {{ background: #{colour}; }}"
    for name, colour in BAND_COLOURS.items()
)


def _cell(value: str, *, number: bool = False, band: str | None = None) -> str:
    classes = (["number"] if number else []) + ([f"band-{band.replace(' ', '-')}"] if band else [])
    attribute = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attribute}>{html.escape(value)}</td>"


def report_html(report: AgreementReport) -> str:
    """A standalone HTML page: per code and pair (pooled, mean), all coders, per
    transcript, then notes. Kappa and alpha cells carry their Landis–Koch colour."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Agreement: {e(', '.join(report.coders))}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Agreement of {e(', '.join(report.coders))}</h1>",
        f"<p>Unit: {e(report.unit.value)} · segment threshold {report.threshold}% · "
        f"{len(report.transcripts)} transcript(s) compared</p>",
        "<h2>Per code and pair</h2><table><tr><th>code</th><th>pair</th>"
        "<th>kappa (pooled)</th><th>band</th><th>agreement %</th><th>segments</th>"
        "<th>kappa (mean)</th></tr>",
    ]
    for code in report.codes:
        for pair, mean in zip(code.pooled.pairs, code.mean.pairs, strict=True):
            kappa = pair.counts.kappa
            band = landis_koch_band(kappa.value)
            out.append(
                "<tr>"
                + _cell(code.code)
                + _cell(f"{pair.a} – {pair.b}")
                + _cell(statistic_text(kappa.value, kappa.undefined), number=True, band=band)
                + _cell(band)
                + _cell(f"{pair.counts.percent_agreement:.1f}", number=True)
                + _cell(f"{pair.segment.agreed}/{pair.segment.total}", number=True)
                + _cell(statistic_text(mean.kappa), number=True)
                + "</tr>"
            )
    out.append("</table>")
    out.append(
        "<h2>All coders</h2><table><tr><th>code</th><th>alpha (pooled)</th><th>band</th>"
        "<th>Fleiss kappa</th><th>all agree %</th><th>alpha (mean)</th></tr>"
    )
    for code in report.codes:
        coverage = code.pooled.coverage
        alpha = coverage.krippendorff_alpha
        fleiss = coverage.fleiss_kappa
        band = landis_koch_band(alpha.value)
        out.append(
            "<tr>"
            + _cell(code.code)
            + _cell(statistic_text(alpha.value, alpha.undefined), number=True, band=band)
            + _cell(band)
            + _cell(
                "" if fleiss is None else statistic_text(fleiss.value, fleiss.undefined),
                number=True,
            )
            + _cell(f"{coverage.percent_all_agree:.1f}", number=True)
            + _cell(statistic_text(code.mean.krippendorff_alpha), number=True)
            + "</tr>"
        )
    out.append("</table>")
    out.append(
        "<h2>Per transcript</h2><table><tr><th>code</th><th>transcript</th><th>pair</th>"
        "<th>kappa</th><th>agreement %</th><th>segments</th></tr>"
    )
    for code in report.codes:
        for name, comparison in code.per_transcript:
            for pair in comparison.pairs:
                kappa = pair.counts.kappa
                out.append(
                    "<tr>"
                    + _cell(code.code)
                    + _cell(name)
                    + _cell(f"{pair.a} – {pair.b}")
                    + _cell(
                        statistic_text(kappa.value, kappa.undefined),
                        number=True,
                        band=landis_koch_band(kappa.value),
                    )
                    + _cell(f"{pair.counts.percent_agreement:.1f}", number=True)
                    + _cell(f"{pair.segment.agreed}/{pair.segment.total}", number=True)
                    + "</tr>"
                )
    out.append("</table><h2>Notes</h2><ul>")
    out.extend(f"<li>{e(note)}</li>" for note in _notes(report))
    out.append("</ul></body></html>")
    return "\n".join(out) + "\n"
