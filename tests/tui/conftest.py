"""Fixtures for the workspace tests: a fresh copy of the demo project per test."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.services.project import Project, open_project
from tests.conftest import Cli
from tests.tui.flagging import rewritten_texts


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
