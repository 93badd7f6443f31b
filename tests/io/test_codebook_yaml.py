"""Codebook YAML: loading, located errors, and dump/parse round trips."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.codebook import Codebook, CodeSpec, walk
from qualcode.domain.errors import FileAccessError, InputError
from qualcode.domain.text_entry import enter_name, enter_shortcut, enter_text, name_key
from qualcode.exporters.codebook_yaml import dump_codebook
from qualcode.importers.codebook_yaml import load_codebook, parse_codebook
from tests.hypothesis_profiles import examples

REPO = Path(__file__).resolve().parents[2]

VALID = """\
name: Family–caseworker collaboration
description: How families and caseworkers work together.
codes:
  - name: continuity
    label_da: kontinuitet
    description: >
      Having the same caseworker over time.
    inclusion: Mentions of changing or keeping a caseworker.
    exclusion: Continuity of school or day care.
    example: "We've had four caseworkers in two years."
    colour: "#2E86AB"
    shortcut: 1
    keywords: [same caseworker, new caseworker]
    children:
      - name: meeting the child
        shortcut: m
        label_da: ~
      - name: yes
  - name: trust
    keywords:
      - tillid
    children: []
"""


def test_load_valid_codebook(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text(VALID, encoding="utf-8")

    codebook = load_codebook(path)

    assert codebook.name == "Family–caseworker collaboration"
    assert codebook.description == "How families and caseworkers work together."
    continuity, trust = codebook.codes
    assert continuity == CodeSpec(
        name="continuity",
        label_da="kontinuitet",
        description="Having the same caseworker over time.\n",
        inclusion="Mentions of changing or keeping a caseworker.",
        exclusion="Continuity of school or day care.",
        example="We've had four caseworkers in two years.",
        colour="#2E86AB",
        shortcut="1",  # an unquoted YAML integer stays the text the user wrote
        keywords=("same caseworker", "new caseworker"),
        children=(
            CodeSpec(name="meeting the child", shortcut="m"),  # label_da: ~ means absent
            CodeSpec(name="yes"),  # not the boolean True
        ),
    )
    assert trust == CodeSpec(name="trust", keywords=("tillid",))
    assert [path for path, _ in walk(codebook.codes)] == [
        "continuity",
        "continuity/meeting the child",
        "continuity/yes",
        "trust",
    ]


def test_load_strips_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffcodes:\n  - name: æble\n".encode())
    assert load_codebook(path) == Codebook(name=None, codes=(CodeSpec(name="æble"),))


def test_load_refuses_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"codes:\n  - name: \xe6ble\n")
    with pytest.raises(InputError, match="UTF-8") as caught:
        load_codebook(path)
    assert caught.value.offset == 17


def test_missing_file_is_a_file_access_error(tmp_path: Path) -> None:
    # Opening is the file reader's (qualcode.files.reading): one line naming the file.
    with pytest.raises(FileAccessError, match=r"absent\.yaml: no such file"):
        load_codebook(tmp_path / "absent.yaml")


def test_error_renders_as_one_located_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_codebook("codes:\n  - name: a\n    color: red\n", "book.yaml")
    assert str(caught.value).startswith("book.yaml:3:5: unknown field 'color'")
    assert "\n" not in str(caught.value)


BAD_INPUTS = [
    # (yaml text, line, column, phrase of the reason)
    pytest.param("", 1, 1, "empty", id="empty-file"),
    pytest.param("# only a comment\n", 1, 1, "empty", id="comment-only"),
    pytest.param("codes: [\n", 2, 1, "expected", id="syntax-unclosed-flow"),
    pytest.param(
        "codes:\n  - name: a\n   b: c\n", 3, 4, "expected <block end>", id="syntax-indent"
    ),
    pytest.param("codes:\n\t- name: a\n", 2, 1, "'\\t'", id="syntax-tab"),
    pytest.param("codes: []\n---\ncodes: []\n", 2, 1, "another document", id="two-docs"),
    pytest.param("codes: [*missing]\n", 1, 9, "undefined alias", id="undefined-alias"),
    pytest.param("codes: []\nx: \x07\n", 2, 4, "U+0007", id="control-character"),
    pytest.param("- name: a\n", 1, 1, "must be a mapping", id="top-level-list"),
    pytest.param("just text\n", 1, 1, "must be a mapping", id="top-level-scalar"),
    pytest.param("name: book\n", 1, 1, "missing field 'codes'", id="no-codes"),
    pytest.param("codes: x\n", 1, 8, "codes must be a list", id="codes-scalar"),
    pytest.param("codes: []\nauthor: me\n", 2, 1, "unknown field 'author'", id="unknown-top"),
    pytest.param(
        "codes:\n  - name: a\n    color: red\n", 3, 5, "did you mean 'colour'", id="color-alias"
    ),
    pytest.param(
        "codes:\n  - name: a\n    colur: '#000000'\n", 3, 5, "allowed: name, label_da", id="typo"
    ),
    pytest.param("codes:\n  - just a name\n", 2, 5, "each code must be a mapping", id="code-str"),
    pytest.param("codes:\n  - label_da: x\n", 2, 5, "missing its 'name'", id="no-name"),
    pytest.param("codes:\n  - name:\n", 2, 10, "name is empty", id="null-name"),
    pytest.param("codes:\n  - name: '  '\n", 2, 11, "name is empty", id="blank-name"),
    pytest.param("codes:\n  - name: ' a'\n", 2, 11, "starts or ends", id="padded-name"),
    pytest.param("codes:\n  - name: [a]\n", 2, 11, "name must be text", id="name-list"),
    pytest.param('codes:\n  - name: "a\\nb"\n', 2, 11, "several lines", id="name-newline"),
    pytest.param(
        "codes:\n  - name: Trust\n  - name: trust\n", 3, 11, "duplicate code name", id="dup-name"
    ),
    pytest.param(
        "codes:\n  - name: a\n    children:\n      - name: x\n      - name: X\n",
        5,
        15,
        "first on line 4",
        id="dup-child-name",
    ),
    pytest.param("codes:\n  - name: a\n    name: b\n", 3, 5, "duplicate key 'name'", id="dup-key"),
    pytest.param("codes: []\ncodes: []\n", 2, 1, "duplicate key 'codes'", id="dup-top-key"),
    pytest.param(
        "codes:\n  - name: a\n    ? [x]\n    : y\n", 3, 7, "keys in a code", id="list-key"
    ),
    pytest.param(
        "codes:\n  - name: a\n    keywords: a, b\n", 3, 15, "keywords must be a list", id="kw-str"
    ),
    pytest.param(
        "codes:\n  - name: a\n    keywords: [x, [y]]\n", 3, 19, "each keyword", id="kw-nested"
    ),
    pytest.param("codes:\n  - name: a\n    keywords: [x, '']\n", 3, 19, "empty", id="kw-blank"),
    pytest.param(
        "codes:\n  - name: a\n    shortcut: ab\n", 3, 15, "single character", id="shortcut-long"
    ),
    pytest.param(
        "codes:\n  - name: a\n    shortcut: 1\n"
        "    children:\n      - name: b\n        shortcut: '1'\n",
        6,
        19,
        "already used on line 3",
        id="dup-shortcut",
    ),
    pytest.param(
        "codes:\n  - name: a\n    children:\n      - name: b\n        shortcut: x\n"
        "    shortcut: x\n",
        6,
        15,
        "already used on line 5",
        id="dup-shortcut-children-first",
    ),
    pytest.param("codes:\n  - name: a\n    colour: red\n", 3, 13, "#RRGGBB", id="colour-name"),
    pytest.param(
        "codes:\n  - name: a\n    colour: '#12345'\n", 3, 13, "#RRGGBB", id="colour-short"
    ),
    pytest.param(
        "codes:\n  - name: a\n    colour: #2E86AB\n", 3, 12, "quote it", id="colour-comment"
    ),
    pytest.param(
        "codes:\n  - name: a\n    description: {x: y}\n", 3, 18, "must be text", id="desc-map"
    ),
    pytest.param(
        "codes:\n  - name: a\n    children: b\n", 3, 15, "children must be a list", id="kids-str"
    ),
    pytest.param(
        "codes:\n  - &a {name: a}\n  - name: b\n    children: [*a]\n",
        4,
        16,
        "alias *a repeats",
        id="alias-reuse",
    ),
    pytest.param(
        "codes: &top\n  - name: a\n    children: *top\n", 3, 15, "write it out", id="alias-cycle"
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "phrase"), BAD_INPUTS)
def test_bad_codebook_is_located(text: str, line: int, column: int, phrase: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_codebook(text, "book.yaml")
    error = caught.value
    assert error.source == "book.yaml"
    assert (error.line, error.column) == (line, column), error.reason
    assert phrase in error.reason
    assert "\n" not in error.reason


def test_dump_layout_is_readable() -> None:
    codebook = Codebook(
        name="Samarbejde",
        codes=(
            CodeSpec(
                name="continuity",
                label_da="kontinuitet",
                description="Line one.\nLine two.",
                colour="#2E86AB",
                shortcut="1",
                keywords=("same worker", "yes"),
                children=(CodeSpec(name="no"),),
            ),
        ),
    )
    assert dump_codebook(codebook) == (
        "name: Samarbejde\n"
        "codes:\n"
        "  - name: continuity\n"
        "    label_da: kontinuitet\n"
        "    description: |-\n"
        "      Line one.\n"
        "      Line two.\n"
        '    colour: "#2E86AB"\n'
        "    shortcut: '1'\n"
        "    keywords: [same worker, 'yes']\n"
        "    children:\n"
        "      - name: 'no'\n"
    )


def test_dump_folds_long_text() -> None:
    words = " ".join(["collaboration"] * 30)
    text = dump_codebook(Codebook(name=None, codes=(CodeSpec(name="a", description=words),)))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert parse_codebook(text, "dump").codes[0].description == words


# Strings YAML would happily read as something else, or that need care to write.
TRICKY = [
    "yes",
    "No",
    "null",
    "~",
    "true",
    "off",
    "1",
    "0x1F",
    "1e3",
    ".nan",
    "2024-01-05",
    "#2E86AB",
    "a: b",
    "- item",
    "[x]",
    "{y}",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "'single'",
    '"double"',
    "it's",
    "  leading spaces",
    "trailing spaces  ",
    "line one\nline two",
    "  indented first\nsecond",
    "ends with newline\n",
    "\n\nstarts with newlines",
    "many\n\n\nblank lines\n\n",
    "tab\there",
    "cr\rand crlf\r\n",
    "next\x85line",
    "line\u2028separator\u2029paragraph",
    "nul\x00 bell\x07 bom\ufeff",
    "trailing spaces  \nthen a line",
    " \n",
    "æøå ÆØÅ – “quotes”",
    "word " * 40,
    ("a long sentence that goes on " * 5).strip(),
    " leading space then" + " long prose" * 8,
    "double  spaces  " * 8 + "end",
    "long " * 20 + "# not a comment" + " and: not a key" * 3,
    "---",
    "...",
    "",
]


def _is_name(name: str) -> bool:
    try:
        return enter_name(name, "test") == name
    except InputError:
        return False


def _is_shortcut(key: str) -> bool:
    try:
        return enter_shortcut(key, "test") == key
    except InputError:
        return False


# Valid codebooks hold text as the entrance stores it (qualcode.domain.text_entry): long
# text with LF line ends and no control characters, names and shortcuts by their rules.
# Blank text is not a value: a file's blank field reads as written empty (no text), as
# the workspace's editor stores a blank field.
text_values = (
    st.one_of(
        st.sampled_from(TRICKY),
        st.text(st.characters(codec="utf-8"), max_size=40),
        st.lists(st.sampled_from(TRICKY), min_size=2, max_size=4).map("".join),
    )
    .map(lambda text: enter_text(text, "test"))
    .filter(str.strip)
)
code_names = st.one_of(st.sampled_from(TRICKY), st.text(min_size=1, max_size=20)).filter(_is_name)
keywords = (
    st.one_of(st.sampled_from(TRICKY), st.text(max_size=15))
    .map(lambda keyword: enter_text(keyword, "test"))
    .filter(lambda k: k.strip())
)
colours = st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True)
shortcuts = st.one_of(
    st.sampled_from(["1", "y", "n", "~", "#", "-", ":", "ø"]), st.characters()
).filter(_is_shortcut)


@st.composite
def code_trees(draw: st.DrawFn, depth: int = 2) -> CodeSpec:
    """A code with up to ``depth`` levels of children below it."""
    maybe_text = st.none() | text_values
    children = _siblings(code_trees(depth - 1)) if depth > 0 else st.just(())
    return CodeSpec(
        name=draw(code_names),
        label_da=draw(maybe_text),
        description=draw(maybe_text),
        inclusion=draw(maybe_text),
        exclusion=draw(maybe_text),
        example=draw(maybe_text),
        colour=draw(st.none() | colours),
        shortcut=draw(st.none() | shortcuts),
        keywords=tuple(draw(st.lists(keywords, max_size=3))),
        children=draw(children),
    )


def _siblings(codes: st.SearchStrategy[CodeSpec]) -> st.SearchStrategy[tuple[CodeSpec, ...]]:
    return st.lists(codes, max_size=3, unique_by=lambda code: name_key(code.name)).map(tuple)


def _unique_shortcuts(codes: tuple[CodeSpec, ...], used: set[str]) -> tuple[CodeSpec, ...]:
    """Drop shortcuts already taken earlier in the tree (a valid codebook needs unique ones)."""
    result = []
    for code in codes:
        shortcut = code.shortcut
        if shortcut in used:
            shortcut = None
        elif shortcut is not None:
            used.add(shortcut)
        children = _unique_shortcuts(code.children, used)
        result.append(dataclasses.replace(code, shortcut=shortcut, children=children))
    return tuple(result)


@st.composite
def codebooks(draw: st.DrawFn) -> Codebook:
    """Valid codebooks: unique sibling names, unique shortcuts, tricky text everywhere."""
    codes = draw(_siblings(code_trees()))
    return Codebook(
        name=draw(st.none() | text_values),
        codes=_unique_shortcuts(codes, set()),
        description=draw(st.none() | text_values),
    )


@settings(max_examples=examples(300), deadline=None)
@given(codebooks())
def test_dump_then_parse_round_trips(codebook: Codebook) -> None:
    text = dump_codebook(codebook)
    assert parse_codebook(text, "dump") == codebook
    assert dump_codebook(parse_codebook(text, "dump")) == text


def test_a_slash_in_a_name_is_part_of_the_name() -> None:
    """Code paths escape a ``/`` inside a name (``Steder/Sted\\/Ærø``), so a codebook may
    hold the name as written, and YAML gives it back exactly."""
    book = parse_codebook("codes:\n  - name: Steder\n    children:\n      - name: Sted/Ærø\n", "t")
    (parent,) = book.codes
    assert [child.name for child in parent.children] == ["Sted/Ærø"]
    assert parse_codebook(dump_codebook(book), "again") == book


@pytest.mark.parametrize("name", ["family-collaboration.yaml", "minimal.yaml"])
def test_starter_codebooks_load_and_round_trip(name: str) -> None:
    codebook = load_codebook(REPO / "codebooks" / name)
    assert codebook.codes
    text = dump_codebook(codebook)
    assert parse_codebook(text, name) == codebook
    assert dump_codebook(parse_codebook(text, name)) == text
