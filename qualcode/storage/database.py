"""Opening a project: a SQLite file (default) or any SQLAlchemy URL (PostgreSQL for teams)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import sessionmaker

from qualcode.domain.errors import ProjectError
from qualcode.storage import migrations
from qualcode.storage.repositories import Repository

# "QCOD" as a big-endian integer: written to SQLite's application_id header field so a
# qualcode project can be told from any other SQLite file without reading its tables.
QUALCODE_APPLICATION_ID = 0x51434F44
BUSY_TIMEOUT_MS = 5000
_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_url(location: str) -> bool:
    return "://" in location


@dataclass
class Project:
    """An open project. Use :meth:`transaction` for each user action (one transaction,
    all or nothing) and :meth:`reading` for queries."""

    location: str
    engine: Engine
    read_only: bool

    def __post_init__(self) -> None:
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(qualcode_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """A write transaction: commits when the block ends, rolls back on any error."""
        if self.read_only:
            raise ProjectError(f"{self.location}: project file is read-only; nothing was changed")
        try:
            with self._write_sessions.begin() as session:
                yield Repository(session)
        except OperationalError as error:
            raise _translate(self.location, error) from error

    @contextmanager
    def reading(self) -> Iterator[Repository]:
        """A read-only session (rolled back at the end)."""
        try:
            with self._read_sessions() as session:
                yield Repository(session)
        except OperationalError as error:
            raise _translate(self.location, error) from error

    def close(self) -> None:
        self.engine.dispose()


def _translate(location: str, error: DBAPIError) -> ProjectError:
    message = str(error.orig).splitlines()[0] if error.orig else str(error)
    if "readonly" in message or "read-only" in message:
        return ProjectError(f"{location}: project file is read-only; nothing was changed")
    if "locked" in message or "busy" in message:
        return ProjectError(
            f"{location}: project is busy (another coder is writing); "
            "nothing was changed, try again"
        )
    return ProjectError(f"{location}: database error: {message}")


def _sqlite_engine(path: Path, *, read_only: bool) -> Engine:
    if read_only:

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

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
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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


def _check_sqlite_file(path: Path) -> None:
    if not path.exists():
        raise ProjectError(f"{path}: no such project (create one with: qualcode init {path})")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a qualcode project file")
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise ProjectError(f"{path}: not a qualcode project (not a SQLite database)")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id != QUALCODE_APPLICATION_ID:
        raise ProjectError(f"{path}: not a qualcode project (a SQLite database of another program)")


def _file_is_read_only(path: Path) -> bool:
    # Checked from the mode bits, not os.access: as root, access() says yes to everything.
    return not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
        path.parent, os.W_OK
    )


def open_project(location: str | os.PathLike[str], *, create: bool = False) -> Project:
    """Open (or with ``create=True``, create) a project at a file path or SQLAlchemy URL.

    Raises :class:`ProjectError` with a one-line reason when the location is missing, not a
    qualcode project, or (for ``create``) already exists. Pending migrations are applied.
    """
    location = str(location)
    if is_url(location):
        return _open_url(location, create=create)
    path = Path(location)
    if create:
        if path.exists() and path.stat().st_size > 0:
            raise ProjectError(f"{path}: already exists; choose a new project file")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        # The application id goes into the file header before WAL is on, so it is in the
        # main file at once (in WAL mode it would sit in the -wal file until a checkpoint).
        stamp = sqlite3.connect(path)
        try:
            stamp.execute(f"PRAGMA application_id = {QUALCODE_APPLICATION_ID}")
            stamp.commit()
        except sqlite3.Error as error:
            raise ProjectError(f"{path}: cannot create project: {error}") from error
        finally:
            stamp.close()
        engine = _sqlite_engine(path, read_only=False)
        try:
            with engine.begin() as connection:
                migrations.create_schema(connection)
        except OperationalError as error:
            engine.dispose()
            raise _translate(str(path), error) from error
        return Project(str(path), engine, False)
    _check_sqlite_file(path)
    read_only = _file_is_read_only(path)
    engine = _sqlite_engine(path, read_only=read_only)
    try:
        with engine.begin() as connection:
            migrations.upgrade(connection, str(path), allow_write=not read_only)
    except OperationalError as error:
        engine.dispose()
        raise _translate(str(path), error) from error
    return Project(str(path), engine, read_only)


def _open_url(url: str, *, create: bool) -> Project:
    try:
        engine = create_engine(url, pool_pre_ping=True)
        with engine.begin() as connection:
            has_schema = inspect(connection).has_table("schema_version")
            if create:
                if has_schema:
                    raise ProjectError(f"{_safe_url(url)}: already holds a qualcode project")
                migrations.create_schema(connection)
            else:
                if not has_schema:
                    raise ProjectError(
                        f"{_safe_url(url)}: not a qualcode project (run qualcode init first)"
                    )
                migrations.upgrade(connection, _safe_url(url), allow_write=True)
    except (DBAPIError, ImportError) as error:
        raise ProjectError(
            f"{_safe_url(url)}: cannot open database: {error}".splitlines()[0]
        ) from error
    return Project(_safe_url(url), engine, False)


def _safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported as given
        return url
