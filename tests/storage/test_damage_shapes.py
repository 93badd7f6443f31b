"""Damaged projects, made by raw SQL behind qualcode's back: `qualcode check` lists every
shape (exit 1, no traceback), and the commands that count, compare or copy a project
refuse it in one line pointing to `qualcode check`, leaving the file as it was."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from qualcode.services.integrity import parent_loops
from tests.cli.test_bad_input import dump
from tests.conftest import Cli


def without_not_null(connection: sqlite3.Connection, table: str, column: str) -> None:
    """Rewrite ``table``'s stored schema so ``column`` accepts NULL (as an old or foreign
    tool could have made it)."""
    (sql,) = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    changed = re.sub(rf"(\b{column} \w+(\(\d+\))?) NOT NULL", r"\1", sql)
    assert changed != sql
    connection.execute("PRAGMA writable_schema = ON")
    connection.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (changed, table))
    connection.execute("PRAGMA writable_schema = OFF")


def damage(path: Path, statements: list[str], nullable: tuple[str, str] | None = None) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        if nullable:
            without_not_null(connection, *nullable)
            connection.close()
            connection = sqlite3.connect(path, isolation_level=None)
        for statement in statements:
            connection.execute(statement)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


FIRST_CODED = "(SELECT {column} FROM coding ORDER BY id LIMIT 1)"
CODED_TRANSCRIPT = FIRST_CODED.format(column="transcript_id")
NO_KEYS = "PRAGMA foreign_keys = OFF"
NO_CHECKS = "PRAGMA ignore_check_constraints = ON"
BAD_KEYWORDS = "UPDATE code SET keywords = '[oops' WHERE id = 1"  # not JSON

# (statements, a NOT NULL column to drop first, what `check` must say)
SHAPES: dict[str, tuple[list[str], tuple[str, str] | None, str]] = {
    # codings whose transcript was deleted with foreign keys off
    "orphan-transcript": (
        [
            NO_KEYS,
            "DELETE FROM transcript WHERE id = " + FIRST_CODED.format(column="transcript_id"),
        ],
        None,
        "foreign key: ",
    ),
    # codings whose code was deleted with foreign keys off
    "orphan-code": (
        [NO_KEYS, "DELETE FROM code WHERE id = " + FIRST_CODED.format(column="code_id")],
        None,
        "coding row(s) name a missing code in code_id",
    ),
    # SQLite keeps 'abc' in an INTEGER column
    "text-offset": (
        ["UPDATE coding SET end_offset = 'abc' WHERE id = 1"],
        None,
        "value: 1 coding row(s) with end_offset not a whole number (ids 1)",
    ),
    # a text where a start offset belongs, past the span order check
    "text-start": (
        [NO_CHECKS, "UPDATE coding SET start_offset = 'abc' WHERE id = 1"],
        None,
        "value: 1 coding row(s) with start_offset not a whole number (ids 1)",
    ),
    # a fraction where a whole number belongs
    "real-offset": (
        ["UPDATE turn SET end_offset = end_offset + 0.5 WHERE id = 1"],
        None,
        "value: 1 turn row(s) with end_offset not a whole number (ids 1)",
    ),
    # a NULL passage text
    "null-anchor": (
        ["UPDATE coding SET anchor_text = NULL WHERE id = 1"],
        ("coding", "anchor_text"),
        "value: 1 coding row(s) with anchor_text NULL (ids 1)",
    ),
    # a NULL transcript text
    "null-text": (
        ["UPDATE transcript SET text = NULL WHERE id = 1"],
        ("transcript", "text"),
        "value: 1 transcript row(s) with text NULL (ids 1)",
    ),
    # a code without a name
    "null-name": (
        ["UPDATE code SET name = NULL WHERE id = 1"],
        ("code", "name"),
        "value: 1 code row(s) with name NULL (ids 1)",
    ),
    # two codes each other's parent
    "code-cycle": (
        [
            "UPDATE code SET parent_id = (SELECT min(id) FROM code c WHERE c.parent_id = 1) "
            "WHERE id = 1"
        ],
        None,
        "codebook: codes 1 → ",
    ),
    # a code its own parent
    "own-parent": (
        ["UPDATE code SET parent_id = id WHERE id = 1"],
        None,
        "codebook: codes 1 → 1 form a loop of parents",
    ),
    # a span past the end of its text
    "span-outside": (
        ["UPDATE coding SET end_offset = 99999 WHERE id = 1"],
        None,
        "coding: coding 1 in ",
    ),
    # a span that ends before it starts
    "span-reversed": (
        [NO_CHECKS, "UPDATE coding SET start_offset = end_offset + 5 WHERE id = 1"],
        None,
        "is reversed (end before start)",
    ),
    # an event naming one coding twice
    "event-duplicate-ids": (
        [
            "INSERT INTO event_log (at, coder, action, summary, payload, undone) VALUES "
            "(CURRENT_TIMESTAMP, 'anna', 'apply_batch', 'x', "
            '\'{"codings": [{"id": 1}, {"id": 1}]}\', 0)'
        ],
        None,
        "(apply_batch): names coding(s) 1 twice",
    ),
    # an event payload that is not JSON
    "event-bad-json": (
        ["UPDATE event_log SET payload = '{not json' WHERE id = 1"],
        None,
        "payload is not valid JSON",
    ),
    # a codebook field that is not JSON
    "keywords-bad-json": (
        [BAD_KEYWORDS],
        None,
        "value: 1 code row(s) with keywords not valid JSON (ids 1)",
    ),
    # a time that is no time
    "bad-date": (
        ["UPDATE coding SET created_at = 'yesterday' WHERE id = 1"],
        None,
        "value: 1 coding row(s) with created_at not a date and time (ids 1)",
    ),
    # bytes where a name belongs
    "blob-name": (
        ["UPDATE transcript SET name = x'00ff' WHERE id = 1"],
        None,
        "value: 1 transcript row(s) with name not text (ids 1)",
    ),
    # a table dropped
    "missing-table": ([NO_KEYS, "DROP TABLE memo"], None, "schema: table memo is missing"),
    # the codings table dropped
    "missing-codings": ([NO_KEYS, "DROP TABLE coding"], None, "schema: table coding is missing"),
}
SHAPE_IDS = list(SHAPES)


@pytest.mark.parametrize("shape", SHAPE_IDS)
def test_check_lists_every_shape_without_crashing(demo_path: Path, run: Cli, shape: str) -> None:
    statements, nullable, expected = SHAPES[shape]
    damage(demo_path, statements, nullable)
    result = run("check", demo_path, expect=1)
    assert expected in result.stdout, result.stdout
    assert result.stderr.endswith(f"problem(s) found in {demo_path}\n")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr


# The event log is read by `check` only; the counting commands need not refuse it.
COUNTED_SHAPES = [s for s in SHAPE_IDS if not s.startswith("event-")]


def refused(location: Path, stderr: str) -> bool:
    """Whether ``stderr`` is the one line refusing the damaged project at ``location``."""
    head = f"Error: {location}: the project is damaged ("
    tail = f"); nothing was computed — run `qualcode check {location}` for the full list\n"
    return stderr.startswith(head) and stderr.endswith(tail) and stderr.count("\n") == 1


@pytest.mark.parametrize("shape", COUNTED_SHAPES)
def test_counting_commands_refuse_a_damaged_project(
    demo_path: Path, demo_template: Path, tmp_path: Path, run: Cli, shape: str
) -> None:
    statements, nullable, _ = SHAPES[shape]
    damage(demo_path, statements, nullable)
    before = dump(demo_path)
    other = tmp_path / "other.qualcode"
    other.write_bytes(demo_template.read_bytes())
    same_coders = ("--rename-coder", "anna=anna", "--rename-coder", "bo=bo")
    commands = [
        ("matrix", demo_path),
        ("cooccurrence", demo_path),
        ("agreement", demo_path, "--coders", "anna", "bo"),
        ("export", demo_path, "--format", "qdpx", "-o", tmp_path / "out.qdpx"),
        ("report", demo_path, "--code", "continuity", "-o", tmp_path / "report.md"),
        ("merge", demo_path, other, "--dry-run", *same_coders),  # damaged target
        ("merge", other, demo_path, "--dry-run", *same_coders),  # damaged source
    ]
    for command in commands:
        result = run(*command, expect=1)
        assert result.stdout == "", command
        assert refused(demo_path, result.stderr), (command, result.stderr)
    assert dump(demo_path) == before
    assert not (tmp_path / "out.qdpx").exists()
    assert not (tmp_path / "report.md").exists()


def test_a_sound_project_is_not_refused(demo_path: Path, run: Cli) -> None:
    assert run("matrix", demo_path).stdout
    assert run("check", demo_path).stdout.endswith(": no problems\n")


@pytest.mark.parametrize(
    ("parents", "loops"),
    [
        ({1: None, 2: 1, 3: 2}, []),  # a tree
        ({1: 1}, [[1, 1]]),  # its own parent
        ({1: 2, 2: 1, 3: 1}, [[1, 2, 1]]),  # two codes, and a child hanging off the loop
        ({5: 7, 7: 6, 6: 5, 9: None}, [[5, 7, 6, 5]]),  # started from the smallest id
        ({1: 2, 2: 1, 3: 4, 4: 3}, [[1, 2, 1], [3, 4, 3]]),  # two loops
        ({1: 99}, []),  # a missing parent ends the chain (a foreign-key problem)
    ],
    ids=["tree", "self", "pair", "three", "two-loops", "missing-parent"],
)
def test_parent_loops(parents: dict[object, object], loops: list[list[object]]) -> None:
    assert parent_loops(parents) == loops
