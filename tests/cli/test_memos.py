"""`qualcode memos`: memos written with `qualcode memo` read back, filtered and exported,
on the demo project (real SQLite file, CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.cli.test_bad_input import dump
from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli

FIELDS = ["id", "target", "author", "created", "text"]
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def noted(demo_path: Path, run: Cli) -> Path:
    """The demo with a memo on the project, a transcript, a theme and one of its sub-codes."""
    run("memo", demo_path, "Sampling: ask for one more father", "--author", "anna")
    run("memo", demo_path, "Line one\nline two", "--transcript", "parent-03-da", "--author", "bo")
    run("memo", demo_path, "Is the definition too wide?", "--code", "continuity")
    run("memo", demo_path, "Overlaps with trust", "--code", "continuity/few caseworker changes")
    return demo_path


def listed(run: Cli, *args: str | Path) -> list[dict[str, object]]:
    records: list[dict[str, object]] = json.loads(run("memos", *args, "--format", "json").stdout)
    return records


def test_every_memo_reads_back_with_its_target(noted: Path, run: Cli) -> None:
    records = listed(run, noted)
    assert [(r["id"], r["target"], r["author"], r["text"]) for r in records] == [
        (1, "project", "anna", "Sampling: ask for one more father"),
        (2, "transcript parent-03-da", "bo", "Line one\nline two"),
        (3, "code continuity", None, "Is the definition too wide?"),
        (4, "code continuity/few caseworker changes", None, "Overlaps with trust"),
    ]
    assert all(STAMP.fullmatch(str(r["created"])) for r in records)
    assert [list(r) for r in records] == [FIELDS] * 4


def test_the_table_shows_each_memo_on_one_row(noted: Path, run: Cli) -> None:
    lines = run("memos", noted).stdout.splitlines()
    assert lines[0].split() == FIELDS
    assert len(lines) == 2 + 4
    assert "transcript parent-03-da" in lines[3]
    assert "Line one⏎line two" in lines[3]


@pytest.mark.parametrize(
    ("options", "ids"),
    [
        (["--project-only"], [1]),
        (["--transcript", "parent-03-da"], [2]),
        (["--transcript", "parent-01-en"], []),  # a transcript without memos
        (["--code", "continuity"], [3, 4]),  # a code includes its sub-codes
        (["--code", "continuity/few caseworker changes"], [4]),
    ],
)
def test_filters(noted: Path, run: Cli, options: list[str], ids: list[int]) -> None:
    assert [r["id"] for r in listed(run, noted, *options)] == ids


def test_all_adds_coding_memos_as_codings_lists_them(noted: Path, run: Cli) -> None:
    codings = json.loads(run("codings", noted, "--format", "json").stdout)
    with_memo = [c for c in codings if c["memo"]]
    assert len(with_memo) > 5  # the demo's coders wrote memos on their codings

    everything = listed(run, noted, "--all")
    assert [r["id"] for r in everything[:4]] == [1, 2, 3, 4]
    coding_rows = everything[4:]
    expected = sorted(with_memo, key=lambda c: (c["transcript"], c["start"], c["id"]))
    assert [(r["id"], r["target"], r["author"], r["text"]) for r in coding_rows] == [
        (None, f"coding {c['id']}", c["coder"], c["memo"]) for c in expected
    ]

    in_transcript = listed(run, noted, "--transcript", "parent-03-da", "--all")
    assert [r["target"] for r in in_transcript] == ["transcript parent-03-da"] + [
        f"coding {c['id']}" for c in expected if c["transcript"] == "parent-03-da"
    ]
    continuity = json.loads(
        run("codings", noted, "--code", "continuity", "--format", "json").stdout
    )
    by_code = listed(run, noted, "--code", "continuity", "--all")
    assert {r["target"] for r in by_code[2:]} == {
        f"coding {c['id']}" for c in continuity if c["memo"]
    }


def test_a_new_coding_memo_shows_up_with_all(noted: Path, run: Cli) -> None:
    first = json.loads(run("codings", noted, "--format", "json").stdout)[0]
    run("memo", noted, "Re-read after the workshop", "--coding", str(first["id"]))
    rows = listed(run, noted, "--transcript", first["transcript"], "--all")
    (row,) = [r for r in rows if r["target"] == f"coding {first['id']}"]
    assert (row["id"], row["author"], row["text"]) == (
        None,
        first["coder"],
        "Re-read after the workshop",
    )
    assert STAMP.fullmatch(str(row["created"]))


def test_csv_matches_json_and_keeps_line_breaks(noted: Path, run: Cli, tmp_path: Path) -> None:
    out = tmp_path / "memos.csv"
    result = run("memos", noted, "--all", "--format", "csv", "-o", out)
    assert f"wrote {out}" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    records = listed(run, noted, "--all")
    assert rows == [
        {k: "" if v is None else str(v) for k, v in record.items()} for record in records
    ]
    assert rows[1]["text"] == "Line one\nline two"


def test_targets_follow_renames(noted: Path, run: Cli) -> None:
    run("transcript", "rename", noted, "parent-03-da", "mette-interview")
    run("codebook", noted, "rename", "continuity", "stability", "--coder", "anna")
    targets = [r["target"] for r in listed(run, noted)]
    assert targets == [
        "project",
        "transcript mette-interview",
        "code stability",
        "code stability/few caseworker changes",
    ]


def test_an_empty_project_lists_no_memos(project_path: Path, run: Cli) -> None:
    run("init", project_path)
    assert run("memos", project_path).stdout.splitlines()[0].split() == FIELDS
    assert listed(run, project_path, "--all") == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--transcript", "parent-3-da"],
            "unknown transcript 'parent-3-da'; did you mean 'parent-03-da'?",
        ),
        (["--code", "no such theme"], "no such theme"),
        (
            ["--project-only", "--transcript", "parent-03-da"],
            "memos: give at most one of --transcript, --code, --project-only",
        ),
        (["--code", "continuity", "--transcript", "parent-03-da"], "give at most one of"),
        (["--project-only", "--all"], "--all adds coding memos; it cannot go with --project-only"),
        (["edit", "7", "new text"], "no memo with id 7 (`qualcode memos` lists them;"),
        (["delete", "7"], "no memo with id 7"),
        (["edit", "1", "  \n "], "memos edit: the memo text is empty"),
        (["edit", "1", ""], "memos edit: the memo text is empty"),
    ],
)
def test_mistakes_are_one_line(noted: Path, run: Cli, options: list[str], message: str) -> None:
    before = dump(noted)  # the rows, not the file's bytes: a checkpoint may rewrite those
    result = run("memos", noted, *options, expect=1)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert dump(noted) == before


def test_a_missing_project_is_one_line(tmp_path: Path, run: Cli) -> None:
    result = run("memos", tmp_path / "absent.qualcode", expect=1)
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1


def test_memos_on_each_backend(location: str, run: Cli) -> None:
    run("init", location)
    run("import", location, TRANSCRIPTS / "parent-01-en.txt")
    run("codebook", location, "import", CODEBOOKS / "family-collaboration.yaml")
    run("code", location, "parent-01-en", "continuity", "--coder", "anna", "--span", "0:40")
    run("memo", location, "on the project", "--author", "anna")
    run("memo", location, "on the interview", "--transcript", "parent-01-en")
    run("memo", location, "on the theme", "--code", "continuity", "--author", "bo")
    run("memo", location, "on the coding", "--coding", "1")
    assert [(r["target"], r["text"]) for r in listed(run, location, "--all")] == [
        ("project", "on the project"),
        ("transcript parent-01-en", "on the interview"),
        ("code continuity", "on the theme"),
        ("coding 1", "on the coding"),
    ]
