"""Spans: half-open ``[start, end)`` ranges of Unicode code points into normalised text.

Every place that shows or exports a span reads its text through :func:`span_text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qualcode.domain.errors import InputError
from qualcode.domain.text_entry import MAX_INTEGER, parse_integer, shown


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` in code points; ``start < end``."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


def span_problem(text_length: int, start: int, end: int) -> str | None:
    """Why ``[start, end)`` is not a valid, non-empty span of a text, or ``None`` if it is."""
    if start < 0 or end < 0:
        return f"span {start}:{end} has a negative offset"
    if end < start:
        return f"span {start}:{end} is reversed (end before start)"
    if end == start:
        return f"span {start}:{end} is empty"
    if end > text_length:
        return f"span {start}:{end} is out of range (text has {text_length} characters)"
    return None


def parse_span(value: str, source: str = "--span") -> Span:
    """Parse ``"START:END"`` into a :class:`Span` (validity against a text is checked later)."""
    parts = value.split(":")
    if len(parts) != 2 or not all(_is_number(p) for p in parts):
        raise InputError(source, f"expected START:END in code points, got {shown(value)}")
    start, end = (_offset(part, source) for part in parts)
    return Span(start, end)


def _offset(part: str, source: str) -> int:
    """One offset; its size is range-checked, its sign left to ``span_problem`` (which
    names a negative offset as such)."""
    digits = part.strip()
    sign = -1 if digits.startswith("-") else 1
    return sign * parse_integer(digits.removeprefix("-"), source, maximum=MAX_INTEGER)


def _is_number(part: str) -> bool:
    digits = part.strip().removeprefix("-")
    return digits.isascii() and digits.isdigit()


def span_text(text: str, start: int, end: int) -> str:
    """The text a span covers. Offsets are code points, half-open."""
    return text[start:end]


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[Span]:
    """Union overlapping *and touching* spans; returns sorted, disjoint, non-touching spans.

    Empty or reversed spans are dropped.
    """
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [Span(s, e) for s, e in merged]
