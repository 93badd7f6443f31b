"""Backups: SQLite's online backup API (consistent while coders write), JSON backups of
any backend that `qualcode init --from` restores on either backend, and the copy written
beside a project before its schema is upgraded."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from qualcode.domain.spans import Span
from qualcode.services.coding import apply_code
from qualcode.services.maintenance import check_project
from qualcode.services.project import Project, open_project
from qualcode.storage import migrations
from qualcode.storage.database import engine_of
from qualcode.storage.dump import TableRows, iter_rows, read_json_backup
from tests.conftest import Cli
from tests.team.conftest import TRANSCRIPT


def all_rows(project: Project) -> dict[str, TableRows]:
    with engine_of(project).connect() as connection:
        return {table.name: table for table in iter_rows(connection)}


def same_rows_but_the_restore_event(source: Project, restored: Project) -> None:
    before, after = all_rows(source), all_rows(restored)
    assert before.keys() == after.keys()
    for name, table in before.items():
        rows = list(after[name].rows)
        if name == "event_log":
            assert rows[-1][3] == "restore"  # columns: id, at, coder, action, ...
            rows = rows[:-1]
        assert (table.columns, [list(r) for r in table.rows]) == (
            after[name].columns,
            [list(r) for r in rows],
        ), name


def test_sqlite_backup_is_a_consistent_snapshot_while_a_coder_writes(
    tmp_path: Path, run: Cli, coded: Project
) -> None:
    if not coded.is_sqlite:
        pytest.skip("the online backup API is SQLite's; PostgreSQL gets a JSON backup")
    stop = threading.Event()
    written: list[int] = []

    def keep_coding() -> None:
        writer = open_project(coded.location)
        number = 0
        while not stop.is_set() or number < 20:
            apply_code(writer, TRANSCRIPT, "openness", "carl", span=Span(number, number + 30))
            written.append(number)
            number += 1
        writer.close()

    coder = threading.Thread(target=keep_coding)
    coder.start()
    try:
        while len(written) < 10:  # the backup starts while codings are being added
            threading.Event().wait(0.01)
        copies = [tmp_path / f"copy-{n}.qualcode" for n in range(3)]
        for copy in copies:
            run("backup", coded.location, copy)
    finally:
        stop.set()
        coder.join()
    for copy in copies:
        restored = open_project(copy)
        report = check_project(restored)
        with restored.reading() as uow:
            codings = uow.settings.counts().codings
            applies = sum(event.action == "apply" for event in uow.events.iter_all())
        restored.close()
        assert report.problems == ()
        assert codings == applies  # every coding with its event, nothing half-written
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_json_backup_of_either_backend_restores_every_row(
    tmp_path: Path, run: Cli, coded: Project
) -> None:
    dump = tmp_path / "backup.json"
    result = run("backup", coded.location, dump, "--json")
    assert result.stdout == (
        f"backed up to {dump} (json): 2 transcripts, 19 codes, 6 codings, 9 events\n"
    )
    version, _ = read_json_backup(dump)
    assert version == migrations.CURRENT_VERSION
    target = str(tmp_path / "restored.qualcode")
    result = run("init", target, "--from", dump)
    assert result.stdout == (
        f"created project {target} from {dump}: 2 transcripts, 6 codings, 9 events\n"
    )
    restored = open_project(target)
    same_rows_but_the_restore_event(coded, restored)
    assert check_project(restored).problems == ()
    # The restored project works on: ids continue after the restored ones.
    coding, _ = apply_code(restored, TRANSCRIPT, "openness", "anna", span=Span(5, 25))
    assert coding.id == 7
    restored.close()


def test_a_project_file_backup_restores_to_the_other_backend(
    tmp_path: Path, run: Cli, coded: Project, request: pytest.FixtureRequest
) -> None:
    if not coded.is_sqlite:
        pytest.skip("runs once: from a SQLite copy to PostgreSQL")
    copy = tmp_path / "copy.qualcode"
    run("backup", coded.location, copy)
    url = request.getfixturevalue("postgres_database")
    run("init", url, "--from", copy)
    restored = open_project(url)
    same_rows_but_the_restore_event(coded, restored)
    coding, _ = apply_code(restored, TRANSCRIPT, "openness", "anna", span=Span(5, 25))
    assert coding.id == 7  # the id sequences moved past the restored rows
    assert check_project(restored).problems == ()
    restored.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "something"}', "not a qualcode backup (no 'format': 'qualcode-backup')"),
        ("{broken", "not a qualcode backup: Expecting property name"),
        ("SQLite format 3\x00" + "x" * 200, "neither a qualcode backup (JSON) nor a qualcode"),
        (
            '{"format": "qualcode-backup", "schema_version": 99, "tables": {}}',
            "made by a newer qualcode (schema 99",
        ),
    ],
    ids=["other-json", "broken-json", "foreign-sqlite", "newer-schema"],
)
def test_init_from_refuses_what_is_not_a_backup(
    tmp_path: Path, run: Cli, content: str, message: str
) -> None:
    source = tmp_path / "backup.json"
    source.write_text(content, encoding="utf-8")
    target = tmp_path / "new.qualcode"
    result = run("init", target, "--from", source, expect=1)
    assert message in result.stderr
    assert result.stderr.startswith(f"Error: {source}")
    assert result.stderr.count("\n") == 1
    assert not target.exists()


def test_backup_refuses_to_overwrite(tmp_path: Path, run: Cli, coded: Project) -> None:
    taken = tmp_path / "taken.json"
    taken.write_text("keep me", encoding="utf-8")
    result = run("backup", coded.location, taken, expect=1)
    assert result.stderr == f"Error: {taken}: exists already; choose a new file name\n"
    assert taken.read_text(encoding="utf-8") == "keep me"
    missing = tmp_path / "no-such-folder" / "copy.qualcode"
    result = run("backup", coded.location, missing, expect=1)
    assert "does not exist" in result.stderr


def test_an_older_project_is_backed_up_beside_itself_before_it_is_upgraded(
    tmp_path: Path, run: Cli, coded: Project
) -> None:
    if not coded.is_sqlite:
        pytest.skip("a PostgreSQL project's backup goes to the user data folder")
    path = Path(coded.location)
    coded.close()
    raw = sqlite3.connect(path)  # as qualcode wrote it before schema 4
    raw.execute("ALTER TABLE coding DROP COLUMN review_note")
    raw.execute("UPDATE schema_version SET version = 3")
    raw.commit()
    raw.close()

    result = run("info", path)
    backup = path.with_name("study.schema-3-backup.qualcode")
    assert result.stderr == (
        f"note: {path} was upgraded from schema version 3; the project as it was is saved "
        f"in {backup}\n"
    )
    old = sqlite3.connect(backup)
    assert old.execute("SELECT max(version) FROM schema_version").fetchone() == (3,)
    assert "review_note" not in {row[1] for row in old.execute("PRAGMA table_info(coding)")}
    assert old.execute("SELECT count(*) FROM coding").fetchone() == (6,)
    old.close()
    upgraded = open_project(path)
    assert upgraded.migrated_from is None  # already current the second time
    assert check_project(upgraded).problems == ()
    upgraded.close()
    assert run("info", path).stderr == ""


def test_an_older_server_project_is_backed_up_as_json_before_it_is_upgraded(
    tmp_path: Path, run: Cli, coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    if coded.is_sqlite:
        pytest.skip("a SQLite project's backup goes beside it")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = engine_of(coded).url.render_as_string(hide_password=False)
    with engine_of(coded).begin() as connection:  # as qualcode wrote it before schema 4
        connection.exec_driver_sql("ALTER TABLE coding DROP COLUMN review_note")
        connection.exec_driver_sql("UPDATE schema_version SET version = 3")
    coded.close()

    result = run("info", url)
    backups = list((tmp_path / "data" / "qualcode" / "backups").iterdir())
    assert len(backups) == 1
    assert backups[0].name.startswith(f"{engine_of(coded).url.database}.schema-3-backup-")
    assert (
        f"was upgraded from schema version 3; the project as it was is saved in {backups[0]}"
        in (result.stderr)
    )
    version, tables = read_json_backup(backups[0])
    assert version == 3
    coding = next(t for t in tables if t.name == "coding")
    assert "review_note" not in coding.columns
    assert len(coding.rows) == 6
    # The old backup restores into a current project (the new column stays empty).
    target = tmp_path / "restored.qualcode"
    run("init", target, "--from", backups[0])
    restored = open_project(target)
    assert check_project(restored).problems == ()
    with restored.reading() as uow:
        assert uow.settings.counts().codings == 6
    restored.close()
