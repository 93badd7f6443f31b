"""`qualcode agreement --origin`: which codings of each coder are compared — every
coder's (``human``, ``suggested``) or one coder's (``anna=suggested``), so a coder's
accepted suggestions can be compared with another coder's own coding — and every format
says what was filtered."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qualcode.domain.agreement_origin import ALL, parse_origins
from qualcode.domain.errors import FieldError
from qualcode.domain.spans import Span
from qualcode.domain.suggestions import HUMAN, SUGGESTED
from qualcode.services.coding import apply_code
from qualcode.services.project import open_project
from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli

TRANSCRIPT, CODE = "parent-01-en", "positive"
CODINGS = (
    # (coder, start, end, origin)
    ("anna", 0, 40, SUGGESTED),  # anna accepted a suggestion here; bo coded it by hand
    ("anna", 100, 140, HUMAN),
    ("bo", 0, 40, HUMAN),
    ("bo", 200, 260, SUGGESTED),
    ("cy", 0, 40, HUMAN),  # cy accepted no suggestion
)


@pytest.fixture
def coded(tmp_path: Path, run: Cli) -> Path:
    path = tmp_path / "origin.qualcode"
    run("init", path)
    run("import", path, TRANSCRIPTS / f"{TRANSCRIPT}.txt")
    run("codebook", path, "import", CODEBOOKS / "minimal.yaml")
    project = open_project(path)
    try:
        for coder, start, end, origin in CODINGS:
            chosen = SUGGESTED if origin == SUGGESTED else None
            apply_code(project, TRANSCRIPT, CODE, coder, span=Span(start, end), origin=chosen)
    finally:
        project.close()
    return path


def characters(coder: str, origin: str) -> set[int]:
    """The characters the coder's codings of ``origin`` (or all) cover: the expected
    table computed apart from qualcode's sweep."""
    return {
        at
        for who, start, end, found in CODINGS
        if who == coder and origin in (ALL, found)
        for at in range(start, end)
    }


@pytest.mark.parametrize(
    ("options", "anna", "bo"),
    [
        ([], ALL, ALL),  # no filter
        (["--origin", "anna=suggested", "bo=human"], SUGGESTED, HUMAN),  # the usual question
        (["--origin", "anna=suggested"], SUGGESTED, ALL),  # bo keeps every coding
        (["--origin", "human", "anna=suggested"], SUGGESTED, HUMAN),  # anna's own wins
        (["--origin", "human"], HUMAN, HUMAN),  # every coder
        (["--origin", "suggested"], SUGGESTED, SUGGESTED),  # every coder
        (["--origin", " bo = Suggested "], ALL, SUGGESTED),  # spaces and case
    ],
    ids=["none", "per-coder", "one-coder", "every-then-one", "every-human",
         "every-suggested", "spaced"],
)  # fmt: skip
def test_each_coder_is_filtered_by_its_own_origin(
    coded: Path, run: Cli, options: list[str], anna: str, bo: str
) -> None:
    report = json.loads(
        run("agreement", coded, "--coders", "anna", "bo", "--format", "json", *options).stdout
    )
    (pair,) = report["per_code"][CODE]["pooled"]["pairs"]
    a, b = characters("anna", anna), characters("bo", bo)
    assert (pair["both"], pair["a_only"], pair["b_only"]) == (len(a & b), len(a - b), len(b - a))
    assert report["origin"] == (None if options == [] else {"anna": anna, "bo": bo})


def test_every_format_says_what_was_compared(coded: Path, run: Cli, tmp_path: Path) -> None:
    args = ("agreement", coded, "--coders", "anna", "bo", "--origin", "anna=suggested", "bo=human")
    said = "codings compared: anna: accepted suggestions only; bo: codings made by hand only"
    table = run(*args).stdout
    assert said in table.splitlines()[0]  # the header
    assert "By origin (--origin)" in table  # and the rules
    report = json.loads(run(*args, "--format", "json").stdout)
    assert any(said in rule for rule in report["rules"])
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert {(r["a_origin"], r["b_origin"]) for r in rows} == {(SUGGESTED, HUMAN)}
    assert said in run(*args, "--format", "html").stdout
    out = tmp_path / "origin.xlsx"
    run(*args, "-o", out)
    book = load_workbook(out)
    assert said in [row[0].value for row in book["notes"].iter_rows()]
    headers = [cell.value for cell in book["all rows"][1]]
    assert headers[-2:] == ["a_origin", "b_origin"]
    # without a filter nothing is said and no column is added
    plain = run("agreement", coded, "--coders", "anna", "bo", "--format", "csv").stdout
    assert "a_origin" not in plain.splitlines()[0]


def test_a_coder_left_with_nothing_is_named(coded: Path, run: Cli) -> None:
    args = ("agreement", coded, "--coders", "anna", "cy", "--format", "json")
    report = json.loads(run(*args, "--origin", "anna=suggested", "cy=suggested").stdout)
    (rule,) = [rule for rule in report["rules"] if rule.startswith("By origin")]
    assert rule.endswith("cy has no accepted suggestions in the compared transcripts.")
    assert "anna has no" not in rule
    report = json.loads(run(*args, "--origin", "anna=suggested", "cy=human").stdout)
    assert not any("has no" in rule for rule in report["rules"])


@pytest.mark.parametrize(
    ("origin", "code", "message"),
    [
        # an origin that does not exist: a value of the wrong kind (usage error)
        (["anna=machine"], 2, "Invalid value for '--origin': 'anna=machine'"),
        # a coder who is not compared
        (["carl=human"], 1, "--origin: 'carl' is not a compared coder (anna, bo)"),
        # the same coder twice
        (["anna=human", "anna=suggested"], 1, "--origin: coder 'anna' is given an origin twice"),
        # two origins for every coder
        (["human", "suggested"], 1, "--origin: give one origin for every coder, not two"),
        # no coder before '='
        (["=human"], 1, "--origin: no coder before '=' in '=human'"),
    ],
    ids=["unknown-origin", "not-compared", "coder-twice", "every-twice", "no-coder"],
)
def test_wrong_origins_are_one_line(
    coded: Path, run: Cli, origin: list[str], code: int, message: str
) -> None:
    result = run("agreement", coded, "--coders", "anna", "bo", "--origin", *origin, expect=code)
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((), ()),  # no filter
        (("suggested",), (("anna", SUGGESTED), ("bo", SUGGESTED), ("cy", SUGGESTED))),
        (("bo=human",), (("anna", ALL), ("bo", HUMAN), ("cy", ALL))),
        (("cy=suggested", "human"), (("anna", HUMAN), ("bo", HUMAN), ("cy", SUGGESTED))),
        (("ann=a=human",), None),  # a name cannot hold '=': 'ann=a' is no compared coder
    ],
    ids=["none", "every", "one", "one-and-every", "equals-in-name"],
)
def test_parse_origins(values: tuple[str, ...], expected: tuple[tuple[str, str], ...]) -> None:
    coders = ("anna", "bo", "cy")
    if expected is None:
        with pytest.raises(FieldError) as raised:
            parse_origins(values, coders)
        assert raised.value.field == "origin"
        return
    assert parse_origins(values, coders) == expected
