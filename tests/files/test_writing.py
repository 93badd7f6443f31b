"""The one writer (qualcode.files.writing) on its own: what happens to the temporary file
and the target when the write, the caller or the rename fails, and the races between the
check and the rename."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from qualcode.domain.errors import DiskFullError, FileAccessError, ReadOnlyError
from qualcode.files.user_config import CONFIG_ENV
from qualcode.files.writing import (
    Existing,
    check_new_file,
    open_for_writing,
    set_aside,
    set_back,
    staged_path,
    write_file,
)
from qualcode.files.written_files import LEDGER_NAME
from tests.files.targets import EARLIER, Mounts, earlier_export, leftovers, snapshot


class Boom(Exception):
    """An error in the caller's own code while it writes."""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("tekst æøå\r\nline two\n", "tekst æøå\r\nline two\n".encode()),  # text: UTF-8, ends kept
        (b"\x00\xff binary", b"\x00\xff binary"),  # bytes as they are
        ("", b""),  # an empty export is still a file
    ],
    ids=["text", "bytes", "empty"],
)
@pytest.mark.parametrize("name", ["out.txt", "n" * 250 + ".txt"], ids=["short", "255-chars"])
def test_write_file_writes_exactly_the_content(
    tmp_path: Path, content: str | bytes, expected: bytes, name: str
) -> None:
    target = tmp_path / name
    assert write_file(target, content) == target
    assert target.read_bytes() == expected
    assert leftovers(tmp_path) == []


def test_an_error_in_the_callers_code_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    target = earlier_export(tmp_path / "out.qdpx")
    before = snapshot(target)

    def write() -> None:
        with open_for_writing(target) as out:
            out.write(b"half of it")
            raise Boom

    with pytest.raises(Boom):
        write()
    assert snapshot(target) == before
    assert leftovers(tmp_path) == []


def test_target_turning_into_a_folder_before_the_rename(tmp_path: Path) -> None:
    """The rename is refused, not done over a folder, and the temporary file goes."""
    target = tmp_path / "out.csv"

    def write() -> None:
        with open_for_writing(target) as out:
            out.write(b"data")
            target.mkdir()  # someone made a folder of that name meanwhile
            (target / "theirs.txt").write_text("kept")

    with pytest.raises(FileAccessError, match="is a folder"):
        write()
    assert (target / "theirs.txt").read_text() == "kept"
    assert leftovers(tmp_path) == []


def test_a_name_taken_before_the_rename_is_not_replaced(tmp_path: Path) -> None:
    """For a backup the name must still be free at the last moment: a file that appears
    while the backup is written is kept, and the backup is refused."""
    target = tmp_path / "backup.json"

    def write() -> None:
        with open_for_writing(target, Existing.REFUSE) as out:
            out.write(b"{}")
            target.write_bytes(b"someone else's file")

    with pytest.raises(FileAccessError, match="exists already"):
        write()
    assert target.read_bytes() == b"someone else's file"
    assert leftovers(tmp_path) == []


def test_staged_path_removes_what_the_library_left_beside_it(tmp_path: Path) -> None:
    """SQLite writes NAME-journal next to a database; a failed backup leaves neither."""
    target = tmp_path / "copy.qualcode"

    def back_up() -> None:
        with staged_path(target, Existing.REFUSE) as part:
            connection = sqlite3.connect(part, isolation_level=None)
            connection.execute("CREATE TABLE t (x)")
            connection.execute("BEGIN")
            connection.execute("INSERT INTO t VALUES (1)")
            journal = Path(f"{part}-journal")
            assert journal.exists()  # the journal really is there, mid-transaction
            raise Boom  # with the connection (and its journal) still open

    with pytest.raises(Boom):
        back_up()
    assert list(tmp_path.iterdir()) == []


def test_staged_path_puts_the_finished_file_in_place(tmp_path: Path) -> None:
    target = tmp_path / "copy.qualcode"
    with staged_path(target, Existing.REFUSE) as part:
        connection = sqlite3.connect(part)
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        connection.close()
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda p: None, None),  # a free name: fine
        (lambda p: p.write_bytes(b""), None),  # an empty regular file: fine (as before)
        (lambda p: p.write_bytes(b"x"), "already exists"),  # someone's file
        (lambda p: p.mkdir(), "is a folder"),  # a folder
        (lambda p: os.mkfifo(p), "named pipe"),  # a pipe
        (lambda p: p.symlink_to(p.parent / "x"), "symbolic link"),  # a dangling link
    ],
    ids=["free", "empty-file", "file", "folder", "fifo", "link"],
)
def test_check_new_file(tmp_path: Path, make: object, phrase: str | None) -> None:
    target = tmp_path / "new.qualcode"
    make(target)  # type: ignore[operator]
    if phrase is None:
        check_new_file(target)
    else:
        with pytest.raises(FileAccessError, match=phrase):
            check_new_file(target)


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("mine")
    with pytest.raises(FileAccessError, match="notes is a regular file, not a folder"):
        write_file(tmp_path / "notes" / "out.csv", "x")
    assert (tmp_path / "notes").read_text() == "mine"


def test_set_aside_keeps_the_very_file_and_set_back_restores_it(tmp_path: Path) -> None:
    project = tmp_path / "study.qualcode"
    project.write_bytes(b"main")
    Path(f"{project}-wal").write_bytes(b"log")
    first = snapshot(project)
    taken = tmp_path / "study.before-demo-1.qualcode"
    taken.write_bytes(b"an earlier one")
    aside = set_aside(project, "before-demo", ("-wal", "-shm"))
    assert aside == tmp_path / "study.before-demo-2.qualcode"
    assert snapshot(aside) == first  # same inode, same bytes: moved, not copied
    assert Path(f"{aside}-wal").read_bytes() == b"log"
    assert not project.exists()
    set_back(aside, project, ("-wal", "-shm"))
    assert snapshot(project) == first
    assert Path(f"{project}-wal").read_bytes() == b"log"
    assert taken.read_bytes() == b"an earlier one"


def test_full_disk_is_disk_full_and_leaves_nothing(mounts: Mounts) -> None:
    point = mounts.tmpfs()
    earlier_export(point / "out.csv")
    mounts.fill(point)
    before = snapshot(point / "out.csv")
    with pytest.raises(DiskFullError, match="disk full"):
        write_file(point / "out.csv", "x" * 100_000)
    assert snapshot(point / "out.csv") == before
    assert leftovers(point) == []


def test_read_only_mount_is_read_only(mounts: Mounts) -> None:
    point = mounts.tmpfs()
    mounts.read_only(point)
    with pytest.raises(ReadOnlyError, match="read-only file system"):
        write_file(point / "out.csv", "data")


def test_a_folder_the_user_may_not_write_is_permission_denied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As another user (``setpriv`` to nobody), a root-owned folder is not writable:
    EACCES, which root itself never meets (see the ``chattr +i`` rows elsewhere)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the writer as another user")
    folder = Path(tempfile.mkdtemp(prefix="qualcode-locked-"))
    try:
        folder.chmod(0o755)  # others may look, not write
        # the earlier export is in a ledger the user nobody may read, so it is theirs to
        # replace: what stops them is the folder alone
        (folder / "state").mkdir()
        monkeypatch.setenv(CONFIG_ENV, str(folder / "state" / "config.json"))
        earlier_export(folder / "out.csv")
        (folder / "state" / LEDGER_NAME).chmod(0o644)
        script = (
            "import sys\n"
            "from qualcode.files.writing import write_file\n"
            "from qualcode.domain.errors import FileAccessError\n"
            "try:\n"
            f"    write_file({str(folder / 'out.csv')!r}, 'new')\n"
            "except FileAccessError as error:\n"
            "    print(error); sys.exit(1)\n"
        )
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        done = subprocess.run(
            [*command, sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            cwd="/",
        )
        if done.returncode not in (0, 1) or "No module named" in done.stderr:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"cannot run qualcode as the user nobody here ({last})")
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout.strip().splitlines() == [
            f"{folder / 'out.csv'}: cannot create a file in {folder} (permission denied); "
            "nothing was written"
        ]
        assert (folder / "out.csv").read_bytes() == EARLIER
        assert leftovers(folder) == []
    finally:
        shutil.rmtree(folder)
