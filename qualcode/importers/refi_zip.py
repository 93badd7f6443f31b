"""Opening an untrusted ``.qdpx`` (a zip from someone else) safely.

The file is opened through :mod:`qualcode.files.reading` (a regular file only) and read as
a :class:`~qualcode.files.archives.ZipArchive`: entry names, count, sizes and compression
ratios are checked before anything is decompressed, and enforced again while reading.
Sources are read whole, so each is held to :data:`MAX_SOURCE_BYTES`; ``project.qde`` is
streamed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from qualcode.domain.errors import InputError
from qualcode.files.archives import ArchiveLimits, ZipArchive, unsafe_name
from qualcode.files.reading import MIB, open_regular

PROJECT_ENTRY = "project.qde"
SOURCES_FOLDER = "sources"
MAX_SOURCE_BYTES = 64 * MIB
"""Largest source text (or note) read from a .qdpx, decompressed (64 MiB)."""


def qdpx_limits(max_total_bytes: int = 2 * 1024 * MIB, max_ratio: float = 100.0) -> ArchiveLimits:
    """The limits a .qdpx is held to (``--max-size``, ``--max-ratio`` set the first two)."""
    return ArchiveLimits(
        max_entries=100_000,
        max_entry_bytes=min(max_total_bytes, 1024 * MIB),
        max_total_bytes=max_total_bytes,
        max_ratio=max_ratio,
        max_read_bytes=MAX_SOURCE_BYTES,
    )


class SafeQdpx:
    """A checked ``.qdpx``: find and read its ``project.qde`` and internal sources."""

    def __init__(self, path: Path, limits: ArchiveLimits | None = None) -> None:
        self.path = path
        self.source = str(path)
        with ExitStack() as stack:
            handle = stack.enter_context(open_regular(path))
            self.archive = stack.enter_context(
                ZipArchive(handle, self.source, limits or qdpx_limits(), ".qdpx (zip) file")
            )
            self._resources = stack.pop_all()
        self.entries = self.archive.entries

    def close(self) -> None:
        self._resources.close()

    def __enter__(self) -> SafeQdpx:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def project_entry(self) -> zipfile.ZipInfo:
        """``project.qde`` at the top level (any letter case), else the only ``.qde``."""
        found = self.entries.get(PROJECT_ENTRY)
        if found is not None:
            return found
        qdes = [info for key, info in self.entries.items() if key.endswith(".qde")]
        if len(qdes) == 1:
            return qdes[0]
        raise InputError(self.source, "no project.qde inside: not a REFI-QDA project file")

    @contextmanager
    def open(self, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
        with self.archive.open(info) as stream:
            yield stream

    def internal(self, url: str) -> zipfile.ZipInfo | None:
        """The entry an ``internal://NAME`` path names (in ``sources/``, any letter case)."""
        name = url.split("://", 1)[1] if "://" in url else url
        name = name.lstrip("/").replace("\\", "/")
        if unsafe_name(name):
            return None
        for key in (f"{SOURCES_FOLDER}/{name}".casefold(), name.casefold()):
            if key in self.entries:
                return self.entries[key]
        return None

    def read_bytes(self, info: zipfile.ZipInfo) -> bytes:
        return self.archive.read(info)
