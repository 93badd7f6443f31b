"""Mapping positions between texts: a producer's positions into qualcode's normalised
text, and a coding's offsets from one copy of a transcript into a slightly edited copy.

All positions are code points; spans are half-open ``[start, end)``.

Source files from other tools may start with a BOM (never counted) and use CRLF line
ends. Producers disagree on whether CRLF is one character or two, so both readings are
tried and scored on the selections themselves: a reading that puts a selection past the
end of the text is impossible; otherwise each selection whose ``name`` (many tools store
the selected text there) matches the text it covers scores 3, and each boundary that falls
between words rather than inside one scores 1. A tie goes to two characters (the spec's
"code points in the file").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein


class EditMap:
    """Offsets in ``old`` mapped into ``new`` through the Levenshtein edit script."""

    def __init__(self, old: str, new: str) -> None:
        self.blocks = [
            (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
            for op in Levenshtein.opcodes(old, new)
            if op.src_start != op.src_end or op.tag == "equal"
        ]
        self.starts = [block[1] for block in self.blocks]
        self.old_length, self.new_length = len(old), len(new)

    def start(self, position: int, *, lenient: bool = False) -> int | None:
        """Where a span starting at ``position`` starts in ``new``; ``None`` if that
        character was replaced or deleted (unless ``lenient``: then the edit's start)."""
        if position >= self.old_length:
            return self.new_length if position == self.old_length else None
        tag, i1, _, j1, _ = self.blocks[bisect.bisect_right(self.starts, position) - 1]
        if tag == "equal":
            return j1 + position - i1
        return j1 if lenient or position == i1 else None

    def end(self, position: int, *, lenient: bool = False) -> int | None:
        """Where a span ending (exclusively) at ``position`` ends in ``new``."""
        if position <= 0:
            return 0 if position == 0 else None
        tag, i1, i2, j1, j2 = self.blocks[bisect.bisect_right(self.starts, position - 1) - 1]
        if tag == "equal":
            return j1 + position - i1
        return j2 if lenient or position == i2 else None


@dataclass(frozen=True, slots=True)
class MappedText:
    """A source's normalised text and how to map the producer's positions into it."""

    text: str
    notes: tuple[str, ...]
    raw_length: int
    crlf: tuple[int, ...]
    crlf_as_two: bool
    nfc: EditMap | None

    def start(self, position: int) -> int | None:
        collapsed = self._collapse(position)
        if collapsed is None or self.nfc is None:
            return collapsed
        return self.nfc.start(collapsed, lenient=True)

    def end(self, position: int) -> int | None:
        collapsed = self._collapse(position)
        if collapsed is None or self.nfc is None:
            return collapsed
        return self.nfc.end(collapsed, lenient=True)

    def _collapse(self, position: int) -> int | None:
        if self.crlf_as_two:
            if not 0 <= position <= self.raw_length:
                return None
            return position - bisect.bisect_left(self.crlf, position)
        if not 0 <= position <= self.raw_length - len(self.crlf):
            return None
        return position


def map_source_text(raw: str, named: Sequence[tuple[int, int, str]]) -> MappedText:
    """Normalise a source's text (no BOM, LF, NFC) and decide how its CRLFs were counted,
    from the ``(start, end, name)`` of its selections."""
    notes: list[str] = []
    if raw.startswith("\ufeff"):
        raw = raw[1:]
        notes.append("BOM stripped")
    crlf = tuple(match.start() for match in re.finditer("\r\n", raw))
    collapsed = raw.replace("\r\n", "\n").replace("\r", "\n")
    as_two = True
    if crlf:
        as_two = _score(raw, collapsed, crlf, named, True) >= _score(
            raw, collapsed, crlf, named, False
        )
        counted = "two characters" if as_two else "one character"
        notes.append(f"{len(crlf)} CRLF line ends -> LF (positions counted CRLF as {counted})")
    text = unicodedata.normalize("NFC", collapsed)
    nfc = None
    if text != collapsed:
        nfc = EditMap(collapsed, text)
        notes.append("Unicode normalised to NFC")
    return MappedText(text, tuple(notes), len(raw), crlf, as_two, nfc)


_TRUNCATION = ("…", "...")
_SPACES = re.compile(r"\s+")


def _score(
    raw: str,
    collapsed: str,
    crlf: tuple[int, ...],
    named: Sequence[tuple[int, int, str]],
    as_two: bool,
) -> float:
    limit = len(raw) if as_two else len(collapsed)
    score = 0
    for start, end, name in named:
        if not 0 <= start <= end <= limit:
            return float("-inf")
        if as_two:
            start -= bisect.bisect_left(crlf, start)
            end -= bisect.bisect_left(crlf, end)
        covered = _SPACES.sub(" ", collapsed[start:end]).strip()
        wanted = _SPACES.sub(" ", name).strip()
        for mark in _TRUNCATION:
            wanted = wanted.removesuffix(mark).rstrip()
        if wanted and covered.startswith(wanted):
            score += 3
        score += _between_words(collapsed, start) + _between_words(collapsed, end)
    return score


def _between_words(text: str, position: int) -> int:
    if position <= 0 or position >= len(text):
        return 1
    return 0 if text[position - 1].isalnum() and text[position].isalnum() else 1
