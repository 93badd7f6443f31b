"""Write transactions wait for other coders: the write lock is retried with backoff, and
only when every retry fails does the coder see one clear line (with nothing changed)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from qualcode.domain.errors import ProjectBusyError, ProjectError
from qualcode.services.project import Project, init_project, open_project
from qualcode.storage.database import WRITE_LOCK_KEY, RetryPolicy
from qualcode.storage.unit_of_work import UnitOfWork

QUICK = RetryPolicy(attempts=3, first_pause=0.01, max_pause=0.02)


@contextmanager
def write_lock_held(location: str) -> Iterator[Callable[[], None]]:
    """Another connection holding the project's write lock until ``release()`` (or the
    end of the block): SQLite BEGIN IMMEDIATE, PostgreSQL the advisory lock."""
    if "://" in location:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(location).set(drivername="postgresql").render_as_string(False)
        connection = psycopg.connect(url)
        connection.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
    else:
        raw = sqlite3.connect(location, isolation_level=None, check_same_thread=False)
        raw.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            (connection if "://" in location else raw).rollback()

    try:
        yield release
    finally:
        release()
        (connection if "://" in location else raw).close()


def opened(location: str, **options: object) -> Project:
    init_project(location).close()
    return open_project(location, busy_timeout_ms=50, retry=QUICK, **options)  # type: ignore[arg-type]


def coder_names(project: Project) -> list[str]:
    with project.reading() as uow:
        return sorted(uow.coders.ids())


def test_a_write_waits_for_the_lock_and_succeeds_after_a_retry(location: str) -> None:
    project = opened(location)
    with write_lock_held(location) as release:
        # The holder lets go as soon as the first try has timed out: the retry succeeds.
        project.on_retry = lambda attempt, pause: release()
        with project.unit_of_work() as uow:
            uow.coders.ensure("anna")
    assert project.retries == 1
    assert coder_names(project) == ["anna"]
    project.close()


def test_a_write_that_never_gets_the_lock_fails_with_one_line_and_changes_nothing(
    location: str,
) -> None:
    project = opened(location)
    pauses: list[int] = []
    project.on_retry = lambda attempt, pause: pauses.append(attempt)
    with write_lock_held(location), pytest.raises(ProjectBusyError) as caught:  # noqa: SIM117
        with project.unit_of_work() as uow:
            uow.coders.ensure("anna")
    assert "project is busy (another coder is writing); nothing was changed" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ProjectError)
    assert pauses == [1, 2]  # three tries, two pauses between them
    assert coder_names(project) == []
    project.close()


def test_run_unit_of_work_reruns_the_whole_action_after_a_conflict_half_way(
    location: str,
) -> None:
    project = opened(location)
    calls: list[int] = []

    def action(uow: UnitOfWork) -> int:
        calls.append(len(calls))
        coder_id = uow.coders.ensure("bo")
        if len(calls) == 1:
            # A conflict the database reports in the middle of the action (as a deadlock
            # or a lost lock would): everything so far is rolled back and redone.
            raise _busy_error(project)
        return coder_id

    coder_id = project.run_unit_of_work(action)
    assert calls == [0, 1]
    assert coder_names(project) == ["bo"]
    with project.reading() as uow:
        assert uow.coders.ids() == {"bo": coder_id}
    project.close()


def test_run_unit_of_work_does_not_retry_a_user_mistake(location: str) -> None:
    project = opened(location)
    calls: list[int] = []

    def action(uow: UnitOfWork) -> None:
        calls.append(1)
        uow.coders.ensure("anna")
        raise ProjectError("a mistake")

    with pytest.raises(ProjectError, match="a mistake"):
        project.run_unit_of_work(action)
    assert calls == [1]
    assert coder_names(project) == []
    project.close()


def _busy_error(project: Project) -> Exception:
    """The error SQLAlchemy raises for a conflict the database resolves by a retry:
    SQLite's "database is locked", PostgreSQL's deadlock_detected (SQLSTATE 40P01)."""
    from sqlalchemy.exc import OperationalError

    if project.is_sqlite:
        locked = sqlite3.OperationalError("database is locked")
        locked.sqlite_errorcode = sqlite3.SQLITE_BUSY  # as SQLite's own error carries it
        return OperationalError("INSERT", {}, locked)
    import psycopg

    return OperationalError("INSERT", {}, psycopg.errors.DeadlockDetected("deadlock detected"))
