"""Re-anchoring spans through an edit of their text: tables of typical edits, and
hypothesis properties (edits outside every span keep every coded text exactly; edits inside
a span move its edges sensibly)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.matching.anchoring import (
    ADJUSTED,
    KEPT,
    REVIEW,
    edit_script,
    place_span,
    replacement_script,
)
from tests.hypothesis_profiles import examples

TEXT = "Interviewer: How was it?\nMette: We met Hanne at home. She listened to us.\n"
HANNE = (TEXT.index("Hanne"), TEXT.index("Hanne") + len("Hanne"))
LISTENED = (TEXT.index("She listened"), TEXT.index("She listened") + len("She listened to us."))


def carried(new: str, span: tuple[int, int]) -> tuple[str, str]:
    placement = place_span(new, edit_script(TEXT, new), *span, TEXT[span[0] : span[1]])
    assert placement.text == new[placement.start : placement.end]
    return placement.status, placement.text


@pytest.mark.parametrize(
    ("new", "span", "expected"),
    [
        # a word added before the span: the span moves, its text stays
        (TEXT.replace("We met", "We first met"), HANNE, (KEPT, "Hanne")),
        # text inserted right at the span's start stays outside it
        (TEXT.replace("Hanne", "caseworker Hanne"), HANNE, (KEPT, "Hanne")),
        # ... and right at its end too
        (TEXT.replace("Hanne", "Hanne Olsen"), HANNE, (KEPT, "Hanne")),
        # a typo fixed inside the span: adjusted, not flagged
        (TEXT.replace("listened", "listenned"), LISTENED, (ADJUSTED, "She listenned to us.")),
        # most of the span rewritten: flagged for review
        (TEXT.replace("She listened to us.", "Nobody came."), LISTENED, (REVIEW, "Nobody came.")),
        # the span's text deleted: flagged, kept as one character where it was
        (TEXT.replace(" She listened to us.", ""), LISTENED, (REVIEW, "\n")),
        # CRLF-free reflow elsewhere does not matter
        (
            TEXT.replace("How was it?", "How was it, really?"),
            LISTENED,
            (KEPT, "She listened to us."),
        ),
    ],
    ids=["before", "at-start", "at-end", "typo", "rewritten", "deleted", "elsewhere"],
)
def test_typical_edits(new: str, span: tuple[int, int], expected: tuple[str, str]) -> None:
    assert carried(new, span) == expected


def test_replacement_script_maps_like_the_alignment() -> None:
    new = TEXT.replace("Mette", "Anna").replace("Hanne", "Lise")
    script = replacement_script(
        len(TEXT),
        [
            (TEXT.index("Mette"), TEXT.index("Mette") + 5, "Anna"),
            (HANNE[0], HANNE[1], "Lise"),
        ],
    )
    assert script.new_length == len(new)
    placement = place_span(new, script, *LISTENED, TEXT[LISTENED[0] : LISTENED[1]])
    assert (placement.status, placement.text) == (KEPT, "She listened to us.")
    whole = place_span(new, script, 0, len(TEXT), TEXT)
    assert (whole.start, whole.end) == (0, len(new))
    assert whole.status == ADJUSTED


# -- properties --------------------------------------------------------------------------

ALPHABETS = st.sampled_from(["ab", "ab \n", "abcdefgh ", "Mette sagde ja. "])
WORDS = st.sampled_from(
    ["Mette", "sagde", "ja", "og", "vi", "hun", "at", "det", "the", "caseworker", "came", "home"]
)
SEPARATORS = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", "\nAnna: "])


@st.composite
def transcript_text(draw: st.DrawFn) -> str:
    """Interview-like text: words (some very common, so repeats abound) and separators."""
    parts = []
    for _ in range(draw(st.integers(3, 40))):
        parts.append(draw(WORDS))
        parts.append(draw(SEPARATORS))
    return "".join(parts)


@st.composite
def text_with_spans(draw: st.DrawFn, words: bool = True) -> tuple[str, list[tuple[int, int]]]:
    if words:
        text = draw(transcript_text())
    else:
        text = draw(st.text(alphabet=draw(ALPHABETS), min_size=6, max_size=80))
    spans = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append((start, end))
    return text, spans


@st.composite
def edits_outside(
    draw: st.DrawFn, text: str, spans: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, insert) edits, none touching a coded character:
    inserted words or letters, deleted stretches."""
    alphabet = draw(ALPHABETS)

    def free_char(c: int) -> bool:
        return not any(s <= c < e for s, e in spans)

    def free_gap(p: int) -> bool:
        return not any(s < p < e for s, e in spans)

    edits: list[tuple[int, int, str]] = []
    budget = len(text) // 3  # characters inserted plus deleted: an edit, not a rewrite
    position = 0
    while position <= len(text):
        choice = draw(st.integers(0, 5))
        if choice == 0 and free_gap(position) and budget > 0:
            inserted = draw(
                st.one_of(st.text(alphabet, min_size=1, max_size=6), WORDS.map(" {}".format))
            )[:budget]
            edits.append((position, position, inserted))
            budget -= len(inserted)
        elif choice == 1 and position < len(text) and free_char(position) and budget > 0:
            end = position
            longest = min(budget, draw(st.integers(1, 6)))
            while end < len(text) and free_char(end) and end - position < longest:
                end += 1
            edits.append((position, end, ""))
            budget -= end - position
            position = end
            continue
        position += 1
    return edits


def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, insert in edits:
        out.append(text[at:start])
        out.append(insert)
        at = end
    out.append(text[at:])
    return "".join(out)


@settings(max_examples=examples(400), deadline=None)
@given(data=st.data())
def test_edits_outside_every_span_keep_every_coded_text(data: st.DataObject) -> None:
    text, spans = data.draw(text_with_spans())
    edits = data.draw(edits_outside(text, spans))
    new = apply(text, edits)
    script = edit_script(text, new)
    for start, end in spans:
        placement = place_span(new, script, start, end, text[start:end])
        assert placement.text == text[start:end], (text, new, (start, end), placement)
        assert new[placement.start : placement.end] == placement.text
        assert placement.status == KEPT


@settings(max_examples=examples(400), deadline=None)
@given(data=st.data())
def test_in_letter_soup_no_coding_is_ever_lost(data: st.DataObject) -> None:
    # Where the text is little more than one letter repeated ("MMMMMM"), several edit
    # scripts explain an edit equally well and the one found may run through a span. The
    # span then keeps its exact text when a copy is within reach, and otherwise is
    # adjusted or flagged for review; it always stays a valid, non-empty span.
    text, spans = data.draw(text_with_spans(words=False))
    new = apply(text, data.draw(edits_outside(text, spans)))
    if not new:
        return
    script = edit_script(text, new)
    for start, end in spans:
        placement = place_span(new, script, start, end, text[start:end])
        assert 0 <= placement.start < placement.end <= len(new)
        assert new[placement.start : placement.end] == placement.text
        assert (placement.status == KEPT) == (placement.text == text[start:end])
        assert (placement.status == REVIEW) == (placement.similarity < 80.0)


def is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(letter in letters for letter in short)


@settings(max_examples=examples(400), deadline=None)
@given(data=st.data())
def test_an_insertion_inside_a_span_joins_it(data: st.DataObject) -> None:
    text, spans = data.draw(text_with_spans())
    start, end = spans[0]
    if end - start < 2:
        return
    at = data.draw(st.integers(start + 1, end - 1))
    inserted = data.draw(st.text(data.draw(ALPHABETS), min_size=1, max_size=8))
    new = text[:at] + inserted + text[at:]
    anchor = text[start:end]
    placement = place_span(new, edit_script(text, new), start, end, anchor)
    # The coded text grows by the insertion; where letters repeat, part of the insertion
    # may equally be read as lying just outside the span.
    if placement.text != text[start:at] + inserted + text[at:end]:
        assert len(anchor) <= len(placement.text) < len(anchor) + len(inserted)
        assert is_subsequence(anchor, placement.text)
    if placement.text != anchor:  # (the same letters may repeat right beside it)
        assert placement.start <= at + len(inserted)
        assert placement.end >= at
    assert (placement.status == REVIEW) == (placement.similarity < 80.0)


@settings(max_examples=examples(400), deadline=None)
@given(data=st.data())
def test_a_deletion_inside_a_span_shrinks_it(data: st.DataObject) -> None:
    text, spans = data.draw(text_with_spans())
    start, end = spans[0]
    cut_start = data.draw(st.integers(start, end - 1))
    cut_end = data.draw(st.integers(cut_start + 1, end))
    new = text[:cut_start] + text[cut_end:]
    if not new:
        return
    anchor = text[start:end]
    placement = place_span(new, edit_script(text, new), start, end, anchor)
    if (cut_start, cut_end) == (start, end):
        # nothing of it is left: flagged as one character where it was, unless the same
        # letters beside it can be read as what is left of it
        assert is_subsequence(placement.text, anchor) or len(placement.text) == 1
    elif placement.text != text[start:cut_start] + text[cut_end:end]:
        # where letters repeat, part of the deletion may be read as lying outside
        assert len(anchor) - (cut_end - cut_start) < len(placement.text) <= len(anchor)
        assert is_subsequence(placement.text, anchor)
    assert (placement.status == REVIEW) == (placement.similarity < 80.0)
