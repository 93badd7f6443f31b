"""Noticing, without reading the event log, that another connection committed.

A workspace asks :meth:`ChangeWatch.changed` a few times a second; only when it says yes
does the workspace read the new events (``uow.live.events_after``). Each check is
cheap and never blocks:

- SQLite: ``PRAGMA data_version`` on a connection of its own that does nothing else. The
  number changes only when *another* connection commits to the file (another process, or
  this process's own write connections), so an idle project costs one tiny statement per
  check and no read of any table.
- PostgreSQL: ``LISTEN`` on a connection of its own; every logged event sends a
  notification when its transaction commits (``live_reads.notify_event``). A check
  drains what arrived on the socket without a round trip to the server.

:func:`track_own_events` records the ids of events this project object itself committed,
so a workspace can skip what it already applied when it wrote them.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from contextlib import suppress
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from qualcode.domain.errors import ProjectError
from qualcode.storage.database import Project, engine_of
from qualcode.storage.live_reads import CHANNEL, OWN_EVENTS_KEY
from qualcode.storage.sqlite_file import READ_ONLY, sqlite_uri
from qualcode.storage.tables import EventRow


class ChangeWatch(Protocol):
    def changed(self) -> bool:
        """Whether another connection may have committed since the last call (a spurious
        yes costs one read of an empty tail of the log; a missed change is never)."""
        ...

    def close(self) -> None: ...


class _CounterWatch(ABC):
    """A watch that compares a number the database keeps with the one last read (each
    kind of watch says which number: :meth:`_read`)."""

    def __init__(self) -> None:
        self._seen = self._read()

    @abstractmethod
    def _read(self) -> int: ...

    def changed(self) -> bool:
        now = self._read()
        if now == self._seen:
            return False
        self._seen = now
        return True

    def close(self) -> None:  # most watches hold nothing to close
        return None


class SqliteWatch(_CounterWatch):
    """``PRAGMA data_version`` on an idle read-only connection of its own."""

    def __init__(self, path: Path) -> None:
        try:
            self._db = sqlite3.connect(
                sqlite_uri(path, READ_ONLY), uri=True, check_same_thread=False, isolation_level=None
            )
            super().__init__()
        except sqlite3.Error as error:  # e.g. a WAL file on media this user cannot write
            raise ProjectError(
                f"{path}: cannot watch for other coders' changes ({error})"
            ) from None

    def _read(self) -> int:
        row = self._db.execute("PRAGMA data_version").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._db.close()


class PostgresWatch:
    """``LISTEN`` on a connection of its own (taken out of the project's pool)."""

    def __init__(self, project: Project) -> None:
        raw = engine_of(project).raw_connection()
        connection: Any = raw.driver_connection
        raw.detach()  # never handed back to the pool still listening
        self._connection = connection
        self._connection.autocommit = True
        self._connection.execute(f"LISTEN {CHANNEL}")

    def changed(self) -> bool:
        # libpq directly: read what the socket holds (never waiting), then drain the
        # notifications parsed from it
        pgconn = self._connection.pgconn
        pgconn.consume_input()
        arrived = False
        while pgconn.notifies() is not None:
            arrived = True
        return arrived

    def close(self) -> None:
        with suppress(Exception):  # a server already gone: nothing left to close
            self._connection.close()


class LogTailWatch(_CounterWatch):
    """Any other database: compare the newest event id (one small query per check)."""

    def __init__(self, project: Project) -> None:
        self._project = project
        super().__init__()

    def _read(self) -> int:
        with self._project.reading() as uow:
            return uow.live.latest_event_id()


def open_watch(project: Project) -> ChangeWatch:
    """The cheapest watch the project's database offers."""
    dialect = engine_of(project).dialect.name
    if dialect == "sqlite":
        return SqliteWatch(Path(project.location))
    if dialect == "postgresql":
        return PostgresWatch(project)
    return LogTailWatch(project)


class OwnEvents:
    """Ids of the events written through one project object and committed."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.ids


def track_own_events(project: Project) -> OwnEvents:
    """Start recording the ids of events that ``project``'s write transactions write.

    An id is recorded when its row is flushed, before the commit that makes it visible to
    any other connection, so a poll can never see an own event before it is known as
    own; a rollback takes its ids back out (SQLite may hand the same id out again)."""
    own = OwnEvents()
    sessions = project._write_sessions  # the write sessions of this project object only

    def flushed(session: Session, _context: object) -> None:
        ids = [row.id for row in session.new if isinstance(row, EventRow)]
        own.ids.update(ids)
        session.info.setdefault(OWN_EVENTS_KEY, []).extend(ids)

    def committing(session: Session) -> None:
        # events inserted by a statement of their own (live_reads.note_own_event)
        own.ids.update(session.info.get(OWN_EVENTS_KEY, ()))

    def finished(session: Session) -> None:
        session.info.pop(OWN_EVENTS_KEY, None)

    def rolled_back(session: Session) -> None:
        own.ids.difference_update(session.info.pop(OWN_EVENTS_KEY, []))

    event.listen(sessions, "after_flush", flushed)
    event.listen(sessions, "before_commit", committing)
    event.listen(sessions, "after_commit", finished)
    event.listen(sessions, "after_rollback", rolled_back)
    return own
