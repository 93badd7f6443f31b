"""Snapshots of the agreement screens, built with the real app factory on the demo
project at the smallest supported terminal (80×24). Update after a deliberate change
with ``pytest tests/tui/test_agreement_snapshots.py --snapshot-update`` and look at the
SVGs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.config import CONFIG_ENV

Compare = Callable[..., bool]
SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, "/home/coder/.config/qualcode/config.json")


@pytest.fixture
def app(demo: Project) -> QualcodeApp:
    return create_app(demo, "anna")


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Press keys, waiting after each for the comparison and for the bootstrap
    intervals (a worker the comparison starts when it is done)."""

    async def run(pilot: Pilot[Any]) -> None:
        for key in pressed:
            await pilot.press(key)
            for _ in range(50):
                await pilot.pause()
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                if not any(worker.is_running for worker in pilot.app.workers):
                    break

    return run


class TestAgreement:
    def test_codes_by_statistics(self, snap_compare: Compare, app: QualcodeApp) -> None:
        # the fifth row: continuity/handover and follow-up, described below the table
        before = keys("ctrl+k", "down", "down", "down", "down")
        assert snap_compare(app, terminal_size=SIZE, run_before=before)

    def test_a_code_per_transcript(self, snap_compare: Compare, app: QualcodeApp) -> None:
        before = keys("ctrl+k", "down", "enter", "down", "down")
        assert snap_compare(app, terminal_size=SIZE, run_before=before)

    def test_disagreements_side_by_side(self, snap_compare: Compare, app: QualcodeApp) -> None:
        # every disagreement; the first settled with B's spans, the second shown
        assert snap_compare(app, terminal_size=SIZE, run_before=keys("f6", "b"))
