"""Applying and removing a coding is one service for both front ends: the command line
and the workspace write the same event rows (same action, same payload keys, same summary
wording), and either front end's coding can be undone after its code is renamed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from qualcode.domain.events import UNDOABLE_ACTIONS
from qualcode.services import history
from qualcode.services.codebook import list_codes
from qualcode.services.codebook_rename import rename_code
from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from qualcode.services.transcripts import get_transcript
from qualcode.tui.app import create_app
from tests.conftest import Cli

SIZE = (100, 30)
FIRST = "focus-group-01-en"  # the transcript the workspace opens first for a new coder
CODE = "recognition/being understood"  # shortcut "h"


def events(path: Path, coder: str) -> list[tuple[str, str, dict[str, Any]]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT action, summary, payload FROM event_log WHERE coder = ? ORDER BY id", (coder,)
        ).fetchall()
    return [(action, summary, json.loads(payload)) for action, summary, payload in rows]


def shape(event: tuple[str, str, dict[str, Any]]) -> tuple[str, list[str], list[str]]:
    """An event's action, the words of its summary that are not names or numbers, and
    the keys of its payload's coding."""
    action, summary, payload = event
    words = [w for w in summary.split() if w.isalpha() and w not in ("cleo", "dan")]
    return action, words, sorted(payload["coding"])


async def test_cli_and_workspace_write_the_same_events(
    demo: Project, demo_path: Path, tmp_path: Path
) -> None:
    turn = get_transcript(demo, FIRST).turns[0]
    app = create_app(demo, "cleo", config_file=tmp_path / "config.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "T", "h")  # select the first turn, code it
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("delete")  # remove the coder's coding at the cursor
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    run = Cli()
    run("code", demo_path, FIRST, CODE, "--coder", "dan", "--span", f"{turn.start}:{turn.end}")
    (made,) = list_codings(demo, coders=["dan"])
    run("uncode", demo_path, "--id", str(made.id))

    workspace_events, cli_events = events(demo_path, "cleo"), events(demo_path, "dan")
    assert [e[0] for e in workspace_events] == ["apply", "remove"]
    assert [shape(e) for e in workspace_events] == [shape(e) for e in cli_events]
    # Both payloads carry the code's id, so undo finds the code after a rename.
    code_id = next(c.id for c in list_codes(demo) if c.path == CODE)
    assert {e[2]["coding"]["code_id"] for e in workspace_events + cli_events} == {code_id}


def test_a_cli_coding_is_undone_after_its_code_was_renamed(demo: Project, demo_path: Path) -> None:
    Cli()("code", demo_path, FIRST, CODE, "--coder", "dan", "--span", "10:40")
    code_id = next(c.id for c in list_codes(demo) if c.path == CODE)
    rename_code(demo, code_id, "feeling understood", "anna")
    step = history.undo(demo, "dan")
    assert step is not None
    assert step.action == "apply"
    assert list_codings(demo, coders=["dan"]) == []


def test_every_undoable_action_has_one_row_in_the_undo_table() -> None:
    assert set(history.UNDO_TABLE) == set(UNDOABLE_ACTIONS)
