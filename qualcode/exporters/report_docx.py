"""The quotes-by-theme report as a Word document (python-docx, imported only here)."""

from __future__ import annotations

import io

from qualcode.domain.matrix_report import ThemeReport
from qualcode.exporters.matrix_tables import passage_reference
from qualcode.exporters.report_markdown import attribute_line, passage_source, report_lead


def report_docx(report: ThemeReport) -> bytes:
    """Heading per case, attribute values in italics, the summary in bold, each passage
    as a "Quote" paragraph followed by its source."""
    from docx import Document

    document = Document()
    document.core_properties.title = report.code
    document.add_heading(report.code, level=1)
    if report.description:
        document.add_paragraph(report.description)
    for line in report_lead(report):
        document.add_paragraph(line, style="List Bullet")
    for section in report.sections:
        document.add_heading(section.title, level=2)
        if section.attributes:
            document.add_paragraph().add_run(attribute_line(section)).italic = True
        if section.summary is not None:
            paragraph = document.add_paragraph()
            paragraph.add_run("Summary: ").bold = True
            paragraph.add_run(section.summary.text)
        for passage in section.passages:
            document.add_paragraph(passage.text, style="Quote")
            source = passage_source(report, passage.codes, passage_reference(passage))
            document.add_paragraph(f"— {source}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
