"""Pure layout helpers for the transcript view: wrapping text into visual lines,
sentence boundaries, and the coded stretches of a text (which codings cover what).

Offsets are code points into the transcript text, half-open ``[start, end)``. One
code point is taken as one terminal cell (true for the Latin, Danish and typographic
characters of interview transcripts; wide CJK characters would overflow a line).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*\s+|\n\s*")


@dataclass(frozen=True, slots=True)
class VisualLine:
    """One row of wrapped text: ``[start, end)`` without its line break or the space it
    was broken at."""

    start: int
    end: int


class WrappedLines(Sequence[VisualLine]):
    """Visual lines kept as two lists of offsets (a 50,000-word transcript has over
    10,000 rows: objects per row would cost more than the wrapping)."""

    def __init__(self, starts: list[int], ends: list[int]) -> None:
        self.starts = starts
        self.ends = ends

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> VisualLine: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[VisualLine]: ...

    def __getitem__(self, index: int | slice) -> VisualLine | Sequence[VisualLine]:
        if isinstance(index, slice):
            return [
                VisualLine(s, e) for s, e in zip(self.starts[index], self.ends[index], strict=True)
            ]
        return VisualLine(self.starts[index], self.ends[index])


def wrap_lines(text: str, width: int) -> WrappedLines:
    """Greedy word wrap of ``text`` (``\\n`` line ends) to ``width`` cells.

    Breaks at the last space that fits; a word longer than the width is cut. An empty
    text, or an empty line, gives one empty visual line."""
    width = max(1, width)
    starts: list[int] = []
    ends: list[int] = []
    add_start, add_end = starts.append, ends.append
    find, rfind = text.find, text.rfind
    position = 0
    length = len(text)
    while True:
        newline = find("\n", position)
        paragraph_end = length if newline < 0 else newline
        start = position
        while paragraph_end - start > width:
            space = rfind(" ", start, start + width + 1)
            if space > start:
                add_start(start)
                add_end(space)
                start = space + 1
            else:
                add_start(start)
                add_end(start + width)
                start += width
        add_start(start)
        add_end(paragraph_end)
        if newline < 0:
            return WrappedLines(starts, ends)
        position = newline + 1


def line_index(starts: Sequence[int], offset: int) -> int:
    """Which visual line (by their sorted ``starts``) holds ``offset``."""
    return max(0, bisect_right(starts, offset) - 1)


def sentence_starts(text: str, extra: Sequence[int] = ()) -> list[int]:
    """Sorted offsets where sentences begin: the text start, after ``.!?…`` plus
    whitespace, after line breaks, and the ``extra`` offsets (turn starts)."""
    starts = {0, *extra}
    starts.update(m.end() for m in _SENTENCE_END.finditer(text) if m.end() < len(text))
    return sorted(starts)


def sentence_around(text: str, starts: Sequence[int], offset: int) -> tuple[int, int]:
    """The sentence holding ``offset``: from its start to its last non-space character."""
    index = max(0, bisect_right(starts, offset) - 1)
    start = starts[index] if starts else 0
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, max(end, min(start + 1, len(text)))


def next_boundary(points: Sequence[int], offset: int, forward: bool) -> int | None:
    """The first of the sorted ``points`` after ``offset`` (or last before it)."""
    if forward:
        index = bisect_right(points, offset)
        return points[index] if index < len(points) else None
    index = bisect_left(points, offset) - 1
    return points[index] if index >= 0 else None


@dataclass(frozen=True, slots=True)
class Stretch:
    """A maximal ``[start, end)`` stretch covered by the same codings (their indexes into
    the codings list, in the order the codings start)."""

    start: int
    end: int
    codings: tuple[int, ...]


def coded_stretches(spans: Sequence[tuple[int, int]]) -> list[Stretch]:
    """Sweep the spans' start and end points into disjoint stretches; uncoded gaps are
    left out. Cost O(n log n) in the number of spans, independent of text length."""
    points: list[tuple[int, int, int]] = []
    for index, (start, end) in enumerate(spans):
        if end > start:
            points.append((start, 1, index))
            points.append((end, 0, index))
    points.sort()
    stretches: list[Stretch] = []
    active: dict[int, None] = {}  # in order of start: the order codings are listed
    previous = 0
    for position, kind, index in points:
        if position > previous and active:
            stretches.append(Stretch(previous, position, tuple(active)))
        previous = position
        if kind:
            active[index] = None
        else:
            active.pop(index, None)
    return stretches


def stretches_between(
    stretches: Sequence[Stretch], ends: Sequence[int], start: int, end: int
) -> list[Stretch]:
    """The stretches overlapping ``[start, end)`` (``ends`` are the stretches' sorted end
    points, which increase since stretches are disjoint and sorted)."""
    found: list[Stretch] = []
    index = bisect_right(ends, start)
    while index < len(stretches) and stretches[index].start < end:
        found.append(stretches[index])
        index += 1
    return found
