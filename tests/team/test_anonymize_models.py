"""Saved suggestion models hold the texts' words: anonymizing deletes them and leaves no
real name anywhere in the project file's bytes; the cache keeps only a few fresh models
however many ways ``suggest`` is asked."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import event

from qualcode.domain.spans import Span
from qualcode.domain.suggestions import UnitKind
from qualcode.services.anonymize import anonymize_project
from qualcode.services.coding import apply_code
from qualcode.services.project import Project, open_project
from qualcode.services.suggestions import STORED_MODELS, suggest
from qualcode.storage.database import engine_of
from tests.conftest import Cli, write
from tests.suggestions.tiny import tiny_project

NAME = b"tuesday"  # in the tiny transcripts' uncoded sentence "It was a Tuesday."


def _file_bytes(path: Path) -> bytes:
    """The project file and any write-ahead log beside it, lower-cased."""
    found = [path, Path(f"{path}-wal")]
    return b"".join(p.read_bytes() for p in found if p.exists()).lower()


def _models(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT key, fingerprint FROM suggestion_model").fetchall()


def _with_model(folder: Path) -> Project:
    """The tiny project with a saved model that holds the name, as a trained one does in
    its vocabulary (storing one is enough here: anonymizing deletes them all)."""
    project = tiny_project(folder, transcripts=2)
    with project.unit_of_work() as uow:
        uow.suggestions.store_model('{"unit": "sentence"}', "e1", '{"words": ["tuesday"]}')
    return project


def test_anonymize_deletes_saved_models_and_leaves_no_name_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.qualcode"
    _with_model(tmp_path).close()
    names = write(tmp_path / "names.yaml", "Tuesday: Someday\n")
    project = open_project(path)
    try:
        # Where SQLite is built to overwrite deleted content (Debian's is) nothing would be
        # left anyway: switched off here, as Python's own SQLite on macOS and Windows has it.
        engine = engine_of(project)
        engine.dispose()
        event.listen(engine, "connect", lambda db, _: db.execute("PRAGMA secure_delete = OFF"))
        assert NAME in _file_bytes(path)
        report = anonymize_project(project, names)
        assert (report.models_deleted, report.erased) == (1, True)
        assert _models(path) == []
        assert NAME not in _file_bytes(path)  # neither in free pages nor in the log
        assert b"someday" in _file_bytes(path)
    finally:
        project.close()


def test_anonymize_says_it_deleted_the_saved_models(tmp_path: Path, run: Cli) -> None:
    _with_model(tmp_path).close()
    names = write(tmp_path / "names.yaml", "Tuesday: Someday\n")
    output = run("anonymize", tmp_path / "tiny.qualcode", "--map", names).stdout
    assert "deleted 1 saved suggestion model(s)" in output
    assert "could not be overwritten" not in output


def test_saved_models_are_bounded_and_stale_ones_removed(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    path = tmp_path / "tiny.qualcode"
    try:
        asked = [
            (UnitKind.SENTENCE, ["anna"]),
            (UnitKind.SENTENCE, ["bo"]),
            (UnitKind.SENTENCE, ["anna", "bo"]),  # every coder (named: the default is anna)
            (UnitKind.TURN, ["anna", "bo"]),
        ]
        for unit, coders in asked:
            suggest(project, "anna", train_coders=coders, unit=unit, blind=False)
            assert len(_models(path)) <= STORED_MODELS
        assert len(_models(path)) == STORED_MODELS
        newest = _models(path)
        keys = [json.loads(k) for k, _ in newest]
        assert {"unit": "turn", "coders": ["anna", "bo"]} in [
            {"unit": k["unit"], "coders": k["coders"]} for k in keys
        ]

        apply_code(project, "t3", "money", "anna", span=Span(0, 11))  # the models are stale
        suggest(project, "anna", train_coders=["anna"], blind=False)
        ((key, fingerprint),) = _models(path)
        assert json.loads(key)["coders"] == ["anna"]
        assert {fingerprint} != {f for _, f in newest}
    finally:
        project.close()


def test_anonymize_clears_models_on_both_backends(coded: Project, run: Cli, tmp_path: Path) -> None:
    """On PostgreSQL the models are deleted too; the server keeps dead rows until it
    vacuums, which the command says."""
    with coded.unit_of_work() as uow:
        uow.suggestions.store_model('{"unit": "turn"}', "e1", '{"words": ["hanne"]}')
    names = write(tmp_path / "names.yaml", "Hanne: Lise\n")
    output = run("anonymize", coded.location, "--map", names).stdout
    with coded.reading() as uow:
        assert uow.suggestions.cached_model('{"unit": "turn"}', "e1") is None
    assert "deleted 1 saved suggestion model(s)" in output
    assert ("VACUUM FULL" in output) == ("://" in coded.location)
    assert "could not be overwritten" not in output


def test_a_reader_holding_the_old_pages_leaves_the_erasure_for_later(tmp_path: Path) -> None:
    """Another connection in the middle of reading keeps the old pages: the rewrite cannot
    finish, the report says so, and running the command again afterwards finishes it."""
    path = tmp_path / "tiny.qualcode"
    _with_model(tmp_path).close()
    names = write(tmp_path / "names.yaml", "Tuesday: Someday\n")
    project = open_project(path, busy_timeout_ms=50)
    try:
        with closing(sqlite3.connect(path)) as reader:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM transcript").fetchone()
            assert anonymize_project(project, names).erased is False
            reader.rollback()
        again = anonymize_project(project, names)
        assert (again.replacements, again.erased) == (0, True)
        assert NAME not in _file_bytes(path)
    finally:
        project.close()
