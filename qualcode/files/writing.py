"""The one way a file named by the user is written.

Every ``-o``, ``export``, ``backup``, ``demo --path`` and workspace export or settings
file goes through here, under the same rules:

- The target is checked first. A target that exists and is not a regular file (a
  folder, a named pipe, a character or block device such as ``/dev/full``, a socket) is
  refused in one line; so is a missing or unwritable folder.
- A symbolic link is never replaced. A link to a regular file is written *through*: the
  file it points to gets the new content and the link stays as it was. A link to
  anything else — a device, a folder, nothing at all (a dangling link) — is refused.
- The content goes to a temporary file in the target's own folder (``.NAME.XXXX.part``),
  which is then renamed over the target in one step, so a reader never sees a
  half-written file. The temporary file is removed whatever happens — a failed write, a
  failed rename, an exception in the caller's code.
- What may be replaced is stated by the caller (:class:`Existing`). An export replaces
  an existing file only when qualcode wrote that file and nobody changed it since: every
  export written is recorded (real path, size, SHA-256) in the ledger of
  :mod:`qualcode.files.written_files`, and a file in the way that the ledger does not
  hold with these very bytes — the user's ``notes.txt``, an export edited afterwards, a
  file from a qualcode before the ledger — is refused in one line
  (:class:`NotOursError`: remove it or choose another name). No export replaces a SQLite
  database (a qualcode project) or a qualcode JSON backup. Backups and new projects
  never replace anything; only qualcode's own settings file is replaced whatever it
  holds.
- A full disk (or quota) is :class:`DiskFullError` "disk full", a read-only file system
  :class:`ReadOnlyError`; any other failure is :class:`FileAccessError`, all one line.
"""

from __future__ import annotations

import enum
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from qualcode.domain.errors import (
    DiskFullError,
    FileAccessError,
    NotOursError,
    QualcodeError,
    ReadOnlyError,
)
from qualcode.files.reading import kind_of
from qualcode.files.written_files import Entry, digest_of, fingerprint, is_ours, record

TEMPORARY_SUFFIX = ".part"
# First bytes of files an export must never replace: a SQLite database (a project, a
# backup made by `qualcode backup`), its write-ahead log, and a qualcode JSON backup.
_PROTECTED_HEADERS = (
    b"SQLite format 3\x00",
    b"\x37\x7f\x06\x82",
    b"\x37\x7f\x06\x83",
)
_JSON_BACKUP_MARK = b'"qualcode-backup"'
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


class Existing(enum.Enum):
    """What to do when the target is already there (as a regular file)."""

    REPLACE = "replace"
    """An export: replace only a file qualcode wrote there and nobody changed since
    (never a project or backup); recorded in the ledger once written."""
    REFUSE = "refuse"
    """A backup or a new project: the name must be free."""
    SETTINGS = "settings"
    """qualcode's own settings file (``config.json``), which the user may also edit by
    hand: replaced whatever it holds (never a project or backup)."""


def write_error(shown: str, error: OSError, doing: str = "cannot write") -> QualcodeError:
    """The one-line error for an ``OSError`` met while writing ``shown``."""
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFullError(f"{shown}: disk full ({doing}); nothing was written")
    if code == errno.EROFS:
        return ReadOnlyError(f"{shown}: read-only file system; nothing was written")
    if code in (errno.EACCES, errno.EPERM):
        return FileAccessError(f"{shown}: {doing} (permission denied); nothing was written")
    if code == errno.ENAMETOOLONG:
        return FileAccessError(f"{shown}: file name too long; nothing was written")
    reason = error.strerror or type(error).__name__
    return FileAccessError(f"{shown}: {doing} ({reason}); nothing was written")


def check_target(path: str | os.PathLike[str], existing: Existing = Existing.REPLACE) -> Path:
    """The file that writing to ``path`` would create or replace — ``path`` itself, or
    for a symbolic link to a regular file the file it points to — after checking the
    rules above. Raises :class:`FileAccessError` (one line, naming ``path``) otherwise.
    Nothing is written."""
    shown = os.fspath(path)
    given = Path(shown)
    if not given.name or shown.endswith(os.sep):
        raise FileAccessError(f"{shown}: name a file to write, not a folder")
    try:
        link = given.lstat()
    except FileNotFoundError:
        link = None
    except OSError as error:
        if error.errno == errno.ENOTDIR:
            _check_folder(shown, given.parent)  # says which part is a file, not a folder
        raise write_error(shown, error, "cannot reach the file") from None
    target = given
    if link is not None and stat.S_ISLNK(link.st_mode):
        target = Path(os.path.realpath(given))
        try:
            mode = target.stat().st_mode
        except OSError:
            raise FileAccessError(
                f"{shown}: is a symbolic link to {target}, which does not exist; "
                "nothing was written"
            ) from None
        if not stat.S_ISREG(mode):
            raise FileAccessError(
                f"{shown}: is a symbolic link to {kind_of(mode)} ({target}), not a regular "
                "file; nothing was written"
            )
    elif link is not None and not stat.S_ISREG(link.st_mode):
        raise FileAccessError(
            f"{shown}: is {kind_of(link.st_mode)}, not a regular file; nothing was written"
        )
    if link is not None:
        if existing is Existing.REFUSE:
            raise FileAccessError(f"{shown}: exists already; choose a new file name")
        _refuse_protected(shown, target)
        if existing is Existing.REPLACE and not is_ours(target):
            raise NotOursError(
                f"{shown}: exists and was not written by qualcode (or was changed since); "
                "nothing was written — remove it or choose another name"
            )
    _check_folder(shown, target.parent)
    return target


def _check_folder(shown: str, folder: Path) -> None:
    try:
        mode = folder.stat().st_mode
    except FileNotFoundError:
        raise FileAccessError(f"{shown}: folder {folder} does not exist") from None
    except OSError as error:
        raise write_error(shown, error, f"cannot reach folder {folder}") from None
    if not stat.S_ISDIR(mode):
        raise FileAccessError(f"{shown}: {folder} is {kind_of(mode)}, not a folder")


def _refuse_protected(shown: str, target: Path) -> None:
    try:
        with target.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return  # unreadable: the rename decides (and reports) whether it may go
    if head.startswith(_PROTECTED_HEADERS) or (
        head.lstrip().startswith(b"{") and _JSON_BACKUP_MARK in head
    ):
        raise FileAccessError(
            f"{shown}: is a qualcode project, backup or database, not an earlier export; "
            "choose another file name (nothing was written)"
        )


def _create_temporary(target: Path, shown: str) -> tuple[int, Path]:
    """A new, empty temporary file beside ``target`` (created exclusively, so it can be
    no one else's file), with the permissions of the file it will replace."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666  # a new file: the umask applies as for any new file
    for _ in range(16):
        # the name cut short, so that a target near the length limit still gets one
        stem = target.name[:200]
        temporary = target.with_name(f".{stem}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
        try:
            descriptor = os.open(temporary, _CREATE_FLAGS, mode)
        except FileExistsError:
            continue
        except OSError as error:
            raise write_error(shown, error, f"cannot create a file in {target.parent}") from None
        return descriptor, temporary
    raise FileAccessError(f"{shown}: cannot create a temporary file in {target.parent}")


def _remove_staged(temporary: Path) -> None:
    """Remove the temporary file and anything named after it (SQLite's journal)."""
    for leftover in (temporary, *temporary.parent.glob(f"{temporary.name}-*")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # best effort: the error that matters is already on its way


def _commit(
    temporary: Path, target: Path, shown: str, existing: Existing, written: Entry | None = None
) -> None:
    """Move the finished temporary file to ``target``: replace (an export, after checking
    again that what is there is still its own) or link into a name that must still be
    free (so a file appearing meanwhile is never replaced). An export is then recorded
    in the ledger as ``written`` (size and SHA-256 of its bytes; read back from the
    temporary file when not given)."""
    if existing is Existing.REPLACE and written is None:
        written = fingerprint(temporary)
    try:
        if existing is Existing.REFUSE:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise FileAccessError(f"{shown}: exists already; choose a new file name") from None
            except OSError as error:
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                if os.path.lexists(target):  # a file system without hard links
                    raise FileAccessError(
                        f"{shown}: exists already; choose a new file name"
                    ) from None
                os.rename(temporary, target)
        else:
            check_target(shown, existing)  # still a regular file (or absent), still ours?
            os.replace(temporary, target)
    except OSError as error:
        raise write_error(shown, error, "cannot put the file in place") from None
    _sync_folder(target.parent)
    if existing is Existing.REPLACE and written is not None:
        record(target, written)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; some file systems cannot sync a folder, which is fine."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextmanager
def staged_path(
    path: str | os.PathLike[str], existing: Existing = Existing.REPLACE
) -> Iterator[Path]:
    """A temporary path beside ``path`` (an empty file, created for this write) for a
    library that writes by file name (SQLite's backup); when the ``with`` block ends
    normally it is renamed to ``path`` under the rules above. Removed in every case, as
    is anything the library left next to it (``TEMP-journal``)."""
    shown = os.fspath(path)
    target = check_target(shown, existing)
    descriptor, temporary = _create_temporary(target, shown)
    os.close(descriptor)
    try:
        yield temporary
        _commit(temporary, target, shown, existing)
    except OSError as error:
        raise write_error(shown, error) from None
    finally:
        _remove_staged(temporary)


@contextmanager
def open_for_writing(
    path: str | os.PathLike[str], existing: Existing = Existing.REPLACE
) -> Iterator[BinaryIO]:
    """A binary stream whose bytes become ``path`` when the ``with`` block ends without
    an exception (flushed to disk, then renamed into place); on an exception nothing is
    left and the target is untouched. For exports written piece by piece (``.qdpx``,
    JSON backups)."""
    shown = os.fspath(path)
    with _staged_stream(shown, check_target(shown, existing), existing) as stream:
        yield stream


@contextmanager
def _staged_stream(
    shown: str, target: Path, existing: Existing, written: Entry | None = None
) -> Iterator[BinaryIO]:
    descriptor, temporary = _create_temporary(target, shown)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        _commit(temporary, target, shown, existing, written)
    except OSError as error:
        raise write_error(shown, error) from None
    finally:
        _remove_staged(temporary)


def write_file(
    path: str | os.PathLike[str], content: str | bytes, existing: Existing = Existing.REPLACE
) -> Path:
    """Write ``content`` (text is written as UTF-8, line ends as given) to ``path`` under
    the rules above. Returns the file written (the link's target for a symbolic link)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    shown = os.fspath(path)
    target = check_target(shown, existing)
    with _staged_stream(shown, target, existing, digest_of(data)) as stream:
        stream.write(data)
    return target


def check_new_file(path: str | os.PathLike[str]) -> None:
    """Check that a file another library will create by name (a new SQLite project) may
    go at ``path``: the name is free, or an empty regular file (not a link); the folder
    exists. One-line :class:`FileAccessError` otherwise."""
    shown = os.fspath(path)
    given = Path(shown)
    try:
        found = given.lstat()
    except FileNotFoundError:
        _check_folder(shown, given.parent)
        return
    except OSError as error:
        raise write_error(shown, error, "cannot reach the file") from None
    if stat.S_ISLNK(found.st_mode):
        raise FileAccessError(f"{shown}: is a symbolic link; give the path of a new file instead")
    if not stat.S_ISREG(found.st_mode):
        raise FileAccessError(
            f"{shown}: is {kind_of(found.st_mode)}, not a regular file; nothing was written"
        )
    if found.st_size:
        raise FileAccessError(f"{shown}: already exists; choose a new project file")


def create_empty(path: str | os.PathLike[str]) -> None:
    """Create ``path`` as a new, empty regular file (for a library that then fills it by
    name, like SQLite), failing in one line — "read-only file system", "disk full",
    "permission denied" — if it cannot be created or the name is taken."""
    shown = os.fspath(path)
    try:
        descriptor = os.open(shown, _CREATE_FLAGS, 0o666)
    except FileExistsError:
        raise FileAccessError(f"{shown}: already exists; choose a new file name") from None
    except OSError as error:
        raise write_error(shown, error, "cannot create the file") from None
    os.close(descriptor)


def occupied(path: str | os.PathLike[str]) -> bool:
    """Whether a regular file is at ``path`` (False: the name is free). Anything else
    there — a symbolic link, a folder, a device, a pipe — is a one-line
    :class:`FileAccessError`: such a name is not for a new file."""
    shown = os.fspath(path)
    try:
        found = Path(shown).lstat()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise write_error(shown, error, "cannot reach the file") from None
    if not stat.S_ISREG(found.st_mode):
        raise FileAccessError(
            f"{shown}: is {kind_of(found.st_mode)}, not a regular file; nothing was written"
        )
    return True


def set_aside(path: str | os.PathLike[str], label: str, companions: tuple[str, ...] = ()) -> Path:
    """Move the file ``path`` (and ``path + c`` for each companion suffix that exists,
    e.g. SQLite's ``-wal``) to a free name beside it, ``STEM.LABEL-N.SUFFIX``, without
    copying: the very file is kept, same bytes, same inode. Returns the new path."""
    shown = os.fspath(path)
    given = Path(shown)
    number = 1
    while True:
        aside = given.with_name(f"{given.stem}.{label}-{number}{given.suffix}")
        if not any(os.path.lexists(f"{aside}{c}") for c in ("", *companions)):
            break
        number += 1
    moved: list[tuple[str, str]] = []
    try:
        for companion in ("", *companions):
            source = f"{given}{companion}"
            if os.path.lexists(source):
                os.rename(source, f"{aside}{companion}")
                moved.append((source, f"{aside}{companion}"))
    except OSError as error:
        for source, destination in reversed(moved):  # all or nothing
            os.rename(destination, source)
        raise write_error(shown, error, f"cannot move it to {aside}") from None
    return aside


def set_back(aside: Path, path: str | os.PathLike[str], companions: tuple[str, ...] = ()) -> None:
    """Undo :func:`set_aside`: move ``aside`` (and its companions) back to ``path``,
    which must be free again."""
    for companion in ("", *companions):
        source = f"{aside}{companion}"
        if os.path.lexists(source):
            try:
                os.rename(source, f"{os.fspath(path)}{companion}")
            except OSError as error:
                raise write_error(source, error, f"cannot move it back to {path}") from None
