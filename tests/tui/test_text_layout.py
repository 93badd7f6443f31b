"""The transcript view's pure layout: wrapping, sentences, coded stretches."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.tui import text_layout as layout


@pytest.mark.parametrize(
    ("text", "width", "rows"),
    [
        ("", 10, [""]),  # an empty text is one empty row
        ("short", 10, ["short"]),
        ("one two three", 7, ["one two", "three"]),  # break at the last space that fits
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),  # a word longer than the row is cut
        ("a\n\nb", 5, ["a", "", "b"]),  # blank lines stay
        ("ends with newline\n", 40, ["ends with newline", ""]),
        ("Æble øl år", 5, ["Æble", "øl år"]),  # code points, not bytes
    ],
)
def test_wrap_lines(text: str, width: int, rows: list[str]) -> None:
    assert [text[r.start : r.end] for r in layout.wrap_lines(text, width)] == rows


@given(st.text(alphabet="ab cæ\n", max_size=200), st.integers(1, 30))
def test_wrapped_rows_fit_and_keep_every_visible_character(text: str, width: int) -> None:
    rows = layout.wrap_lines(text, width)
    assert all(r.end - r.start <= width for r in rows)
    assert all(a.end <= b.start for a, b in pairwise(rows))
    # only the spaces and line breaks a row was broken at are left out
    covered = {i for r in rows for i in range(r.start, r.end)}
    assert all(text[i] in " \n" for i in set(range(len(text))) - covered)


@pytest.mark.parametrize(
    ("text", "offset", "sentence"),
    [
        ("One. Two! Three?", 0, "One."),
        ("One. Two! Three?", 6, "Two!"),
        ("One. Two! Three?", 16, "Three?"),  # the end of the text belongs to the last
        ("He said “yes.” Then left.", 2, "He said “yes.”"),  # closing quote stays
        ("Line one\nLine two", 12, "Line two"),  # a line break ends a sentence
    ],
)
def test_sentence_around(text: str, offset: int, sentence: str) -> None:
    starts = layout.sentence_starts(text)
    start, end = layout.sentence_around(text, starts, offset)
    assert text[start:end] == sentence


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12))
def test_coded_stretches_match_a_character_by_character_count(
    spans: list[tuple[int, int]],
) -> None:
    stretches = layout.coded_stretches(spans)
    for position in range(61):
        covering = tuple(i for i, (s, e) in enumerate(spans) if s <= position < e)
        found = [x for x in stretches if x.start <= position < x.end]
        assert tuple(sorted(found[0].codings if found else ())) == covering
    ends = [x.end for x in stretches]
    assert ends == sorted(ends)
    for start, end in [(0, 10), (5, 6), (30, 61)]:
        between = layout.stretches_between(stretches, ends, start, end)
        assert between == [x for x in stretches if x.start < end and x.end > start]
