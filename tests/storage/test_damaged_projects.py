"""A damaged project file, or a URL qualcode cannot open, gives one line and exit 1 for
every command, never a traceback, and the file is left as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError, DataError, DBAPIError

from qualcode.storage.database import database_error
from tests.conftest import Cli

COMMANDS = [
    ("transcripts",),
    ("info",),
    ("show", "parent-01-en"),
    ("codebook",),
    ("cases",),
    ("codings",),
    ("log",),
    ("matrix",),
    ("agreement", "--coders", "anna", "bo"),
    ("code", "parent-01-en", "continuity", "--span", "0:11", "--coder", "anna"),
    ("export", "--format", "qdpx", "-o", "out.qdpx"),
]


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def invalid_utf8(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("UPDATE transcript SET text = CAST(x'49fffe20' AS TEXT), source_path = NULL")
    raw.commit()
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()


# The commands that read transcript texts.
TEXT_COMMANDS = [COMMANDS[2], *COMMANDS[-2:], ("matrix", "--measure", "words")]


@pytest.mark.parametrize(
    ("spoil", "reason", "commands"),
    [
        pytest.param(truncate, "database disk image is malformed", COMMANDS, id="cut in half"),
        pytest.param(
            invalid_utf8, "text that is not valid UTF-8", TEXT_COMMANDS, id="undecodable text"
        ),
    ],
)
def test_every_command_reports_a_damaged_project_in_one_line(
    run: Cli,
    demo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spoil: Callable[[Path], None],
    reason: str,
    commands: list[tuple[str, ...]],
) -> None:
    monkeypatch.chdir(tmp_path)
    spoil(demo_path)
    before = demo_path.read_bytes()
    for command, *rest in commands:
        result = run(command, demo_path, *rest, expect=1)
        assert result.stderr == (
            f"Error: {demo_path}: the project file is damaged ({reason}); nothing was "
            "changed — restore it from a backup (see qualcode backup)\n"
        ), command
        assert demo_path.read_bytes() == before
    assert not (tmp_path / "out.qdpx").exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("foo://server/study", "Can't load plugin: sqlalchemy.dialects:foo"),
        ("://study", "Could not parse SQLAlchemy URL from given URL string"),
    ],
)
def test_a_url_of_no_known_database_is_refused_in_one_line(run: Cli, url: str, reason: str) -> None:
    for arguments in (("init", url), ("transcripts", url), ("info", url)):
        result = run(*arguments, expect=1)
        assert result.stderr == (
            f"Error: {url}: not a database URL qualcode can open ({reason}); use a project "
            "file path or a URL such as postgresql+psycopg://user@host/database\n"
        )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            DataError("UPDATE …", {}, Exception("value too long for type character varying(300)")),
            "p.qualcode: the database refused this (value too long for type character "
            "varying(300)); nothing was changed",
        ),
        (
            DatabaseError("SELECT …", {}, Exception("database disk image is malformed")),
            "p.qualcode: the project file is damaged (database disk image is malformed); "
            "nothing was changed — restore it from a backup (see qualcode backup)",
        ),
        (
            DatabaseError("SELECT …", {}, Exception("file is not a database")),
            "postgresql://h/db: the project database is damaged (file is not a database); "
            "nothing was changed — restore it from a backup (see qualcode backup)",
        ),
    ],
)
def test_database_errors_are_told_apart(error: DBAPIError, message: str) -> None:
    location = message.split(": ")[0]
    assert str(database_error(location, error)) == message
