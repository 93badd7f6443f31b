"""`uncode --span` checks the span as `code --span` does, before looking for codings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli


def uncode(project: Path, span: str, run: Cli, expect: int = 0) -> str:
    args = ("uncode", project, "parent-01-en", "openness", "--coder", "anna", "--span", span)
    result = run(*args, expect=expect)
    return result.stdout if expect == 0 else result.stderr


def characters(project: Path, run: Cli) -> int:
    listed = json.loads(run("transcripts", project, "--format", "json").stdout)
    return int(next(t["characters"] for t in listed if t["name"] == "parent-01-en"))


@pytest.mark.parametrize(
    ("span", "reason"),
    [
        ("41:0", "span 41:0 is reversed (end before start)"),
        ("7:7", "span 7:7 is empty"),
        ("-3:4", "span -3:4 has a negative offset"),
        ("{n}:{n+1}", "span {n}:{n+1} is out of range (text has {n} characters)"),
    ],
)
def test_a_bad_span_is_reported_as_in_code(
    demo_path: Path, run: Cli, span: str, reason: str
) -> None:
    n = characters(demo_path, run)

    def fill(value: str) -> str:
        return value.replace("{n+1}", str(n + 1)).replace("{n}", str(n))

    before = dump(demo_path)
    error = one_line_error(uncode(demo_path, fill(span), run, expect=1))
    expected = f"parent-01-en: {fill(reason)}"
    assert error == f"Error: {expected}"
    # The same words as `code` gives for the same span.
    coded = run(
        "code",
        demo_path,
        "parent-01-en",
        "openness",
        "--coder",
        "anna",
        "--span",
        fill(span),
        expect=1,
    )
    assert one_line_error(coded.stderr) == error
    assert dump(demo_path) == before


def test_a_valid_span_without_a_coding_still_says_so(demo_path: Path, run: Cli) -> None:
    error = one_line_error(uncode(demo_path, "0:1", run, expect=1))
    assert (
        error == f"Error: {demo_path}: no coding of 'openness' by 'anna' at 0:1 in 'parent-01-en'"
    )


def test_a_coded_span_is_removed(demo_path: Path, run: Cli) -> None:
    run("code", demo_path, "parent-01-en", "openness", "--coder", "anna", "--span", "3:40")
    removed = uncode(demo_path, "3:40", run)
    assert removed.startswith("removed coding ")
    assert removed.endswith(": parent-01-en 3:40 openness by anna\n")
