"""A project on read-only media — a read-only mount, a folder and file nobody may write —
opens for reading (listings, show, codings, matrix, agreement, export), and every write
says "read-only" in one line with nothing changed. A full disk under the project is
"disk full", never "damaged … restore it from a backup".

Real media: a read-only bind mount or a small tmpfs in a private mount namespace
(``unshare -m``, so nothing outside the test sees it), and permissions that hold for root
(its DAC capabilities dropped with ``setpriv``). Each test skips, saying why, only where
the machine cannot make such media."""

from __future__ import annotations

import hashlib
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualcode.domain.errors import DiskFullError, ProjectError, ReadOnlyError
from qualcode.storage.sqlite_file import IMMUTABLE, READ_ONLY, READ_WRITE, access_mode, failure
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import TRANSCRIPTS
from tests.files.running import (
    BATCH_SCRIPT,
    batch_input,
    batch_results,
    permissions_prefix,
    qualcode,
)

QUALCODE = f"{shlex.quote(sys.executable)} -m qualcode"

# (id, arguments after the project) — reads that must work on read-only media
READS: list[tuple[str, list[str]]] = [
    ("transcripts", ["transcripts", "{p}"]),
    ("info", ["info", "{p}"]),
    ("show", ["show", "{p}", "parent-01-en"]),
    ("codings", ["codings", "{p}", "--format", "csv"]),
    ("matrix", ["matrix", "{p}"]),
    ("agreement", ["agreement", "{p}", "--coders", "anna", "--coders", "bo"]),
    ("export-qdc", ["export", "{p}", "--format", "qdc"]),
    ("export-qdpx", ["export", "{p}", "--format", "qdpx", "-o", "{out}/copy.qdpx"]),
    ("check", ["check", "{p}"]),
]
# (id, arguments) — writes that must be refused as read-only
WRITES: list[tuple[str, list[str]]] = [
    ("import", ["import", "{p}", str(TRANSCRIPTS / "parent-03-da.txt")]),
    ("code", ["code", "{p}", "parent-01-en", "positive", "--coder", "cy", "--span", "0:5"]),
    ("memo", ["memo", "{p}", "a note", "--author", "cy"]),
    ("uncode", ["uncode", "{p}", "--id", "1"]),
]


def _ids(rows: list[tuple[str, list[str]]]) -> list[str]:
    return [row[0] for row in rows]


def _media(demo_template: Path, folder: Path) -> Path:
    """``folder`` holding a copy of the demo project, checkpointed (no -wal beside it)."""
    folder.mkdir()
    with (
        closing(sqlite3.connect(demo_template)) as origin,
        closing(sqlite3.connect(folder / "demo.qualcode")) as copy,
    ):
        origin.backup(copy)
    return folder


@pytest.fixture
def source(demo_template: Path, tmp_path: Path) -> Path:
    return _media(demo_template, tmp_path / "media")


def _digest(path: Path) -> str:
    return hashlib.sha256("\n".join(dump(path)).encode()).hexdigest()


def _in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a private mount namespace; skip when none can be made."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: cannot make a read-only mount or a small disk")
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", f"mount -t tmpfs tmpfs {shlex.quote(str(cwd))}"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("cannot mount in a private namespace (needs CAP_SYS_ADMIN)")
    return subprocess.run(
        [unshare, "-m", "sh", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass(frozen=True)
class Mounted:
    source: Path
    out: Path
    before: str
    results: dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def mounted(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Mounted:
    """The demo project bind-mounted read-only in a private mount namespace, every READ
    and WRITE command run against it there — in one process, each through qualcode's
    real entry point (tests/files/running.py) — and the digest of the project before."""
    folder = tmp_path_factory.mktemp("read-only-media")
    source = _media(demo_template, folder / "media")
    mount, out = folder / "mnt", folder / "out"
    mount.mkdir()
    out.mkdir()
    project = mount / "demo.qualcode"
    runs = {
        name: (folder, [a.replace("{p}", str(project)).replace("{out}", str(out)) for a in args])
        for name, args in READS + WRITES
    }
    (folder / "cases.json").write_text(batch_input(runs), encoding="utf-8")
    src, dst = shlex.quote(str(source)), shlex.quote(str(mount))
    script = (
        f"mount --bind {src} {dst} && mount -o remount,bind,ro {dst} && "
        f"{shlex.quote(sys.executable)} -c {shlex.quote(BATCH_SCRIPT)} < cases.json"
    )
    before = _digest(source / "demo.qualcode")
    result = _in_namespace(script, folder)
    assert result.returncode == 0, result.stderr
    return Mounted(source, out, before, batch_results(runs, result.stdout))


@pytest.mark.parametrize(
    ("name", "arguments", "works"),
    [(*row, True) for row in READS] + [(*row, False) for row in WRITES],
    ids=_ids(READS + WRITES),
)
def test_a_read_only_mount(mounted: Mounted, name: str, arguments: list[str], works: bool) -> None:
    """Reads work and leave no -wal or -shm behind; writes say "read-only" in one line."""
    result = mounted.results[name]
    if works:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() or (mounted.out / "copy.qdpx").exists()
    else:
        assert result.returncode == 1, result.stderr
        assert "read-only" in one_line_error(result.stderr)
    assert sorted(p.name for p in mounted.source.iterdir()) == ["demo.qualcode"]
    assert _digest(mounted.source / "demo.qualcode") == mounted.before


@pytest.mark.parametrize(
    ("name", "arguments", "works"),
    [(*row, True) for row in READS[:6]] + [(*row, False) for row in WRITES[:2]],
    ids=_ids(READS[:6] + WRITES[:2]),
)
def test_a_folder_and_file_nobody_may_write(
    source: Path, tmp_path: Path, name: str, arguments: list[str], works: bool
) -> None:
    """chmod 555 on the folder and 444 on the file: SQLite cannot keep its -shm there, so
    the project is read as immutable (nobody can be writing it through this folder)."""
    permissions_prefix()  # skips where permissions cannot apply
    project = source / "demo.qualcode"
    before = _digest(project)
    project.chmod(0o444)
    source.chmod(0o555)
    try:
        args = [a.replace("{p}", str(project)) for a in arguments]
        result = qualcode(*args, cwd=tmp_path, restricted=True)
    finally:
        source.chmod(0o755)
        project.chmod(0o644)
    if works:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()
    else:
        assert result.returncode == 1
        assert "read-only" in one_line_error(result.stderr)
    assert _digest(project) == before


def test_a_full_disk_is_disk_full_and_changes_nothing(source: Path, tmp_path: Path) -> None:
    """A 3 MB tmpfs holding the project, filled up: a write is "disk full", exit 1, and the
    project's rows are as they were once space is freed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    project = disk / "demo.qualcode"
    digest = (
        f"{shlex.quote(sys.executable)} -c "
        + shlex.quote(
            "import hashlib, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(hashlib.sha256('\\n'.join(c.iterdump()).encode()).hexdigest())"
        )
        + f" {shlex.quote(str(project))}"
    )
    script = (
        f"mount -t tmpfs -o size=3m tmpfs {shlex.quote(str(disk))} && "
        f"cp {shlex.quote(str(source / 'demo.qualcode'))} {shlex.quote(str(project))} && "
        f"{digest} && "
        f"(head -c 4000000 /dev/zero > {shlex.quote(str(disk / 'filler'))} 2>/dev/null; true) && "
        f"{QUALCODE} code {shlex.quote(str(project))} parent-01-en positive --coder cy "
        f'--span 0:5; echo "exit=$?" >&2; rm {shlex.quote(str(disk / "filler"))} && {digest}'
    )
    result = _in_namespace(script, tmp_path)
    *message, status = result.stderr.strip().splitlines()
    assert status == "exit=1", result.stderr
    line = one_line_error("\n".join(message))
    assert "disk full" in line
    assert "damaged" not in line
    before, after = result.stdout.split()
    assert before == after


# -- the decisions themselves --------------------------------------------------------------


def test_access_mode_of_a_writable_project(source: Path) -> None:
    assert access_mode(source / "demo.qualcode") == READ_WRITE


def test_a_read_only_file_in_a_writable_folder_is_mode_ro(source: Path) -> None:
    project = source / "demo.qualcode"
    project.chmod(0o444)
    try:
        assert access_mode(project) == READ_ONLY
    finally:
        project.chmod(0o644)


def test_immutable_only_when_the_folder_cannot_be_written(source: Path, tmp_path: Path) -> None:
    script = (
        f"{shlex.quote(sys.executable)} -c "
        + shlex.quote(
            "import sys; from pathlib import Path; "
            "from qualcode.storage.sqlite_file import access_mode; "
            "print(access_mode(Path(sys.argv[1])))"
        )
        + " {p}"
    )
    mount = tmp_path / "mnt"
    mount.mkdir()
    src, dst = shlex.quote(str(source)), shlex.quote(str(mount))
    result = _in_namespace(
        f"mount --bind {src} {dst} && mount -o remount,bind,ro {dst} && "
        + script.replace("{p}", shlex.quote(str(mount / "demo.qualcode"))),
        tmp_path,
    )
    assert result.stdout.strip() == IMMUTABLE, result.stderr


def _full(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)  # may not grow past 5 pages: a real SQLITE_FULL
    connection.execute("PRAGMA max_page_count = 5")
    return connection


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)  # a real SQLITE_READONLY


@pytest.mark.parametrize(
    ("connect", "kind", "words"),
    [(_full, DiskFullError, "disk full"), (_read_only, ReadOnlyError, "read-only")],
    ids=["full", "read-only"],
)
def test_result_codes_decide(
    tmp_path: Path,
    connect: Callable[[Path], sqlite3.Connection],
    kind: type[ProjectError],
    words: str,
) -> None:
    path = tmp_path / "p.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE t (x)")
    with closing(connect(path)) as connection, pytest.raises(sqlite3.Error) as caught:
        connection.execute("INSERT INTO t VALUES (randomblob(100000))")
    found = failure(str(path), caught.value)
    assert isinstance(found, kind)
    assert words in str(found)
    assert "damaged" not in str(found)


def test_a_damaged_file_is_still_damaged(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.executemany("INSERT INTO t VALUES (?)", [(str(i) * 500,) for i in range(50)])
        connection.commit()
    data = bytearray(path.read_bytes())
    data[4096 + 8 : 4096 + 64] = b"\xff" * 56  # scribble over the table's first page
    path.write_bytes(bytes(data))
    with closing(sqlite3.connect(path)) as connection, pytest.raises(sqlite3.Error) as caught:
        connection.execute("SELECT count(*), max(length(x)) FROM t").fetchall()
    found = failure(str(path), caught.value)
    assert isinstance(found, ProjectError)
    assert "damaged" in str(found)
