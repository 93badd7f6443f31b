"""What makes a file a qualcode project, readable without SQLAlchemy.

The listing commands (see :mod:`qualcode.storage.quick_reads`) decide from these facts
whether they may read a project with the standard library alone, so nothing here may
import more than the standard library.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.domain.errors import ProjectError
from qualcode.files.reading import open_regular

# "QCOD" as a big-endian integer: written to SQLite's application_id header field so a
# qualcode project can be told from any other SQLite file without reading its tables.
QUALCODE_APPLICATION_ID = 0x51434F44
# The schema version this qualcode writes: one more than the number of migrations in
# qualcode.storage.migrations (a test holds the two together).
SCHEMA_VERSION = 4
SQLITE_MAGIC = b"SQLite format 3\x00"


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


# What SQLite says of a file whose pages are damaged (or that is not a database at all).
_DAMAGE_MESSAGES = (
    "malformed",
    "not a database",
    "file is encrypted",
    "disk i/o error",
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
