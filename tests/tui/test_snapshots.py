"""Snapshot tests of the main screens, built with the real app factory on the demo
project at a fixed terminal size. Update after a deliberate change with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.config import CONFIG_ENV
from tests.tui import idle

Compare = Callable[..., bool]


@pytest.fixture(autouse=True)
def fixed_config(monkeypatch: pytest.MonkeyPatch) -> None:
    # the help screen shows the config file's path: the same one on every machine
    monkeypatch.setenv(CONFIG_ENV, "/home/coder/.config/qualcode/config.json")


@pytest.fixture
def app(demo: Project) -> QualcodeApp:
    return create_app(demo, "anna")


def no_blink(pilot: Pilot[Any]) -> None:
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


class TestCodingScreen:
    def test_opened(self, snap_compare: Compare, app: QualcodeApp) -> None:
        assert snap_compare(app, terminal_size=(100, 30))

    def test_narrow_terminal(self, snap_compare: Compare, app: QualcodeApp) -> None:
        # quit and help lead the footer, the coding keys follow
        assert snap_compare(app, terminal_size=(80, 24))

    def test_narrow_terminal_codebook_focused(
        self, snap_compare: Compare, app: QualcodeApp
    ) -> None:
        # the codebook's keys in the footer, after quit and help
        assert snap_compare(app, press=["tab"], terminal_size=(80, 24))

    def test_selection_and_overlapping_codes(self, snap_compare: Compare, app: QualcodeApp) -> None:
        # a few turns down the focus group, where anna's and bo's codings overlap
        keys = ["right_square_bracket"] * 4 + ["S"]
        assert snap_compare(app, press=keys, terminal_size=(100, 30))

    def test_turn_timestamps_in_the_gutter(self, snap_compare: Compare, demo: Project) -> None:
        # a subtitle (SRT) transcript: each turn's time beside its first row
        timed = create_app(demo, "anna", transcript="parent-05-en")
        assert snap_compare(timed, terminal_size=(100, 30))

    def test_blind(self, snap_compare: Compare, demo: Project) -> None:
        blind = create_app(demo, "anna", blind=True)
        assert snap_compare(blind, press=["right_square_bracket"] * 4, terminal_size=(100, 30))


class TestDialogs:
    def test_code_picker(self, snap_compare: Compare, app: QualcodeApp) -> None:
        press = ["T", "enter", *"undrstood"]
        assert snap_compare(app, press=press, terminal_size=(100, 30), run_before=no_blink)

    def test_code_description_at_80_by_24(self, snap_compare: Compare, app: QualcodeApp) -> None:
        # d on the codebook: the highlighted code's whole definition, scrolled to its end
        assert snap_compare(app, press=["tab", "d", "end"], terminal_size=(80, 24))

    def test_help(self, snap_compare: Compare, app: QualcodeApp) -> None:
        assert snap_compare(app, press=["question_mark"], terminal_size=(100, 30))


class TestRetrievalAndSearch:
    def test_passages_for_a_theme(self, snap_compare: Compare, app: QualcodeApp) -> None:
        assert snap_compare(app, press=["ctrl+g"], terminal_size=(100, 30))

    def test_search_hits(self, snap_compare: Compare, app: QualcodeApp) -> None:
        press = ["slash", *"caseworker", "enter"]
        assert snap_compare(app, press=press, terminal_size=(100, 30), run_before=no_blink)

    def test_review_hits(self, snap_compare: Compare, app: QualcodeApp) -> None:
        async def search_then_review(pilot: Pilot[Any]) -> None:
            # the search runs in a worker: wait for it (and each screen it opens) before the
            # next keys, or a loaded machine photographs the screen half-drawn
            for keys in (["slash", *"caseworker", "enter"], ["ctrl+o"], [*"holistic", "enter"]):
                await pilot.press(*keys)
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                await idle.footer_composed(pilot)  # before a dialog covers the screen
            no_blink(pilot)
            await pilot.press("n")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            # The search screen under the dialog shows its footer keys: when a busy machine
            # let the dialog open before they were laid out, lay them out now.
            pilot.app.screen_stack[-2].refresh_bindings()
            await pilot.pause()

        assert snap_compare(app, terminal_size=(100, 30), run_before=search_then_review)
