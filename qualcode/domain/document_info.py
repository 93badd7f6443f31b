"""What an exported document says about where it came from: the project's name (for a
workbook's printed footer and a page's title) and its language (for a page's ``lang``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    project: str = ""
    """The project's file name (``demo.qualcode``); empty when unknown."""
    language: str = DEFAULT_LANGUAGE
    """A BCP 47 tag for the text the document quotes (``da``, ``en``)."""


UNKNOWN_DOCUMENT = DocumentInfo()
"""For documents built without a project (tests, hand-built matrices)."""


def main_language(languages: Iterable[tuple[str | None, int]]) -> str:
    """The language most of a project's text is in, from ``(language, characters)`` per
    transcript — the one rule for every exported page and the findings chapter: unknown
    languages are ignored, a tie goes to the alphabetically first (so a document does not
    flip between runs), and :data:`DEFAULT_LANGUAGE` when none is known."""
    totals: Counter[str] = Counter()
    for language, characters in languages:
        if language:
            totals[language] += characters
    if not totals:
        return DEFAULT_LANGUAGE
    return min(totals, key=lambda language: (-totals[language], language))


def project_label(location: str) -> str:
    """The last part of a project's location: its file name, or a database URL's name
    without anything before it (so no host or password ends up in a document)."""
    last = location.split("?")[0].replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit("@", 1)[-1]  # a URL without a database name ends in user:password@host
