"""Shared fixtures: real project files on disk, real sample transcripts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import cli
from qualcode.services.project import Project, init_project

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "transcripts"
CODEBOOKS = REPO / "codebooks"


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.qualcode"


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    opened = init_project(project_path)
    yield opened
    opened.close()


class Cli:
    """Runs `qualcode ...` in-process with CliRunner, stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, expect: int = 0) -> Result:
        result = self.runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == expect, (result.stdout, result.stderr)
        return result


@pytest.fixture
def run() -> Cli:
    return Cli()


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path
