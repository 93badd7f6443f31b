"""Every command that reads a user-named path refuses what is not a regular file — a named
pipe, a link to a device, a folder, a socket, a missing or unreadable file — at once, in
one line, exit non-zero, with the project unchanged and no new project left behind.

The pipe, device and permission rows run the real command in a subprocess with a
timeout (a hang fails the test instead of stopping the run) — all commands of one shape in
one process, each through the real entry point; the others run in-process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from qualcode.cli import cli
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli
from tests.files.hostile import bound_socket
from tests.files.running import qualcode, qualcode_batch

_SURVEY_COLUMNS = ["--case-column", "a", "--text-column", "b"]
# (id, the command's arguments with {p} for the project, {n} for a new project and {f}
# for the hostile path; the suffix the path gets, as the command expects it)
COMMANDS: list[tuple[str, list[str], str]] = [
    ("import-txt", ["import", "{p}", "{f}"], ".txt"),
    ("import-docx", ["import", "{p}", "{f}"], ".docx"),
    ("codebook-yaml", ["codebook", "{p}", "import", "{f}"], ".yaml"),
    ("codebook-qdc", ["codebook", "{p}", "import", "{f}"], ".qdc"),
    ("cases", ["cases", "{p}", "import", "{f}"], ".csv"),
    ("codings", ["codings", "{p}", "import", "{f}"], ".csv"),
    ("anonymize-map", ["anonymize", "{p}", "--map", "{f}"], ".yaml"),
    ("transcript-replace", ["transcript", "replace", "{p}", "parent-01-en", "{f}"], ".txt"),
    ("import-project", ["import-project", "{n}", "{f}"], ".qdpx"),
    (
        "survey-csv",
        ["import-survey", "{p}", "{f}", "--case-column", "a", "--text-column", "b"],
        ".csv",
    ),
    (
        "survey-xlsx",
        ["import-survey", "{p}", "{f}", "--case-column", "a", "--text-column", "b"],
        ".xlsx",
    ),
    ("merge-qdpx", ["merge", "{p}", "{f}"], ".qdpx"),
    ("merge-project", ["merge", "{p}", "{f}"], ".qualcode"),
    ("init-from", ["init", "{n}", "--from", "{f}"], ".json"),
    ("project-itself", ["transcripts", "{f}"], ".qualcode"),
]

Make = Callable[[Path], Iterator[None]]


def _fifo(path: Path) -> Iterator[None]:
    os.mkfifo(path)  # nobody ever writes: opening it for reading would wait forever
    yield


def _dev_zero(path: Path) -> Iterator[None]:
    path.symlink_to("/dev/zero")  # endless zeros: reading it would fill memory
    yield


def _unreadable(path: Path) -> Iterator[None]:
    path.write_text("Mette: hej\n", encoding="utf-8")
    path.chmod(0)
    yield


def _folder(path: Path) -> Iterator[None]:
    path.mkdir()
    yield


def _socket(path: Path) -> Iterator[None]:
    server = bound_socket(path)
    try:
        yield
    finally:
        server.close()


def _missing(_: Path) -> Iterator[None]:
    yield


def _dangling_link(path: Path) -> Iterator[None]:
    path.symlink_to(path.with_name("nowhere"))
    yield


# (id, maker, words the one line must hold besides the file's name)
SUBPROCESS_SHAPES: list[tuple[str, Make, tuple[str, ...]]] = [
    ("fifo", _fifo, ("named pipe",)),  # would hang
    ("dev-zero-link", _dev_zero, ("character device",)),  # would read forever
    ("unreadable", _unreadable, ("not readable|permission denied",)),  # chmod 000
]
IN_PROCESS_SHAPES: list[tuple[str, Make, tuple[str, ...]]] = [
    ("folder", _folder, ("folder|directory",)),
    ("socket", _socket, ("socket",)),
    ("missing", _missing, ("no such|does not exist",)),
    ("dangling-link", _dangling_link, ("no such|does not exist",)),
]


def _ids(rows: list[tuple[str, Any, Any]]) -> list[str]:
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project (one transcript, the minimal codebook, one coding), made once."""
    path = tmp_path_factory.mktemp("template") / "study.qualcode"
    run = Cli()
    run("init", path)
    run("import", path, TRANSCRIPTS / "parent-01-en.txt")
    run("codebook", path, "import", CODEBOOKS / "minimal.yaml")
    run("code", path, "parent-01-en", "positive", "--coder", "anna", "--span", "0:40")
    return path


def _copy(template: Path, path: Path) -> Path:
    # The template is in WAL mode: copy it with SQLite's backup, not file by file.
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return path


@pytest.fixture
def study(template: Path, tmp_path: Path) -> Path:
    return _copy(template, tmp_path / "study.qualcode")


def _args(arguments: list[str], study: Path, hostile: Path) -> list[str]:
    new = study.with_name("new.qualcode")
    return [
        a.replace("{p}", str(study)).replace("{n}", str(new)).replace("{f}", str(hostile))
        for a in arguments
    ]


def _check(line: str, hostile: Path, words: tuple[str, ...]) -> None:
    assert hostile.name in line, line
    for alternatives in words:
        assert any(word in line.lower() for word in alternatives.split("|")), line


Outcome = tuple[subprocess.CompletedProcess[str], Path, Path, object]


@pytest.fixture(scope="module")
def subprocess_outcomes(
    template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dict[str, Outcome]]:
    """Per shape, every command run against its hostile path in one subprocess (made on
    first use, once per module and worker): each command gets its own copy of the study
    and its own hostile path, and the outcome, the study, the path and the study's dump
    before the run are kept for the test of that row."""
    made: dict[str, dict[str, Outcome]] = {}

    def outcomes(shape: str) -> dict[str, Outcome]:
        if shape not in made:
            make = next(row[1] for row in SUBPROCESS_SHAPES if row[0] == shape)
            runs: dict[str, tuple[Path, list[str]]] = {}
            places: dict[str, tuple[Path, Path, object]] = {}
            with ExitStack() as hold:
                for command, arguments, suffix in COMMANDS:
                    folder = tmp_path_factory.mktemp(f"{shape}-{command}")
                    study = _copy(template, folder / "study.qualcode")
                    hostile = folder / f"{shape}{suffix}"
                    hold.enter_context(contextmanager(make)(hostile))
                    runs[command] = (folder, _args(arguments, study, hostile))
                    places[command] = (study, hostile, dump(study))
                results = qualcode_batch(runs, restricted=shape == "unreadable")
            made[shape] = {key: (results[key], *places[key]) for key in runs}
        return made[shape]

    return outcomes


@pytest.mark.parametrize(("shape", "make", "words"), SUBPROCESS_SHAPES, ids=_ids(SUBPROCESS_SHAPES))
@pytest.mark.parametrize(("command", "arguments", "suffix"), COMMANDS, ids=_ids(COMMANDS))
def test_in_a_subprocess(
    subprocess_outcomes: Callable[[str], dict[str, Outcome]],
    shape: str,
    make: Make,
    words: tuple[str, ...],
    command: str,
    arguments: list[str],
    suffix: str,
) -> None:
    result, study, hostile, before = subprocess_outcomes(shape)[command]
    assert result.returncode != 0, result.stdout
    _check(one_line_error(result.stderr), hostile, words)
    assert dump(study) == before
    assert not study.with_name("new.qualcode").exists()


@pytest.mark.parametrize(("shape", "make", "words"), IN_PROCESS_SHAPES, ids=_ids(IN_PROCESS_SHAPES))
@pytest.mark.parametrize(("command", "arguments", "suffix"), COMMANDS, ids=_ids(COMMANDS))
def test_in_process(
    study: Path,
    tmp_path: Path,
    run: Cli,
    shape: str,
    make: Make,
    words: tuple[str, ...],
    command: str,
    arguments: list[str],
    suffix: str,
) -> None:
    hostile = tmp_path / f"{shape}{suffix}"
    before = dump(study)
    with contextmanager(make)(hostile):
        args = _args(arguments, study, hostile)
        result = run.runner.invoke(cli, args, catch_exceptions=False, prog_name="qualcode")
    assert result.exit_code != 0, result.stdout
    _check(one_line_error(result.stderr), hostile, words)
    assert dump(study) == before
    assert not study.with_name("new.qualcode").exists()


def test_urandom_link_is_refused_at_once(study: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "random.txt"
    hostile.symlink_to("/dev/urandom")
    result = qualcode("import", study, hostile, cwd=tmp_path, timeout=10)
    assert "random.txt: is a character device" in one_line_error(result.stderr)


def test_a_link_to_a_regular_file_is_read(study: Path, tmp_path: Path, run: Cli) -> None:
    link = tmp_path / "parent-03-da.txt"
    link.symlink_to(TRANSCRIPTS / "parent-03-da.txt")
    assert "parent-03-da: imported" in run("import", study, link).stdout


def test_a_codings_file_past_its_row_limit_is_refused(
    study: Path, tmp_path: Path, run: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Short rows could pack millions of codings into 50 MB: the row limit holds memory.
    The limit (500,000) is lowered here: the check is the same, the file 500 times smaller."""
    from qualcode.importers import codings_csv

    assert codings_csv.MAX_ROWS == 500_000
    monkeypatch.setattr(codings_csv, "MAX_ROWS", 1_000)
    MAX_ROWS = codings_csv.MAX_ROWS
    rows = tmp_path / "many.csv"
    rows.write_text(
        "transcript,code,coder,start,end\n" + "parent-01-en,positive,bo,0,9\n" * (MAX_ROWS + 1),
        encoding="utf-8",
    )
    before = dump(study)
    line = one_line_error(run("codings", study, "import", rows, expect=1).stderr)
    assert f"many.csv:{MAX_ROWS + 2}: more than {MAX_ROWS:,} codings" in line
    assert dump(study) == before
