"""Quote lookup: printed quotes (cuts, insertions, line breaks, typography) found in
transcripts as half-open code-point spans."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.matching.quotes import QuoteMatch, describe_match, find_quote

ENGLISH = """\
Interviewer: Could you tell me about the first meeting with the municipality?

Mette: Yes. Well, it was in the autumn, I think October. I rang the office
and she said we had to wait for the meeting with the whole team. Nobody had
told us that the collaboration between the school and the family section was
so slow. I didn't know who to call, honestly.

Interviewer: How did that feel?

Mette: It felt like we were on our own - really on our own. The caseworker's
letters came late, and when they came they were full of words I didn't
understand. My husband said "just sign it", but I wanted to know what we were
signing.

Interviewer: And later on?

Mette: Later it got better. We got a new contact person, Jonas, and he
actually came to our home. He sat at the kitchen table with our son and
asked him what he wanted. That was the first time anyone asked him. It was
our first family-centred meeting, really.
"""

DANISH = """\
Interviewer: Hvordan var det første møde med kommunen?

Mette: Det var svært. Jeg følte ikke, at de lyttede til os. Sagsbehandleren
havde travlt, og hun sagde, at vi måtte vente på et møde med hele teamet.
Først efter et halvt år fik vi en ny kontaktperson, og så blev det bedre.

Interviewer: Hvad betød det for jeres søn?

Mette: Han blev gladere. Han fik lov til at sige, hvad han selv ønskede, og
det havde ingen spurgt ham om før. Det gør stadig ondt at tænke på.
"""


def expected_span(text: str, first: str, last: str) -> tuple[int, int]:
    """The real passage: from where ``first`` starts to where ``last`` ends after it."""
    start = text.index(first)
    return start, text.index(last, start) + len(last)


# (transcript, quote as printed, first words of the passage, last words of the passage)
CASES = [
    # exact copy of one sentence
    (ENGLISH, "Jonas, and he\nactually came to our home.", "Jonas, and he", "our home."),
    # different whitespace and a line break where the transcript has none (and vice versa)
    (
        ENGLISH,
        "I rang the office   and she said\nwe had to wait for the meeting",
        "I rang the office",
        "wait for the meeting",
    ),
    # word divided at a line end in the report: "collabo-\nration"
    (
        ENGLISH,
        "Nobody had told us that the collabo-\nration between the school and the family "
        "section was so slow.",
        "Nobody had",
        "so slow.",
    ),
    # a real compound divided at a line end keeps its hyphen
    (ENGLISH, "our first family-\ncentred meeting", "our first", "centred meeting"),
    # "(…)" cut in the middle: the span runs from the first fragment to the last
    (
        ENGLISH,
        "I rang the office (…) the collaboration between the school and the family section "
        "was so slow",
        "I rang the office",
        "so slow",
    ),
    # "(..)" cut
    (
        ENGLISH,
        "It felt like we were on our own (..) they were full of words I didn't understand",
        "It felt like",
        "didn't\nunderstand",
    ),
    # "[...]" cut
    (
        ENGLISH,
        "Later it got better. [...] He sat at the kitchen table with our son",
        "Later it got better.",
        "with our son",
    ),
    # "…" alone used as a cut
    (
        ENGLISH,
        "I think October… the whole team",
        "I think October",
        "the whole team",
    ),
    # editorial insertion replacing "she": not in the transcript, still a match
    (
        ENGLISH,
        "I rang the office and [the caseworker] said we had to wait for the meeting",
        "I rang the office",
        "wait for the meeting",
    ),
    # letters edited in brackets belong to the word: "[S]he" is the transcript's "she"
    (ENGLISH, "[S]he said we had to wait", "she said", "had to wait"),
    # editorial note that replaces nothing
    (
        ENGLISH,
        "It felt like we were on our own [interviewer's note: laughs] - really on our own.",
        "It felt like",
        "really on our own.",
    ),
    # typographic apostrophes in the report, straight ones in the transcript
    (
        ENGLISH,
        "The caseworker’s letters came late, and when they came they were full of words "
        "I didn’t understand",
        "The caseworker's",
        "didn't\nunderstand",
    ),
    # en dash and typographic quotation marks for the transcript's hyphen and straight ones
    (
        ENGLISH,
        "“on our own – really on our own. (…) My husband said “just sign it”, but I wanted”",
        "on our own - really",
        "but I wanted",
    ),
    # different case
    (ENGLISH, "IT FELT LIKE WE WERE ON OUR OWN", "It felt like", "on our own"),
    # spanning two turns, with the "Name:" label inside the quote
    (
        ENGLISH,
        "How did that feel? Mette: It felt like we were on our own",
        "How did that feel?",
        "on our own",
    ),
    # Danish passage with æ, ø, å
    (DANISH, "Jeg følte ikke, at de lyttede til os.", "Jeg følte", "til os."),
    # Danish: upper case (casefolded Æ/Ø/Å), surrounding „ “, insertion replacing "hun"
    (
        DANISH,
        "„SAGSBEHANDLEREN HAVDE TRAVLT, OG [SAGSBEHANDLEREN] SAGDE, AT VI MÅTTE VENTE“",
        "Sagsbehandleren\nhavde",
        "måtte vente",
    ),
    # Danish: cut across turns
    (
        DANISH,
        "Først efter et halvt år fik vi en ny kontaktperson (…) Han blev gladere.",
        "Først efter",
        "Han blev gladere.",
    ),
]


@pytest.mark.parametrize(("text", "quote", "first", "last"), CASES)
def test_quote_is_found_at_the_real_passage(text: str, quote: str, first: str, last: str) -> None:
    result = find_quote(text, quote)
    assert result.best is not None, result.candidates
    assert (result.best.start, result.best.end) == expected_span(text, first, last)
    assert result.best.score >= 85.0
    assert result.candidates[0] == result.best


def test_exact_quote_scores_100() -> None:
    result = find_quote(DANISH, "Det gør stadig ondt at tænke på.")
    assert result.best == QuoteMatch(*expected_span(DANISH, "Det gør", "tænke på."), 100.0)


def test_a_passage_said_twice_gives_both_places_and_no_best() -> None:
    first = ENGLISH.index("on our own")
    second = ENGLISH.index("on our own", first + 1)
    result = find_quote(ENGLISH, "“On our own”")
    assert result.candidates == (
        QuoteMatch(first, first + 10, 100.0),
        QuoteMatch(second, second + 10, 100.0),
    )
    assert result.ties == result.candidates  # equally good: the quote does not say which
    assert result.best is None


def test_short_fragment_after_a_cut_must_be_a_whole_word_nearby() -> None:
    # "no" is not the start of "Nobody": the span stops at the first fragment, and the
    # missing fragment costs its (small) share of the length-weighted score.
    result = find_quote(ENGLISH, "with the whole team. (…) no")
    assert result.best is not None
    assert (result.best.start, result.best.end) == expected_span(ENGLISH, "with the whole", "team.")
    assert result.best.score == pytest.approx(100 * 20 / 22, abs=0.05)


def test_quote_not_in_the_text_lists_candidates_below_threshold() -> None:
    result = find_quote(
        ENGLISH, "We never had any trouble with the school, everything was perfect from day one"
    )
    assert result.best is None
    assert 1 <= len(result.candidates) <= 3
    assert all(c.score < 85.0 for c in result.candidates)
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    # distinct places: no two candidates overlap
    spans = sorted((c.start, c.end) for c in result.candidates)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_threshold_decides_whether_there_is_a_best() -> None:
    quote = "I rang the office and [the caseworker] said we had to wait for the meeting"
    found = find_quote(ENGLISH, quote)
    assert found.best is not None
    assert find_quote(ENGLISH, quote, threshold=100.0).best is None


@pytest.mark.parametrize(
    "quote",
    [
        "",  # nothing at all
        "(…)",  # only a cut
        "[interviewer's note: laughs]",  # only an insertion
    ],
)
def test_quote_without_words_has_no_candidates(quote: str) -> None:
    assert find_quote(ENGLISH, quote).candidates == ()


def test_threshold_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="threshold"):
        find_quote(ENGLISH, "on our own", threshold=120)


def test_describe_match_shows_offsets_score_and_flattened_preview() -> None:
    start, end = expected_span(ENGLISH, "How did that feel?", "It felt like")
    line = describe_match(ENGLISH, QuoteMatch(start, end, 97.25))
    assert line == f"{start}:{end} score 97.2 “How did that feel? ⏎ Mette: It felt like”"


def test_describe_match_shortens_long_passages_around_an_ellipsis() -> None:
    start, end = expected_span(ENGLISH, "Later it got", "asked him.")
    line = describe_match(ENGLISH, QuoteMatch(start, end, 100.0), width=30)
    preview = line.split("“", 1)[1].rstrip("”")
    assert len(preview) <= 30
    assert preview.startswith("Later it got")
    assert preview.endswith("asked him.")
    assert "…" in preview


def test_lookup_in_a_6000_word_transcript_completes() -> None:
    # No timing assertion: this only shows a long transcript is handled in one go.
    rng = random.Random(7)
    vocabulary = ["we", "the", "school", "family", "and", "then", "meeting", "home", "son"]
    turns = []
    for number in range(150):
        speaker = "Interviewer" if number % 2 == 0 else "Mette"
        turns.append(f"{speaker}: " + " ".join(rng.choice(vocabulary) for _ in range(40)))
    passage = "The caseworker finally came to the house and\nshe listened to our whole story."
    turns.insert(97, f"Mette: {passage}")
    text = "\n\n".join(turns)
    quote = "The caseworker finally came to the house (…) [the social worker] listened to our story"
    result = find_quote(text, quote)
    assert result.best is not None
    start = text.index(passage)
    assert (result.best.start, result.best.end) == (start, start + len(passage) - 1)


# Words none of which contains another, so each occurs once in a generated text and an
# exact fragment can only be found at its true place.
_RAW_WORDS = [
    "caseworker",
    "municipality",
    "kitchen",
    "table",
    "husband",
    "letters",
    "autumn",
    "october",
    "meeting",
    "team",
    "school",
    "family",
    "section",
    "collaboration",
    "honestly",
    "contact",
    "person",
    "jonas",
    "actually",
    "garden",
    "wanted",
    "first",
    "anyone",
    "asked",
    "nobody",
    "waited",
    "slowly",
    "listened",
    "together",
    "promised",
    "bicycle",
    "didn't",
    "mother's",
    "couldn't",
    "sagsbehandler",
    "kommunen",
    "møde",
    "svært",
    "lyttede",
    "travlt",
    "teamet",
    "kontaktperson",
    "bedre",
    "gladere",
    "ønskede",
    "spurgt",
    "stadig",
    "tænke",
    "halvår",
    "børnehave",
    "forældre",
]
WORDS = [w for w in _RAW_WORDS if not any(w != other and w in other for other in _RAW_WORDS)]
SEPARATORS = [" ", " ", " ", "\n", ", ", ". ", "\n\nMette: ", "\n\nInterviewer: "]
WHITESPACE = [" ", "  ", "\n", " \n  "]
CASE_CHANGES: list[Callable[[str], str]] = [str.upper, str.lower, str.title, str.strip]


@st.composite
def quoted_passages(draw: st.DrawFn) -> tuple[str, str, int, int]:
    """A text of unique words, a quote taken from it (whitespace, case and apostrophes
    perturbed, maybe a middle cut out with "(…)"), and the true passage's span."""
    words = draw(st.permutations(WORDS))[: draw(st.integers(10, len(WORDS)))]
    separators = draw(
        st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words))
    )
    text, spans = "Mette: ", []
    for word, separator in zip(words, separators, strict=True):
        spans.append((len(text), len(text) + len(word)))
        text += word + separator
    first = draw(st.integers(0, len(words) - 8))
    last = draw(st.integers(first + 7, len(words) - 1))
    start, end = spans[first][0], spans[last][1]
    passage = text[start:end]
    if draw(st.booleans()):
        # Keep at least two words on each side of the cut; cut out at least two.
        kept_head = draw(st.integers(first + 2, last - 3))
        kept_tail = draw(st.integers(kept_head + 2, last - 1))
        passage = text[start : spans[kept_head - 1][1]] + " (…) " + text[spans[kept_tail][0] : end]
    pieces = passage.split()
    gaps = draw(st.lists(st.sampled_from(WHITESPACE), min_size=len(pieces), max_size=len(pieces)))
    quote = "".join(piece + gap for piece, gap in zip(pieces, gaps, strict=True)).strip()
    quote = draw(st.sampled_from(CASE_CHANGES))(quote)
    if draw(st.booleans()):
        quote = quote.replace("'", "’")
    return text, quote, start, end


@given(quoted_passages())
def test_perturbed_quote_of_a_substring_is_found_exactly(
    case: tuple[str, str, int, int],
) -> None:
    # Exact equality holds because every perturbation here (whitespace, case, apostrophe
    # style, a marked cut) disappears in the comparison form; fuzzy edits are covered by
    # the table above.
    text, quote, start, end = case
    result = find_quote(text, quote)
    assert result.best is not None, (quote, result.candidates)
    assert (result.best.start, result.best.end) == (start, end)
    assert result.best.score == 100.0
