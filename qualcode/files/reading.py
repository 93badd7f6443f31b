"""The one way a path named by the user is opened for reading.

Only regular files are read. The path is opened with ``O_NONBLOCK`` (so opening a named
pipe returns at once instead of waiting for a writer), then the *opened descriptor* is
examined with ``fstat`` — not the path, which a swapped symbolic link could change between
a check and the open — and anything but a regular file (a folder, a named pipe, a
character or block device such as ``/dev/zero``, a socket) is refused in one line. A
symbolic link to a regular file is followed and read; one to a device is refused like the
device. Reading stops one byte past the stated limit, so an over-long file is refused
without being held in memory.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from qualcode.domain.errors import FileAccessError, InputError, LimitError

MIB = 1024 * 1024
DEFAULT_LIMIT = 50 * MIB
"""Largest file read when a reader states no other limit (50 MiB)."""
TREE_FILE_LIMIT = 8 * MIB
"""Largest file parsed whole into a tree of nodes (YAML codebooks, cases, name maps): such
a tree takes some 50 times the file's size in memory, so 8 MiB stays near 400 MB."""

_CHUNK = 1024 * 1024
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_FLAGS |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),  # an lstat() mode: a link not followed
)


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a folder", "a named pipe (FIFO)"):
    the one table for reading and writing alike."""
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _not_regular(source: str, mode: int) -> FileAccessError:
    return FileAccessError(f"{source}: is {kind_of(mode)}, not a regular file; nothing was read")


def _open_error(source: str, path: Path, error: OSError) -> FileAccessError:
    if error.errno == errno.ENOENT:
        return FileAccessError(f"{source}: no such file")
    if error.errno in (errno.ENXIO, errno.EOPNOTSUPP):
        # Opening a socket (or a FIFO/device without a peer) fails here: say what it is.
        try:
            return _not_regular(source, path.stat().st_mode)
        except OSError:
            pass
    if error.errno == errno.ELOOP:
        return FileAccessError(f"{source}: cannot read (a loop of symbolic links)")
    if error.errno in (errno.EACCES, errno.EPERM):
        return FileAccessError(f"{source}: cannot read (permission denied)")
    if error.errno == errno.EISDIR:
        return _not_regular(source, stat.S_IFDIR)
    return FileAccessError(f"{source}: cannot read ({error.strerror or error})")


@contextmanager
def open_regular(
    path: Path | str, *, limit: int | None = None, advice: str = ""
) -> Iterator[BinaryIO]:
    """A binary reading handle on ``path``, which must be a regular file.

    Raises :class:`FileAccessError` (one line naming the path) when the path is missing,
    unreadable, or is a folder, named pipe, device or socket — at once, without blocking;
    :class:`LimitError` when ``limit`` (bytes) is given and the file is bigger.
    """
    source = str(path)
    location = Path(path)
    try:
        descriptor = os.open(location, _FLAGS)
    except OSError as error:
        raise _open_error(source, location, error) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(source, info.st_mode)
        if limit is not None and info.st_size > limit:
            raise too_big(source, info.st_size, limit, advice)
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)  # a regular file: ordinary reads from here
        handle = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with handle:
        yield handle


def read_limited(handle: BinaryIO, source: str, limit: int, advice: str = "") -> bytes:
    """At most ``limit`` bytes from ``handle``; :class:`LimitError` naming ``source`` when
    there are more (one byte past the limit is read to know, never the rest)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = handle.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise too_big(source, None, limit, advice)
    return b"".join(chunks)


def read_bytes(path: Path | str, *, limit: int = DEFAULT_LIMIT, advice: str = "") -> bytes:
    """The bytes of the regular file ``path``, refused when bigger than ``limit`` bytes.

    The size is checked from ``fstat`` first (an oversized file is not read at all) and
    again while reading (a file growing meanwhile cannot exceed the limit). ``advice`` is
    appended to the limit message (e.g. "per transcript (split it, or raise the limit
    with --max-size)").
    Raises :class:`FileAccessError` or :class:`LimitError`, one line naming the path."""
    with open_regular(path, limit=limit, advice=advice) as handle:
        return read_limited(handle, str(path), limit, advice)


def read_text(
    path: Path | str, *, limit: int = DEFAULT_LIMIT, encoding: str = "utf-8", advice: str = ""
) -> str:
    """:func:`read_bytes` decoded strictly; undecodable bytes are an :class:`InputError`
    naming the 0-based byte offset."""
    data = read_bytes(path, limit=limit, advice=advice)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"not valid {encoding.upper()}", offset=error.start) from None


def too_big(source: str, size: int | None, limit: int, advice: str = "") -> LimitError:
    """The one-line refusal of a file over ``limit`` bytes (``size`` when known)."""
    found = f"file is {describe_size(size)}" if size is not None else "file is bigger"
    reason = f"{found}; the limit is {describe_size(limit, exact=True)}"
    return LimitError(source, f"{reason} {advice}" if advice else reason)


def describe_size(size: int, *, exact: bool = False) -> str:
    """``size`` bytes for people: "1.5 MB", "300.0 KB" (``exact``: "50 MB", "64 KB")."""
    if exact:
        number, unit = (size / MIB, "MB") if size >= MIB else (size / 1024, "KB")
        if size < 1024:
            return f"{size} bytes"
        return f"{number:.0f} {unit}" if number.is_integer() else f"{number:.1f} {unit}"
    return f"{size / MIB:.1f} MB" if size >= MIB // 10 else f"{size / 1024:.1f} KB"
