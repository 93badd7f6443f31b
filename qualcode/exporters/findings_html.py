"""The findings chapter as one self-contained HTML page (no scripts, no network), in the
chapter's language (``lang``); every text from the project is escaped."""

from __future__ import annotations

import html

from qualcode.domain.document_info import DocumentInfo
from qualcode.domain.findings_chapter import Chapter
from qualcode.exporters.findings_outline import Block, chapter_blocks
from qualcode.exporters.html_page import page_start

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
        return bar_chart(block.text, block.rows)
    if block.kind == "quote":
        label = html.escape(block.label)
        return f"<blockquote><p>“{text}” <cite>({label})</cite></p></blockquote>"
    return f"<p>{text}</p>"


CHART_WIDTH = 420
LABEL_WIDTH = 120
BAR_WIDTH = 220
ROW_HEIGHT = 22


def bar_chart(description: str, rows: tuple[tuple[str, ...], ...]) -> str:
    """An inline SVG (no script, no network): one bar per ``(value, raised, of)`` row,
    as long as raised ÷ of of the full width over a pale bar for all, labelled "n/m".
    ``description`` is its accessible title."""
    height = ROW_HEIGHT * len(rows) + 4
    out = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}">',
        f"<title>{html.escape(description)}</title>",
    ]
    for index, (value, raised, of) in enumerate(rows):
        n, m = int(raised), int(of)
        top = 2 + index * ROW_HEIGHT
        filled = round(BAR_WIDTH * n / m) if m else 0
        middle = top + ROW_HEIGHT / 2 + 4
        out.extend(
            [
                f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" font-size="12">'
                f"{html.escape(value)}</text>",
                f'<rect x="{LABEL_WIDTH}" y="{top + 3}" width="{BAR_WIDTH}" '
                f'height="{ROW_HEIGHT - 6}" fill="#eaeef2"/>',
                f'<rect x="{LABEL_WIDTH}" y="{top + 3}" width="{filled}" '
                f'height="{ROW_HEIGHT - 6}" fill="#0969da"/>',
                f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{middle}" font-size="12">'
                f"{n}/{m}</text>",
            ]
        )
    out.append("</svg>")
    return "".join(out)
