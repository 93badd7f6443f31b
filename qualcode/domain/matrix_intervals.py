"""Interval arithmetic on half-open ``[start, end)`` code-point spans, and counting words
in spans, for matrices (standard library only)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

Interval = tuple[int, int]
"""A half-open ``(start, end)`` range of code points."""
Intervals = tuple[Interval, ...]


def merge_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Union overlapping and touching spans into sorted, disjoint, non-touching intervals
    (the rule of :func:`qualcode.domain.spans.merge_spans`, as plain tuples for speed).
    Empty or reversed spans are dropped."""
    merged: list[Interval] = []
    current_start = current_end = -1
    for start, end in sorted(spans):
        if end <= start:
            continue
        if start <= current_end:
            if end > current_end:
                current_end = end
            continue
        if current_end >= 0:
            merged.append((current_start, current_end))
        current_start, current_end = start, end
    if current_end >= 0:
        merged.append((current_start, current_end))
    return merged


def intersect_intervals(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """Pieces of ``first`` ∩ ``second`` (both sorted and disjoint), in order."""
    pieces: list[Interval] = []
    if not first or not second:
        return pieces
    next_first, next_second = iter(first).__next__, iter(second).__next__
    a_start, a_end = next_first()
    b_start, b_end = next_second()
    try:  # a two-pointer walk; it ends when either list runs out
        while True:
            start = a_start if a_start > b_start else b_start
            end = a_end if a_end < b_end else b_end
            if start < end:
                pieces.append((start, end))
            if a_end < b_end:
                a_start, a_end = next_first()
            else:
                b_start, b_end = next_second()
    except StopIteration:
        return pieces


def clip_intervals(spans: Sequence[Interval], region: Sequence[Interval]) -> Sequence[Interval]:
    """``spans`` ∩ ``region`` (both sorted and disjoint), returning ``spans`` itself when
    one region interval holds them all and nothing when the two do not meet (the common
    cases: whole-transcript rows, and rows in other parts of a transcript)."""
    if not spans or not region:
        return ()
    first, last = spans[0][0], spans[-1][1]
    if last <= region[0][0] or region[-1][1] <= first:
        return ()
    if len(region) == 1 and region[0][0] <= first and last <= region[0][1]:
        return spans
    return intersect_intervals(spans, region)


def intersection_length(first: Sequence[Interval], second: Sequence[Interval]) -> int:
    """Number of code points in ``first`` ∩ ``second`` (both sorted and disjoint)."""
    return sum(end - start for start, end in clip_intervals(first, second))


def overlaps(first: Sequence[Interval], second: Sequence[Interval]) -> bool:
    """Whether two sorted, disjoint interval lists share at least one code point."""
    i = j = 0
    while i < len(first) and j < len(second):
        if first[i][0] < second[j][1] and second[j][0] < first[i][1]:
            return True
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return False


def total_length(spans: Iterable[Interval]) -> int:
    return sum(end - start for start, end in spans)


_WORD, _JOINER, _OTHER = ord("w"), ord("j"), ord(" ")
_JOINERS = "'’-‐"  # the characters WORD_PATTERN lets join two runs of letters/digits
_NOT_LATIN1 = re.compile(r"[^\x00-\xff]")


def _character_class(char: str) -> int:
    if char.isalnum() or char == "_":  # exactly what \w means in a str pattern
        return _WORD
    return _JOINER if char in _JOINERS else _OTHER


_LATIN1_CLASSES = bytes(_character_class(chr(byte)) for byte in range(256))


def word_mask(text: str) -> bytes:
    """One byte per code point of ``text``: ``w`` inside a word (by
    :data:`~qualcode.domain.words.WORD_PATTERN`, joining hyphens and apostrophes
    included), a space elsewhere. Built with C-speed bytes operations, so words can be
    counted in any span without running the tokenizer again."""
    try:
        classes = text.encode("latin-1").translate(_LATIN1_CLASSES)
    except UnicodeEncodeError:
        patched = bytearray(text.encode("latin-1", "replace").translate(_LATIN1_CLASSES))
        for match in _NOT_LATIN1.finditer(text):
            patched[match.start()] = _character_class(match.group())
        classes = bytes(patched)
    # A joiner between two word characters is inside the word. Two passes catch every
    # one: the first misses only joiners whose left letter it has just consumed.
    joined = classes.replace(b"wjw", b"www").replace(b"wjw", b"www")
    return joined.replace(b"j", b" ")


def count_coded_words(mask: bytes, pieces: Sequence[Interval]) -> int:
    """Words with at least one character inside ``pieces`` (sorted, disjoint,
    non-touching), each counted once; ``mask`` is the text's :func:`word_mask`.

    In a piece the words are the word starts inside it plus the word the piece opens
    in; a word reaching across the gap to the previous piece was already counted."""
    total = 0
    previous_end = -1
    for start, end in pieces:
        found = mask.count(b" w", start, end)
        if mask[start] == _WORD:
            found += 1
            if previous_end > 0 and mask.find(b" ", previous_end - 1, start + 1) == -1:
                found -= 1  # the same word runs from the previous piece into this one
        total += found
        previous_end = end
    return total
