"""The one reader of zip archives from outside (.docx, .qdpx): limits before and while
decompressing.

Before any entry is read, the central directory is checked against :class:`ArchiveLimits`:
the number of entries; each entry's and all entries' declared uncompressed size; and the
compression ratio of every entry *and of all entries together*, so a bomb spread over many
small entries is refused like one big one. Entry names are checked too (no ``..``,
absolute paths, drive letters, NULs, symbolic links, encryption, duplicates), and only
stored and deflated entries are accepted (deflate is decompressed in bounded steps; other
methods could expand a small read without bound).

While reading, every entry stream counts what it returns and stops with
:class:`LimitError` as soon as an entry gives more than it declared or than the limits
allow — a header that lies cannot inflate past them either. Nothing is decompressed to
check an archive; reading happens only when an entry is asked for.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, BinaryIO

from qualcode.domain.errors import InputError, LimitError
from qualcode.files.reading import MIB, describe_size

_SUPPORTED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Limits for one archive. Sizes are bytes of decompressed data.

    ``max_entries``: entries in the archive. ``max_entry_bytes``: any one entry.
    ``max_total_bytes``: all entries together. ``max_ratio``: decompressed over compressed
    size, for each entry and for the whole archive; ``ratio_slack_bytes`` is allowed
    beyond the ratio (a tiny entry of a few repeated bytes compresses "too well" without
    being a bomb). ``max_read_bytes``: an entry read whole into memory (as opposed to
    streamed). ``max_xml_bytes``: all ``.xml`` and ``.rels`` entries together, for a reader
    that parses every one whole (python-docx); ``None``: no such limit."""

    max_entries: int = 10_000
    max_entry_bytes: int = 256 * MIB
    max_total_bytes: int = 512 * MIB
    max_ratio: float = 100.0
    ratio_slack_bytes: int = 64 * 1024
    max_read_bytes: int = 64 * MIB
    max_xml_bytes: int | None = None


class ZipArchive:
    """A zip archive checked against :class:`ArchiveLimits`; entries read within them.

    ``handle`` is an open binary file (from :func:`qualcode.files.reading.open_regular`);
    ``source`` names the archive in every error; ``kind`` says what it should be (".docx
    file") in the refusal of something that is not a zip at all."""

    def __init__(self, handle: BinaryIO, source: str, limits: ArchiveLimits, kind: str) -> None:
        self.source = source
        self.limits = limits
        self._total_read = 0
        try:
            self.zip = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
            raise InputError(source, f"not a {kind} ({error})") from None
        try:
            self.entries = self._checked_entries()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> ZipArchive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _refuse(self, reason: str) -> LimitError:
        return LimitError(self.source, f"refused: {reason}")

    def _checked_entries(self) -> dict[str, zipfile.ZipInfo]:
        """Entries by folded name (``/`` separators, case-folded), all checked."""
        limits = self.limits
        infos = self.zip.infolist()
        if len(infos) > limits.max_entries:
            raise self._refuse(f"{len(infos):,} zip entries (the limit is {limits.max_entries:,})")
        entries: dict[str, zipfile.ZipInfo] = {}
        total = compressed = xml = 0
        for info in infos:
            self._check_entry(info)
            key = info.filename.replace("\\", "/").casefold()
            if key in entries:
                raise InputError(self.source, f"refused: zip entry {info.filename!r} appears twice")
            entries[key] = info
            total += info.file_size
            compressed += info.compress_size
            if info.filename.lower().endswith((".xml", ".rels")):
                xml += info.file_size
            if total > limits.max_total_bytes:
                raise self._too_much_in_total()
        if limits.max_xml_bytes is not None and xml > limits.max_xml_bytes:
            raise self._refuse(
                f"its XML expands to {describe_size(xml)}, over the limit of "
                f"{describe_size(limits.max_xml_bytes, exact=True)}"
            )
        if self._over_ratio(total, compressed):
            raise self._refuse(
                f"all entries together have compression ratio {_ratio(total, compressed)}, over "
                f"{limits.max_ratio:,.0f}:1 (possible zip bomb)"
            )
        return entries

    def _over_ratio(self, size: int, compressed: int) -> bool:
        return size > self.limits.max_ratio * compressed + self.limits.ratio_slack_bytes

    def _check_entry(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        problem = unsafe_name(name)
        if problem is None and stat.S_ISLNK(info.external_attr >> 16):
            problem = "symbolic link"
        if problem is None and info.flag_bits & 0x1:
            problem = "encrypted"
        if problem is None and info.compress_type not in _SUPPORTED_METHODS:
            problem = f"compression method {info.compress_type} (only stored and deflated)"
        if problem is not None:
            raise InputError(self.source, f"refused zip entry {name!r}: {problem}")
        if info.file_size > self.limits.max_entry_bytes:
            raise self._refuse(
                f"zip entry {name!r} expands to {describe_size(info.file_size)}, over the "
                f"limit of {describe_size(self.limits.max_entry_bytes, exact=True)} per entry"
            )
        if self._over_ratio(info.file_size, info.compress_size):
            raise self._refuse(
                f"zip entry {name!r}: compression ratio "
                f"{_ratio(info.file_size, info.compress_size)} exceeds "
                f"{self.limits.max_ratio:,.0f}:1 (possible zip bomb)"
            )

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The entry called ``name`` (``/`` or ``\\`` separators, any letter case)."""
        return self.entries.get(name.replace("\\", "/").casefold())

    @contextmanager
    def open(self, info: zipfile.ZipInfo, limit: int | None = None) -> Iterator[IO[bytes]]:
        """A stream of the entry's decompressed bytes that stops with :class:`LimitError`
        past the entry's declared size, ``limit`` (default: the per-entry limit) or the
        archive's total limit; a damaged entry is an :class:`InputError`."""
        try:
            with self.zip.open(info) as raw:
                yield _BoundedStream(self, info, raw, limit)  # type: ignore[misc]
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
            raise InputError(self.source, f"{info.filename}: damaged zip entry: {error}") from None

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """An entry's bytes, whole; at most ``max_read_bytes`` (an entry read into memory)."""
        limit = self.limits.max_read_bytes
        if info.file_size > limit:
            raise self._refuse(
                f"zip entry {info.filename!r} is {describe_size(info.file_size)}, over the limit "
                f"of {describe_size(limit, exact=True)} for one entry read whole"
            )
        with self.open(info, limit) as stream:
            return stream.read()

    def count(self, info: zipfile.ZipInfo, size: int) -> None:
        """Account ``size`` more bytes decompressed from the archive (see ``open``)."""
        self._total_read += size
        if self._total_read > self.limits.max_total_bytes:
            raise self._too_much_in_total()

    def _too_much_in_total(self) -> LimitError:
        limit = describe_size(self.limits.max_total_bytes, exact=True)
        return self._refuse(f"entries expand to more than {limit} (possible zip bomb)")


class _BoundedStream:
    """A read-only stream over one entry that refuses to return more than allowed."""

    def __init__(
        self, archive: ZipArchive, info: zipfile.ZipInfo, raw: IO[bytes], limit: int | None
    ) -> None:
        self.archive = archive
        self.info = info
        self.raw = raw
        self.allowed = min(info.file_size, limit or archive.limits.max_entry_bytes)
        self.given = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self.read(_CHUNK):
                chunks.append(chunk)
            return b"".join(chunks)
        data = self.raw.read(min(size, self.allowed + 1 - self.given))
        self.given += len(data)
        if self.given > self.allowed:
            raise self.archive._refuse(
                f"zip entry {self.info.filename!r} gives more than its "
                f"{describe_size(self.allowed, exact=True)} (possible zip bomb)"
            )
        self.archive.count(self.info, len(data))
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()


def unsafe_name(name: str) -> str | None:
    """Why an entry name must not be used (it could leave the archive), or ``None``."""
    normal = name.replace("\\", "/")
    if normal.startswith("/"):
        return "absolute path"
    if len(normal) >= 2 and normal[1] == ":" and normal[0].isalpha():
        return "absolute path with a drive letter"
    if ".." in PurePosixPath(normal).parts:
        return "path leaves the archive ('..')"
    if "\x00" in normal:
        return "NUL in name"
    return None


def _ratio(size: int, compressed: int) -> str:
    return f"{size / max(compressed, 1):,.0f}:1"
