"""Codings: a coder's application of a code to a span of a transcript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class NewCoding(NamedTuple):
    """A coding about to be stored in bulk (codings import, consensus layer), by ids:
    ``start``/``end`` half-open code points, ``text`` the transcript's text there
    (domain/spans.py ``span_text``). A tuple, because the bulk insert hands rows to the
    database driver as they are."""

    transcript_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    text: str
    memo: str | None


HUMAN = "human"
"""The origin of a coding made by hand (by a command, a key, an import)."""
SUGGESTED = "suggested"
"""The origin of a coding a coder made by accepting a code suggestion."""
ORIGINS = (HUMAN, SUGGESTED)


@dataclass(frozen=True, slots=True)
class Coding:
    """A stored coding. ``start``/``end`` are half-open code points; ``text`` is the
    anchor text (the coded passage as stored); ``origin`` one of :data:`ORIGINS` (an
    accepted suggestion stays one when undone and redone or its span adjusted, and
    becomes :data:`HUMAN` when recoded by hand)."""

    id: int
    transcript: str
    code_path: str
    coder: str
    start: int
    end: int
    text: str
    memo: str | None
    created_at: str
    origin: str = HUMAN


@dataclass(frozen=True, slots=True)
class CodingRequest:
    """One coding to create, e.g. a row of a codings CSV. ``line`` locates it in its file."""

    transcript: str
    code_path: str
    coder: str
    start: int
    end: int
    memo: str | None = None
    line: int | None = None
    expected_text: str | None = None


CODING_FIELDS = ("id", "transcript", "code", "coder", "start", "end", "text", "memo")
"""Column order of coding listings and exports."""
