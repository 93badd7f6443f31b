"""Opening an untrusted ``.qdpx`` (a zip from someone else) safely.

Every entry is checked before anything is read: no ``..`` parts, absolute paths, drive
letters or symbolic links; no duplicate names; no encryption; the total uncompressed size
and each large entry's compression ratio within limits (zip bombs). Entry sizes declared in
the zip are enforced while reading (``zipfile`` never returns more than the declared size
and checks the CRC), so a lying header cannot inflate past the limits either.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from qualcode.domain.errors import InputError

PROJECT_ENTRY = "project.qde"
SOURCES_FOLDER = "sources"


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """``max_total_bytes``: all entries uncompressed together; ``max_ratio``: uncompressed
    over compressed size of any entry bigger than ``ratio_floor_bytes``; ``max_entries``."""

    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1024 * 1024
    max_entries: int = 100_000


class SafeQdpx:
    """A checked ``.qdpx``: find and read its ``project.qde`` and internal sources."""

    def __init__(self, path: Path, limits: ZipLimits | None = None) -> None:
        self.path = path
        self.source = str(path)
        self.limits = limits or ZipLimits()
        if not path.exists():
            raise InputError(self.source, "no such file")
        if path.is_dir():
            raise InputError(self.source, "is a folder, not a .qdpx file")
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise InputError(self.source, f"not a .qdpx (zip) file: {error}") from None
        try:
            self.entries = self._checked_entries()
        except InputError:
            self.archive.close()
            raise

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> SafeQdpx:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _checked_entries(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.archive.infolist()
        if len(infos) > self.limits.max_entries:
            raise InputError(
                self.source, f"refused: {len(infos)} zip entries (limit {self.limits.max_entries})"
            )
        entries: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            problem = _unsafe_name(name)
            if problem:
                raise InputError(self.source, f"refused zip entry {name!r}: {problem}")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise InputError(self.source, f"refused zip entry {name!r}: symbolic link")
            if info.flag_bits & 0x1:
                raise InputError(self.source, f"refused zip entry {name!r}: encrypted")
            key = name.replace("\\", "/").casefold()
            if key in entries:
                raise InputError(self.source, f"refused: zip entry {name!r} appears twice")
            entries[key] = info
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise InputError(
                    self.source,
                    "refused: entries expand to more than "
                    f"{_size(self.limits.max_total_bytes)} (possible zip bomb)",
                )
            if info.file_size > self.limits.ratio_floor_bytes:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > self.limits.max_ratio:
                    raise InputError(
                        self.source,
                        f"refused zip entry {name!r}: compression ratio {ratio:,.0f}:1 exceeds "
                        f"{self.limits.max_ratio:,.0f}:1 (possible zip bomb)",
                    )
        return entries

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
        try:
            with self.archive.open(info) as stream:
                yield stream
        except zipfile.BadZipFile as error:
            raise InputError(self.source, f"{info.filename}: damaged zip entry: {error}") from None

    def internal(self, url: str) -> zipfile.ZipInfo | None:
        """The entry an ``internal://NAME`` path names (in ``sources/``, any letter case)."""
        name = url.split("://", 1)[1] if "://" in url else url
        name = name.lstrip("/").replace("\\", "/")
        if _unsafe_name(name):
            return None
        for key in (f"{SOURCES_FOLDER}/{name}".casefold(), name.casefold()):
            if key in self.entries:
                return self.entries[key]
        return None

    def read_bytes(self, info: zipfile.ZipInfo) -> bytes:
        with self.open(info) as stream:
            try:
                return stream.read()
            except zipfile.BadZipFile as error:
                raise InputError(
                    self.source, f"{info.filename}: damaged zip entry: {error}"
                ) from None


def _unsafe_name(name: str) -> str | None:
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


def _size(count: int) -> str:
    return f"{count / 1024**2:,.0f} MB"
