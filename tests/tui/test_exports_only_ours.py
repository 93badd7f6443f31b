"""The workspace's export dialogs follow the same rule as ``-o``: someone else's file in
the way keeps the dialog open with the writer's one line beside the path, and the file
is left byte for byte; the workspace's own earlier export is replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from qualcode.tui.screens.findings_export import FindingsDialog
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.screens.matrix_export import ExportMatrixDialog
from tests.files.targets import snapshot
from tests.tui.test_matrix_screen import SIZE, Recorder, make_app, press

__all__ = ["make_app"]  # the fixture, shared with the matrix screen's tests

NOT_OURS = "exists and was not written by qualcode (or was changed since)"


async def test_export_dialogs_refuse_someone_elses_file(
    make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exports").mkdir()
    theirs = {name: tmp_path / "exports" / name for name in ("notes.xlsx", "chapter.docx")}
    for path in theirs.values():
        path.write_text("the researcher's own notes\n")
    before = {name: snapshot(path) for name, path in theirs.items()}
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        for key, dialog_type, field, name in (
            ("ctrl+s", ExportMatrixDialog, "export-path", "notes.xlsx"),
            ("f", FindingsDialog, "findings-path", "chapter.docx"),
        ):
            await press(pilot, "ctrl+x", key) if key == "ctrl+s" else await press(pilot, key)
            dialog = app.screen
            assert isinstance(dialog, dialog_type)
            await press(pilot, "ctrl+u", *f"exports/{name}", "enter")
            assert app.screen is dialog  # kept open, the path as typed
            assert dialog.query_one(f"#{field}", Input).value == f"exports/{name}"
            shown = dialog.errors_shown()[f"{field}-error"]
            assert f"exports/{name}: {NOT_OURS}" in shown
            assert record.of(MatrixScreen.Exported) == []
            await press(pilot, "escape")
        # a workspace export of its own is replaced by the next one
        await press(pilot, "ctrl+s", "ctrl+u", *"exports/mine.xlsx", "enter")
        await press(pilot, "ctrl+s", "ctrl+u", *"exports/mine.xlsx", "enter")
        assert isinstance(app.screen, MatrixScreen)
        assert len(record.of(MatrixScreen.Exported)) == 2
    assert {name: snapshot(path) for name, path in theirs.items()} == before
