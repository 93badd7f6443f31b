"""A small coded project for the output tests, built once per test session and copied
(with SQLite's backup, so its write-ahead log comes along) for each test."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli
from tests.files.targets import mounts  # noqa: F401  (a fixture for the tests here)


@pytest.fixture(scope="session")
def study_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("study")
    path = folder / "study.qualcode"
    run = Cli()
    run("init", path)
    run("import", path, TRANSCRIPTS / "parent-01-en.txt")
    run("codebook", path, "import", CODEBOOKS / "minimal.yaml")
    run("code", path, "parent-01-en", "positive", "--coder", "anna", "--span", "0:40")
    run("code", path, "parent-01-en", "negative", "--coder", "bo", "--span", "20:90")
    # GUIDs are given out at the first export: do it here, so later exports change nothing
    run("export", path, "--format", "qdpx", "-o", folder / "first.qdpx")
    return path


@pytest.fixture
def study(study_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "project" / "study.qualcode"
    path.parent.mkdir()
    source = sqlite3.connect(study_template)
    copy = sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return path
