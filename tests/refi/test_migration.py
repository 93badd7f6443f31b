"""Migration 3: REFI-QDA identities (guid columns) on a version-2 project."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qualcode.storage import migrations
from qualcode.storage.database import open_project

GUID_TABLES = ("coder", "transcript", "case", "attribute", "code", "coding", "memo")


def _make_version_2_project(path: Path) -> None:
    """A project as qualcode wrote it before migration 3: no guid columns, version 2."""
    open_project(path, create=True).close()
    raw = sqlite3.connect(path)
    for table in GUID_TABLES:
        raw.execute(f'DROP INDEX "ix_{table}_guid"')
        raw.execute(f'ALTER TABLE "{table}" DROP COLUMN guid')
    raw.execute("UPDATE schema_version SET version = 2")
    raw.execute("INSERT INTO coder (name) VALUES ('anna')")
    raw.execute("INSERT INTO \"case\" (name) VALUES ('Family 01')")
    raw.commit()
    raw.close()


def _columns(raw: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in raw.execute(f'PRAGMA table_info("{table}")')}


def test_version_2_project_gains_unique_guid_columns_and_keeps_its_rows(
    project_path: Path,
) -> None:
    _make_version_2_project(project_path)
    raw = sqlite3.connect(project_path)
    assert all("guid" not in _columns(raw, table) for table in GUID_TABLES)
    raw.close()

    open_project(project_path).close()

    raw = sqlite3.connect(project_path)
    for table in GUID_TABLES:
        assert "guid" in _columns(raw, table), table
        index_sql = raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
            (f"ix_{table}_guid",),
        ).fetchone()
        assert index_sql is not None, table
        assert "UNIQUE" in index_sql[0], table
    assert raw.execute("SELECT name, guid FROM coder").fetchall() == [("anna", None)]
    assert raw.execute('SELECT name FROM "case"').fetchall() == [("Family 01",)]
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (
        migrations.CURRENT_VERSION,
    )
    # Unique, yet any number of rows may still be without an identity.
    raw.execute("INSERT INTO coder (name) VALUES ('bo')")
    guid = "0b8f3a52-3c1e-4b8e-9a57-2f0c1f7a9d10"
    raw.execute("UPDATE coder SET guid = ? WHERE name = 'anna'", (guid,))
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("UPDATE coder SET guid = ? WHERE name = 'bo'", (guid,))
    raw.close()


def test_current_schema_has_the_same_guid_indexes_as_a_migrated_one(tmp_path: Path) -> None:
    fresh, migrated = tmp_path / "fresh.qualcode", tmp_path / "migrated.qualcode"
    open_project(fresh, create=True).close()
    _make_version_2_project(migrated)
    open_project(migrated).close()

    def guid_indexes(path: Path) -> set[tuple[str, str]]:
        raw = sqlite3.connect(path)
        rows = raw.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND name LIKE 'ix_%_guid'"
        ).fetchall()
        raw.close()
        return set(rows)

    assert guid_indexes(fresh) == guid_indexes(migrated)
    # the seven identified tables, and named sets (made with their index from version 6)
    assert len(guid_indexes(fresh)) == len(GUID_TABLES) + 1


def test_version_4_project_gains_headings_sets_and_source_values(project_path: Path) -> None:
    """Migration 6: every existing code stays codable; attributes gain an empty
    description; the set and transcript-value tables appear; rows are kept."""
    open_project(project_path, create=True).close()
    raw = sqlite3.connect(project_path)
    for table in ("named_set_member", "named_set", "transcript_attribute"):
        raw.execute(f'DROP TABLE "{table}"')
    raw.execute("ALTER TABLE code DROP COLUMN codable")
    raw.execute("ALTER TABLE attribute DROP COLUMN description")
    raw.execute("UPDATE schema_version SET version = 4")
    raw.execute("INSERT INTO code (name, position, keywords) VALUES ('tillid', 0, '[]')")
    raw.execute("INSERT INTO attribute (name, value_type, levels) VALUES ('alder', 'number', '[]')")
    raw.commit()
    raw.close()

    open_project(project_path).close()

    raw = sqlite3.connect(project_path)
    assert raw.execute("SELECT name, codable FROM code").fetchall() == [("tillid", 1)]
    assert raw.execute("SELECT name, description FROM attribute").fetchall() == [("alder", None)]
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"named_set", "named_set_member", "transcript_attribute"} <= tables
    assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (
        migrations.CURRENT_VERSION,
    )
    raw.close()
