"""An export replaces an existing file only when qualcode wrote it and nobody changed it
since (the ledger in :mod:`qualcode.files.written_files`, consulted by the one writer).

Every command with ``-o`` refuses someone else's file in one line and leaves it byte for
byte; replaces its own earlier export; refuses that export once edited. The ledger
survives damage (read as empty: refuse), stays bounded, follows links to the real file,
and keeps every entry when several qualcode processes export at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.cli import cli
from qualcode.domain.errors import NotOursError
from qualcode.files import written_files
from qualcode.files.user_config import CONFIG_ENV
from qualcode.files.writing import Existing, write_file
from qualcode.files.written_files import LEDGER_NAME, is_ours, ledger_path, real_key
from qualcode.tui.config import UserConfig, load_config, save_config
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli
from tests.files.targets import earlier_export, leftovers, snapshot
from tests.hypothesis_profiles import examples

NOT_OURS = "exists and was not written by qualcode (or was changed since)"
THEIRS = b"my own notes, not an export\n"

# One row per command that takes -o (test_every_export_command_is_in_the_table keeps the
# table complete), writing a text or a binary file. The target's suffix names the format.
Command = Callable[[Path, Path], list[str | Path]]
AGREE = ("--coders", "anna", "bo")
EXPORTS: list[tuple[str, str, Command]] = [
    # the trial's case: an agreement table over notes.txt; then JSON, streamed in pieces
    ("agreement-txt", "notes.txt", lambda p, t: ["agreement", p, *AGREE, "-o", t]),
    ("agreement-json", "a.json", lambda p, t: ["agreement", p, *AGREE, "-o", t]),
    # a subcommand's -o
    ("codebook-export-yaml", "c.yaml", lambda p, t: ["codebook", p, "export", "-o", t]),
    # text in one piece (write_file), and a workbook's bytes
    ("codings-csv", "c.csv", lambda p, t: ["codings", p, "-o", t]),
    ("codings-xlsx", "c.xlsx", lambda p, t: ["codings", p, "-o", t]),
    # Markdown
    ("cooccurrence-md", "co.md", lambda p, t: ["cooccurrence", p, "-o", t]),
    # a zip written piece by piece (checked before the project is read), and codebook XML
    ("export-qdpx", "p.qdpx", lambda p, t: ["export", p, "-o", t]),
    ("export-qdc", "p.qdc", lambda p, t: ["export", p, "-o", t]),
    # the findings chapter
    ("findings-md", "f.md", lambda p, t: ["findings", p, "-o", t]),
    # the matrix as CSV and as a workbook
    ("matrix-csv", "m.csv", lambda p, t: ["matrix", p, "-o", t]),
    ("matrix-xlsx", "m.xlsx", lambda p, t: ["matrix", p, "-o", t]),
    # a listing command's -o
    ("memos-json", "memos.json", lambda p, t: ["memos", p, "-o", t]),
    # an HTML page
    ("report-html", "r.html", lambda p, t: ["report", p, "--code", "positive", "-o", t]),
]  # fmt: skip
ROWS = [pytest.param(name, command, id=key) for key, name, command in EXPORTS]


def test_every_export_command_is_in_the_table() -> None:
    """Each command that has ``-o`` has a row above (a new one must be added)."""

    def with_output(group: click.Group, prefix: str = "") -> set[str]:
        found: set[str] = set()
        for name, command in group.commands.items():
            if any("-o" in option.opts for option in command.params):
                found.add(prefix + name)
            if isinstance(command, click.Group):  # `codings` lists and is a group too
                found |= with_output(command, f"{prefix}{name} ")
        return found

    tabled = {key.rsplit("-", 1)[0].replace("-", " ") for key, _, _ in EXPORTS}
    assert with_output(cli) == tabled


@pytest.mark.parametrize(("name", "command"), ROWS)
def test_someone_elses_file_is_refused_and_kept(
    study: Path, tmp_path: Path, run: Cli, name: str, command: Command
) -> None:
    target = tmp_path / name
    target.write_bytes(THEIRS)
    before_file, before_project = snapshot(target), dump(study)
    result = run(*command(study, target), expect=1)
    line = one_line_error(result.stderr)
    assert f"{target}: {NOT_OURS}" in line
    assert "remove it or choose another name" in line
    assert snapshot(target) == before_file  # same inode, same bytes
    assert dump(study) == before_project
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("name", "command"), ROWS)
def test_an_earlier_export_is_replaced_and_refused_once_edited(
    study: Path, tmp_path: Path, run: Cli, name: str, command: Command
) -> None:
    target = tmp_path / name
    run(*command(study, target))
    first = target.read_bytes()
    run("code", study, "parent-01-en", "positive", "--coder", "anna", "--span", "100:140")
    run(*command(study, target))  # its own export, unchanged: replaced
    assert target.exists()
    target.write_bytes(target.read_bytes() + b"\n")  # the user adds a line
    edited = snapshot(target)
    result = run(*command(study, target), expect=1)
    assert NOT_OURS in one_line_error(result.stderr)
    assert snapshot(target) == edited
    assert first  # (the first export was a file with content)


def _edit_in_place_same_size(path: Path) -> None:
    """One byte changed, size and modification time as they were."""
    data, info = bytearray(path.read_bytes()), path.stat()
    data[0] ^= 0x20
    path.write_bytes(bytes(data))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _same_bytes_by_someone_else(path: Path) -> None:
    """A copy with exactly the bytes qualcode wrote (e.g. copied back from elsewhere):
    replacing it loses nothing, so it counts as the export it equals."""
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data)


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        (lambda p: None, True),  # untouched since qualcode wrote it
        (_same_bytes_by_someone_else, True),  # a new file with the very same bytes
        (lambda p: p.write_bytes(p.read_bytes() + b"x"), False),  # appended to
        (_edit_in_place_same_size, False),  # same size and mtime: the hash tells
        (lambda p: p.write_bytes(b""), False),  # emptied
        (lambda p: p.write_bytes(THEIRS), False),  # replaced by the user's own file
    ],
    ids=["untouched", "same-bytes", "appended", "same-size-edit", "emptied", "theirs"],
)
def test_what_counts_as_our_earlier_export(
    tmp_path: Path, change: Callable[[Path], object], replaced: bool
) -> None:
    target = tmp_path / "out.csv"
    write_file(target, "a,b\n1,2\n")
    change(target)
    before = snapshot(target)
    if replaced:
        write_file(target, "a,b\n3,4\n")
        assert target.read_bytes() == b"a,b\n3,4\n"
    else:
        with pytest.raises(NotOursError, match="remove it or choose another name"):
            write_file(target, "a,b\n3,4\n")
        assert snapshot(target) == before
    assert leftovers(tmp_path) == []


def test_a_refused_export_is_written_once_the_file_is_removed(tmp_path: Path) -> None:
    """What the message advises (also for a file from a qualcode before the ledger)."""
    target = tmp_path / "notes.txt"
    target.write_bytes(THEIRS)
    with pytest.raises(NotOursError):
        write_file(target, "report")
    target.unlink()
    write_file(target, "report")
    write_file(target, "report, again")  # and it is ours from now on
    assert target.read_text() == "report, again"


def test_a_link_to_our_export_is_written_through_and_to_theirs_refused(tmp_path: Path) -> None:
    """The ledger names the real file: an export through a link to our earlier export
    replaces it (the link stays); a link to someone else's file is refused."""
    (tmp_path / "exports").mkdir()
    real = earlier_export(tmp_path / "exports" / "matrix.csv")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    link_before = snapshot(link)
    write_file(link, "through the link\n")
    assert real.read_text() == "through the link\n"
    assert snapshot(link) == link_before
    write_file(real, "by its own name\n")  # the entry the link wrote is the real file's
    assert real.read_text() == "by its own name\n"
    mine = tmp_path / "mine.txt"
    mine.write_bytes(THEIRS)
    (tmp_path / "to-mine.txt").symlink_to(mine)
    with pytest.raises(NotOursError, match=r"to-mine\.txt"):
        write_file(tmp_path / "to-mine.txt", "export")
    assert mine.read_bytes() == THEIRS
    assert set(_ledger()) >= {real_key(real)}
    assert real_key(link) == real_key(real)


def test_a_relative_name_is_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_file("out.md", "# one\n")
    write_file(tmp_path / "out.md", "# two\n")
    write_file(Path("..", tmp_path.name, "out.md"), "# three\n")
    assert (tmp_path / "out.md").read_text() == "# three\n"


def _ledger() -> dict[str, list[object]]:
    raw = json.loads(ledger_path().read_text(encoding="ascii"))
    return {entry[0]: entry[1:] for entry in raw["files"]}


def _pipe(path: Path) -> Path:
    path.unlink()
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"\x00\xff not json"),  # garbage
        lambda p: p.write_text('{"qualcode-written-files": 1, "files": [["/x", 1'),  # cut short
        lambda p: p.write_text('{"qualcode-written-files": 99, "files": []}'),  # newer format
        lambda p: p.write_text('["not", "a", "ledger"]'),  # another shape
        # an entry with a negative size and a short hash
        lambda p: p.write_text('{"qualcode-written-files": 1, "files": [["/x", -1, "0"]]}'),
        lambda p: (p.unlink(), p.mkdir()),  # a folder in its place
        _pipe,  # a named pipe: must not hang the export
        lambda p: p.write_bytes(b" " * (written_files.LEDGER_BYTES + 1)),  # oversized
    ],
    ids=["garbage", "cut-short", "newer", "shape", "bad-entry", "folder", "fifo", "huge"],
)
def test_a_damaged_ledger_reads_as_empty_and_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[Path], object]
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "state" / "config.json"))
    (tmp_path / "state").mkdir()
    export = earlier_export(tmp_path / "out.json", b"{}\n")
    damage(ledger_path())
    with pytest.raises(NotOursError):  # forgotten: the safe way, refused
        write_file(export, "[]\n")
    assert export.read_bytes() == b"{}\n"
    if ledger_path().is_file():
        fresh = earlier_export(tmp_path / "new.json")  # a new export rebuilds the ledger
        write_file(fresh, "[]\n")
        assert fresh.read_text() == "[]\n"


def test_no_ledger_folder_still_writes_the_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A settings folder that does not exist (QUALCODE_CONFIG names one) is not made:
    exports are written, just never replaced."""
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "nowhere" / "config.json"))
    target = tmp_path / "out.csv"
    write_file(target, "x\n")
    assert target.read_text() == "x\n"
    with pytest.raises(NotOursError):
        write_file(target, "y\n")
    assert not (tmp_path / "nowhere").exists()


def test_the_ledger_keeps_the_newest_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config.json"))
    monkeypatch.setattr(written_files, "LIMIT", 3)
    paths = [tmp_path / f"out-{n}.csv" for n in range(5)]
    for path in paths:
        write_file(path, path.name)
    write_file(paths[2], "again")  # rewriting one makes it the newest
    assert list(_ledger()) == [real_key(p) for p in (paths[3], paths[4], paths[2])]
    assert [is_ours(p) for p in paths] == [False, False, True, True, True]


# Each child writes its share of exports as fast as it can, all at once.
WRITER = """
import sys
from qualcode.files.writing import write_file
folder, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for n in range(count):
    write_file(f"{folder}/{who}-{n}.csv", f"{who},{n}\\n")
"""


def test_exports_from_several_processes_are_all_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config.json"))
    count, children = 25, ("anna", "bo", "cleo")
    started = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), who, str(count)])
        for who in children
    ]
    assert [child.wait(timeout=60) for child in started] == [0] * len(children)
    written = [tmp_path / f"{who}-{n}.csv" for who in children for n in range(count)]
    assert set(_ledger()) == {real_key(p) for p in written}  # none lost, none damaged
    assert all(is_ours(p) for p in written)
    assert leftovers(tmp_path) == []


def test_the_settings_file_is_replaced_even_when_edited_by_hand(tmp_path: Path) -> None:
    """config.json is qualcode's own file, which the user may edit: saving the settings
    replaces it whatever it holds (Existing.SETTINGS), and it is not an export."""
    path = tmp_path / "config.json"
    path.write_text('{"keymap": {"history.undo": "ctrl+u"}}\n')  # edited by hand
    config = load_config(path)
    config.theme = "textual-light"
    save_config(config, path)
    assert load_config(path) == UserConfig({}, {"history.undo": "ctrl+u"}, "textual-light")
    assert real_key(path) not in (_ledger() if ledger_path().is_file() else {})
    with pytest.raises(NotOursError):  # as an export's target it is not ours
        write_file(path, "{}", Existing.REPLACE)


def test_the_ledger_is_beside_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "mine.json"))
    assert ledger_path() == tmp_path / LEDGER_NAME


def test_a_ledger_held_too_long_loses_the_entry_not_the_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another qualcode holding the ledger's lock past the wait: the export is written
    all the same, only not recorded — so the next export to that name is refused."""
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "config.json"))
    monkeypatch.setattr(written_files, "LOCK_WAIT_S", 0.05)
    target = tmp_path / "out.csv"
    with (tmp_path / written_files.LOCK_NAME).open("wb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        write_file(target, "written\n")
    assert target.read_text() == "written\n"
    assert not is_ours(target)
    with pytest.raises(NotOursError):
        write_file(target, "again\n")


# What happens to one of three names, in any order: qualcode exports to it, the user
# edits it, deletes it, or puts another name's bytes there (a copy).
Step = tuple[str, int, int]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["export", "edit", "delete", "copy"]), st.integers(0, 2), st.integers(0, 2)
    ),
    max_size=12,
)


@settings(max_examples=examples(60))
@given(STEPS)
def test_an_export_replaces_exactly_the_bytes_qualcode_last_wrote_there(steps: list[Step]) -> None:
    """The rule as a model: an export to an existing file goes ahead exactly when the
    file holds the bytes qualcode last wrote at that name; otherwise it is refused and
    nothing changes."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(Path(folder, "config.json")))
        names = [Path(folder, f"out-{n}.csv") for n in range(3)]
        last: dict[int, bytes] = {}  # what qualcode last wrote at each name
        for number, (action, which, other) in enumerate(steps):
            path = names[which]
            if action == "export":
                content = f"export {number}\n".encode()
                allowed = not path.exists() or path.read_bytes() == last.get(which)
                before = path.read_bytes() if path.exists() else None
                try:
                    write_file(path, content)
                except NotOursError:
                    assert not allowed
                    assert path.read_bytes() == before
                else:
                    assert allowed
                    assert path.read_bytes() == content
                    last[which] = content
            elif action == "edit" and path.exists():
                path.write_bytes(path.read_bytes() + b"edited\n")
            elif action == "delete" and path.exists():
                path.unlink()
            elif action == "copy" and names[other].exists():
                path.write_bytes(names[other].read_bytes())
