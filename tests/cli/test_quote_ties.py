"""A quote that matches several places equally well is refused, never silently coded at
the first one: the finder reports the ties, `code --quote` lists them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from qualcode.matching.quotes import (
    MAX_EXACT_ANCHORS,
    TIE_MARGIN,
    QuoteMatch,
    describe_place,
    find_quote,
)
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli

SENTENCE = "she said we had to wait for the meeting with the whole team"
FILLER = [
    "Mette: It was in the autumn, I think October, and I rang the office.",
    "Interviewer: What happened then?",
    "Mette: Nothing for weeks. Then a letter came.",
    "Interviewer: And after that?",
]


def starts(text: str, passage: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(passage), text)]


def test_a_passage_said_three_times_is_three_ties_in_text_order() -> None:
    text = "\n\n".join(f"{line} And {SENTENCE}." for line in FILLER[::-1] + FILLER[:2])
    places = starts(text, SENTENCE)
    assert len(places) == len(FILLER) + 2
    result = find_quote(text, SENTENCE)
    assert result.best is None
    assert [(m.start, m.end) for m in result.ties] == [(p, p + len(SENTENCE)) for p in places]
    assert all(m.score == 100.0 for m in result.ties)
    assert not result.more_ties


def test_more_of_the_passage_makes_the_quote_unique() -> None:
    text = "\n\n".join(f"{line} And {SENTENCE}." for line in FILLER)
    quote = f"Nothing for weeks. Then a letter came. And {SENTENCE}"
    result = find_quote(text, quote)
    assert result.ties == ()
    assert result.best is not None
    start = text.index(quote)
    assert (result.best.start, result.best.end, result.best.score) == (
        start,
        start + len(quote),
        100.0,
    )


def _typo(text: str, positions: list[int]) -> str:
    chars = list(text)
    for position in positions:
        chars[position] = "x" if chars[position] != "x" else "y"
    return "".join(chars)


def test_two_fuzzy_places_as_good_as_each_other_are_ties() -> None:
    quote = SENTENCE + " because nobody had told us anything about the plan at all"
    first, second = _typo(quote, [5]), _typo(quote, [60])
    text = f"Mette: {first}.\n\n{FILLER[1]}\n\nMette: {second}."
    result = find_quote(text, quote)
    assert result.best is None
    assert [(m.start, m.end) for m in result.ties] == [
        (text.index(first), text.index(first) + len(first)),
        (text.index(second), text.index(second) + len(second)),
    ]
    assert abs(result.ties[0].score - result.ties[1].score) <= TIE_MARGIN


def test_a_clearly_better_place_wins_over_a_worse_one() -> None:
    quote = SENTENCE + " because nobody had told us anything about the plan at all"
    good, poor = _typo(quote, [5]), _typo(quote, list(range(3, 100, 7)))
    text = f"Mette: {poor}.\n\n{FILLER[1]}\n\nMette: {good}."
    result = find_quote(text, quote)
    assert result.ties == ()
    assert result.best is not None
    assert (result.best.start, result.best.end) == (text.index(good), text.index(good) + len(good))
    assert result.candidates[1].score < result.best.score - TIE_MARGIN


def test_more_places_than_the_search_counts_are_flagged() -> None:
    text = " ".join(["the caseworker came."] * (MAX_EXACT_ANCHORS + 10))
    result = find_quote(text, "caseworker")
    assert result.best is None
    assert len(result.ties) == MAX_EXACT_ANCHORS
    assert result.more_ties


def test_describe_place_shows_whole_words_around_the_passage() -> None:
    text = "Mette: The first caseworker we had was a woman\nwho listened to us."
    start = text.index("caseworker")
    line = describe_place(text, QuoteMatch(start, start + 10, 100.0), context=12)
    assert line == f"{start}:{start + 10} “…The first [caseworker] we had was…”"
    end = text.index("listened") + len("listened")
    start = text.index("woman")
    line = describe_place(text, QuoteMatch(start, end, 100.0), context=45)
    # Both ends of the text are within reach: no ellipsis there.
    assert (
        line
        == f"{start}:{end} “Mette: The first caseworker we had was a [woman ⏎ who listened] to us.”"
    )


def code_quote(project: Path, quote: str, *, expect: int = 0, run: Cli) -> str:
    """`qualcode code` of the quote in parent-01-en; its stdout, or stderr if it fails."""
    args = ("code", project, "parent-01-en", "openness", "--coder", "anna", "--quote", quote)
    result = run(*args, "--format", "json", expect=expect)
    return result.stdout if expect == 0 else result.stderr


def test_code_refuses_an_ambiguous_quote_and_lists_the_places(demo_path: Path, run: Cli) -> None:
    text = run("show", demo_path, "parent-01-en").stdout
    places = starts(text.casefold(), "caseworker")
    assert 5 < len(places) < MAX_EXACT_ANCHORS
    before = dump(demo_path)
    error = one_line_error(code_quote(demo_path, "caseworker", expect=1, run=run))
    assert f"parent-01-en: quote matches {len(places)} places equally well" in error
    listed = [int(start) for start in re.findall(r"(\d+):\d+ “", error)]
    assert listed == places[:5]
    assert error.endswith(
        f" (and {len(places) - 5} more); quote more of the passage, or give --span START:END"
    )
    assert dump(demo_path) == before


def test_code_with_a_unique_quote_still_codes_it(demo_path: Path, run: Cli) -> None:
    text = run("show", demo_path, "parent-01-en").stdout
    first = text.casefold().index("caseworker")
    quote = " ".join(text[first:].split(" ")[:6])
    assert "\n" not in quote
    assert len(starts(text, quote)) == 1
    coded = json.loads(code_quote(demo_path, quote, run=run))
    assert (coded["start"], coded["end"], coded["score"]) == (first, first + len(quote), 100.0)
