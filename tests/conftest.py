"""Shared fixtures: real project files on disk, real sample transcripts."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import cli
from qualcode.services.demo import build_demo
from qualcode.services.project import Project, init_project

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "transcripts"
CODEBOOKS = REPO / "codebooks"
POSTGRES_URL = os.environ.get("QUALCODE_TEST_POSTGRES_URL")


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.qualcode"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, built once per test session (WAL checkpointed into the file);
    tests that change it take a ``demo_path`` copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.qualcode"
    build_demo(path, progress=lambda _line: None).close()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.qualcode"
    shutil.copyfile(demo_template, path)
    return path


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
        result = self.runner.invoke(
            cli, [str(a) for a in args], catch_exceptions=False, prog_name="qualcode"
        )
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


def _fresh_postgres_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the test server; drop it (forcefully) afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"qc_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, not yet initialised project location on each backend: a SQLite file path,
    and a database on the PostgreSQL server named by QUALCODE_TEST_POSTGRES_URL (skipped
    when that is unset locally; a failure in CI, where .ci/run always sets it)."""
    if request.param == "sqlite":
        yield str(tmp_path / "study.qualcode")
        return
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("QUALCODE_TEST_POSTGRES_URL is unset in CI: PostgreSQL tests cannot run")
        pytest.skip("PostgreSQL tests need QUALCODE_TEST_POSTGRES_URL (source .ci/start-postgres)")
    yield from _fresh_postgres_database(POSTGRES_URL)
