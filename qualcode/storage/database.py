"""Opening a project: a SQLite file (default) or any SQLAlchemy URL (PostgreSQL for teams)."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qualcode.domain.errors import (
    DiskFullError,
    ProjectBusyError,
    ProjectError,
    QualcodeError,
    ReadOnlyError,
)
from qualcode.files.writing import Existing, check_new_file, create_empty, staged_path
from qualcode.storage import migrations
from qualcode.storage.erasure import drop_caches
from qualcode.storage.idle_ping import ping_when_idle
from qualcode.storage.sqlite_file import (
    IMMUTABLE,
    QUALCODE_APPLICATION_ID,
    READ_ONLY,
    READ_WRITE,
    access_mode,
    check_sqlite_file,
    damaged,
    failure,
    is_damage,
    is_url,
    read_only,
    remove_project_file,
    sqlite_uri,
)
from qualcode.storage.unit_of_work import UnitOfWork

BUSY_TIMEOUT_MS = 5000
# PostgreSQL: every write transaction takes this transaction-scoped advisory lock first, so
# writes queue one after another exactly as SQLite's BEGIN IMMEDIATE makes them (the
# services check, then write; serialised writers make that safe). Actions that only add
# rows (applying a code) take it shared, so coders adding codings run side by side, while
# anything that changes or removes rows waits for them and runs alone. Reads never wait.
WRITE_LOCK_KEY = QUALCODE_APPLICATION_ID
# Errors that a retry can cure: SQLite busy/locked; PostgreSQL serialization failure,
# deadlock, lock timeout.
_RETRYABLE_SQLITE_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long a write waits for other coders' writes.

    Each of ``attempts`` tries waits up to the busy/lock timeout inside the database
    (``busy_timeout_ms`` of :func:`open_project`); between tries qualcode pauses, starting at
    ``first_pause`` seconds and doubling up to ``max_pause`` (each pause randomly shortened
    by up to half, so waiting writers do not retry in step). The defaults give up after
    roughly 45 s of contention.
    """

    attempts: int = 8
    first_pause: float = 0.05
    max_pause: float = 2.0

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        longest = min(self.max_pause, self.first_pause * 2.0 ** (attempt - 1))
        return float(longest * random.uniform(0.5, 1.0))


@dataclass
class Project:
    """An open project. Use :meth:`unit_of_work` (or :meth:`run_unit_of_work`) for each
    user action (one transaction, all or nothing) and :meth:`reading` for queries; both
    hand out a :class:`~qualcode.storage.unit_of_work.UnitOfWork` of typed repositories.

    Write transactions take the project's write lock before the action's first statement
    and retry taking it with backoff (``retry``), so coders writing at the same time queue
    instead of failing. ``retries`` counts the retries taken (for diagnostics);
    ``on_retry(attempt, pause_seconds)`` is called before each pause when set.
    ``viewer`` names the coder of the workspace that opened it. ``migrated_from`` is the
    schema version the project had before this open upgraded it (``None`` when no upgrade
    ran) and ``upgrade_backup`` where the backup written before
    the upgrade is.
    """

    location: str
    _engine: Engine  # storage-internal: engine_of(project)
    read_only: bool
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    busy_timeout_ms: int = BUSY_TIMEOUT_MS
    retries: int = field(default=0, init=False)
    on_retry: Callable[[int, float], None] | None = field(default=None, init=False)
    migrated_from: int | None = field(default=None, init=False)
    upgrade_backup: str | None = field(default=None, init=False)
    viewer: str | None = field(default=None, init=False, compare=False)
    """The coder whose workspace has this project open (``None``: a command), so a blind
    round may show them their own work."""

    def __post_init__(self) -> None:
        self._read_sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self._engine.execution_options(qualcode_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self._engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """A write unit of work: commits when the block ends, rolls back on any error.

        The write lock is taken (with retries) before the block runs, so the block itself
        does not meet a busy database; use :meth:`run_unit_of_work` for an action that
        should also be re-run when the database reports a conflict half-way."""
        session = self._begin_write()
        try:
            yield UnitOfWork(session, writable=True)
            session.commit()
        except OperationalError as error:
            session.rollback()
            raise _translate(self.location, error) from error
        except (DBAPIError, UnicodeDecodeError) as error:
            session.rollback()
            if isinstance(error, IntegrityError):
                raise
            raise database_error(self.location, error) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def run_unit_of_work(
        self,
        action: Callable[[UnitOfWork], T],
        *,
        adds_only: bool = False,
        locks_itself: bool = False,
    ) -> T:
        """Run ``action`` in one write unit of work and return its result.

        When the database reports a conflict that a retry cures (busy or locked, a
        serialization failure, a deadlock, a lock timeout) at any point, the transaction is
        rolled back and ``action`` runs again from the start, up to ``retry.attempts``
        times with backoff. ``action`` must therefore only touch the database through the
        unit of work it is given. Any other error rolls back and propagates at once.

        ``adds_only=True`` declares that the action only inserts rows (and reads): on
        PostgreSQL it then shares the write lock with other such actions, and a unique-key
        clash with one of them (two first codings of one new coder) is retried too. SQLite
        has one writer at a time either way. ``locks_itself=True``: on PostgreSQL the action
        takes the lock itself in its first statement (storage/coding_writes.py)."""
        failures = 0
        while True:
            session = self._begin_write(shared=adds_only, lock=not locks_itself)
            try:
                result = action(UnitOfWork(session, writable=True))
                session.commit()
                return result
            except (OperationalError, IntegrityError) as error:
                session.rollback()
                failures += 1
                retry = _is_retryable(error) or (adds_only and isinstance(error, IntegrityError))
                if not retry or failures >= self.retry.attempts:
                    if isinstance(error, IntegrityError):
                        raise
                    raise _translate(self.location, error) from error
                self._pause(failures)
            except (DBAPIError, UnicodeDecodeError) as error:
                session.rollback()
                raise database_error(self.location, error) from error
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A reading unit of work (rolled back at the end, never takes the write lock)."""
        try:
            with self._read_sessions() as session:
                yield UnitOfWork(session, writable=False)
        except OperationalError as error:
            raise _translate(self.location, error) from error
        except (DBAPIError, UnicodeDecodeError) as error:
            raise database_error(self.location, error) from error

    def close(self) -> None:
        self._engine.dispose()

    def _begin_write(self, *, shared: bool = False, lock: bool = True) -> Session:
        """A session whose transaction holds the project's write lock (on PostgreSQL
        shared with other adding actions when ``shared``)."""
        if self.read_only:
            raise read_only(self.location)
        failures = 0
        while True:
            session = self._write_sessions()
            try:
                connection = session.connection()  # SQLite: BEGIN IMMEDIATE
                if lock:
                    take_write_lock(connection, self.busy_timeout_ms, shared=shared)
                return session
            except OperationalError as error:
                session.rollback()
                session.close()
                failures += 1
                if not _is_retryable(error) or failures >= self.retry.attempts:
                    raise _translate(self.location, error) from error
                self._pause(failures)
            except BaseException:
                session.close()
                raise

    def _pause(self, failures: int) -> None:
        pause = self.retry.pause(failures)
        self.retries += 1
        if self.on_retry is not None:
            self.on_retry(failures, pause)
        time.sleep(pause)


def engine_of(project: Project) -> Engine:
    """The SQLAlchemy engine of ``project``. Storage-internal: for the storage modules that
    open connections of their own (``dump``'s whole-table reads, ``live_watch``'s LISTEN
    connection) and for tests that inspect the database beneath qualcode. Nothing outside
    ``storage/`` may call it (``tests/storage/test_session_private.py``)."""
    return project._engine


def take_write_lock(connection: Connection, timeout_ms: int, *, shared: bool = False) -> None:
    """Begin a write transaction holding the project's write lock (SQLite: the begin
    event issues BEGIN IMMEDIATE and waits up to the busy timeout; PostgreSQL: the
    advisory lock, exclusive or ``shared``, waiting at most ``timeout_ms``)."""
    if connection.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        # one round trip: the timeout is set (for this transaction only) before the wait
        connection.exec_driver_sql(
            f"SELECT set_config('lock_timeout', '{int(timeout_ms)}', true), "
            f"{function}({WRITE_LOCK_KEY})"
        )


def _is_retryable(error: DBAPIError) -> bool:
    """Whether a retry can cure ``error``: by SQLite's result code or PostgreSQL's
    SQLSTATE, never by the message's wording."""
    original = error.orig
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _RETRYABLE_SQLITE_CODES
    return getattr(original, "sqlstate", None) in _RETRYABLE_SQLSTATES


def database_error(location: str, error: DBAPIError | UnicodeDecodeError) -> ProjectError:
    """One line for an error the database raised that no retry cures: a damaged file,
    or a value the database refused (on PostgreSQL, e.g. a name longer than its column)."""
    if isinstance(error, UnicodeDecodeError):
        return damaged(location, error)
    known = failure(location, error)  # by result code: disk full, read-only, I/O, damage
    if known is not None:
        return known
    message = _first_line(error)
    if is_damage(message) or isinstance(error, OperationalError):
        return _by_message(location, error, message)
    return ProjectError(f"{location}: the database refused this ({message}); nothing was changed")


def _translate(location: str, error: DBAPIError) -> ProjectError:
    known = failure(location, error)  # by result code: disk full, read-only, I/O, damage
    return known if known is not None else _by_message(location, error, _first_line(error))


def _first_line(error: DBAPIError) -> str:
    return str(error.orig).splitlines()[0] if error.orig else str(error)


def _by_message(location: str, error: DBAPIError, message: str) -> ProjectError:
    """What the driver's words say, where its result code said nothing (older drivers,
    busy and locked states)."""
    if is_damage(message):
        return damaged(location, error)
    if "readonly" in message or "read-only" in message:
        return read_only(location)
    if _is_retryable(error) or "locked" in message or "busy" in message:
        return ProjectBusyError(
            f"{location}: project is busy (another coder is writing); "
            "nothing was changed, try again"
        )
    return ProjectError(f"{location}: database error: {message}")


def _sqlite_engine(
    path: Path, *, read_only: bool, busy_timeout_ms: int, immutable: bool = False
) -> Engine:
    """An engine on the SQLite file ``path``; ``read_only`` opens it with ``mode=ro``, and
    ``immutable`` also with ``immutable=1`` (see :func:`~qualcode.storage.sqlite_file.
    access_mode` for when each is right)."""
    if read_only:
        uri = sqlite_uri(path, IMMUTABLE if immutable else READ_ONLY)

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False)

        engine = create_engine("sqlite://", creator=connect)
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's implicit transactions
        # would otherwise defer it and make reads outside our transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write action takes the write lock up front, so two coders' actions queue (busy
        # timeout) instead of one failing half-way on a lock upgrade. Reads stay deferred.
        write = connection.get_execution_options().get("qualcode_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def open_project(
    location: str | os.PathLike[str],
    *,
    create: bool = False,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    retry: RetryPolicy | None = None,
) -> Project:
    """Open (or with ``create=True``, create) a project at a file path or SQLAlchemy URL.

    Raises :class:`ProjectError` with a one-line reason when the location is missing, not a
    qualcode project, or (for ``create``) already exists. A project written by an older
    qualcode is backed up (see :func:`upgrade_backup_path`) and then migrated.
    ``busy_timeout_ms`` is how long one try waits for another coder's write (SQLite busy
    timeout, PostgreSQL lock timeout); ``retry`` how often and how patiently to try again.
    """
    location = str(location)
    policy = retry or RetryPolicy()
    if is_url(location):
        return _open_url(location, create=create, busy_timeout_ms=busy_timeout_ms, retry=policy)
    path = Path(location)
    if create:
        return _create_sqlite(path, busy_timeout_ms, policy)
    check_sqlite_file(path)
    mode = access_mode(path)  # read-only media open for reading (mode=ro, immutable)
    engine = _sqlite_engine(
        path,
        read_only=mode != READ_WRITE,
        immutable=mode == IMMUTABLE,
        busy_timeout_ms=busy_timeout_ms,
    )
    project = Project(str(path), engine, mode != READ_WRITE, policy, busy_timeout_ms)
    try:
        _bring_up_to_date(project, lambda version: _backup_beside(path, version))
    except OperationalError as error:
        engine.dispose()
        raise _translate(str(path), error) from error
    except (DBAPIError, UnicodeDecodeError) as error:
        engine.dispose()
        raise database_error(str(path), error) from error
    except BaseException:
        engine.dispose()
        raise
    return project


def _create_sqlite(path: Path, busy_timeout_ms: int, policy: RetryPolicy) -> Project:
    """A new SQLite project at ``path``: a free name (or an empty regular file), never a
    device, pipe, link or someone's file (:func:`qualcode.files.writing.check_new_file`).
    A file this call created is removed again when creating the schema fails."""
    check_new_file(path)
    was_free = not os.path.lexists(path)
    if was_free:
        create_empty(path)  # a one-line reason (read-only, permission) if it cannot be
    try:
        # The application id goes into the file header before WAL is on, so it is in the
        # main file at once (in WAL mode it would sit in the -wal file until a checkpoint).
        stamp = sqlite3.connect(path)
        try:
            stamp.execute(f"PRAGMA application_id = {QUALCODE_APPLICATION_ID}")
            stamp.commit()
        finally:
            stamp.close()
    except sqlite3.Error as error:
        _remove_created(path, was_free)
        raise _file_error(path, error, "cannot create project") from error
    engine = _sqlite_engine(path, read_only=False, busy_timeout_ms=busy_timeout_ms)
    try:
        with engine.begin() as connection:
            migrations.create_schema(connection)
    except OperationalError as error:
        engine.dispose()
        _remove_created(path, was_free)
        raise _translate(str(path), error) from error
    return Project(str(path), engine, False, policy, busy_timeout_ms)


def _remove_created(path: Path, was_free: bool) -> None:
    if was_free:
        remove_project_file(path)


def _bring_up_to_date(project: Project, backup: Callable[[int], str]) -> None:
    """Apply pending migrations, after ``backup(version)`` has saved the project as it was.

    The version is read first without any lock (the usual case: nothing to do); the
    migration itself runs under the write lock and reads the version again, so several
    coders opening an old project at once migrate it exactly once."""
    with project._engine.connect() as connection:
        version = migrations.project_version(connection)
        if version != migrations.CURRENT_VERSION and (
            version == 0 or version > migrations.CURRENT_VERSION or project.read_only
        ):
            # raises the one-line reason (not a project, too new, read-only)
            migrations.upgrade(connection, project.location, allow_write=False)
    if version == migrations.CURRENT_VERSION:
        return
    project.upgrade_backup = backup(version)
    session = project._begin_write()
    try:
        migrations.upgrade(session.connection(), project.location, allow_write=True)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    project.migrated_from = version


def upgrade_backup_path(path: Path, version: int) -> Path:
    """Where the copy of a project made before migrating it from ``version`` goes: beside
    it, ``NAME.schema-V-backup.SUFFIX`` (with a timestamp when that name is taken)."""
    candidate = path.with_name(f"{path.stem}.schema-{version}-backup{path.suffix}")
    if candidate.exists():
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        candidate = path.with_name(f"{path.stem}.schema-{version}-backup-{stamp}{path.suffix}")
    return candidate


def _backup_beside(path: Path, version: int) -> str:
    destination = upgrade_backup_path(path, version)
    backup_sqlite_file(path, destination)
    return str(destination)


def backup_sqlite_file(source: Path, destination: Path) -> None:
    """Copy a SQLite project to ``destination`` with SQLite's online backup API.

    The copy is one consistent snapshot even while coders keep writing (in WAL mode the
    backup's read transaction does not block them). It goes through the one writer
    (:mod:`qualcode.files.writing`): into a temporary file beside ``destination``, renamed
    into place when complete; ``destination`` must be a free name (nothing is replaced)."""
    with staged_path(destination, Existing.REFUSE) as part:
        try:
            origin = sqlite3.connect(source)
            try:
                copy = sqlite3.connect(part)
                try:
                    origin.backup(copy)
                    drop_caches(copy)
                finally:
                    copy.close()
            finally:
                origin.close()
        except sqlite3.Error as error:
            raise _file_error(destination, error, "backup failed") from error


def _file_error(destination: Path, error: sqlite3.Error, doing: str) -> QualcodeError:
    """One line for SQLite failing to write a new file (a backup, a new project)."""
    known = failure(str(destination), error)  # the same reading of result codes
    if isinstance(known, DiskFullError):
        return DiskFullError(f"{destination}: disk full ({doing}); nothing was written")
    if isinstance(known, ReadOnlyError):
        return ReadOnlyError(f"{destination}: read-only file system; nothing was written")
    return ProjectError(f"{destination}: {doing}: {error}")


def _open_url(url: str, *, create: bool, busy_timeout_ms: int, retry: RetryPolicy) -> Project:
    shown = _safe_url(url)
    try:
        engine = create_engine(url)
        ping_when_idle(engine)  # not before every transaction: one round trip in four
        with engine.begin() as connection:
            has_schema = inspect(connection).has_table("schema_version")
            if create:
                if has_schema:
                    raise ProjectError(f"{shown}: already holds a qualcode project")
                migrations.create_schema(connection)
            elif not has_schema:
                raise ProjectError(f"{shown}: not a qualcode project (run qualcode init first)")
        project = Project(shown, engine, False, retry, busy_timeout_ms)
        if not create:
            _bring_up_to_date(project, lambda version: _json_backup_for_upgrade(project, version))
    except (DBAPIError, ImportError) as error:
        raise ProjectError(f"{shown}: cannot open database: {error}".splitlines()[0]) from error
    except ArgumentError as error:  # an unknown database kind, or a URL that is no URL
        raise ProjectError(
            f"{shown}: not a database URL qualcode can open ({error}); use a project file "
            "path or a URL such as postgresql+psycopg://user@host/database".splitlines()[0]
        ) from error
    return project


def _json_backup_for_upgrade(project: Project, version: int) -> str:
    """A server has no "beside": the JSON backup goes to the user's data folder."""
    from platformdirs import user_data_path

    from qualcode.storage.dump import write_json_backup

    name = project._engine.url.database or "project"
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = user_data_path("qualcode") / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    destination = folder / f"{name}.schema-{version}-backup-{stamp}.json"
    write_json_backup(project, destination)
    return str(destination)


def _safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported as given
        return url
