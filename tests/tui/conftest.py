"""Fixtures for the workspace tests: a fresh copy of the demo project per test, and a
terminal that looks the same on every machine (snapshots pinned to size, theme, colours)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from textual.app import App
from textual.pilot import Pilot

from qualcode.services.project import Project, open_project
from tests.conftest import Cli
from tests.tui.flagging import rewritten_texts

SNAPSHOT_THEME = "textual-dark"
Compare = Callable[..., bool]
RunBefore = Callable[[Pilot[Any]], Awaitable[None] | None]


@pytest.fixture(autouse=True)
def same_terminal_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a developer's environment could change in a picture is set back to Textual's
    defaults: NO_COLOR (read when an app starts), colour filters, animations and the
    colour system (read from TEXTUAL_* when Textual is imported)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(textual.constants, "FILTERS", "")
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "full")
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "auto")


@pytest.fixture
def snap_compare(snap_compare: Compare) -> Compare:
    """pytest-textual-snapshot's ``snap_compare`` with the terminal size required (no
    default to fall back on), the theme set before anything is drawn (TEXTUAL_THEME or a
    user config could choose another), and the picture taken only once the app's workers
    are done: Pilot waits for a quiet moment, which on a busy machine (tests in parallel)
    can come while a worker is still counting or searching."""

    def compare(
        app: App[Any],
        *,
        terminal_size: tuple[int, int],
        press: Iterable[str] = (),
        run_before: RunBefore | None = None,
    ) -> bool:
        async def pinned(pilot: Pilot[Any]) -> None:
            pilot.app.theme = SNAPSHOT_THEME
            if run_before is not None:
                done = run_before(pilot)
                if inspect.isawaitable(done):
                    await done
            await pilot.pause()
            await pilot.press(*press)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

        return snap_compare(app, terminal_size=terminal_size, run_before=pinned)

    return compare


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Project]:
    opened = open_project(demo_path)
    yield opened
    opened.close()


@pytest.fixture
def flagged_path(demo_path: Path, tmp_path: Path) -> Path:
    """The demo after ``qualcode transcript replace`` of two transcripts whose coded
    passages were rewritten: several codings of both coders need review."""
    for name, text in rewritten_texts(demo_path).items():
        new_file = tmp_path / f"{name}-v2.txt"
        new_file.write_text(text, encoding="utf-8")
        Cli()("transcript", "replace", demo_path, name, new_file, "--coder", "anna")
    return demo_path


@pytest.fixture
def flagged(flagged_path: Path) -> Iterator[Project]:
    opened = open_project(flagged_path)
    yield opened
    opened.close()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (Pilot needs one)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    arguments = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
