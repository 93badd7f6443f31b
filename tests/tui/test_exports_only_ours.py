"""The workspace's export dialogs follow the same rule as ``-o``: someone else's file in
the way keeps the dialog open with the writer's one line beside the path, and the file
is left byte for byte; an export qualcode wrote earlier is replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select

from qualcode.tui.screens.findings_export import FindingsDialog
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.screens.matrix_export import ExportMatrixDialog
from tests.files.targets import EARLIER, earlier_export, snapshot
from tests.tui.test_matrix_screen import SIZE, Recorder, make_app, press, settle

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
    mine = earlier_export(tmp_path / "exports" / "mine.csv")
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x")  # the matrix screen, which opens both dialogs
        for key, dialog_type, field, name in (
            ("ctrl+s", ExportMatrixDialog, "export-path", "notes.xlsx"),
            ("f", FindingsDialog, "findings-path", "chapter.docx"),
        ):
            await press(pilot, key)
            dialog = app.screen
            assert isinstance(dialog, dialog_type)
            dialog.query_one(f"#{field}", Input).value = f"exports/{name}"
            await press(pilot, "enter")
            assert app.screen is dialog  # kept open, the path as typed
            assert dialog.query_one(f"#{field}", Input).value == f"exports/{name}"
            shown = dialog.errors_shown()[f"{field}-error"]
            assert f"exports/{name}: {NOT_OURS}" in shown
            assert record.of(MatrixScreen.Exported) == []
            await press(pilot, "escape")
        # an export qualcode wrote earlier is replaced from the dialog
        await press(pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ExportMatrixDialog)
        dialog.query_one("#export-format", Select).value = "csv"
        await settle(pilot)
        dialog.query_one("#export-path", Input).value = "exports/mine.csv"
        await press(pilot, "enter")
        assert isinstance(app.screen, MatrixScreen)
        (exported,) = record.of(MatrixScreen.Exported)
        assert Path(exported.path) == Path("exports/mine.csv")
    assert mine.read_bytes() != EARLIER
    assert {name: snapshot(path) for name, path in theirs.items()} == before
