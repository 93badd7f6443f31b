"""The findings chapter as one self-contained HTML page (no scripts, no network), in the
chapter's language (``lang``); every text from the project is escaped."""

from __future__ import annotations

import html

from qualcode.domain.document_info import DocumentInfo
from qualcode.domain.findings_chapter import Chapter
from qualcode.exporters.findings_outline import Block, chapter_blocks
from qualcode.exporters.html_page import page_start
from qualcode.exporters.svg_chart import bar_chart

STYLE = """
body { font-family: Georgia, serif; max-width: 48rem; margin: 2rem auto; color: #1f2328;
  line-height: 1.5; }
h1, h2, h3 { font-family: system-ui, sans-serif; }
.note { color: #59636e; font-family: system-ui, sans-serif; font-size: 0.9rem; }
blockquote { margin: 0.8rem 0; padding-left: 1rem; border-left: 3px solid #d0d7de; }
blockquote cite { font-style: normal; color: #59636e; }
table { border-collapse: collapse; margin: 0.5rem 0; font-family: system-ui, sans-serif; }
th, td { border: 1px solid #d0d7de; padding: 0.2rem 0.6rem; }
td.number { text-align: right; }
svg.chart { display: block; margin: 0.3rem 0 0.8rem; font-family: system-ui, sans-serif; }
"""


def findings_html(chapter: Chapter) -> str:
    blocks = chapter_blocks(chapter)
    # the chapter's title names the project already: the page title is that title alone
    out = page_start(blocks[0].text, DocumentInfo(language=chapter.language), STYLE)
    out.extend(_block(block) for block in blocks)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _block(block: Block) -> str:
    text = html.escape(block.text)
    if block.kind == "title":
        return f"<h1>{text}</h1>"
    if block.kind == "heading":
        return f"<h2>{text}</h2>"
    if block.kind == "subheading":
        return f"<h3>{text}</h3>"
    if block.kind == "note":
        return f'<p class="note">{text}</p>'
    if block.kind == "bullets":
        items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if block.kind == "table":
        header, *rows = block.rows
        head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
        body = "".join(
            "<tr><td>"
            + html.escape(row[0])
            + "</td>"
            + "".join(f'<td class="number">{html.escape(cell)}</td>' for cell in row[1:])
            + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if block.kind == "chart":
        return bar_chart(block.text, [(value, int(n), int(m)) for value, n, m in block.rows])
    if block.kind == "quote":
        label = html.escape(block.label)
        return f"<blockquote><p>“{text}” <cite>({label})</cite></p></blockquote>"
    return f"<p>{text}</p>"
