"""Errors in the workspace: a failed action is one notification line, and the workspace
keeps running; an unexpected one names the log file holding its traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.notifications import Notify

from qualcode.domain.errors import DamagedProjectError
from qualcode.services.project import open_project
from qualcode.tui.app import create_app
from qualcode.tui.screens.coding import CodingScreen
from tests.storage.test_damage_shapes import BAD_KEYWORDS, damage

SIZE = (100, 30)
FIRST = "focus-group-01-en"  # the first transcript a new coder has not finished


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("QUALCODE_LOG_DIR", str(folder))
    return folder


def spoil_done_mark(path: Path, coder: str) -> None:
    """A done mark of ``coder`` on FIRST whose time is no time (as a hand edit could
    leave it): reading that row back fails in a way no service expects."""
    with sqlite3.connect(path) as connection:
        coder_id = connection.execute("INSERT INTO coder (name) VALUES (?)", (coder,)).lastrowid
        connection.execute(
            "INSERT INTO transcript_status (transcript_id, coder_id, done, updated_at) "
            "SELECT id, ?, 0, 'yesterday' FROM transcript WHERE name = ?",
            (coder_id, FIRST),
        )
    connection.close()


async def test_an_unexpected_error_in_an_action_is_one_notification(
    demo_path: Path, tmp_path: Path, log_dir: Path
) -> None:
    project = open_project(demo_path)
    notes: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notes.append(str(message.notification.message))

    app = create_app(project, "cleo", config_file=tmp_path / "config.json")
    spoil_done_mark(demo_path, "cleo")  # after the check at opening, as by another program
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.transcript == FIRST
        await pilot.press("ctrl+d")  # mark the transcript done: the service fails
        await pilot.pause()
        errors = [note for note in notes if note.startswith("internal error:")]
        assert len(errors) == 1, notes
        assert errors[0] == errors[0].strip()
        assert "\n" not in errors[0]
        assert f"details in {log_dir / 'errors.log'}" in errors[0]
        assert app.is_running
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("ctrl+x")  # the workspace still answers keys
        await pilot.pause()
        assert type(app.screen).__name__ == "MatrixScreen"
    project.close()
    assert app.failure is None
    logged = (log_dir / "errors.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "yesterday" in logged
    with sqlite3.connect(demo_path) as connection:  # nothing was changed
        (marks,) = connection.execute(
            "SELECT count(*) FROM transcript_status s JOIN coder c ON c.id = s.coder_id "
            "WHERE c.name = 'cleo' AND s.done"
        ).fetchone()
    connection.close()
    assert marks == 0


async def test_an_error_the_workspace_cannot_go_on_from_closes_it_without_a_traceback(
    demo_path: Path, tmp_path: Path, log_dir: Path
) -> None:
    project = open_project(demo_path)
    app = create_app(project, "cleo", config_file=tmp_path / "config.json")
    # Spoiled after the app was made (as by another program meanwhile): a codebook field
    # that is not JSON breaks building the coding screen itself.
    damage(demo_path, [BAD_KEYWORDS])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    project.close()
    assert app.return_code == 70
    assert app.failure is not None
    assert app.failure.text.startswith("internal error: JSONDecodeError: Expecting value")
    assert app.failure.text.endswith(f"; details in {log_dir / 'errors.log'}")
    assert "Traceback" in (log_dir / "errors.log").read_text(encoding="utf-8")


def test_a_damaged_project_is_refused_before_the_workspace_opens(
    demo_path: Path, tmp_path: Path, log_dir: Path
) -> None:
    damage(demo_path, [BAD_KEYWORDS])
    project = open_project(demo_path)
    with pytest.raises(DamagedProjectError, match="run `qualcode check "):
        create_app(project, "cleo", config_file=tmp_path / "config.json")
    project.close()
    assert not log_dir.exists()
