"""`qualcode check`: a sound project passes; each kind of damage is found and named, with
exit status 1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qualcode.services.coding import remove_coding
from qualcode.services.history import undo
from qualcode.services.project import Project
from qualcode.storage.database import engine_of
from tests.conftest import Cli


def execute(project: Project, *statements: str) -> None:
    """Damage the database behind qualcode's back (as a crash, a bug or a hand edit
    would)."""
    with engine_of(project).begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def test_a_sound_project_passes(coded: Project, run: Cli) -> None:
    remove_coding(coded, 3)
    undo(coded, "anna")  # undo and its flag are part of the log too
    result = run("check", coded.location)
    with coded.reading() as uow:
        turns = sum(len(uow.transcripts.turns(tid)) for tid, _ in uow.transcripts.texts().values())
        counts = uow.settings.counts()
    spans, events = turns + counts.codings, counts.events  # no cases in this project
    assert result.stdout == (
        f"checked 2 transcripts, {spans} spans, {events} events: no problems\n"
    )
    assert json.loads(run("check", coded.location, "--format", "json").stdout)["ok"] is True


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        # a coding's anchor text no longer matches the transcript
        (
            ["UPDATE coding SET anchor_text = 'something else' WHERE id = 2"],
            "coding: coding 2 in 'parent-01-en' at 400:520: stored text “something else” "
            "differs from the transcript's",
        ),
        # a coding that reaches past the end of its text
        (
            ["UPDATE coding SET end_offset = 99999 WHERE id = 4"],
            "coding: coding 4 in 'parent-01-en': span 900:99999 is out of range",
        ),
        # a turn that ends before it starts cannot be stored (CHECK), but one past the end can
        (
            ["UPDATE turn SET end_offset = 88888 WHERE position = 3 AND transcript_id = 1"],
            "turn: turn 3 in 'parent-01-en': span",
        ),
        # the text changed without its hash and length
        (
            ["UPDATE transcript SET text = text || ' extra' WHERE name = 'parent-03-da'"],
            "transcript: transcript 'parent-03-da': SHA-256 does not match its text",
        ),
        # an action marked undone that no undo names
        (
            ["UPDATE event_log SET undone = TRUE WHERE action = 'apply' AND id = 5"],
            "event log: event 5 (apply) is marked undone but no undo names it",
        ),
        # an undo naming an event that does not exist
        (
            [
                "INSERT INTO event_log (at, coder, action, summary, payload, undone) VALUES "
                "(CURRENT_TIMESTAMP, 'anna', 'undo', 'undo: x', '{{\"event_id\": 9999}}', FALSE)"
            ],
            "event log: event {next} (undo): names no earlier event (9999)",
        ),
        # the same apply recorded twice
        (
            [
                "INSERT INTO event_log (at, coder, action, summary, payload, undone) "
                "SELECT at, coder, action, summary, payload, undone FROM event_log "
                "WHERE id = {apply2}"
            ],
            "event log: event {next} (apply): records the same apply of coding 2 as event "
            "{apply2} (duplicate entry)",
        ),
    ],
    ids=[
        "anchor",
        "coding-range",
        "turn-range",
        "text-hash",
        "undone-flag",
        "undo-target",
        "duplicate-event",
    ],
)
def test_damage_is_found_and_named(
    coded: Project, run: Cli, damage: list[str], expected: str
) -> None:
    with coded.reading() as uow:
        # the event that applied coding 2, and the id the next event gets
        apply2 = next(e for e in uow.events.latest(100) if "400:520" in e.summary).id
        names = {"next": uow.settings.counts().events + 1, "apply2": apply2}
    execute(coded, *(statement.format(**names) for statement in damage))
    result = run("check", coded.location, expect=1)
    assert expected.format(**names) in result.stdout
    assert result.stderr.endswith(f"problem(s) found in {coded.location}\n")
    assert json.loads(run("check", coded.location, "--format", "json", expect=1).stdout)["problems"]


def test_orphan_rows_are_found_on_sqlite(project_path: Path, run: Cli, coded: Project) -> None:
    if not coded.is_sqlite:
        pytest.skip("PostgreSQL enforces foreign keys itself")
    raw = sqlite3.connect(coded.location)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("UPDATE coding SET coder_id = 77 WHERE id IN (1, 3)")
    raw.commit()
    raw.close()
    result = run("check", coded.location, expect=1)
    assert "foreign key: 2 coding row(s) name a missing coder in coder_id (ids 1, 3)" in (
        result.stdout
    )
    assert "database: SQLite foreign_key_check: coding row 1 names a missing coder" in (
        result.stdout
    )
