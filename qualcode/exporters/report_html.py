"""The quotes-by-theme report as one self-contained HTML page."""

from __future__ import annotations

import html

from qualcode.domain.matrix_report import ThemeReport
from qualcode.exporters.matrix_tables import passage_reference
from qualcode.exporters.report_markdown import attribute_line, passage_source, report_lead

STYLE = """
body { font-family: Georgia, serif; max-width: 48rem; margin: 2rem auto; color: #1f2328; }
h1, h2 { font-family: system-ui, sans-serif; }
.attributes, footer, .lead { color: #59636e; font-family: system-ui, sans-serif; }
blockquote { margin: 1rem 0; padding-left: 1rem; border-left: 3px solid #d0d7de; }
blockquote p { white-space: pre-wrap; margin: 0 0 0.3rem; }
.summary { background: #fff8c5; padding: 0.5rem; }
"""


def report_html(report: ThemeReport) -> str:
    def text(value: str) -> str:
        return html.escape(value)

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{text(report.code)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        f"<h1>{text(report.code)}</h1>",
    ]
    if report.description:
        out.append(f"<p>{text(report.description)}</p>")
    out.append('<ul class="lead">')
    out.extend(f"<li>{text(line)}</li>" for line in report_lead(report))
    out.append("</ul>")
    for section in report.sections:
        out.append(f"<section><h2>{text(section.title)}</h2>")
        if section.attributes:
            out.append(f'<p class="attributes">{text(attribute_line(section))}</p>')
        if section.summary is not None:
            out.append(
                f'<p class="summary"><strong>Summary:</strong> {text(section.summary.text)}</p>'
            )
        for passage in section.passages:
            source = passage_source(report, passage.codes, passage_reference(passage))
            out.append(
                f"<blockquote><p>{text(passage.text)}</p>"
                f"<footer>— {text(source)}</footer></blockquote>"
            )
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
