"""`qualcode transcript rename`: codings, cases and done marks follow the transcript;
a taken, empty or unknown name changes nothing."""

from __future__ import annotations

import json

from qualcode.services.project import Project
from qualcode.services.status import done_marks
from qualcode.storage.database import engine_of
from qualcode.storage.dump import iter_rows
from tests.conftest import Cli


def listing(run: Cli, location: str, *command: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(
        run(*command[:1], location, *command[1:], "--format", "json").stdout
    )
    return rows


def dump(project: Project) -> str:
    with engine_of(project).connect() as connection:
        return json.dumps([list(table.rows) for table in iter_rows(connection)], default=str)


def test_a_renamed_transcript_keeps_its_codings_cases_and_done_marks(
    coded: Project, run: Cli
) -> None:
    location = coded.location
    run("done", location, "parent-01-en", "--coder", "anna")
    before = [c for c in listing(run, location, "codings") if c["transcript"] == "parent-01-en"]
    assert before

    result = run("transcript", "rename", location, "parent-01-en", "Family A", "--coder", "anna")
    assert result.stdout == "renamed 'parent-01-en' to 'Family A'\n"

    names = [t["name"] for t in listing(run, location, "transcripts")]
    assert names == ["Family A", "parent-03-da"]
    after = [c for c in listing(run, location, "codings") if c["transcript"] == "Family A"]
    assert [{**c, "transcript": "parent-01-en"} for c in after] == before
    (event,) = listing(run, location, "log", "--limit", "1")
    assert event["action"] == "rename_transcript"
    assert event["summary"] == "renamed transcript 'parent-01-en' to 'Family A'"
    assert done_marks(coded) == {"Family A": {"anna"}}


def test_a_taken_empty_or_unknown_name_changes_nothing(coded: Project, run: Cli) -> None:
    location = coded.location
    before = dump(coded)
    for old, new, error in [
        ("parent-01-en", "parent-03-da", "NEW: there is already a transcript named 'parent-03-da'"),
        ("parent-01-en", "  ", "NEW: a transcript name cannot be empty"),
        ("parent-01-en", "x" * 301, "NEW: a transcript name can be at most 300 characters"),
        ("parent-09", "x", f"{location}: unknown transcript 'parent-09'"),
    ]:
        result = run("transcript", "rename", location, old, new, expect=1)
        assert result.stderr.startswith(f"Error: {error}")
        assert result.stderr.count("\n") == 1
    assert dump(coded) == before
