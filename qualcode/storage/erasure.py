"""Leaving nothing deleted behind in a project file.

SQLite does not overwrite what a transaction deleted or replaced: the old rows stay in the
file's free pages, and old page images in the write-ahead log beside it, until something
reuses them. After pseudonymisation that would leave the real names readable with
``strings``. :func:`erase_deleted` rewrites the file without its free pages (``VACUUM``)
and truncates the log; :func:`drop_caches` leaves the caches out of a backup copy.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from qualcode.storage.database import Project


def erase_deleted(project: Project) -> bool:
    """Rewrite a SQLite project so no deleted or replaced content is left in its file or
    its write-ahead log; ``True`` when done. ``False`` when it could not be done now (a
    PostgreSQL project, whose server keeps dead rows until its own vacuum; another
    connection busy writing or reading for longer than the busy timeout); nothing is lost
    either way, the free space is only not yet overwritten."""
    from qualcode.storage.database import engine_of  # storage.database imports this package

    if not project.is_sqlite or project.read_only:
        return False
    try:
        raw = engine_of(project).raw_connection()
    except DBAPIError:
        return False
    try:
        cursor = raw.cursor()
        # The connection runs without implicit transactions (storage/database.py), as
        # VACUUM needs; it writes the copy through the log, the checkpoint empties it.
        cursor.execute("VACUUM")
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
        return not busy
    except sqlite3.Error:
        return False
    finally:
        raw.close()


def drop_caches(copy: sqlite3.Connection) -> None:
    """Empty the cache tables (storage/dump.py ``CACHES``) of a fresh copy of a project
    and leave their pages out of it: a backup carries no saved suggestion model (megabytes
    each, holding the texts' words, trained again on the next ``suggest``)."""
    from qualcode.storage.dump import CACHES

    present = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
    dropped = sorted(CACHES & present)
    for table in dropped:
        copy.execute(f'DELETE FROM "{table}"')
    if dropped:
        copy.commit()
        copy.execute("VACUUM")
