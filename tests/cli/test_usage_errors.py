"""A mistyped command line gives one line pointing to the command's help, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ("code", "{p}", "parent-01-en", "continuity", "--turn", "x", "--coder", "a"),
            "Invalid value for '--turn': 'x' is not a whole number (see: qualcode code --help)",
        ),
        (
            ("code", "{p}", "parent-01-en", "continuity", "--turn", "3"),
            "Missing option '--coder'. (see: qualcode code --help)",
        ),
        (
            ("transcripts", "{p}", "--format", "xml"),
            "Invalid value for '--format': 'xml' is not one of 'table', 'json', 'csv'. "
            "(see: qualcode transcripts --help)",
        ),
        (("codebook", "{p}", "nosub"), "No such command 'nosub'. (see: qualcode codebook --help)"),
        (("--nosuch",), "No such option '--nosuch'. (see: qualcode --help)"),
    ],
)
def test_a_mistyped_command_line_is_one_line(
    run: Cli, demo_path: Path, arguments: tuple[str, ...], expected: str
) -> None:
    before = demo_path.read_bytes()
    result = run(*(a.format(p=demo_path) for a in arguments), expect=2)
    assert result.stderr == f"Error: {expected}\n"
    assert result.stdout == ""
    assert demo_path.read_bytes() == before


@pytest.mark.parametrize("arguments", [(), ("transcript",)])
def test_a_bare_command_group_shows_its_help(run: Cli, arguments: tuple[str, ...]) -> None:
    result = run(*arguments, expect=2)
    output = result.stdout + result.stderr
    assert output.startswith(f"Usage: qualcode {' '.join(arguments)}".rstrip())
    assert "Commands:" in output or "Options:" in output
    assert "Error:" not in output
