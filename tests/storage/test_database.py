"""Opening projects: SQLite pragmas, refusal of foreign files, transactions, versions."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import Connection

from qualcode.domain.errors import FileAccessError, ProjectError
from qualcode.domain.transcripts import TranscriptDraft
from qualcode.storage import migrations
from qualcode.storage.database import engine_of, open_project
from qualcode.storage.sqlite_file import QUALCODE_APPLICATION_ID


def test_new_project_is_a_wal_sqlite_file_with_our_application_id(project_path: Path) -> None:
    open_project(project_path, create=True).close()
    raw = sqlite3.connect(project_path)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert raw.execute("PRAGMA application_id").fetchone() == (QUALCODE_APPLICATION_ID,)
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (
        migrations.CURRENT_VERSION,
    )
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    expected = {"coder", "transcript", "turn", "case", "case_attribute", "case_assignment"}
    assert expected | {"code", "coding", "memo", "event_log", "attribute"} <= tables


def test_connections_enforce_foreign_keys_and_busy_timeout(project_path: Path) -> None:
    project = open_project(project_path, create=True)
    with engine_of(project).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_init_refuses_an_existing_file(project_path: Path) -> None:
    open_project(project_path, create=True).close()
    # the one writer's check for a new file (qualcode.files.writing.check_new_file)
    with pytest.raises(FileAccessError, match="already exists"):
        open_project(project_path, create=True)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a qualcode project"),  # empty file
        (b"hello, this is a text file" * 10, "not a SQLite database"),  # plain text
        (None, "no such project"),  # missing
    ],
)
def test_open_refuses_what_is_not_a_project(
    project_path: Path, content: bytes | None, reason: str
) -> None:
    if content is not None:
        project_path.write_bytes(content)
    with pytest.raises(ProjectError, match=reason):
        open_project(project_path)


def test_open_refuses_another_programs_sqlite_database(project_path: Path) -> None:
    other = sqlite3.connect(project_path)
    other.execute("CREATE TABLE notes (x)")
    other.commit()
    other.close()
    with pytest.raises(ProjectError, match="another program"):
        open_project(project_path)


def test_failed_transaction_leaves_database_exactly_as_before(project_path: Path) -> None:
    project = open_project(project_path, create=True)
    draft = TranscriptDraft("t1", "Interviewer: hello", (), "t1.txt", "utf-8")
    with project.unit_of_work() as uow:
        uow.transcripts.add(draft)
    before = project_path.read_bytes()

    def crash_mid_action() -> None:
        with project.unit_of_work() as uow:
            uow.transcripts.add(TranscriptDraft("t2", "more", (), "t2.txt", "utf-8"))
            raise RuntimeError("simulated crash mid-action")

    with pytest.raises(RuntimeError):
        crash_mid_action()
    with project.reading() as uow:
        assert uow.transcripts.names() == ["t1"]
    project.close()
    assert sqlite3.connect(project_path).execute("SELECT count(*) FROM transcript").fetchone() == (
        1,
    )
    assert before  # the file existed throughout


def test_read_only_file_can_be_read_but_not_written(project_path: Path) -> None:
    project = open_project(project_path, create=True)
    with project.unit_of_work() as uow:
        uow.coders.ensure("anna")
    project.close()
    project_path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        opened = open_project(project_path)
        with opened.reading() as uow:
            assert uow.coders.ids() == {"anna": 1}
        with pytest.raises(ProjectError, match="read-only"), opened.unit_of_work() as uow:
            uow.coders.ensure("bo")
    finally:
        project_path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_project_from_a_newer_qualcode_is_refused(project_path: Path) -> None:
    open_project(project_path, create=True).close()
    raw = sqlite3.connect(project_path)
    raw.execute(
        "INSERT INTO schema_version (version) VALUES (?)", (migrations.CURRENT_VERSION + 1,)
    )
    raw.commit()
    raw.close()
    with pytest.raises(ProjectError, match="newer qualcode"):
        open_project(project_path)


def test_pending_migrations_run_in_order(
    project_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_project(project_path, create=True).close()
    ran: list[int] = []

    current = migrations.CURRENT_VERSION

    def add_colour_column(connection: Connection) -> None:
        connection.exec_driver_sql("ALTER TABLE coder ADD COLUMN colour TEXT")
        ran.append(current + 1)

    def record_only(_: Connection) -> None:
        ran.append(current + 2)

    # A real later migration: adds a column, then records itself.
    monkeypatch.setattr(
        migrations,
        "MIGRATIONS",
        [*migrations.MIGRATIONS, add_colour_column, record_only],
    )
    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 2)
    open_project(project_path).close()
    assert ran == [current + 1, current + 2]
    raw = sqlite3.connect(project_path)
    versions = [r[0] for r in raw.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [current, current + 1, current + 2]
    assert "colour" in {r[1] for r in raw.execute("PRAGMA table_info(coder)")}


def test_version_1_project_is_upgraded_to_current(project_path: Path) -> None:
    """A project made before migration 2 gains its tables and keeps its data."""
    open_project(project_path, create=True).close()
    raw = sqlite3.connect(project_path)
    for table in ("transcript_status", "framework_summary", "setting"):
        raw.execute(f"DROP TABLE {table}")
    raw.execute("UPDATE schema_version SET version = 1")
    raw.execute("INSERT INTO coder (name) VALUES ('anna')")
    raw.commit()
    raw.close()
    project = open_project(project_path)
    with project.reading() as uow:
        assert uow.coders.ids() == {"anna": 1}
    project.close()
    raw = sqlite3.connect(project_path)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"transcript_status", "framework_summary", "setting"} <= tables
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (
        migrations.CURRENT_VERSION,
    )
