"""Sentences as units of analysis: half-open code-point spans into normalised text.

A sentence ends after a run of ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or
brackets right after it) that is followed by whitespace or the end of the region, and
at every blank line (a paragraph break). A single line break does not end a sentence,
so hyphenated or wrapped lines stay together. Spans are trimmed of surrounding
whitespace; empty ones are dropped. Abbreviations such as "Dr." end a sentence too:
the rule is simple on purpose, so that everyone can predict the units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_BOUNDARY = re.compile(
    r"(?P<stop>[.!?…]+[\"'”’»)\]]*)(?=\s|\Z)"  # end punctuation, closers, then a space
    r"|(?P<paragraph>\n[ \t]*\n\s*)"  # a blank line
)
_SPACE = " \t\n\r\f\v\u00a0"


def sentence_spans(
    text: str, regions: Iterable[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Sentences of ``text``, split within each region (default: the whole text).

    Regions (e.g. speaker turns, so that labels are not part of a sentence) must be
    sorted and disjoint; the result is sorted, disjoint and inside the regions.
    """
    spans: list[tuple[int, int]] = []
    for region_start, region_end in regions if regions is not None else [(0, len(text))]:
        cursor = region_start
        for match in _BOUNDARY.finditer(text, region_start, region_end):
            if match["stop"] is not None:
                _add_trimmed(text, cursor, match.end(), spans)
            else:
                _add_trimmed(text, cursor, match.start(), spans)
            cursor = match.end()
        _add_trimmed(text, cursor, region_end, spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    if end > start:
        spans.append((start, end))
