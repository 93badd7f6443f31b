"""Schema 5: codings logged before code ids were stored (the command line's old events)
gain their code's id, so an undo after a rename still finds the code."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from qualcode.domain.events import coding_payload
from qualcode.domain.spans import Span
from qualcode.services.codebook import list_codes
from qualcode.services.codebook_rename import rename_code
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.history import undo
from qualcode.services.project import open_project
from qualcode.storage import migrations


def _as_schema_4(path: Path) -> None:
    """The project as qualcode with schema 4 left it: apply events without ``code_id``."""
    with closing(sqlite3.connect(path)) as db:
        for event_id, payload in db.execute(
            "SELECT id, payload FROM event_log WHERE action = 'apply'"
        ).fetchall():
            old = json.loads(payload)
            del old["coding"]["code_id"]
            db.execute("UPDATE event_log SET payload = ? WHERE id = ?", (json.dumps(old), event_id))
        db.execute("UPDATE schema_version SET version = 4")
        db.commit()


def test_old_coding_events_gain_code_ids_and_undo_after_a_rename(demo_path: Path) -> None:
    project = open_project(demo_path)
    coding, _ = apply_code(project, "parent-01-en", "openness", "dana", span=Span(0, 12))
    code_id = next(c.id for c in list_codes(project) if c.path == "openness")
    project.close()
    _as_schema_4(demo_path)

    project = open_project(demo_path)  # migrates
    try:
        with closing(sqlite3.connect(demo_path)) as db:
            (payload,) = db.execute(
                "SELECT payload FROM event_log WHERE action = 'apply' ORDER BY id DESC LIMIT 1"
            ).fetchone()
            version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        assert version == migrations.CURRENT_VERSION
        assert json.loads(payload)["coding"] == coding_payload(coding, code_id)

        rename_code(project, "openness", "candour", "anna")
        step = undo(project, "dana")
        assert step is not None
        assert step.action == "apply"
        assert coding.id not in {c.id for c in list_codings(project)}
    finally:
        project.close()


def test_a_path_no_code_has_any_more_is_left_as_it_was(demo_path: Path) -> None:
    project = open_project(demo_path)
    apply_code(project, "parent-01-en", "openness", "dana", span=Span(0, 12))
    project.close()
    _as_schema_4(demo_path)
    with closing(sqlite3.connect(demo_path)) as db:
        db.execute("UPDATE code SET name = 'candour' WHERE name = 'openness'")
        db.commit()
    open_project(demo_path).close()
    with closing(sqlite3.connect(demo_path)) as db:
        (payload,) = db.execute(
            "SELECT payload FROM event_log WHERE action = 'apply' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert "code_id" not in json.loads(payload)["coding"]
