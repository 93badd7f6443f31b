"""The findings chapter's numbers and quotes as a workbook (openpyxl), for a researcher
who builds the report's tables in a spreadsheet rather than reading the chapter:

- ``themes``: one row per theme and, indented below it, each sub-code: its definition,
  how many cases raised it, of how many, and (with ``--by``) how many per attribute
  value, each value's column headed with the number of cases that have it ("6-11 (of
  2)"; the caption names the attribute);
- ``quotes``: the chosen quotes, one per row, with their theme and case label;
- ``summaries`` (when any exist): the framework summaries per theme and case;
- ``negative cases``: per theme, the cases that did not raise it;
- ``about``: coders, filters and the counting rule, in the chapter's language.

The counts are the chapter's (the matrix's presence measure). Every sheet is laid out by
:func:`qualcode.exporters.xlsx_style.add_table`: it prints one page wide, with the project
and export date in the footer.
"""

from __future__ import annotations

from typing import Any

from qualcode.domain.document_info import DocumentInfo
from qualcode.domain.findings import negative_heading
from qualcode.domain.findings_chapter import Chapter, CodeCount
from qualcode.domain.matrix_rows import NO_VALUE
from qualcode.exporters.tables import Cell
from qualcode.exporters.xlsx_style import COUNT, SheetColumn, add_table, workbook_bytes

THEMES_SHEET = "themes"
QUOTES_SHEET = "quotes"
SUMMARIES_SHEET = "summaries"
NEGATIVE_SHEET = "negative cases"
ABOUT_SHEET = "about"
SUBCODE_INDENT = "    "
"""Put before a sub-code's name, so it reads as part of the theme above it."""


def findings_xlsx(chapter: Chapter) -> bytes:
    """The workbook's bytes (sheets as the module describes; ``summaries`` only when the
    chapter has any)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    document = DocumentInfo(chapter.project, chapter.language)
    _themes_sheet(workbook, chapter, document)
    phrases, noun = chapter.phrases, chapter.noun
    if chapter.quotes_wanted:
        quotes = [
            (theme.theme.heading, quote.label, quote.text)
            for theme in chapter.themes
            for quote in theme.quotes
        ]
        _text_sheet(workbook, chapter, document, QUOTES_SHEET, phrases.quotes, quotes)
    summaries = [
        (theme.theme.heading, case, text)
        for theme in chapter.themes
        for case, text in theme.summaries
    ]
    if summaries:
        _text_sheet(workbook, chapter, document, SUMMARIES_SHEET, phrases.summaries, summaries)
    heading = negative_heading(phrases, noun)
    negative: list[list[Cell]] = [
        [theme.theme.heading, len(theme.negative), ", ".join(theme.negative)]
        for theme in chapter.themes
    ]
    columns = [
        SheetColumn(phrases.theme_column),
        SheetColumn(noun.plural, COUNT),
        SheetColumn(heading, long_text=True),
    ]
    add_table(workbook, NEGATIVE_SHEET, columns, negative, document, caption=heading)
    about: list[list[Cell]] = [
        [phrases.coders, ", ".join(chapter.coders) or phrases.none],
        [phrases.filters, "; ".join(chapter.filters) or phrases.none],
        ["", phrases.lead.format(noun=noun.singular)],
    ]
    columns = [SheetColumn("setting"), SheetColumn("value", long_text=True)]
    add_table(
        workbook, ABOUT_SHEET, columns, about, document, caption=f"{phrases.title}: {phrases.about}"
    )
    return workbook_bytes(workbook)


def _text_sheet(
    workbook: Any,
    chapter: Chapter,
    document: DocumentInfo,
    name: str,
    heading: str,
    rows: list[tuple[str, str, str]],
) -> None:
    """A sheet of ``(theme, case label, text)`` rows, the text column headed ``heading``."""
    columns = [
        SheetColumn(chapter.phrases.theme_column),
        SheetColumn(chapter.noun.singular),
        SheetColumn(heading, long_text=True),
    ]
    add_table(workbook, name, columns, rows, document, caption=heading)


def _themes_sheet(workbook: Any, chapter: Chapter, document: DocumentInfo) -> None:
    phrases, noun = chapter.phrases, chapter.noun
    first = chapter.themes[0].theme if chapter.themes else None
    values = first.by_value if first is not None else ()
    columns = [
        SheetColumn(phrases.theme_column),
        SheetColumn(phrases.definition_column),
        SheetColumn(phrases.raised_column, COUNT),
        SheetColumn(noun.plural, COUNT),
        # "(of 2)" held together by a no-break space: the header wraps before it
        *(SheetColumn(f"{_value(chapter, v.value)} (of\u00a0{v.m})", COUNT) for v in values),
    ]
    rows: list[list[Cell]] = []
    bold: set[int] = set()
    for theme in chapter.themes:
        bold.add(len(rows))
        rows.append(_count_row(chapter, theme.theme, ""))
        rows.extend(_count_row(chapter, code, SUBCODE_INDENT) for code in theme.subcodes)
    nouns = noun.plural[:1].upper() + noun.plural[1:]  # the rest as written: "NGOs"
    caption = f"{phrases.title}: {phrases.counts_caption.format(Nouns=nouns)}"
    if chapter.by is not None:
        caption += ". " + phrases.by.format(name=chapter.by).rstrip(": ")
    add_table(
        workbook,
        THEMES_SHEET,
        columns,
        rows,
        document,
        bold_rows=frozenset(bold),
        caption=caption,
    )


def _count_row(chapter: Chapter, code: CodeCount, indent: str) -> list[Cell]:
    row: list[Cell] = [indent + code.heading, code.description or "", code.n, code.m]
    return row + [v.n for v in code.by_value] if chapter.by is not None else row


def _value(chapter: Chapter, value: str) -> str:
    return chapter.phrases.no_value if value == NO_VALUE else value
