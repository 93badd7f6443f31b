"""Hostile output targets made at test time: devices, pipes, links, folders that cannot
be written (an immutable folder, a read-only mount) and a full disk (a 64 KiB tmpfs).
Each maker skips the test, saying why, where this machine cannot make it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SMALL_DISK = "size=64k"
SQLITE = b"SQLite format 3\x00"
EARLIER = b"an earlier export\n"


def earlier_export(path: Path, content: bytes = EARLIER) -> Path:
    """A file qualcode exported to ``path`` earlier (through the one writer, so it is in
    this process's ledger, which the commands a test runs share): one an export may
    replace. A file made with ``write_bytes`` is someone else's and is refused."""
    from qualcode.files.writing import write_file

    write_file(path, content)
    return path


@dataclass(frozen=True)
class Snapshot:
    """What must not change about a target: its kind, inode, device number, and for a
    regular file its bytes; for a link where it points."""

    mode: int
    inode: int
    device: int
    link: str | None
    content: bytes | None


def snapshot(path: Path) -> Snapshot | None:
    if not os.path.lexists(path):
        return None
    found = path.lstat()
    link = os.readlink(path) if stat.S_ISLNK(found.st_mode) else None
    content = path.read_bytes() if stat.S_ISREG(found.st_mode) else None
    return Snapshot(found.st_mode, found.st_ino, found.st_rdev, link, content)


def settled(path: Path) -> object:
    """What must not change about a file that may be a live SQLite project: its bytes
    change when a closing connection checkpoints the log, so for a SQLite file compare
    kind, inode and every row; anything else by :func:`snapshot`."""
    found = snapshot(path)
    if found is None or found.content is None or not found.content.startswith(SQLITE):
        return found
    connection = sqlite3.connect(path)
    try:
        return found.mode, found.inode, list(connection.iterdump())
    finally:
        connection.close()


def leftovers(*folders: Path) -> list[str]:
    """Temporary files of the writer (``.NAME.XXXX.part``) or SQLite journals of one."""
    found: list[str] = []
    for folder in folders:
        if folder.is_dir():
            found += [p.name for p in folder.iterdir() if ".part" in p.name]
    return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


class Mounts:
    """Small tmpfs mounts made for one test and unmounted after it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.points: list[Path] = []
        self.immutable: list[Path] = []

    def tmpfs(self, name: str = "disk") -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root")
        if shutil.which("mount") is None:
            pytest.skip("no mount command on this machine")
        point = self.tmp_path / name
        point.mkdir()
        done = _run("mount", "-t", "tmpfs", "-o", SMALL_DISK, "tmpfs", str(point))
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        self.points.append(point)
        return point

    def read_only(self, point: Path) -> None:
        done = _run("mount", "-o", "remount,ro", str(point))
        if done.returncode:
            pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")

    def fill(self, point: Path) -> None:
        """Write until the file system refuses another byte."""
        with (point / "filler").open("wb", buffering=0) as out:
            for size in (4096, 1):
                try:
                    while True:
                        out.write(b"\0" * size)
                except OSError:
                    continue

    def make_immutable(self, folder: Path) -> None:
        """A folder no one may add to, not even root (``chattr +i``)."""
        if shutil.which("chattr") is None:
            pytest.skip("no chattr on this machine to make a folder unwritable for root")
        done = _run("chattr", "+i", str(folder))
        if done.returncode:
            pytest.skip(f"chattr +i is not supported here: {done.stderr.strip()}")
        self.immutable.append(folder)

    def release(self) -> None:
        for folder in self.immutable:
            _run("chattr", "-i", str(folder))
        for point in reversed(self.points):
            _run("umount", "-l", str(point))


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[Mounts]:
    made = Mounts(tmp_path)
    try:
        yield made
    finally:
        made.release()
