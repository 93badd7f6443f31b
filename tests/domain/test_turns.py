"""Speaker-turn parsing: a table of labelled texts, plus a round-trip property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.domain.transcripts import Turn
from qualcode.domain.turns import (
    is_speaker_name,
    parse_speaker_turns,
    speakers,
    split_speaker_prefix,
)

# Each row: text, then the expected (speaker, utterance, timestamp) for every turn.
TURN_CASES: list[tuple[str, list[tuple[str, str, float | None]]]] = [
    # the classic one-letter interviewer / respondent labels
    ("I: Hello.\nR: Hi.", [("I", "Hello.", None), ("R", "Hi.", None)]),
    # full role names and first names
    (
        "Interviewer: How are you?\nMette: Fine.",
        [("Interviewer", "How are you?", None), ("Mette", "Fine.", None)],
    ),
    # a name with a digit, and a two-word Danish role + name
    (
        "Caseworker 2: Yes.\nSagsbehandler Anne: Ja.",
        [("Caseworker 2", "Yes.", None), ("Sagsbehandler Anne", "Ja.", None)],
    ),
    # Danish letters inside names
    ("Søren Ørsted: Godt.\nÅse: Også.", [("Søren Ørsted", "Godt.", None), ("Åse", "Også.", None)]),
    # an unlabelled paragraph continues the previous turn; trailing blank lines are outside
    (
        "R: First part.\n\nSecond part.\n\n\nI: Next.\n\n",
        [("R", "First part.\n\nSecond part.", None), ("I", "Next.", None)],
    ),
    # text before the first label forms no turn
    ("Interview 3, 12 May\n\nI: Start.", [("I", "Start.", None)]),
    # [hh:mm:ss] and [mm:ss] timestamps become seconds
    (
        "[00:01:02] I: Q.\n[03:04] R: A.",
        [("I", "Q.", 62.0), ("R", "A.", 184.0)],
    ),
    # Markdown bold labels, colon inside or outside the bold
    ("**I:** Q.\n**R**: A.", [("I", "Q.", None), ("R", "A.", None)]),
    # a label alone on its line: the utterance starts on the next line
    ("Interviewer:\nTell me more.", [("Interviewer", "Tell me more.", None)]),
    # a label with nothing after it forms no turn
    ("I:\nR: Answer.", [("R", "Answer.", None)]),
    # URLs, clock times and colons inside a word are not labels
    (
        "I: See\nhttp: //example.org\n10:30 we met\nkl. 10:30 too",
        [("I", "See\nhttp: //example.org\n10:30 we met\nkl. 10:30 too", None)],
    ),
    # more than four words before a colon is a sentence, not a speaker
    (
        "R: Well.\nThen my mother said to me: no.",
        [("R", "Well.\nThen my mother said to me: no.", None)],
    ),
    # a colon without whitespace after it is not a label
    ("R: Ratio\nA:B was fine", [("R", "Ratio\nA:B was fine", None)]),
    # no labels at all: no turns
    ("Just some notes.\nNothing else.", []),
    # typographic apostrophe and hyphen inside a name
    ("O’Brien-Hansen: Hej.", [("O’Brien-Hansen", "Hej.", None)]),
]


@pytest.mark.parametrize(("text", "expected"), TURN_CASES)
def test_parse_speaker_turns(text: str, expected: list[tuple[str, str, float | None]]) -> None:
    turns = parse_speaker_turns(text)
    assert [(t.speaker, text[t.start : t.end], t.timestamp) for t in turns] == expected


def test_offsets_are_code_points_of_the_utterance_only() -> None:
    text = "Ånne: 🙂 æ\n"
    assert parse_speaker_turns(text) == [Turn(6, 9, "Ånne")]


@pytest.mark.parametrize(
    ("name", "plausible"),
    [
        ("Mette", True),  # a first name
        ("Caseworker 2", True),  # a role with a number
        ("One two three four", True),  # four words is the limit
        ("One two three four five", False),  # five words is a sentence
        ("http", False),  # a URL scheme
        ("10", False),  # starts with a digit
        ("snake_case", False),  # underscores are not in names
        ("A" * 41, False),  # longer than 40 characters
    ],
)
def test_is_speaker_name(name: str, plausible: bool) -> None:
    assert is_speaker_name(name) is plausible


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Mette: hej der", ("Mette", "hej der")),  # a prefix is split off
        ("no prefix here", (None, "no prefix here")),  # nothing to split
        ("at 10:30 sharp", (None, "at 10:30 sharp")),  # a clock time is not a speaker
    ],
)
def test_split_speaker_prefix(line: str, expected: tuple[str | None, str]) -> None:
    assert split_speaker_prefix(line) == expected


def test_speakers_in_first_appearance_order() -> None:
    turns = [Turn(0, 1, "R"), Turn(2, 3, "I"), Turn(4, 5, None), Turn(6, 7, "R")]
    assert speakers(turns) == ["R", "I"]


URL_SCHEMES = {"http", "https", "ftp", "ftps", "mailto", "file", "www"}
_NAME_WORD = st.from_regex(r"[A-Za-zÆØÅæøå][a-zæøå.'’-]{0,7}|[0-9]{1,2}", fullmatch=True)
_NAMES = (
    st.lists(_NAME_WORD, min_size=1, max_size=4)
    .map(" ".join)
    .filter(lambda name: name[0].isalpha() and len(name) <= 40)
    .filter(lambda name: name.split()[-1].lower() not in URL_SCHEMES)
)
_WORD = st.text(
    alphabet=st.characters(
        categories=("Ll", "Lu", "Nd", "So"),
        include_characters=".,!?'’–—“”()",
        exclude_characters=":",
    ),
    min_size=1,
    max_size=8,
)
_PARAGRAPH = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)
_UTTERANCE = st.lists(_PARAGRAPH, min_size=1, max_size=3).map("\n\n".join)


@given(
    preamble=st.sampled_from(["", "Interview notes\n\n", "[00:00:05] "]),
    rendered=st.lists(st.tuples(_NAMES, _UTTERANCE), min_size=1, max_size=8),
)
def test_rendered_turns_parse_back(preamble: str, rendered: list[tuple[str, str]]) -> None:
    """Any "Name: utterance" paragraphs parse back to exactly those speakers and texts."""
    text = preamble + "\n\n".join(f"{name}: {utterance}" for name, utterance in rendered)
    turns = parse_speaker_turns(text)
    assert [t.speaker for t in turns] == [name for name, _ in rendered]
    assert [text[t.start : t.end] for t in turns] == [utterance for _, utterance in rendered]
    assert speakers(turns) == list(dict.fromkeys(name for name, _ in rendered))
