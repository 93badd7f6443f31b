"""Fixtures for the workspace tests: a fresh copy of the demo project per test, and a
terminal that looks the same on every machine (snapshots pinned to size, theme, colours)."""

from __future__ import annotations

import asyncio
import inspect
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import textual.app
import textual.constants
import textual.pilot
from textual.app import App
from textual.pilot import Pilot

from qualcode.services.project import Project, open_project
from tests.conftest import Cli
from tests.tui import idle
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


@pytest.fixture(autouse=True)
def idle_means_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits for an idle app, not for a moment the machine was too busy to run it
    (see tests/tui/idle.py)."""
    for module in (textual.pilot, textual.app):
        monkeypatch.setattr(module, "wait_for_idle", idle.wait_for_idle)


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


@pytest.fixture(scope="session")
def flagged_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo after ``qualcode transcript replace`` of two transcripts whose coded
    passages were rewritten (built once per session and worker; tests take a copy)."""
    folder = tmp_path_factory.mktemp("flagged")
    path = folder / "flagged.qualcode"
    shutil.copyfile(demo_template, path)
    for name, text in rewritten_texts(path).items():
        new_file = folder / f"{name}-v2.txt"
        new_file.write_text(text, encoding="utf-8")
        Cli()("transcript", "replace", path, name, new_file, "--coder", "anna")
    with closing(sqlite3.connect(path)) as db:  # all into the file itself: tests copy only it
        (busy, _, _) = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    return path


@pytest.fixture
def flagged_path(flagged_template: Path, demo_path: Path) -> Path:
    """A fresh copy of the flagged demo (several codings of both coders need review), at
    ``demo_path``."""
    shutil.copyfile(flagged_template, demo_path)
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
