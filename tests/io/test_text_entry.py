"""The one entrance for text (qualcode.domain.text_entry): what is refused, what is
stored, and properties that hold for any input."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.text_entry import (
    NAME_MAX_CHARS,
    enter_name,
    enter_shortcut,
    enter_text,
    name_key,
    parse_integer,
    shown,
    tidy_name,
)

NFD_CAFE = unicodedata.normalize("NFD", "café")


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("\ud800", "lone surrogate U+D800 at character 1"),  # a "\uD800" JSON/YAML escape
        ("ab\udcff", "byte 0xFF at character 3 is not UTF-8"),  # undecodable argv byte
        ("", "is empty"),
        ("   ", "is empty"),
        (" anna", "starts or ends with a space"),
        ("anna\u00a0", "starts or ends with a space"),  # a no-break space at the end
        ("\u200banna", "invisible character"),  # a zero-width space in front
        ("a\tb", "U+0009 at character 2"),  # tab: a name is one line
        ("a\nb", "U+000A"),
        ("a\x1b[31mb", "U+001B"),  # a terminal escape
        ("a\x85b", "U+0085"),  # C1 next line
        ("a\u2028b", "U+2028"),  # line separator
        ("evil\u202etxt.exe", "U+202E"),  # right-to-left override: a name that lies
        ("\u0301", "no visible character"),  # a combining accent alone
    ],
    ids=[
        "lone-surrogate",
        "surrogate-escape",
        "empty",
        "blank",
        "leading-space",
        "trailing-nbsp",
        "leading-zwsp",
        "tab",
        "newline",
        "escape",
        "c1",
        "line-separator",
        "bidi-override",
        "mark-only",
    ],
)
def test_names_refused(value: str, phrase: str) -> None:
    with pytest.raises(InputError) as raised:
        enter_name(value, "argument 3")
    message = str(raised.value)
    assert message.startswith("argument 3: ")
    assert phrase in message
    message.encode("utf-8")  # the message itself can always be printed
    assert "\n" not in message


def test_name_length_limit_is_a_limit_error() -> None:
    assert enter_name("x" * NAME_MAX_CHARS, "coder") == "x" * NAME_MAX_CHARS
    with pytest.raises(LimitError, match=f"at most {NAME_MAX_CHARS}"):
        enter_name("x" * (NAME_MAX_CHARS + 1), "coder")
    # counted after NFC: 200 accented letters typed as letter + accent fit
    assert len(enter_name(unicodedata.normalize("NFD", "é" * NAME_MAX_CHARS), "c")) == 200


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (NFD_CAFE, "café"),  # NFD as macOS pastes it
        ("Familie Ø", "Familie Ø"),
        ("a b", "a b"),
        ("👩‍👩‍👧 family", "👩‍👩‍👧 family"),  # ZWJ inside an emoji is fine
        ("ناصر\u200cی", "ناصر\u200cی"),  # ZWNJ inside a Persian name is fine
        ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"),  # astral characters
    ],
    ids=["nfd", "danish", "space-inside", "emoji-zwj", "zwnj", "astral"],
)
def test_names_stored(value: str, stored: str) -> None:
    assert enter_name(value, "name") == stored


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),  # CRLF and CR
        ("red \x1b[31malert\x1b[0m", "red [31malert[0m"),  # escapes removed
        ("word\x0bbreak", "wordbreak"),  # Word's manual line break (VT)
        ("tab\tand\nnewline", "tab\tand\nnewline"),  # kept
        ("nul\x00 del\x7f c1\x9b", "nul del c1"),
        (NFD_CAFE + " au lait", "café au lait"),
    ],
    ids=["line-ends", "escape", "vertical-tab", "tab-newline", "nul-del-c1", "nfd"],
)
def test_long_text_stored(value: str, stored: str) -> None:
    assert enter_text(value, "memo") == stored


def test_long_text_refuses_surrogates_with_position() -> None:
    with pytest.raises(InputError) as raised:
        enter_text("ok \ud83d then", "notes.yaml", line=7, column=9)
    assert str(raised.value).startswith("notes.yaml:7:9: ")
    assert "U+D83D" in str(raised.value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("a", True),
        ("1", True),
        ("ø", True),
        (unicodedata.normalize("NFD", "é"), True),  # two code points, one character
        ("ab", False),
        ("", False),
        (" ", False),
        ("\t", False),
        ("\x07", False),  # bell: not printable
        ("\u200b", False),  # zero width: not printable
        ("\ud800", False),
    ],
    ids=["a", "1", "oe", "nfd-e", "two", "empty", "space", "tab", "bell", "zwsp", "surrogate"],
)
def test_shortcut_is_one_printable_character(value: str, ok: bool) -> None:
    if ok:
        assert len(enter_shortcut(value, "shortcut")) == 1
    else:
        with pytest.raises(InputError, match="shortcut"):
            enter_shortcut(value, "shortcut")


@pytest.mark.parametrize(
    ("a", "b"),
    [("café", NFD_CAFE), ("Theme", "theme"), ("a  b", "a b"), ("Straße", "STRASSE")],
    ids=["nfd", "case", "spaces", "sharp-s"],
)
def test_names_that_look_alike_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", "out of range"),
        ("9" * 30, "30-digit number is out of range"),
        ("-1", "out of range"),
        ("١٢", "not a whole number"),  # Arabic-Indic digits
        ("²", "not a whole number"),  # a superscript counts as a digit for str.isdigit
        ("1_000", "not a whole number"),
        ("", "not a whole number"),
    ],
    ids=["plain", "spaces", "max", "max+1", "30-digits", "negative", "arabic", "sup", "_", "empty"],
)
def test_parse_integer(text: str, result: int | str) -> None:
    if isinstance(result, int):
        assert parse_integer(text, "--id") == result
    else:
        with pytest.raises(InputError, match=result):
            parse_integer(text, "--id")


def test_tidy_name_keeps_what_is_visible() -> None:
    assert tidy_name("  Code\u0085name\x00 ", "x.qde", "unnamed") == "Code name"
    assert tidy_name("\u202e\u200b", "x.qde", "unnamed") == "unnamed"
    with pytest.raises(InputError, match=r"U\+D800"):
        tidy_name("a\ud800", "x.qde", "unnamed")


def test_shown_escapes_what_cannot_be_printed() -> None:
    assert shown("a\udcffb\x1b\\") == "'a\\xffb\\x1b\\\\'"
    shown("\ud800").encode("utf-8")


# any code point, with surrogates, controls, format characters and combining marks
# (which st.characters() alone leaves out or rarely draws) well represented
any_char = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),
    st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Mn"]),
)
any_text = st.text(any_char, max_size=60)


@settings(max_examples=100, deadline=None)
@given(any_text)
def test_entered_text_is_nfc_utf8_and_idempotent(value: str) -> None:
    try:
        stored = enter_text(value, "memo")
    except InputError as error:
        assert any(0xD800 <= ord(char) <= 0xDFFF for char in value)
        str(error).encode("utf-8")
        return
    stored.encode("utf-8")
    assert unicodedata.is_normalized("NFC", stored)
    assert enter_text(stored, "memo") == stored
    assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in stored)


@settings(max_examples=100, deadline=None)
@given(any_text)
def test_entered_names_are_nfc_utf8_one_line_and_idempotent(value: str) -> None:
    try:
        stored = enter_name(value, "name")
    except InputError as error:
        message = str(error)
        message.encode("utf-8")
        assert "\n" not in message
        return
    stored.encode("utf-8")
    assert unicodedata.is_normalized("NFC", stored)
    assert enter_name(stored, "name") == stored
    assert stored == stored.strip()
    assert 0 < len(stored) <= NAME_MAX_CHARS
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in stored)
    assert name_key(stored) == name_key(unicodedata.normalize("NFD", stored))
