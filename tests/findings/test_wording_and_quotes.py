"""The findings chapter's pure logic: phrasing counts, choosing quotes across cases,
trimming passages to complete sentences, case labels."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.errors import FieldError, InputError
from qualcode.domain.findings import (
    CUT,
    PHRASES,
    Candidate,
    Phrases,
    by_value_sentence,
    case_label,
    chapter_language,
    check_label,
    choose_quotes,
    count_phrase,
    parse_case_noun,
    raised_sentence,
    trim_quote,
)

EN, DA = PHRASES["en"], PHRASES["da"]


@pytest.mark.parametrize(
    ("phrases", "noun", "n", "m", "expected"),
    [
        # the two examples
        (EN, "family/families", 10, 12, "10 of 12 families"),
        (DA, "familie/familier", 10, 12, "10 ud af 12 familier"),
        # the noun agrees with the denominator
        (EN, "family/families", 1, 1, "1 of 1 family"),
        (EN, "family/families", 0, 1, "0 of 1 family"),
        # default noun
        (EN, None, 3, 5, "3 of 5 cases"),
        # one word for both
        (DA, "case", 2, 3, "2 ud af 3 case"),
    ],
    ids=["en", "da", "singular", "zero-of-one", "default", "one-word"],
)
def test_count_phrase(phrases: Phrases, noun: str | None, n: int, m: int, expected: str) -> None:
    assert count_phrase(phrases, parse_case_noun(noun, phrases), n, m) == expected


def test_sentences_start_with_a_capital_and_list_values_in_order() -> None:
    noun = parse_case_noun("familie/familier", DA)
    assert raised_sentence(DA, noun, 10, 12) == "10 ud af 12 familier nævner dette tema."
    split = by_value_sentence(EN, parse_case_noun(None, EN), "age", [("0-5", 1, 1), ("6-11", 0, 2)])
    assert split == "By age: 0-5: 1 of 1 case; 6-11: 0 of 2 cases."


@pytest.mark.parametrize(
    "text",
    ["/families", "family/", "a/b/c", " / "],
    ids=["no-singular", "no-plural", "three", "blank"],
)
def test_a_malformed_case_noun_is_refused(text: str) -> None:
    with pytest.raises(FieldError, match=r"^case-noun: "):  # the CLI shows it as --case-noun
        parse_case_noun(text, EN)


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ([("da", 100), ("en", 50)], "da"),  # more Danish text
        ([("da", 50), ("en", 100)], "en"),  # more English text
        ([("da", 50), ("en", 50)], "da"),  # a tie: alphabetically first, as every page
        ([("de", 500), ("en", 10)], "en"),  # no German phrases: English
        ([(None, 500), ("da", 10)], "da"),  # unknown languages do not count
        ([], "en"),  # no transcripts
    ],
    ids=["danish", "english", "tie", "unknown", "no-phrases", "empty"],
)
def test_chapter_language(languages: list[tuple[str | None, int]], expected: str) -> None:
    assert chapter_language(languages) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # whole sentences stay as they are
        ("It was good. We liked it.", "It was good. We liked it."),
        # coding started mid-sentence: the fragment goes, the cut is marked
        ("was good. We liked it.", f"{CUT} We liked it."),
        # coding stopped mid-sentence
        ("It was good. And then we", f"It was good. {CUT}"),
        # both ends cut
        ("good. It was fine. and then", f"{CUT} It was fine. {CUT}"),
        # no complete sentence: kept whole
        ("and then we went home", "and then we went home"),
        # line breaks and runs of spaces become one space
        ("It was\n   good.  We  liked it!", "It was good. We liked it!"),
        # a closing quotation mark after the full stop still ends the sentence
        ("Hun sagde: ”Nej.” Og så", f"Hun sagde: ”Nej.” {CUT}"),
        # a question and an ellipsis end sentences too
        ("Why? Because… well", f"Why? Because… {CUT}"),
    ],
    ids=["whole", "cut-start", "cut-end", "cut-both", "fragment", "spaces", "closer", "marks"],
)
def test_trim_quote(text: str, expected: str) -> None:
    assert trim_quote(text) == expected


def test_a_long_passage_keeps_its_first_sentences_within_the_limit() -> None:
    sentences = [f"Sentence number {i} is here." for i in range(20)]
    trimmed = trim_quote(" ".join(sentences), limit=100)
    assert trimmed.endswith(CUT)
    kept = trimmed.removesuffix(CUT).strip()
    assert len(kept) <= 100
    assert kept == " ".join(sentences[: len(kept.split(".")) - 1])


def test_a_long_fragment_is_cut_at_a_word() -> None:
    trimmed = trim_quote("and " * 200, limit=50)
    assert trimmed.endswith(CUT)
    assert len(trimmed) <= 50 + len(CUT) + 1
    assert trimmed.removesuffix(CUT).strip().split(" ") == ["and"] * 12


_SENTENCE = st.sampled_from(["We met her.", "It helped!", "Was it fair?", "no end", "lower case."])


@given(st.lists(_SENTENCE, min_size=1, max_size=8), st.integers(min_value=20, max_value=400))
@settings(max_examples=80, deadline=None)
def test_trimming_keeps_only_sentences_of_the_passage(parts: list[str], limit: int) -> None:
    """Property: what is kept (without the cut marks) is a run of the passage's
    sentences, in order; a mark stands where something was left out."""
    text = " ".join(parts)
    trimmed = trim_quote(text, limit=limit)
    core = trimmed.removeprefix(CUT + " ").removesuffix(" " + CUT)
    assert core in text
    if not trimmed.startswith(CUT):
        assert text.startswith(core)
    if not trimmed.endswith(CUT):
        assert text.endswith(core)


@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=0, max_size=30),
    st.integers(min_value=0, max_value=8),
)
@settings(max_examples=100, deadline=None)
def test_quotes_spread_across_cases(cases: list[int], wanted: int) -> None:
    """Property: with k cases holding passages and N quotes wanted, the quotes come from
    min(k, N) cases, and there are min(N, passages) of them, each a passage given."""
    candidates = [Candidate(case, f"Passage {i} of case {case}.") for i, case in enumerate(cases)]
    chosen = choose_quotes(candidates, wanted)
    assert len(chosen) == min(wanted, len(candidates))
    assert len({c.case for c in chosen}) == min(len(set(cases)), wanted)
    assert all(c in candidates for c in chosen)
    assert chosen == sorted(chosen, key=lambda c: (c.case, candidates.index(c)))


def test_within_a_case_a_passage_of_complete_sentences_comes_first() -> None:
    fragment = Candidate(0, "and so on and so forth")
    whole = Candidate(0, "We were heard at last. It mattered to us.")
    assert choose_quotes([fragment, whole], 1) == [whole]


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{case}", {"age": "6-11"}, "Family 03"),  # the default
        ("{case}, {age}", {"age": "6-11"}, "Family 03, 6-11"),  # with an attribute
        ("{case}, {age}", {}, "Family 03"),  # a missing value leaves no dangling comma
        ("Case {case}", {}, "Case Family 03"),  # literal text kept
        ("{case} {age.__class__}", {}, "Family 03"),  # nothing but names is read
    ],
    ids=["default", "attribute", "missing", "literal", "no-attribute-access"],
)
def test_case_label(template: str, values: dict[str, str], expected: str) -> None:
    assert case_label(template, "Family 03", values) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{case}, {size}", "unknown field {size} (fields: case, age)"),
        ("{case", "unmatched brace"),
        ("case}", "unmatched brace"),
    ],
    ids=["unknown", "open", "close"],
)
def test_a_bad_label_is_refused(template: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        check_label(template, ["age"])
