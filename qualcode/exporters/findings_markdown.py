"""The findings chapter as Markdown: the title as ``#``, a theme per ``##``, its parts as
``###``; every text from the project passes :func:`markdown_text` (raw HTML escaped)."""

from __future__ import annotations

from qualcode.domain.findings_chapter import Chapter
from qualcode.exporters.findings_outline import Block, chapter_blocks
from qualcode.exporters.safe_cells import markdown_text


def findings_markdown(chapter: Chapter) -> str:
    out: list[str] = []
    for block in chapter_blocks(chapter):
        if block.kind != "chart":  # the table beside it says the same in text
            out.extend(_block(block))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _block(block: Block) -> list[str]:
    text = markdown_text(block.text)
    if block.kind == "title":
        return [f"# {text}"]
    if block.kind == "heading":
        return [f"## {text}"]
    if block.kind == "subheading":
        return [f"### {text}"]
    if block.kind == "note":
        return [f"*{text}*"]
    if block.kind == "bullets":
        return [f"- {markdown_text(item)}" for item in block.items]
    if block.kind == "table":
        header, *rows = [[_cell(cell) for cell in row] for row in block.rows]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return lines + ["| " + " | ".join(row) + " |" for row in rows]
    if block.kind == "quote":
        return [f"> “{text}” ({markdown_text(block.label)})"]
    return [text]


def _cell(text: str) -> str:
    """A table cell: a ``|`` in user text would end the cell."""
    return markdown_text(text).replace("|", "\\|")
