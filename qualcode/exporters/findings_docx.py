"""The findings chapter as a Word document (python-docx, imported only here): the title
in the "Title" style, each theme a "Heading 1", its parts "Heading 2", quotes in the
built-in "Quote" style followed by the case label, tables in "Table Grid" — real styles,
so Word's navigation pane and a table of contents pick them up and the researcher can
restyle the whole chapter at once. The chapter's language is set on the "Normal" style,
so Word and LibreOffice check the spelling of a Danish chapter in Danish; the tables'
counts are right-aligned and their header row repeats on every page."""

from __future__ import annotations

import io
from typing import Any

from qualcode.domain.findings_chapter import Chapter
from qualcode.exporters.findings_outline import Block, chapter_blocks

QUOTE_STYLE = "Quote"
TABLE_STYLE = "Table Grid"
SPELLING = {"da": "da-DK", "en": "en-GB"}
"""The language tag Word's spelling check knows for a chapter's language."""


def findings_docx(chapter: Chapter) -> bytes:
    from docx import Document

    document = Document()
    blocks = chapter_blocks(chapter)
    document.core_properties.title = blocks[0].text
    document.core_properties.language = chapter.language
    _set_language(document, SPELLING.get(chapter.language, chapter.language))
    for block in blocks:
        _add(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add(document: Any, block: Block) -> None:
    if block.kind == "title":
        document.add_heading(block.text, level=0)
    elif block.kind == "heading":
        document.add_heading(block.text, level=1)
    elif block.kind == "subheading":
        document.add_heading(block.text, level=2)
    elif block.kind == "note":
        document.add_paragraph().add_run(block.text).italic = True
    elif block.kind == "bullets":
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")
    elif block.kind == "table":
        _table(document, block.rows)
    elif block.kind == "chart":
        pass  # the table beside it says the same; Word's own charts are for the researcher
    elif block.kind == "quote":
        paragraph = document.add_paragraph(f"“{block.text}” ", style=QUOTE_STYLE)
        paragraph.add_run(f"({block.label})")
    else:
        document.add_paragraph(block.text)


def _table(document: Any, rows: tuple[tuple[str, ...], ...]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = TABLE_STYLE
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            paragraph = cell.paragraphs[0]
            if c > 0:  # the counts (and their headers) line up on the right
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if r == 0:
                for run in paragraph.runs:
                    run.bold = True


def _set_language(document: Any, tag: str) -> None:
    """``tag`` as the language of the "Normal" style, which every other style is based on."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = document.styles["Normal"].element.get_or_add_rPr()
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), tag)
