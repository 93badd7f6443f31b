"""The matrix screen's findings dialog (`f`): it writes the chapter `qualcode findings`
writes for the screen's coders and attribute rows, and shows that command."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select

from qualcode.tui.screens.findings_export import FindingsDialog
from qualcode.tui.screens.matrix import MatrixScreen
from tests.conftest import Cli
from tests.tui.test_matrix_screen import (
    SIZE,
    Recorder,
    confirm_export,
    make_app,
    matrix_screen,
    press,
    settle,
)

__all__ = ["make_app"]  # the fixture, shared with the matrix screen's tests


def paragraphs(path: Path) -> list[tuple[str, str]]:
    from docx import Document

    return [(p.style.name if p.style else "", p.text) for p in Document(str(path)).paragraphs]


async def test_findings_from_the_matrix_screen_are_the_commands(
    make_app: Any,
    demo_path: Path,
    tmp_path: Path,
    run: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Markdown then Word from one session (a start-up each cost more than the chapters)
    formats = ("md", "docx")
    monkeypatch.chdir(tmp_path)
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x")
        for _ in range(12):  # rows: cases, transcripts, speakers, then each attribute
            if matrix_screen(app).request().rows == "attribute:child_age_group":
                break
            await press(pilot, "r")
        assert matrix_screen(app).request().rows == "attribute:child_age_group"
        await press(pilot, "w")  # one coder's codings
        coder = matrix_screen(app).request().coders
        assert len(coder) == 1
        for output_format in formats:
            await press(pilot, "f")
            dialog = app.screen
            assert isinstance(dialog, FindingsDialog)
            dialog.query_one("#findings-format", Select).value = output_format
            await settle(pilot)
            path = f"exports/findings.{output_format}"
            await confirm_export(pilot, record, "#findings-path", path)
    for output_format, exported in zip(formats, record.of(MatrixScreen.Exported), strict=True):
        assert f"wrote {exported.path}" in record.notes()
        words = shlex.split(exported.command)
        assert words == [
            "qualcode", "findings", str(demo_path), "--coder", coder[0],
            "--by", "attribute:child_age_group", "--format", output_format,
            "-o", f"exports/findings.{output_format}",
        ]  # fmt: skip
        written = tmp_path / "exports" / f"findings.{output_format}"
        again = tmp_path / f"again.{output_format}"
        run(*words[1:-1], str(again))
        if output_format == "md":
            assert written.read_text(encoding="utf-8") == again.read_text(encoding="utf-8")
        else:
            assert paragraphs(written) == paragraphs(again)
            assert ("Heading 1", "continuity") in paragraphs(written)


async def test_a_name_that_disagrees_with_the_format_keeps_the_dialog_open(
    make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+x", "f")
        dialog = app.screen
        assert isinstance(dialog, FindingsDialog)
        await press(pilot, "ctrl+u", *"exports/chapter.md", "enter")
        assert app.screen is dialog
        assert dialog.query_one("#findings-path", Input).value == "exports/chapter.md"
        assert "the file name says md" in dialog.errors_shown()["findings-path-error"]
    assert not (tmp_path / "exports" / "chapter.md").exists()
