"""Every command that writes a file, against every hostile target: one line, exit 1, no
temporary file left, the target exactly as it was, the project unchanged.

The writer is :mod:`qualcode.files.writing`; these tests go through the real commands so
that each one is shown to use it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli
from tests.files.targets import EARLIER, Mounts, earlier_export, leftovers, settled, snapshot

# (id, kind, argument list); kind says which rules apply: "export" replaces an earlier
# export, "new" (backup, demo) must be given a free name. Targets have no suffix, so
# --format alone decides what is written (a suffix no format has is refused).
Command = Callable[[Path, Path], list[str | Path]]
COMMANDS: list[tuple[str, str, Command]] = [
    ("matrix-csv", "export", lambda p, t: ["matrix", p, "--format", "csv", "-o", t]),
    ("matrix-xlsx", "export", lambda p, t: ["matrix", p, "--format", "xlsx", "-o", t]),
    ("codings-csv", "export", lambda p, t: ["codings", p, "--format", "csv", "-o", t]),
    ("export-qdpx", "export", lambda p, t: ["export", p, "--format", "qdpx", "-o", t]),
    ("backup", "new", lambda p, t: ["backup", p, t]),
    ("backup-json", "new", lambda p, t: ["backup", p, t, "--json"]),
    ("demo", "new", lambda p, t: ["demo", "--path", t, "--no-open"]),
]


@dataclass(frozen=True)
class Target:
    """A hostile target: where it is, and the phrase the one line must hold for an
    export and for a new file (a backup, a demo project)."""

    path: Path
    export_phrase: str
    new_phrase: str


Make = Callable[[Path, Mounts], Target]


def char_device(tmp: Path, _: Mounts) -> Target:
    # as root /dev/full is writable: the old writer renamed its temporary file over it
    if not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full on this machine")
    return Target(Path("/dev/full"), "is a character device", "is a character device")


def fifo(tmp: Path, _: Mounts) -> Target:
    os.mkfifo(tmp / "pipe")
    return Target(tmp / "pipe", "is a named pipe", "is a named pipe")


def folder(tmp: Path, _: Mounts) -> Target:
    (tmp / "folder").mkdir()
    return Target(tmp / "folder", "is a folder", "is a folder")


def link_to_device(tmp: Path, _: Mounts) -> Target:
    (tmp / "null").symlink_to("/dev/null")
    return Target(tmp / "null", "symbolic link to a character device", "symbolic link")


def dangling_link(tmp: Path, _: Mounts) -> Target:
    (tmp / "dangling").symlink_to(tmp / "nowhere" / "file.csv")
    return Target(tmp / "dangling", "which does not exist", "symbolic link")


def link_to_folder(tmp: Path, _: Mounts) -> Target:
    (tmp / "elsewhere").mkdir()
    (tmp / "there").symlink_to(tmp / "elsewhere")
    return Target(tmp / "there", "symbolic link to a folder", "symbolic link")


def missing_folder(tmp: Path, _: Mounts) -> Target:
    return Target(tmp / "no-such-folder" / "out", "does not exist", "does not exist")


def immutable_folder(tmp: Path, mounts: Mounts) -> Target:
    (tmp / "locked").mkdir()
    mounts.make_immutable(tmp / "locked")
    return Target(tmp / "locked" / "out", "permission denied", "permission denied")


def small_disk(*, read_only: bool, earlier: bool) -> Make:
    """A 64 KiB tmpfs, made read-only or filled up, holding an earlier export or not."""
    phrase = "read-only file system" if read_only else "disk full"

    def make(tmp: Path, mounts: Mounts) -> Target:
        point = mounts.tmpfs()
        if earlier:
            earlier_export(point / "out")
        if read_only:
            mounts.read_only(point)
        else:
            mounts.fill(point)
        return Target(point / "out", phrase, "exists already" if earlier else phrase)

    return make


TARGETS: list[tuple[str, Make]] = [
    ("dev-full", char_device),  # a character device that accepts writes (as root)
    ("fifo", fifo),  # would block a reader or writer forever
    ("folder", folder),  # a folder with the export's name
    ("link-to-dev-null", link_to_device),  # a link to a device: refused like the device
    ("dangling-link", dangling_link),  # a link to nothing: never created through
    ("link-to-folder", link_to_folder),  # a link to a folder
    ("missing-folder", missing_folder),  # a folder that does not exist
    ("immutable-folder", immutable_folder),  # chattr +i: unwritable even for root
    # EROFS on a new name, and over an earlier export
    ("read-only-mount", small_disk(read_only=True, earlier=False)),
    ("read-only-earlier", small_disk(read_only=True, earlier=True)),
    # ENOSPC on a new name, and over an earlier export (which survives)
    ("full-disk", small_disk(read_only=False, earlier=False)),
    ("full-disk-earlier", small_disk(read_only=False, earlier=True)),
]


@pytest.mark.parametrize(
    ("kind", "command"), [c[1:] for c in COMMANDS], ids=[c[0] for c in COMMANDS]
)
@pytest.mark.parametrize("make", [t[1] for t in TARGETS], ids=[t[0] for t in TARGETS])
def test_hostile_target_is_one_line_and_changes_nothing(
    study: Path, tmp_path: Path, mounts: Mounts, run: Cli, make: Make, kind: str, command: Command
) -> None:
    target = make(tmp_path, mounts)
    before_target = snapshot(target.path)
    before_project = dump(study)
    result = run(*command(study, target.path), expect=1)
    line = one_line_error(result.stderr)
    assert str(target.path) in line
    assert (target.export_phrase if kind == "export" else target.new_phrase) in line
    assert snapshot(target.path) == before_target
    assert leftovers(target.path.parent, tmp_path) == []
    assert not any(p.name.startswith(".") for p in target.path.parent.glob(".*.part"))
    assert dump(study) == before_project


def test_dev_full_stays_the_device(study: Path, run: Cli) -> None:
    """The old writer renamed a temporary file over /dev/full (as root): the device node
    was gone. Now it is neither replaced nor written."""
    if not Path("/dev/full").is_char_device():
        pytest.skip("no /dev/full on this machine")
    before = os.stat("/dev/full")
    run("codings", study, "--format", "csv", "-o", "/dev/full", expect=1)
    after = os.stat("/dev/full")
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )
    assert not list(Path("/dev").glob(".full.*.part"))


@pytest.mark.parametrize(
    "command",
    [c[2] for c in COMMANDS if c[1] == "export"],
    ids=[c[0] for c in COMMANDS if c[1] == "export"],
)
def test_export_writes_through_a_link_to_a_regular_file(
    study: Path, tmp_path: Path, run: Cli, command: Command
) -> None:
    """A link to a regular file is kept; the file it points to gets the export."""
    real = tmp_path / "real" / "export"
    real.parent.mkdir()
    earlier_export(real)
    link = tmp_path / "latest"
    link.symlink_to(real)
    link_before = snapshot(link)
    run(*command(study, link))
    assert snapshot(link) == link_before  # the link itself: same inode, same target
    assert real.read_bytes() != EARLIER
    assert real.stat().st_size > 0
    assert leftovers(tmp_path, real.parent) == []


@pytest.mark.parametrize(
    "command",
    [c[2] for c in COMMANDS if c[1] == "new"],
    ids=[c[0] for c in COMMANDS if c[1] == "new"],
)
@pytest.mark.parametrize("as_link", [False, True], ids=["file", "link-to-file"])
def test_backup_and_demo_never_replace_a_file(
    study: Path, tmp_path: Path, run: Cli, command: Command, as_link: bool
) -> None:
    """A backup or a demo goes to a new name: an existing file (or a link to one) is
    refused, and stays exactly as it was."""
    existing = tmp_path / "mine.qualcode"
    existing.write_bytes(b"something a researcher made\n")
    target = existing
    if as_link:
        target = tmp_path / "link.qualcode"
        target.symlink_to(existing)
    before = (snapshot(existing), snapshot(target))
    result = run(*command(study, target), expect=1)
    assert str(target) in one_line_error(result.stderr)
    assert (snapshot(existing), snapshot(target)) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "command",
    [c[2] for c in COMMANDS if c[1] == "export"],
    ids=[c[0] for c in COMMANDS if c[1] == "export"],
)
def test_no_export_replaces_a_project(
    study: Path, tmp_path: Path, run: Cli, command: Command
) -> None:
    """``-o`` replaces an earlier export, never a project or a backup of one. Named
    without a suffix (``--format`` names the format) so the writer's own check decides;
    ``.qualcode`` is refused before that, as a suffix no format has."""
    other = tmp_path / "other"
    run("init", other)
    backup = tmp_path / "study-backup"
    run("backup", study, backup, "--json")

    for victim, phrase in (
        (study, f"no format has the suffix {study.suffix}"),
        (other, "is a qualcode project, backup or database"),
        (backup, "is a qualcode project, backup or database"),
    ):
        before_victim = settled(victim)
        result = run(*command(study, victim), expect=1)
        assert phrase in one_line_error(result.stderr)
        assert settled(victim) == before_victim


@pytest.mark.parametrize(
    "command",
    [c[2] for c in COMMANDS if c[1] == "export"],
    ids=[c[0] for c in COMMANDS if c[1] == "export"],
)
def test_export_replaces_an_earlier_export_keeping_its_permissions(
    study: Path, tmp_path: Path, run: Cli, command: Command
) -> None:
    target = earlier_export(tmp_path / "out")
    target.chmod(0o640)
    run(*command(study, target))
    assert target.read_bytes() != EARLIER
    assert target.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []
