"""Snapshots of memos and review flags in the workspace, built with the real app factory
at a fixed terminal size. Update after a deliberate change with
``pytest tests/tui/test_notes_snapshots.py --snapshot-update`` and look at the SVGs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from qualcode.services.maintenance import flagged_codings
from qualcode.services.memos import add_memo
from qualcode.services.project import Project
from qualcode.tui.app import create_app
from qualcode.tui.config import CONFIG_ENV
from qualcode.tui.screens.coding import CodingScreen

Compare = Callable[..., bool]
FIRST = "focus-group-01-en"


@pytest.fixture(autouse=True)
def fixed_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, "/home/coder/.config/qualcode/config.json")


class TestMemos:
    def test_transcript_memo_board(
        self, snap_compare: Compare, demo: Project, demo_path: Path
    ) -> None:
        add_memo(demo, "Anne leads; the others follow her framing.", transcript=FIRST, author="bo")
        add_memo(demo, "Ask about sick-leave cover\nin the next round.", transcript=FIRST)
        add_memo(demo, "Too wide?", code_path="continuity", author="anna")
        with sqlite3.connect(demo_path) as db:  # fixed times, for a stable picture
            db.execute("UPDATE memo SET created_at = '2026-11-20 09:3' || id || ':00.000000'")

        async def write(pilot: Pilot[Any]) -> None:
            await pilot.press("M")
            pilot.app.screen.query_one(TextArea).cursor_blink = False  # a stable picture
            await pilot.press(*"Draft")

        app = create_app(demo, "anna")
        assert snap_compare(app, terminal_size=(100, 30), run_before=write)


class TestReview:
    def test_flagged_codings_marked(self, snap_compare: Compare, flagged: Project) -> None:
        first = min(
            (f for f in flagged_codings(flagged) if f.transcript == FIRST),
            key=lambda f: (f.start, f.id),
        )

        async def select(pilot: Pilot[Any]) -> None:
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, CodingScreen)
            screen.view.select_span(first.start, first.end)  # scrolled into view,
            screen.view.action_clear_selection()  # the cursor at its end, nothing selected

        app = create_app(flagged, "anna")
        assert snap_compare(app, terminal_size=(100, 30), run_before=select)
