"""A code merge loses nothing: the merged code's codings, framework summaries and memos
move to the code it is merged into (exact duplicates dropped, their memos kept), the
message says what moved, and undo puts the project back row for row (the database dump
before the merge equals the dump after the undo, the event log aside)."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from qualcode.services.code_merges import HistoryConflict
from qualcode.services.history import redo, undo
from qualcode.storage.database import open_project
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli

CHILD = "openness/open about limits"
PARENT = "openness"
SPAN = "7136:7462"  # focus-group-01-en: coded with CHILD by anna in the demo (coding 146)
SUMMARY_CASE = "Family 03"

Setup = Callable[[Path, Cli], None]


def content(path: Path) -> list[str]:
    """The project's rows, the event log aside (a merge and its undo each add events)."""
    return [line for line in dump(path) if not line.startswith('INSERT INTO "event_log"')]


def dump_rows(path: Path, table: str) -> list[str]:
    return [line for line in dump(path) if line.startswith(f'INSERT INTO "{table}"')]


def child_summary(path: Path, run: Cli) -> None:
    run("summary", path, SUMMARY_CASE, CHILD, "child summary", "--author", "anna")


def both_summaries(path: Path, run: Cli) -> None:
    child_summary(path, run)
    run("summary", path, SUMMARY_CASE, PARENT, "parent summary", "--author", "bo")


def code_memo(path: Path, run: Cli) -> None:
    run("memo", path, "child code memo", "--code", CHILD, "--author", "anna")


def duplicate(path: Path, run: Cli) -> None:
    run("code", path, "focus-group-01-en", PARENT, "--coder", "anna", "--span", SPAN)


def duplicate_both_memos(path: Path, run: Cli) -> None:
    run("code", path, "focus-group-01-en", PARENT, "--coder", "anna", "--span", SPAN)
    run("memo", path, "child coding memo", "--coding", "146")
    coded = run("codings", path, "--code", PARENT, "--format", "csv").stdout
    survivor = next(
        line.split(",")[0] for line in coded.splitlines() if f",{PARENT},anna,7136,7462," in line
    )
    run("memo", path, "parent coding memo", "--coding", survivor)


def everything(path: Path, run: Cli) -> None:
    both_summaries(path, run)
    code_memo(path, run)
    duplicate_both_memos(path, run)


def nothing(path: Path, run: Cli) -> None:
    pass


def in_sets(path: Path, run: Cli) -> None:
    """The merged code in two sets (one holding the other code already), with a GUID as
    a REFI-QDA import gives it: the sets keep a member, the undo gives the GUID back."""
    project = open_project(path)
    try:
        with project.unit_of_work() as uow:
            ids = {c.path: c.id for c in uow.codebook.codes()}
            alone, shared = (
                uow.refi_sets.add_set("alone", None),
                uow.refi_sets.add_set("both", None),
            )
            uow.refi_sets.add_set_members(alone, [ids[CHILD]], [])
            uow.refi_sets.add_set_members(shared, [ids[CHILD], ids[PARENT]], [])
    finally:
        project.close()
    connection = sqlite3.connect(path)
    try:
        guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
        connection.execute("UPDATE code SET guid = ? WHERE id = ?", (guid, ids[CHILD]))
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("setup", "said", "kept"),
    [
        # a summary on the merged code only: it moves
        (child_summary, ", 1 summary moved", ["child summary"]),
        # summaries on both codes for one case: both texts stay, joined under a named line
        (both_summaries, ", 1 summary moved", ["parent summary", "child summary", CHILD]),
        # a memo on the merged code moves to the other
        (code_memo, ", 1 memo moved", ["child code memo"]),
        # the same coding on both codes: one is dropped
        (duplicate, ", 1 duplicate dropped", []),
        # ... and when both have memos, both memos stay on the one kept
        (
            duplicate_both_memos,
            ", 1 duplicate dropped",
            ["child coding memo", "parent coding memo"],
        ),
        # all at once
        (everything, ", 1 summary, 1 memo moved, 1 duplicate dropped", ["child code memo"]),
        # codings only
        (nothing, " moved", []),
        # set memberships follow the code (sets/undo checked by the dumps)
        (in_sets, " moved", []),
    ],
    ids=[
        "summary",
        "two-summaries",
        "memo",
        "duplicate",
        "duplicate-memos",
        "all",
        "codings",
        "sets",
    ],
)
def test_merge_keeps_everything_and_undo_restores_it(
    demo_path: Path, run: Cli, setup: Setup, said: str, kept: list[str]
) -> None:
    setup(demo_path, run)
    before = content(demo_path)
    merged = run("codebook", demo_path, "merge", CHILD, PARENT, "--coder", "anna").stdout
    assert merged.startswith(f"merged {CHILD} into {PARENT}: "), merged
    assert merged.strip().endswith(said), merged
    after = content(demo_path)
    shown = "\n".join(
        run(*args).stdout
        for args in (
            ("memos", demo_path),
            ("summary", demo_path, SUMMARY_CASE, PARENT),
            ("codings", demo_path, "--code", PARENT, "--format", "csv"),
        )
    )
    for text in kept:
        assert text in shown
    assert "(removed)" not in shown
    codings = run("codings", demo_path, "--code", PARENT, "--format", "csv").stdout
    spans = [tuple(row[2:6]) for row in list(csv.reader(io.StringIO(codings)))[1:]]
    assert len(spans) == len(set(spans))  # no duplicate by coder and span
    if setup is in_sets:
        members = dump_rows(demo_path, "named_set_member")
        assert len(members) == 2  # one moved to PARENT, one dropped: PARENT was there
    project = open_project(demo_path)
    try:
        assert undo(project, "anna") is not None
        assert content(demo_path) == before
        assert redo(project, "anna") is not None
        assert content(demo_path) == after
        assert undo(project, "anna") is not None
        assert content(demo_path) == before
    finally:
        project.close()


def test_old_merge_event_without_the_new_keys_still_undoes(demo_path: Path, run: Cli) -> None:
    """A merge logged by an earlier version (only ``coding_ids``) undoes as it did."""
    before = content(demo_path)
    run("codebook", demo_path, "merge", CHILD, PARENT, "--coder", "anna")
    _strip_new_keys(demo_path)
    project = open_project(demo_path)
    try:
        assert undo(project, "anna") is not None
    finally:
        project.close()
    assert content(demo_path) == before


def _strip_new_keys(path: Path) -> None:
    import json

    connection = sqlite3.connect(path)
    try:
        (event_id, payload) = connection.execute(
            "SELECT id, payload FROM event_log WHERE action = 'code_merge'"
        ).fetchone()
        fields = json.loads(payload)
        for key in ("dropped", "kept_memos", "summaries", "memo_ids"):
            fields.pop(key)
        connection.execute(
            "UPDATE event_log SET payload = ? WHERE id = ?", (json.dumps(fields), event_id)
        )
        connection.commit()
    finally:
        connection.close()


def test_merge_prints_the_stored_paths(demo_path: Path, run: Cli) -> None:
    typed = ("OPENNESS/Open About Limits", "/openness")  # the user's spelling of both paths
    merged = run("codebook", demo_path, "merge", *typed, "--coder", "zed")
    assert merged.stdout.startswith(f"merged {CHILD} into {PARENT}: ")


@pytest.mark.parametrize(
    ("command", "coder"),
    [
        (["merge", CHILD, PARENT], ""),  # merge, empty
        (["merge", CHILD, PARENT], "   "),  # merge, blank
        (["merge", CHILD, PARENT], "a\tb"),  # merge, a control character in a name
        (["rename", CHILD, "limits"], "  "),  # rename, blank
    ],
    ids=["merge-empty", "merge-blank", "merge-control", "rename-blank"],
)
def test_a_codebook_change_needs_a_coder(
    demo_path: Path, run: Cli, command: list[str], coder: str
) -> None:
    before = dump(demo_path)
    refused = run("codebook", demo_path, *command, "--coder", coder, expect=1)
    assert "coder" in one_line_error(refused.stderr)
    assert dump(demo_path) == before


@pytest.mark.parametrize(
    "command",
    [["merge", CHILD, PARENT], ["rename", CHILD, "limits"]],
    ids=["merge", "rename"],
)
def test_the_log_records_the_coder_stripped(demo_path: Path, run: Cli, command: list[str]) -> None:
    run("codebook", demo_path, *command, "--coder", "  zed  ")
    assert _last_event(demo_path) == ("zed", "zed")


def _last_event(path: Path) -> tuple[str, str]:
    """The newest event's coder column and the first word of its summary."""
    connection = sqlite3.connect(path)
    try:
        coder, summary = connection.execute(
            "SELECT coder, summary FROM event_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return str(coder), str(summary).split(" ")[0]


def _merged_once(path: Path, run: Cli) -> None:
    run("codebook", path, "merge", CHILD, PARENT, "--coder", "anna")


@pytest.mark.parametrize(
    ("again", "says"),
    [
        # the same coder repeats the merge: a plain statement, not "while you were working"
        (["codebook", "{p}", "merge", CHILD, PARENT, "--coder", "anna"], "by anna at"),
        # another coder renames the code merged away
        (["codebook", "{p}", "rename", CHILD, "limits", "--coder", "bo"], "by anna at"),
        # the shared code resolver (here agreement's --code) names where the code went
        (
            ["agreement", "{p}", "--coders", "anna", "bo", "--code", CHILD],
            f"; use '{PARENT}'",
        ),
    ],
    ids=["merge-again", "rename", "agreement"],
)
def test_a_merged_away_code_is_named_with_where_it_went(
    demo_path: Path, run: Cli, again: list[str], says: str
) -> None:
    _merged_once(demo_path, run)
    before = dump(demo_path)
    args = [str(demo_path) if a == "{p}" else a for a in again]
    line = one_line_error(run(*args, expect=1).stderr)
    assert f"code '{CHILD}' was merged into '{PARENT}' by anna at" in line
    assert says in line
    assert "while you were working" not in line
    assert dump(demo_path) == before


def test_a_code_created_at_a_merged_away_path_resolves(demo_path: Path, run: Cli) -> None:
    _merged_once(demo_path, run)
    run("codebook", demo_path, "rename", "openness/explaining decisions", "open about limits",
        "--coder", "bo")  # fmt: skip
    merged = run("codebook", demo_path, "merge", CHILD, PARENT, "--coder", "bo").stdout
    assert merged.startswith(f"merged {CHILD} into {PARENT}: ")


def test_the_workspace_is_told_the_merge_came_while_it_worked(demo_path: Path, run: Cli) -> None:
    """A workspace merges by the ids it showed: when the code went meanwhile, it says so."""
    from qualcode.services.codebook import list_codes
    from qualcode.services.codebook_edit import merge_code
    from qualcode.services.codebook_rename import EditConflict

    project = open_project(demo_path)
    try:
        shown = {c.path: c.id for c in list_codes(project)}
        _merged_once(demo_path, run)
        with pytest.raises(EditConflict, match="while you were working on it"):
            merge_code(
                project, shown[CHILD], shown["continuity"], "bo", expected=(CHILD, "continuity")
            )
    finally:
        project.close()


@pytest.mark.parametrize(
    "step",
    ["undo", "redo"],  # undo after the joined summary was edited; redo after one was written
    ids=["undo", "redo"],
)
def test_undo_and_redo_refuse_to_overwrite_a_summary_written_since(
    demo_path: Path, run: Cli, step: str
) -> None:
    child_summary(demo_path, run)
    if step == "undo":
        run("summary", demo_path, SUMMARY_CASE, PARENT, "parent summary", "--author", "bo")
    run("codebook", demo_path, "merge", CHILD, PARENT, "--coder", "anna")
    project = open_project(demo_path)
    try:
        if step == "redo":
            assert undo(project, "anna") is not None
        run("summary", demo_path, SUMMARY_CASE, PARENT, "written since", "--author", "bo")
        before = content(demo_path)
        with pytest.raises(HistoryConflict, match="since; nothing was"):
            (undo if step == "undo" else redo)(project, "anna")
        assert content(demo_path) == before
    finally:
        project.close()


def test_the_resolver_follows_a_code_merged_on_since(demo_path: Path, run: Cli) -> None:
    """explaining decisions -> open about limits -> continuity: the first path is named
    with the code its codings are in now."""
    gone = "openness/explaining decisions"
    run("codebook", demo_path, "merge", gone, CHILD, "--coder", "anna")
    run("codebook", demo_path, "merge", CHILD, "continuity", "--coder", "bo")
    refused = run("codings", demo_path, "--code", gone, expect=1)
    line = one_line_error(refused.stderr)
    assert f"code '{gone}' was merged into 'continuity' by anna at" in line, line
