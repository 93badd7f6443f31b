"""Every user mistake: one line on stderr naming the file and position, exit 1, no
traceback, and the database exactly as it was."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli, write

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


def dump(path: Path) -> list[str]:
    """Every statement that rebuilds the project, except the rows of ``presence``: an open
    workspace's heartbeat is not project content (storage/dump.py leaves it out too)."""
    connection = sqlite3.connect(path)
    try:
        return [s for s in connection.iterdump() if not s.startswith('INSERT INTO "presence"')]
    finally:
        connection.close()


@pytest.fixture
def study(tmp_path: Path, run: Cli) -> Path:
    """A project with one transcript, the minimal codebook and one coding."""
    path = tmp_path / "study.qualcode"
    run("init", path)
    run("import", path, TRANSCRIPTS / "parent-01-en.txt")
    run("codebook", path, "import", CODEBOOKS / "minimal.yaml")
    run("code", path, "parent-01-en", "positive", "--coder", "anna", "--span", "0:40")
    return path


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


Make = Callable[[Path], list[str]]


def _cases() -> list[tuple[str, Make, list[str]]]:
    """(id, build args from tmp folder, phrases the one-line error must contain)."""

    def image(tmp: Path) -> list[str]:
        return ["import", "{p}", str(write(tmp / "scan.txt", PNG))]

    def empty(tmp: Path) -> list[str]:
        return ["import", "{p}", str(write(tmp / "empty.txt", b""))]

    def undecodable(tmp: Path) -> list[str]:
        # 0x81 is neither UTF-8 here nor defined in Windows-1252: byte offset 11.
        return ["import", "{p}", str(write(tmp / "bad.txt", b"Mette: hej \x81 med dig"))]

    def huge(tmp: Path) -> list[str]:
        big = tmp / "huge.txt"
        with big.open("wb") as handle:
            handle.truncate(200 * 1024 * 1024)  # sparse: no memory or disk used
        return ["import", "{p}", str(big)]

    def bad_yaml(tmp: Path) -> list[str]:
        text = "codes:\n  - name: a\n    children: [\n"
        return ["codebook", "{p}", "import", str(write(tmp / "bad.yaml", text))]

    def unknown_field(tmp: Path) -> list[str]:
        text = "codes:\n  - name: a\n    colur: '#FF0000'\n"
        return ["codebook", "{p}", "import", str(write(tmp / "typo.yaml", text))]

    def unknown_code(_: Path) -> list[str]:
        return ["code", "{p}", "parent-01-en", "nonsense", "--coder", "a", "--span", "0:5"]

    def unknown_transcript(_: Path) -> list[str]:
        return ["code", "{p}", "parent-99", "positive", "--coder", "a", "--span", "0:5"]

    def out_of_range(_: Path) -> list[str]:
        return ["code", "{p}", "parent-01-en", "positive", "--coder", "a", "--span", "0:999999"]

    def reversed_span(_: Path) -> list[str]:
        return ["code", "{p}", "parent-01-en", "positive", "--coder", "a", "--span", "50:10"]

    def quote_missing(_: Path) -> list[str]:
        quote = "the moon landing was filmed in a studio in Aarhus"
        return ["code", "{p}", "parent-01-en", "positive", "--coder", "a", "--quote", quote]

    def codings_bad_row(tmp: Path) -> list[str]:
        text = (
            "transcript,code,coder,start,end,memo\n"
            "parent-01-en,positive,bo,0,10,\n"
            "parent-01-en,positive,bo,20,5,\n"
        )
        return ["codings", "{p}", "import", str(write(tmp / "codings.csv", text))]

    return [
        ("image", image, ["scan.txt", "PNG"]),
        ("empty", empty, ["empty.txt", "empty"]),
        ("undecodable", undecodable, ["bad.txt", "offset 11", "0x81"]),
        ("200MB", huge, ["huge.txt", "limit"]),
        ("malformed-yaml", bad_yaml, ["bad.yaml:4:1"]),
        ("unknown-yaml-field", unknown_field, ["typo.yaml:3:5", "colur"]),
        ("unknown-code", unknown_code, ["unknown code 'nonsense'"]),
        ("unknown-transcript", unknown_transcript, ["unknown transcript 'parent-99'"]),
        ("span-out-of-range", out_of_range, ["parent-01-en: span", "out of range"]),
        ("span-reversed", reversed_span, ["parent-01-en: span", "reversed"]),
        ("quote-not-found", quote_missing, ["parent-01-en: quote not found"]),
        ("codings-bad-row", codings_bad_row, ["codings.csv:3", "reversed"]),
    ]


@pytest.mark.parametrize(
    ("make", "phrases"), [c[1:] for c in _cases()], ids=[c[0] for c in _cases()]
)
def test_bad_input_is_one_line_and_changes_nothing(
    study: Path, tmp_path: Path, run: Cli, make: Make, phrases: list[str]
) -> None:
    before = dump(study)
    args = [a.replace("{p}", str(study)) for a in make(tmp_path)]
    result = run(*args, expect=1)
    line = one_line_error(result.stderr)
    for phrase in phrases:
        assert phrase in line
    assert dump(study) == before


def test_missing_project_file(tmp_path: Path, run: Cli) -> None:
    result = run("transcripts", tmp_path / "nowhere.qualcode", expect=1)
    assert "nowhere.qualcode: no such project" in one_line_error(result.stderr)


def test_file_that_is_not_a_project(tmp_path: Path, run: Cli) -> None:
    other = write(tmp_path / "notes.qualcode", "just some notes\n" * 20)
    result = run("transcripts", other, expect=1)
    assert "notes.qualcode: not a qualcode project" in one_line_error(result.stderr)


def test_read_only_project_file(study: Path, run: Cli) -> None:
    before = dump(study)
    study.chmod(stat.S_IRUSR)
    try:
        result = run("import", study, TRANSCRIPTS / "parent-03-da.txt", expect=1)
        assert "read-only" in one_line_error(result.stderr)
        listing = run("transcripts", study)  # reading still works
        assert "parent-01-en" in listing.stdout
    finally:
        study.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert dump(study) == before


def test_one_bad_file_among_many_imports_nothing(study: Path, tmp_path: Path, run: Cli) -> None:
    before = dump(study)
    bad = write(tmp_path / "zzz.txt", b"")
    result = run("import", study, TRANSCRIPTS / "parent-03-da.txt", bad, expect=1)
    assert "zzz.txt" in one_line_error(result.stderr)
    assert dump(study) == before


def test_same_name_different_text_is_refused(study: Path, tmp_path: Path, run: Cli) -> None:
    before = dump(study)
    changed = write(tmp_path / "parent-01-en.txt", "Interviewer: a different text entirely\n")
    result = run("import", study, changed, expect=1)
    assert "already in the project" in one_line_error(result.stderr)
    assert dump(study) == before


def test_reimporting_identical_text_is_a_noop(study: Path, run: Cli) -> None:
    before = dump(study)
    result = run("import", study, TRANSCRIPTS / "parent-01-en.txt")
    assert "already imported with identical text" in result.stdout
    assert dump(study) == before
