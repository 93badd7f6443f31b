"""Shared fixtures: real project files on disk, real sample transcripts."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.cli import cli
from qualcode.services.demo import build_demo
from qualcode.services.project import Project, init_project
from qualcode.tui.config import CONFIG_ENV
from tests import hypothesis_profiles

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPTS = REPO / "transcripts"
CODEBOOKS = REPO / "codebooks"
POSTGRES_URL = os.environ.get("QUALCODE_TEST_POSTGRES_URL")

hypothesis_profiles.load()

# The cyclic garbage collector's generation thresholds in the test processes. Workspace
# (Pilot) tests allocate millions of short-lived objects (Textual's strips and caches), so
# Python's default (a young collection every 700 allocations) ran 13,000 collections for
# 71 workspace tests and took 42 % of their CPU (25 of 60 s); at 50,000, with what
# collection imported frozen, they take 43 s and a worker's heap stays near 200 MB.
# Collection timing is not behaviour: every object is still freed, later and in batches.
GC_THRESHOLDS = (50_000, 20, 10)


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as a terminal gives it, whatever started the suite: a shell without job
    control starts background commands with SIGINT ignored, and that disposition is
    inherited by every process started from them, so the tests of interrupting qualcode
    (in this process and in a child) would find it ignored."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # Compiled modules are cached even where the environment says not to
    # (PYTHONDONTWRITEBYTECODE, set on some CI images): every worker and every `qualcode`
    # subprocess would otherwise compile the test and qualcode modules from source again.
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    gc.set_threshold(*GC_THRESHOLDS)
    # No test reads or writes the user's own settings (the coder remembered per project,
    # the keymap): every process of the suite, subprocesses included, gets a config file
    # of its own in a fresh folder unless a test names another.
    os.environ[CONFIG_ENV] = str(Path(tempfile.mkdtemp(prefix="qualcode-config-")) / "config.json")
    # At the end of a session pytest collects garbage five times over, looking for
    # exceptions raised in finalisers; once finds them, and five passes over the
    # workspace tests' heap cost each worker seconds.
    try:
        from _pytest.unraisableexception import gc_collect_iterations_key
    except ImportError:  # another pytest: its own default
        return
    config.stash[gc_collect_iterations_key] = 1


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (modules, test items) lives until the end: frozen, the
    cyclic collector stops rescanning it at every full pass (see GC_THRESHOLDS)."""
    gc.collect()
    gc.freeze()


ID_TEXT = 24  # characters of a text parameter kept in a test id (after escaping)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker per core, plus one. Workspace (Pilot) tests spend part of
    their time waiting for the app to go idle and subprocess tests wait for their child;
    the extra worker fills those waits (on 2 cores: 3 workers 159 s, 2 workers 205 s,
    4 workers 169 s for the whole suite)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Text parameters appear in test ids cut to ID_TEXT characters (pytest numbers any ids
    that then coincide): an id names its row, and a 70,000-character one floods the output.
    Tables still give their rows ``ids=`` where the cut text would not say much."""
    if isinstance(val, bytes):
        val = val.decode("latin-1")
    if not isinstance(val, str):
        return None
    shown = val.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= ID_TEXT else shown[:ID_TEXT] + "..."


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
        # PostgreSQL 15+ copies the template through the WAL by default; a file copy (one
        # checkpoint, cheap on a test server) takes about a third less of the server's CPU
        copy = " STRATEGY FILE_COPY" if db.info.server_version >= 150000 else ""
        db.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for this session (this xdist worker): the one named by
    QUALCODE_TEST_POSTGRES_URL, else a throw-away cluster from the test extra's server
    binaries, started on first use and removed at the end. Without the binaries the tests
    that need it are skipped, saying so; on CI (CI set) that is a failure instead."""
    if POSTGRES_URL:
        yield POSTGRES_URL
        return
    from tests.postgres_cluster import ClusterError, ThrowAwayCluster

    try:
        cluster = ThrowAwayCluster()
    except ClusterError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot run on CI: {error}")
        pytest.skip(str(error))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    yield from _fresh_postgres_database(postgres_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, not yet initialised project location on each backend: a SQLite file path,
    and a fresh database on the session's PostgreSQL server (``postgres_server``)."""
    if request.param == "sqlite":
        yield str(tmp_path / "study.qualcode")
        return
    yield request.getfixturevalue("postgres_database")
