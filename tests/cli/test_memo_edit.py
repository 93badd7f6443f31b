"""`qualcode memos PROJECT edit ID TEXT` and `memos PROJECT delete ID` on the demo project
(real SQLite file, CliRunner): one transaction each, the old text kept in the event log,
mistakes one line with nothing changed, undo and redo through services/history.py."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qualcode.domain.errors import QualcodeError
from qualcode.domain.events import coding_payload
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.coding_changes import set_memo
from qualcode.services.history import redo, undo
from qualcode.services.memos import delete_memo, list_memos
from qualcode.services.project import Project, open_project
from tests.conftest import TRANSCRIPTS, Cli


@pytest.fixture
def noted(demo_path: Path, run: Cli) -> Path:
    """The demo with memo 1 on a transcript (by bo) and memo 2 on the project."""
    run("memo", demo_path, "Mette hesitaets", "--transcript", "parent-03-da", "--author", "bo")
    run("memo", demo_path, "Sampling: one more father", "--author", "anna")
    return demo_path


def code_id(project: Project, path: str) -> int:
    return next(c.id for c in list_codes(project) if c.path == path)


def listed(run: Cli, path: Path | str) -> list[tuple[object, ...]]:
    records = json.loads(run("memos", path, "--format", "json").stdout)
    return [(r["id"], r["target"], r["author"], r["text"]) for r in records]


def payload(path: Path, action: str) -> dict[str, object]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT payload FROM event_log WHERE action = ? ORDER BY id", (action,)
        ).fetchall()
    assert len(rows) == 1
    found: dict[str, object] = json.loads(rows[0][0])
    return found


def test_edit_replaces_the_text_and_logs_the_old(noted: Path, run: Cli) -> None:
    result = run("memos", noted, "edit", "1", "Mette hesitates\nbefore answering")
    assert result.stdout == "memo 1 on transcript 'parent-03-da' edited\n"
    assert listed(run, noted) == [
        (1, "transcript parent-03-da", "bo", "Mette hesitates\nbefore answering"),
        (2, "project", "anna", "Sampling: one more father"),
    ]
    assert payload(noted, "memo_edit") == {
        "memo_id": 1,
        "before": {"text": "Mette hesitaets", "author": "bo"},
        "after": {"text": "Mette hesitates\nbefore answering", "author": "bo"},
    }
    log = json.loads(run("log", noted, "--format", "json", "--limit", "1").stdout)
    assert log[0]["summary"] == "edit memo 1 on transcript 'parent-03-da'"


def test_edit_with_author_changes_the_author_too(noted: Path, run: Cli) -> None:
    result = run("memos", noted, "edit", "2", "Sampling: two more fathers", "--author", "bo")
    assert result.stdout == "memo 2 on the project edited\n"
    assert listed(run, noted)[1] == (2, "project", "bo", "Sampling: two more fathers")
    log = json.loads(run("log", noted, "--format", "json", "--limit", "1").stdout)
    assert (log[0]["action"], log[0]["coder"]) == ("memo_edit", "bo")


def test_an_edit_that_changes_nothing_is_not_logged(noted: Path, run: Cli) -> None:
    before = json.loads(run("log", noted, "--format", "json").stdout)
    result = run("memos", noted, "edit", "1", "Mette hesitaets")
    assert result.stdout == "memo 1 on transcript 'parent-03-da' unchanged\n"
    assert json.loads(run("log", noted, "--format", "json").stdout) == before


def test_delete_removes_the_memo_and_logs_all_of_it(noted: Path, run: Cli) -> None:
    created = json.loads(run("memos", noted, "--format", "json").stdout)[0]["created"]
    result = run("memos", noted, "delete", "1")
    assert result.stdout == "memo 1 on transcript 'parent-03-da' deleted\n"
    assert listed(run, noted) == [(2, "project", "anna", "Sampling: one more father")]
    assert (
        json.loads(run("memos", noted, "--transcript", "parent-03-da", "--format", "json").stdout)
        == []
    )
    assert payload(noted, "memo_delete")["memo"] == {
        "id": 1,
        "target_type": "transcript",
        "target_id": next(
            r[0]
            for r in sqlite3.connect(noted).execute(
                "SELECT id FROM transcript WHERE name = 'parent-03-da'"
            )
        ),
        "author": "bo",
        "created": created,
        "text": "Mette hesitaets",
        "guid": None,
    }


def test_the_listing_still_takes_its_options(noted: Path, run: Cli) -> None:
    lines = run("memos", noted, "--project-only").stdout.splitlines()
    assert len(lines) == 3
    assert "Sampling: one more father" in lines[2]
    assert "edit" in run("memos", "--help").stdout
    assert "Replace memo ID's text" in run("memos", noted, "edit", "--help").stdout
    assert "Delete memo ID" in run("memos", noted, "delete", "--help").stdout
    assert (
        "unknown transcript 'edit'" in run("memos", noted, "--transcript", "edit", expect=1).stderr
    )
    run("memos", noted, "edit", "2", "--author", "bo", "--", "--all of them")  # a text like -x
    assert listed(run, noted)[1] == (2, "project", "bo", "--all of them")


def test_coding_memos_are_still_changed_with_memo_coding(noted: Path, run: Cli) -> None:
    run("memo", noted, "first reading", "--coding", "1")
    run("memo", noted, "second reading", "--coding", "1")
    codings = json.loads(run("codings", noted, "--format", "json").stdout)
    assert next(c for c in codings if c["id"] == 1)["memo"] == "second reading"


def test_a_coding_memo_is_one_event_shape_from_either_front_end(noted: Path, run: Cli) -> None:
    """`memo --coding` logs what the workspace logs (coding_memo, the coding before and
    after with its code id), so the coding's coder undoes it like any of their edits."""
    project = open_project(noted)
    try:
        (first,) = [c for c in list_codings(project) if c.id == 1]
        run("memo", noted, "from the command line", "--coding", "1")
        logged = payload(noted, "coding_memo")
        set_memo(project, 1, "from the workspace", first.coder)
        with sqlite3.connect(noted) as db:
            (shape,) = {
                tuple(sorted(json.loads(row[0])))
                for row in db.execute("SELECT payload FROM event_log WHERE action = 'coding_memo'")
            }
        assert shape == ("after", "coding")
        assert logged["after"] == {
            **coding_payload(first, code_id(project, first.code_path)),
            "memo": "from the command line",
        }
        steps = [undo(project, first.coder), undo(project, first.coder)]
        assert [step.action if step else None for step in steps] == ["coding_memo"] * 2
        assert next(c for c in list_codings(project) if c.id == 1).memo == first.memo
    finally:
        project.close()
    other = "someone-else" if first.coder != "someone-else" else "another"
    error = run("memo", noted, "not mine", "--coding", "1", "--author", other, expect=1).stderr
    assert error == f"Error: coding 1: belongs to {first.coder}; only they can change it\n"


def test_edit_and_delete_are_undone_and_redone(noted: Path, run: Cli) -> None:
    run("memos", noted, "edit", "1", "Mette hesitates", "--author", "cleo")
    project = open_project(noted)

    def texts() -> list[tuple[int | None, str | None, str]]:
        return [(m.id, m.author, m.text) for m in list_memos(project)]

    try:
        delete_memo(project, 2, editor="cleo")  # as the workspace deletes, for its coder
        assert texts() == [(1, "cleo", "Mette hesitates")]

        step = undo(project, "cleo")
        assert step is not None
        assert step.action == "memo_delete"
        assert texts() == [(1, "cleo", "Mette hesitates"), (2, "anna", "Sampling: one more father")]
        step = undo(project, "cleo")
        assert step is not None
        assert step.action == "memo_edit"
        assert texts()[0] == (1, "bo", "Mette hesitaets")
        assert undo(project, "cleo") is None  # memo writes are not undone, only changes

        redo(project, "cleo")
        redo(project, "cleo")
        assert texts() == [(1, "cleo", "Mette hesitates")]
    finally:
        project.close()


def test_undo_refuses_when_the_memo_changed_since(noted: Path, run: Cli) -> None:
    run("memos", noted, "edit", "1", "by cleo", "--author", "cleo")
    run("memos", noted, "edit", "1", "by bo afterwards", "--author", "bo")
    project = open_project(noted)
    try:
        with pytest.raises(QualcodeError, match="memo 1 has changed since; nothing was changed"):
            undo(project, "cleo")
        assert next(m.text for m in list_memos(project)) == "by bo afterwards"
    finally:
        project.close()


def test_edit_delete_undo_and_new_ids_on_each_backend(location: str, run: Cli) -> None:
    run("init", location)
    run("import", location, TRANSCRIPTS / "parent-01-en.txt")
    run("memo", location, "on teh interview", "--transcript", "parent-01-en", "--author", "bo")
    run("memo", location, "on the project", "--author", "bo")
    run("memos", location, "edit", "1", "on the interview", "--author", "cleo")
    project = open_project(location)
    try:
        delete_memo(project, 2, editor="cleo")
        assert undo(project, "cleo") is not None
        assert undo(project, "cleo") is not None
        assert [(m.id, m.author, m.text) for m in list_memos(project)] == [
            (1, "bo", "on teh interview"),
            (2, "bo", "on the project"),
        ]
    finally:
        project.close()
    run("memo", location, "a new one")  # the restored id does not clash with new ones
    assert [r[0] for r in listed(run, location)] == [1, 2, 3]
