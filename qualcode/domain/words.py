"""The one word tokenizer used for every word count.

A word is a run of Unicode letters, digits or underscore (so Danish æ, ø, å sit inside
words), optionally joined by a hyphen or apostrophe to further runs: "family-centred",
"don't", "sagsbehandler-møde" and "7-årig" each count as one word. Punctuation,
dashes surrounded by spaces ("–") and speaker-label colons are not words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

WORD_PATTERN = re.compile(r"\w+(?:['’\-‐]\w+)*")


def count_words(text: str) -> int:
    """Number of words in ``text`` by :data:`WORD_PATTERN` (counted one match at a time:
    a list of every word of a 45 MB transcript would take 250 MB)."""
    return sum(1 for _ in WORD_PATTERN.finditer(text))


def iter_word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Half-open code-point spans of each word."""
    for match in WORD_PATTERN.finditer(text):
        yield match.start(), match.end()
