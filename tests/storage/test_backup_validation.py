"""A backup given to `qualcode init --from` is checked whole before any row is written:
each broken shape is one line naming the backup, the table and the row, exit 1, no
IntegrityError or SQL, and no new project left behind."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_bad_input import one_line_error
from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli

Tables = dict[str, Any]
Break = Callable[[Tables], None]


def _cell(tables: Tables, table: str, row: int, column: str) -> tuple[list[Any], int]:
    """The row (a list) and the index of ``column`` in it."""
    content = tables[table]
    return content["rows"][row], content["columns"].index(column)


def _set(table: str, row: int, column: str, value: object) -> Break:
    def change(tables: Tables) -> None:
        cells, index = _cell(tables, table, row, column)
        cells[index] = value

    return change


def _code_cycle(tables: Tables) -> None:
    # "helpful contact" (a child of "positive") becomes the parent of "positive"
    rows, columns = tables["code"]["rows"], tables["code"]["columns"]
    key, parent = columns.index("id"), columns.index("parent_id")
    child = next(r for r in rows if r[parent] is not None)
    top = next(r for r in rows if r[key] == child[parent])
    top[parent] = child[key]


def _duplicate_coder(tables: Tables) -> None:
    rows = tables["coder"]["rows"]
    rows.append([rows[0][0] + 1, rows[0][1], None])  # a second "anna"


def _duplicate_id(tables: Tables) -> None:
    rows = tables["turn"]["rows"]
    rows[1][0] = rows[0][0]


def _short_row(tables: Tables) -> None:
    tables["coding"]["rows"][0].pop()


# (id, how the backup is broken, words the one line must hold)
SHAPES: list[tuple[str, Break, str]] = [
    ("orphan-coding", _set("coding", 0, "transcript_id", 999), "transcript_id 999 refers to no"),
    ("orphan-code", _set("coding", 0, "code_id", 77), "code_id 77 refers to no row of 'code'"),
    ("span-outside", _set("coding", 0, "end_offset", 10**6), "out of range"),
    ("span-reversed", _set("turn", 2, "start_offset", 10**4), "'turn', row 3"),
    ("code-cycle", _code_cycle, "form a cycle"),
    ("id-2**70", _set("coding", 0, "id", 2**70), "outside the 64-bit integer range"),
    ("wrong-type", _set("coding", 0, "start_offset", "ten"), "must be a whole number"),
    ("bool-as-id", _set("coder", 0, "id", True), "must be a whole number"),
    ("text-as-number", _set("transcript", 0, "name", 42), "must be text"),
    ("required-null", _set("transcript", 0, "text", None), "text is missing"),
    ("bad-time", _set("coding", 0, "created_at", "yesterday"), "is not a time"),
    ("duplicate-id", _duplicate_id, "already used by row 1"),
    ("unique-clash", _duplicate_coder, "name 'anna' is already used"),
    ("short-row", _short_row, "does not fit"),
]


@pytest.fixture(scope="module")
def backup_document(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("backup")
    project = folder / "study.qualcode"
    run = Cli()
    run("init", project)
    run("import", project, TRANSCRIPTS / "parent-01-en.txt")
    run("codebook", project, "import", CODEBOOKS / "minimal.yaml")
    run("code", project, "parent-01-en", "positive", "--coder", "anna", "--span", "0:40")
    run("backup", project, folder / "good.json", "--json")
    return (folder / "good.json").read_text(encoding="utf-8")


def test_the_unbroken_backup_restores(backup_document: str, tmp_path: Path, run: Cli) -> None:
    good = tmp_path / "good.json"
    good.write_text(backup_document, encoding="utf-8")
    assert "1 codings" in run("init", tmp_path / "new.qualcode", "--from", good).stdout


@pytest.mark.parametrize(("shape", "damage", "words"), SHAPES, ids=[s[0] for s in SHAPES])
def test_a_broken_json_backup_is_refused_before_writing(
    backup_document: str, tmp_path: Path, run: Cli, shape: str, damage: Break, words: str
) -> None:
    document = json.loads(backup_document)
    damage(document["tables"])
    bad = tmp_path / f"{shape}.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    target = tmp_path / "new.qualcode"
    line = one_line_error(run("init", target, "--from", bad, expect=1).stderr)
    assert str(bad) in line
    assert words in line
    assert "table '" in line or "does not fit" in line
    for leaked in ("IntegrityError", "INSERT", "constraint", "sqlite3"):
        assert leaked not in line
    assert not target.exists()
    assert not Path(f"{target}-wal").exists()


def test_a_broken_sqlite_backup_is_refused_too(
    backup_document: str, tmp_path: Path, run: Cli
) -> None:
    """A project file whose rows were changed behind qualcode's back (foreign keys off)."""
    good = tmp_path / "good.json"
    good.write_text(backup_document, encoding="utf-8")
    copy = tmp_path / "copy.qualcode"
    run("init", copy, "--from", good)
    with closing(sqlite3.connect(copy)) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("UPDATE coding SET coder_id = 55")
        connection.commit()
    target = tmp_path / "new.qualcode"
    line = one_line_error(run("init", target, "--from", copy, expect=1).stderr)
    assert "table 'coding', row 1" in line
    assert "coder_id 55 refers to no row of 'coder'" in line
    assert not target.exists()
