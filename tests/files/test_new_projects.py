"""Commands that create a project file — init, init --from, import-project into a new
project, demo --path — never take a name that holds something else: one line, exit 1,
and what was there is exactly as it was (a project keeps every row)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli
from tests.files.targets import leftovers, settled

Make = Callable[[Path, Path], Path]
Args = Callable[[Path, Path], list[str | Path]]


def _fifo(tmp: Path, _: Path) -> Path:
    os.mkfifo(tmp / "pipe.qualcode")
    return tmp / "pipe.qualcode"


def _folder(tmp: Path, _: Path) -> Path:
    (tmp / "folder.qualcode").mkdir()
    return tmp / "folder.qualcode"


def _dangling(tmp: Path, _: Path) -> Path:
    (tmp / "link.qualcode").symlink_to(tmp / "nowhere.qualcode")
    return tmp / "link.qualcode"


def _notes(tmp: Path, _: Path) -> Path:
    (tmp / "notes.qualcode").write_text("a researcher's notes\n", encoding="utf-8")
    return tmp / "notes.qualcode"


TARGETS: list[tuple[str, Make, str]] = [
    ("dev-null", lambda tmp, study: Path(os.devnull), os.devnull),  # a device
    ("fifo", _fifo, "named pipe"),  # opening it for SQLite would wait forever
    ("folder", _folder, "folder"),  # a folder
    ("dangling-link", _dangling, "symbolic link"),  # SQLite would create its target
    ("someones-file", _notes, "notes.qualcode"),  # a file that is not a project
    ("a-project", lambda tmp, study: study, "study.qualcode"),  # a project with codings
    ("missing-folder", lambda tmp, study: tmp / "gone" / "new.qualcode", "does not exist"),
]
COMMANDS: list[tuple[str, Args]] = [
    ("init", lambda new, study: ["init", new]),
    ("init-from", lambda new, study: ["init", new, "--from", study]),
    ("import-project", lambda new, study: ["import-project", new, study.with_suffix(".qdpx")]),
    ("demo", lambda new, study: ["demo", "--path", new, "--no-open"]),
]


@pytest.mark.parametrize("args", [c[1] for c in COMMANDS], ids=[c[0] for c in COMMANDS])
@pytest.mark.parametrize(("make", "phrase"), [t[1:] for t in TARGETS], ids=[t[0] for t in TARGETS])
def test_a_new_project_never_takes_an_occupied_name(
    study: Path, tmp_path: Path, run: Cli, make: Make, phrase: str, args: Args
) -> None:
    run("export", study, "--format", "qdpx", "-o", study.with_suffix(".qdpx"))
    target = make(tmp_path, study)
    before = settled(target)
    rows = dump(study)
    result = run(*args(target, study), expect=1)
    assert phrase in one_line_error(result.stderr)
    assert settled(target) == before
    assert dump(study) == rows
    assert leftovers(tmp_path, study.parent) == []
    assert not (tmp_path / "nowhere.qualcode").exists()
