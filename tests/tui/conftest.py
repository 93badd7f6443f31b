"""Fixtures for the workspace tests: a fresh copy of the demo project per test."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.services.demo import build_demo
from qualcode.services.project import Project, open_project


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once per test session (WAL checkpointed into the file)."""
    path = tmp_path_factory.mktemp("demo") / "demo.qualcode"
    build_demo(path, progress=lambda _line: None).close()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.qualcode"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Project]:
    opened = open_project(demo_path)
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
