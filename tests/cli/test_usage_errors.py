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
        # a mistyped command before a project: the closest command, not `open`'s usage
        (
            ("agremeent", "{p}", "--coders", "anna", "bo"),
            "No such command 'agremeent'; did you mean 'agreement'? (see: qualcode --help)",
        ),
        # ... and alone
        (
            ("codebok",),
            "No such command 'codebok'; did you mean 'codebook'? (see: qualcode --help)",
        ),
        # a word like no command and no file
        (
            ("xyzzy", "{p}"),
            "No such command 'xyzzy', and no project file of that name. (see: qualcode --help)",
        ),
    ],
    ids=["turn-not-number", "missing-coder", "unknown-format", "unknown-subcommand",
         "unknown-option", "mistyped-command", "mistyped-alone", "unknown-word"],
)  # fmt: skip
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


@pytest.mark.parametrize(
    ("name", "expect", "says"),
    [
        # an existing project without a suffix opens (here: prints its summary)
        ("study", 0, "project"),
        # a file name that does not exist is still the project `open` looks for
        ("missing.qualcode", 1, "missing.qualcode: no such project"),
    ],
    ids=["existing-bare-name", "missing-file"],
)
def test_a_first_word_that_is_a_file_name_opens_it(
    run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, expect: int, says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    run("init", "study")
    result = run(name, expect=expect)
    assert says in result.stdout + result.stderr
