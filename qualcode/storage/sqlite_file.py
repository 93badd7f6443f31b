"""What makes a file a qualcode project, readable without SQLAlchemy.

The listing commands (see :mod:`qualcode.storage.quick_reads`) decide from these facts
whether they may read a project with the standard library alone, so nothing here may
import more than the standard library.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from qualcode.domain.errors import DiskFullError, ProjectError, ReadOnlyError
from qualcode.files.reading import open_regular

# "QCOD" as a big-endian integer: written to SQLite's application_id header field so a
# qualcode project can be told from any other SQLite file without reading its tables.
QUALCODE_APPLICATION_ID = 0x51434F44
# The schema version this qualcode writes: one more than the number of migrations in
# qualcode.storage.migrations (a test holds the two together).
SCHEMA_VERSION = 9
SQLITE_MAGIC = b"SQLite format 3\x00"
COMPANIONS = ("-journal", "-wal", "-shm")
"""The files SQLite keeps beside a project (``NAME-wal`` ...), which belong to it."""


def remove_project_file(path: str | os.PathLike[str]) -> None:
    """Remove a SQLite project this run created, with the files SQLite kept beside it:
    best effort (what is gone or cannot be removed is left), for the moment an error is
    already on its way to the user."""
    for suffix in ("", *COMPANIONS):
        if os.path.lexists(f"{os.fspath(path)}{suffix}"):
            with contextlib.suppress(OSError):
                os.unlink(f"{os.fspath(path)}{suffix}")


def is_url(location: str) -> bool:
    return "://" in location


def check_sqlite_file(path: Path) -> None:
    """Raise a one-line :class:`ProjectError` unless ``path`` is a qualcode SQLite file."""
    if not path.exists():
        raise ProjectError(f"{path}: no such project (create one with: qualcode init {path})")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder, not a qualcode project file")
    # Opened as the file reader opens any user-named file: a FIFO or device named as the
    # project is refused at once (SQLite would block on it or read it forever).
    with open_regular(path) as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise ProjectError(f"{path}: not a qualcode project (not a SQLite database)")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id != QUALCODE_APPLICATION_ID:
        raise ProjectError(f"{path}: not a qualcode project (a SQLite database of another program)")


# What SQLite says of a file whose pages are damaged (or that is not a database at all),
# for errors that carry no SQLite error code (the codes decide first: see failure()).
_DAMAGE_MESSAGES = (
    "malformed",
    "not a database",
    "file is encrypted",
    "could not decode to utf-8",
)


def is_damage(message: str) -> bool:
    lowered = message.lower()
    return any(words in lowered for words in _DAMAGE_MESSAGES)


def damaged(location: str, error: BaseException) -> ProjectError:
    """The one-line error for a project file that cannot be read as it should."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, UnicodeDecodeError) or "decode to utf-8" in str(cause).lower():
        reason = "text that is not valid UTF-8"
    else:
        reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    what = "database" if is_url(location) else "file"
    return ProjectError(
        f"{location}: the project {what} is damaged ({reason}); nothing was changed — "
        "restore it from a backup (see qualcode backup)"
    )


# -- opening on read-only media ----------------------------------------------------------

READ_WRITE = "rw"
READ_ONLY = "ro"
IMMUTABLE = "immutable"


def access_mode(path: Path) -> str:
    """How the project file at ``path`` can be opened.

    :data:`READ_WRITE` when the file and its folder can be written (a WAL project needs its
    ``-wal`` and ``-shm`` files beside it). :data:`READ_ONLY` (SQLite's ``mode=ro``) when
    the file cannot be written but SQLite can still keep its ``-shm`` beside it: the folder
    is writable, or the ``-wal`` and ``-shm`` are already there. :data:`IMMUTABLE`
    (``mode=ro&immutable=1``) when the folder or the medium cannot be written and no
    ``-wal`` holds changes: a read-only mount, a CD, a share you may only read — nobody
    can be writing the project through such a folder, so SQLite may skip its locks.

    Raises :class:`ReadOnlyError` when changes sit in a ``-wal`` that SQLite cannot read
    without writing a ``-shm`` beside it. The file's permission bits are read directly
    (as root, ``os.access`` says yes to every file)."""
    read_only_medium = _on_read_only_medium(path)
    folder_writable = not read_only_medium and os.access(path.parent, os.W_OK)
    file_writable = (
        not read_only_medium and bool(path.stat().st_mode & 0o222) and os.access(path, os.W_OK)
    )
    if file_writable and folder_writable:
        return READ_WRITE
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if folder_writable or (wal.exists() and shm.exists()):
        return READ_ONLY
    if wal.exists() and wal.stat().st_size > 0:
        raise ReadOnlyError(
            f"{path}: read-only, and its last changes are in {wal.name}, which SQLite can "
            f"only read where it may write {shm.name}; copy the project with its "
            f"{wal.name} to a folder you can write"
        )
    return IMMUTABLE


def _on_read_only_medium(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): permissions decide
        return False


def sqlite_uri(path: Path, mode: str) -> str:
    """The ``file:`` URI opening ``path`` in ``mode`` (:data:`READ_ONLY` or
    :data:`IMMUTABLE`); the path is percent-encoded, so ``?`` or ``#`` in it are safe."""
    query = "mode=ro&immutable=1" if mode == IMMUTABLE else "mode=ro"
    return f"{path.resolve().as_uri()}?{query}"


# -- what a failure of SQLite means for the user -------------------------------------------

# Primary result codes (the low byte of an extended code), from sqlite3.h.
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_NOTADB = 26
# I/O errors while reading (short or failed reads): the file itself is at fault.
_READ_IOERRS = frozenset({10 | (1 << 8), 10 | (2 << 8)})  # SQLITE_IOERR_READ, _SHORT_READ
# PostgreSQL: disk_full, read_only_sql_transaction.
_DISK_FULL_SQLSTATES = frozenset({"53100"})
_READ_ONLY_SQLSTATES = frozenset({"25006"})


def failure(location: str, error: BaseException) -> ProjectError | None:
    """The one-line error for a database failure its result code explains — disk full,
    read-only, an I/O error, a damaged file — or ``None`` when the code says none of these.

    ``error`` is the driver's exception (or SQLAlchemy's, whose ``orig`` it is): SQLite's
    ``sqlite_errorcode``, PostgreSQL's ``sqlstate``."""
    cause = getattr(error, "orig", None) or error
    code = getattr(cause, "sqlite_errorcode", None)
    state = getattr(cause, "sqlstate", None)
    if code == _SQLITE_FULL or (isinstance(code, int) and code & 0xFF == _SQLITE_FULL):
        return disk_full(location)
    if state in _DISK_FULL_SQLSTATES:
        return disk_full(location)
    if (isinstance(code, int) and code & 0xFF == _SQLITE_READONLY) or (
        state in _READ_ONLY_SQLSTATES
    ):
        return read_only(location)
    if not isinstance(code, int):
        return None
    if code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or code in _READ_IOERRS:
        return damaged(location, error)
    if code & 0xFF == _SQLITE_IOERR:
        # A full disk often reaches SQLite as an I/O error (growing the -shm or the -wal
        # fails, SQLITE_IOERR_SHMSIZE/_WRITE), not as SQLITE_FULL: ask the disk.
        if _nearly_full(location):
            return disk_full(location)
        return ProjectError(
            f"{location}: cannot write the project file (disk I/O error: the disk may be "
            "full, removed or failing); nothing was changed"
        )
    return None


_NEARLY_FULL_BYTES = 64 * 1024 * 1024


def _nearly_full(location: str) -> bool:
    """Whether the disk holding the project file has less than 64 MiB free."""
    if is_url(location):
        return False
    try:
        info = os.statvfs(Path(location).resolve().parent)
    except (OSError, AttributeError):
        return False
    return info.f_bavail * info.f_frsize < _NEARLY_FULL_BYTES


def disk_full(location: str) -> DiskFullError:
    return DiskFullError(
        f"{location}: disk full — the project could not be written; nothing was changed "
        "(free some space and try again)"
    )


def read_only(location: str) -> ReadOnlyError:
    return ReadOnlyError(
        f"{location}: the project is read-only (read-only file, folder or medium); "
        "nothing was changed"
    )
