"""The ledger of files qualcode wrote: what lets an export replace only its own file.

An export (``-o``, ``export``, a workspace export dialog) may replace an existing file
only when qualcode wrote that very file and nobody changed it since. The ledger is how
qualcode knows: for each file an export wrote, its real path (symbolic links and ``..``
resolved), its size in bytes and the SHA-256 of its bytes. :func:`is_ours` answers for a
file found in the way; :func:`record` is called by the writer after each export is in
place.

It is a small JSON file, ``written-files.json``, beside the user's settings file
(:mod:`qualcode.files.user_config`, so ``QUALCODE_CONFIG`` moves it too):

    {"qualcode-written-files": 1,
     "files": [["/home/me/study/exports/matrix.xlsx", 18234, "9f86d0…"], …]}

oldest first, at most :data:`LIMIT` entries (the oldest drop out). Every failure leans
the safe way, towards refusing a replace, and never fails an export:

- a missing, unreadable, oversized or damaged ledger reads as empty;
- the ledger is rewritten whole into a temporary file beside it and renamed into place,
  so a reader never meets half of one; writers on one machine take turns through a lock
  file (``written-files.lock``, ``flock``), waiting at most :data:`LOCK_WAIT_S`;
- when the ledger cannot be written (no lock in time, a read-only or missing folder) the
  entry is lost, which only means that the next export to that name is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from qualcode.domain.errors import QualcodeError
from qualcode.files.reading import open_regular, read_limited
from qualcode.files.user_config import config_path, configured_path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: writers do not take turns there
    fcntl = None  # type: ignore[assignment]

LEDGER_NAME = "written-files.json"
LOCK_NAME = "written-files.lock"
MARK = "qualcode-written-files"
VERSION = 1
LIMIT = 2000
"""Most files remembered (the newest; about 150 bytes each)."""
LEDGER_BYTES = 4 * 1024 * 1024
"""A bigger ledger is not ours to trust: it reads as empty."""
LOCK_WAIT_S = 2.0
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_FLAGS |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)

Entry = tuple[int, str]
"""A file as written: its size in bytes and the hex SHA-256 of its bytes."""

_read: tuple[tuple[str, tuple[int, ...]], dict[str, Entry]] | None = None
"""The ledger read last: (its path and identity, its entries)."""


def ledger_path() -> Path:
    """The ledger file, beside the user's settings file."""
    return config_path().with_name(LEDGER_NAME)


def real_key(path: str | os.PathLike[str]) -> str:
    """How a file is named in the ledger: its real path (links, ``.`` and ``..``
    resolved, relative to the current folder), so a link to an earlier export finds it."""
    return os.path.realpath(os.fspath(path))


def fingerprint(path: str | os.PathLike[str]) -> Entry | None:
    """Size and SHA-256 of the regular file at ``path`` (read whole, in chunks); None
    when it is not a regular file or cannot be read."""
    try:
        with open_regular(os.fspath(path)) as handle:
            digest = hashlib.file_digest(handle, "sha256")  # type: ignore[arg-type]
            return os.fstat(handle.fileno()).st_size, digest.hexdigest()
    except (OSError, QualcodeError):
        return None


def digest_of(data: bytes) -> Entry:
    """The entry for a file holding exactly ``data``."""
    return len(data), hashlib.sha256(data).hexdigest()


def is_ours(path: str | os.PathLike[str]) -> bool:
    """Whether the regular file at ``path`` is one qualcode wrote and nobody changed
    since: the ledger holds its real path with this very size and SHA-256. A file not
    in the ledger (written by someone else, by a qualcode before the ledger, or
    forgotten among more than :data:`LIMIT` newer ones) is not ours."""
    wanted = _load().get(real_key(path))
    if wanted is None:
        return False
    try:
        size = os.stat(path).st_size
    except OSError:
        return False
    if size != wanted[0]:  # the cheap check first: most changed files differ in size
        return False
    return fingerprint(path) == wanted


def record(path: str | os.PathLike[str], entry: Entry) -> None:
    """Remember that the file at ``path`` now holds what ``entry`` describes (called
    once the file is in place). Best effort: any failure is swallowed — the only
    consequence is that a later export refuses to replace this file."""
    try:
        ledger = ledger_path()
        _make_folder(ledger.parent)
        with _turn(ledger.with_name(LOCK_NAME)):
            files = _load(ledger)
            key = real_key(path)
            files.pop(key, None)
            files[key] = entry
            _store(ledger, list(files.items())[-LIMIT:])
    except (OSError, QualcodeError, TimeoutError):
        pass


def _make_folder(folder: Path) -> None:
    """The default config folder is made on first use (as saving settings does); a
    folder ``QUALCODE_CONFIG`` points into must exist already."""
    if configured_path() is None:
        folder.mkdir(parents=True, exist_ok=True)


def _load(ledger: Path | None = None) -> dict[str, Entry]:
    """The ledger's entries, oldest first; empty when it is missing or not a ledger.
    The entries read last are kept while the ledger file is the same (device, inode,
    size, times): a ledger is only ever replaced whole, so an export's two checks and
    its record read it once."""
    global _read
    ledger = ledger or ledger_path()
    try:
        seen = _identity(os.stat(ledger))
    except OSError:
        return {}
    if _read is not None and _read[0] == (str(ledger), seen):
        return dict(_read[1])
    try:
        with open_regular(ledger, limit=LEDGER_BYTES) as handle:
            found = _entries(read_limited(handle, str(ledger), LEDGER_BYTES))
            _read = ((str(ledger), _identity(os.fstat(handle.fileno()))), found)
    except (OSError, QualcodeError):
        return {}
    return dict(found)


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _entries(data: bytes) -> dict[str, Entry]:
    """The entries of a ledger's bytes; none for bytes that are not a ledger, and a
    damaged entry is no entry (that file will not be replaced)."""
    try:
        raw = json.loads(data)
    except ValueError:
        return {}
    if not isinstance(raw, dict) or raw.get(MARK) != VERSION:
        return {}
    items = raw.get("files")
    found: dict[str, Entry] = {}
    for item in items if isinstance(items, list) else ():
        # plain checks, not a match statement: a 2,000-entry ledger in 2 ms, not 20
        if type(item) is list and len(item) == 3:
            key, size, digest = item
            sized = type(size) is int and size >= 0
            if type(key) is str and sized and type(digest) is str and len(digest) == 64:
                found[key] = (size, digest)
    return found


def _store(ledger: Path, entries: list[tuple[str, Entry]]) -> None:
    """Write the ledger whole into a new temporary file beside it, then rename it over
    the old one in one step. ASCII only: undecodable file names stay escaped."""
    text = json.dumps(
        {MARK: VERSION, "files": [[key, size, digest] for key, (size, digest) in entries]},
        separators=(",", ":"),
    )
    temporary = ledger.with_name(f".{LEDGER_NAME}.{secrets.token_hex(4)}.part")
    descriptor = os.open(temporary, _FLAGS, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(text + "\n")
        os.replace(temporary, ledger)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def _turn(lock: Path) -> Iterator[None]:
    """Hold the ledger's lock; TimeoutError after :data:`LOCK_WAIT_S` seconds of
    another qualcode holding it (that entry is then not recorded)."""
    if fcntl is None:  # pragma: no cover - a lost entry only makes a replace refuse
        yield
        return
    descriptor = os.open(lock, _LOCK_FLAGS, 0o600)
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{lock}: held by another qualcode") from None
                time.sleep(0.01)
            except OSError:
                break  # a file system without locks (some network homes): write unlocked
        yield
    finally:
        os.close(descriptor)  # releases the lock
