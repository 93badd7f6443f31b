"""The quotes-by-theme report as Markdown: one section per case, its attribute values,
its framework summary, then each passage as a quotation with its source."""

from __future__ import annotations

from qualcode.domain.matrix_report import ReportSection, ThemeReport
from qualcode.exporters.matrix_tables import passage_reference
from qualcode.exporters.safe_cells import markdown_text


def report_lead(report: ThemeReport) -> list[str]:
    """The lines under the title: passages and cases counted, coders, filters."""
    cases = sum(1 for s in report.sections if s.case is not None and s.passages)
    settings = dict(report.settings.describe())
    passages = report.passage_count
    return [
        f"{passages} passage{'s' * (passages != 1)} in {cases} case{'s' * (cases != 1)}",
        f"coders: {settings['coders']}",
        f"filters: {settings['filters']}",
    ]


def attribute_line(section: ReportSection) -> str:
    return " · ".join(f"{name}: {value}" for name, value in section.attributes)


def passage_source(report: ThemeReport, codes: tuple[str, ...], reference: str) -> str:
    """The passage's reference, plus its sub-codes when they are not just the theme."""
    shown = [c for c in codes if c != report.code]
    return reference + (f" · {', '.join(shown)}" if shown else "")


def report_markdown(report: ThemeReport) -> str:
    """Every text from the project passes :func:`markdown_text` (raw HTML escaped)."""
    out = [f"# {markdown_text(report.code)}", ""]
    if report.description:
        out.extend([markdown_text(report.description), ""])
    out.extend(f"- {markdown_text(line)}" for line in report_lead(report))
    for section in report.sections:
        if out[-1]:
            out.append("")
        out.extend([f"## {markdown_text(section.title)}", ""])
        if section.attributes:
            out.extend([f"*{markdown_text(attribute_line(section))}*", ""])
        if section.summary is not None:
            out.extend([f"> **Summary:** {markdown_text(section.summary.text)}", ""])
        for passage in section.passages:
            text = markdown_text(" ".join(passage.text.split()))
            source = passage_source(report, passage.codes, passage_reference(passage))
            out.extend([f"> “{text}”", f"> — {markdown_text(source)}", ""])
    return "\n".join(out).rstrip("\n") + "\n"
