"""The findings chapter as a list of blocks (headings, paragraphs, tables, quotes, lists)
in the chapter's language: every format (Markdown, HTML, Word) draws the same blocks, so
the wording and the numbers agree across them."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.domain.findings import (
    by_value_sentence,
    count_phrase,
    everyone_sentence,
    negative_heading,
    quotes_sentence,
    raised_sentence,
)
from qualcode.domain.findings_chapter import Chapter, CodeCount, ThemeFindings
from qualcode.domain.matrix_rows import NO_VALUE


@dataclass(frozen=True, slots=True)
class Block:
    """``kind``: ``title``, ``heading`` (a theme), ``subheading``, ``paragraph``,
    ``note`` (small print), ``bullets`` (``items``), ``table`` (``rows``, the first is
    the header), ``chart`` (the table's ``rows`` as a picture, for formats that draw:
    value, raised, of; ``text`` describes it) or ``quote`` (``text`` and its ``label``)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    label: str = ""


def chapter_blocks(chapter: Chapter) -> list[Block]:
    phrases, noun = chapter.phrases, chapter.noun
    blocks = [Block("title", f"{phrases.title}: {chapter.project}")]
    coders = ", ".join(chapter.coders) or phrases.none
    filters = "; ".join(chapter.filters) or phrases.none
    settings = f"{phrases.coders}: {coders}. {phrases.filters}: {filters}."
    blocks.append(Block("note", phrases.lead.format(noun=noun.singular) + " " + settings))
    for theme in chapter.themes:
        blocks.extend(_theme_blocks(chapter, theme))
    return blocks


def _theme_blocks(chapter: Chapter, theme: ThemeFindings) -> list[Block]:
    phrases, noun = chapter.phrases, chapter.noun
    count = theme.theme
    blocks = [Block("heading", count.heading)]
    if count.description:
        blocks.append(Block("paragraph", count.description))
    blocks.append(Block("paragraph", raised_sentence(phrases, noun, count.n, count.m)))
    if chapter.by is not None:
        values = [(_value(chapter, v.value), v.n, v.m) for v in count.by_value]
        blocks.append(Block("paragraph", by_value_sentence(phrases, noun, chapter.by, values)))
        table = _by_table(chapter, count)
        blocks.append(Block("table", rows=table))
        sentence = raised_sentence(phrases, noun, count.n, count.m)
        blocks.append(Block("chart", f"{count.heading}: {sentence}", rows=table[1:]))
    if theme.subcodes:
        blocks.append(Block("subheading", phrases.subcodes))
        blocks.append(
            Block("bullets", items=tuple(_subcode_line(chapter, s) for s in theme.subcodes))
        )
    if chapter.quotes_wanted:
        blocks.append(Block("subheading", phrases.quotes))
        if theme.quotes:
            used = quotes_sentence(phrases, noun, len(theme.quotes), theme.quote_cases)
            blocks.append(Block("note", used))
            blocks.extend(Block("quote", q.text, label=q.label) for q in theme.quotes)
        else:
            blocks.append(Block("note", phrases.no_quotes))
    if theme.summaries:
        blocks.append(Block("subheading", phrases.summaries))
        blocks.append(Block("bullets", items=tuple(f"{c}: {t}" for c, t in theme.summaries)))
    blocks.append(Block("subheading", negative_heading(phrases, noun)))
    if theme.negative:
        blocks.append(Block("paragraph", ", ".join(theme.negative) + "."))
    else:
        blocks.append(Block("paragraph", everyone_sentence(phrases, noun)))
    return blocks


def _by_table(chapter: Chapter, count: CodeCount) -> tuple[tuple[str, ...], ...]:
    plural = chapter.noun.plural
    header = (chapter.by or "", chapter.phrases.raised_column, plural)
    rows = [(_value(chapter, v.value), str(v.n), str(v.m)) for v in count.by_value]
    return (header, *rows)


def _subcode_line(chapter: Chapter, code: CodeCount) -> str:
    phrases, noun = chapter.phrases, chapter.noun
    line = f"{code.heading}: {count_phrase(phrases, noun, code.n, code.m)}"
    if chapter.by is not None and code.by_value:
        split = "; ".join(f"{_value(chapter, v.value)}: {v.n}/{v.m}" for v in code.by_value)
        line += f" ({split})"
    return line


def _value(chapter: Chapter, value: str) -> str:
    """An attribute value as the chapter shows it ("(no value)" in its language)."""
    return chapter.phrases.no_value if value == NO_VALUE else value
