"""The matrix, cooccurrence, report and summary commands: outputs, mistakes, summaries."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.matrices.fixture import build_fixture


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    build_fixture(tmp_path, summary=False).close()
    return tmp_path / "fixture.qualcode"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["matrix", "--rows", "attribute:age"],
            "Error: {p}: unknown attribute 'age' (attributes: group, years)",
        ),
        (
            ["matrix", "--rows", "attribute:group,attribute:size"],
            "Error: {p}: unknown attribute 'size' (attributes: group, years)",
        ),
        (
            ["matrix", "--rows", "people"],
            "Error: --rows: expected cases, transcripts, speakers, attribute:NAME or "
            "attribute:NAME,attribute:NAME, got 'people'",
        ),
        (
            ["matrix", "--cols", "T,V"],
            "Error: {p}: unknown code 'V' (codes: T, T/a, T/b, U)",
        ),
        (["matrix", "--coder", "c3"], "Error: {p}: unknown coder 'c3' (coders: c1, c2)"),
        (
            ["matrix", "--where", "group=boss"],
            "Error: {p}: no case has group = 'boss' (values: parent, worker)",
        ),
        (
            ["matrix", "--case", "Case Z"],
            "Error: {p}: unknown case 'Case Z' (cases: Case A, Case P, Case Q)",
        ),
        (
            ["matrix", "--measure", "density"],
            "Error: --measure: unknown measure 'density' (use references, words, characters, "
            "coverage, presence, transcripts, cases, row-pct, col-pct, passages or all)",
        ),
        (
            ["matrix", "--format", "csv", "--measure", "references,words"],
            "Error: --measure: a wide CSV holds one measure, not references, words: give one, "
            "or add --long",
        ),
        (
            ["matrix", "--format", "xlsx"],
            "Error: -o: xlsx is a binary format: give a file, e.g. -o exports/matrix.xlsx",
        ),
        (
            ["report", "--code", "T", "--format", "docx", "-o", "-"],
            "Error: -o: docx is a binary format: give a file, e.g. -o exports/report.docx",
        ),
        (["cooccurrence", "--coder", "zed"], "Error: {p}: unknown coder 'zed' (coders: c1, c2)"),
        (
            ["report", "--code", "X"],
            "Error: {p}: unknown code 'X' (codes: T, T/a, T/b, U)",
        ),
        (
            ["summary", "Case Z", "T", "text"],
            "Error: {p}: unknown case 'Case Z' (cases: Case A, Case P, Case Q)",
        ),
        (
            ["summary", "Case A", "W", "text"],
            "Error: {p}: unknown code 'W' (codes: T, T/a, T/b, U)",
        ),
    ],
)
def test_mistakes_are_one_line_and_change_nothing(
    fixture_file: Path, run: Cli, args: list[str], message: str
) -> None:
    before = digest(fixture_file)
    result = run(args[0], fixture_file, *args[1:], expect=1)
    assert result.stderr == message.format(p=fixture_file) + "\n"
    assert result.stdout == ""
    assert digest(fixture_file) == before


def test_missing_output_folder(fixture_file: Path, run: Cli, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "m.xlsx"
    result = run("matrix", fixture_file, "-o", target, expect=1)
    assert result.stderr == f"Error: {target}: folder {target.parent} does not exist\n"


def test_text_goes_to_stdout_unless_a_file_is_named(
    fixture_file: Path, run: Cli, tmp_path: Path
) -> None:
    to_stdout = run("matrix", fixture_file, "--format", "csv").stdout
    assert run("matrix", fixture_file, "--format", "csv", "-o", "-").stdout == to_stdout
    target = tmp_path / "m.csv"  # the suffix chooses the format
    result = run("matrix", fixture_file, "-o", target)
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == to_stdout
    assert to_stdout.splitlines()[0] == "case,T,U,Total"
    # Markdown is the default on the terminal.
    assert run("matrix", fixture_file).stdout.startswith("# Matrix\n")


def test_empty_project_prints_headers(tmp_path: Path, run: Cli) -> None:
    path = tmp_path / "empty.qualcode"
    run("init", path)
    assert run("matrix", path, "--format", "csv").stdout == "case,Total\nTotal,0\n"
    assert run(
        "matrix", path, "--rows", "transcripts", "--measure", "coverage", "--format", "csv"
    ).stdout == ("transcript,Total\nTotal,\n")
    assert "| case | Total |" in run("matrix", path).stdout.replace("  ", " ")
    assert run("cooccurrence", path, "--format", "csv").stdout == "code\n"
    run("matrix", path, "-o", tmp_path / "empty.xlsx")
    run("matrix", path, "--format", "html")
    run("matrix", path, "--format", "json")


def test_summary_set_show_and_remove(fixture_file: Path, run: Cli) -> None:
    assert run("summary", fixture_file, "Case A", "T").stdout == "no summary for Case A × T\n"
    result = run("summary", fixture_file, "Case A", "T", "Many words on T.", "--author", "c2")
    assert result.stdout == "summary set: Case A × T\n"
    shown = run("summary", fixture_file, "Case A", "T").stdout
    assert shown.startswith("Case A × T (c2, ")
    assert shown.endswith(":\nMany words on T.\n")
    framework = run("matrix", fixture_file, "--measure", "passages", "--format", "csv").stdout
    assert "Summary: Many words on T." in framework
    assert "**Summary:** Many words on T." in run("report", fixture_file, "--code", "T").stdout
    assert run("summary", fixture_file, "Case A", "T", "").stdout == (
        "summary removed: Case A × T\n"
    )
    assert "Summary:" not in run("report", fixture_file, "--code", "T").stdout
    log = run("log", fixture_file, "--limit", "2").stdout
    assert "framework summary Case A × T removed" in log
    assert "framework summary Case A × T set" in log


def test_separate_coders_headers_and_filters(fixture_file: Path, run: Cli) -> None:
    text = run(
        "matrix", fixture_file, "--separate-coders", "--coder", "c2", "--coder", "c1",
        "--rows", "transcripts", "--transcript", "focus-1", "--format", "csv",
    ).stdout  # fmt: skip
    # Blocks in the order the coders were named; only focus-1 is left.
    assert text == (
        "transcript,T [c2],U [c2],Total [c2],T [c1],U [c1],Total [c1]\n"
        "focus-1,1,1,2,1,0,1\n"
        "Total,1,1,2,1,0,1\n"
    )
