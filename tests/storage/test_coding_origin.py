"""A coding's origin (an accepted suggestion or made by hand) is stored with the coding
(schema 9) and follows it: not its id, which a later coding may reuse; through undo and
redo, merges and backups; a recode by hand makes it human, a moved span keeps it. Older
projects and backups get it from the event log once."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from qualcode.domain.codings import HUMAN, SUGGESTED, Coding
from qualcode.domain.spans import Span
from qualcode.services.code_merges import merge_code_path
from qualcode.services.coding import apply_code, list_codings, remove_coding
from qualcode.services.coding_changes import adjust_coding, recode_coding
from qualcode.services.history import redo, undo
from qualcode.services.maintenance import backup_project, restore_project
from qualcode.services.project import Project, open_project
from qualcode.services.refi import merge_projects
from qualcode.services.suggestions import accepted_count
from qualcode.storage import migrations
from tests.conftest import Cli

T = "parent-01-en"
MODEL_WORD = b"zqxvocabularyword"  # stands for a saved model's contents


def _origins(project: Project) -> dict[int, str]:
    return {c.id: c.origin for c in list_codings(project)}


def _accept(project: Project, start: int, end: int, code: str = "openness") -> Coding:
    """What accepting a suggestion does (services.suggestions.accept_suggestion), without
    training a model for it."""
    coding, _ = apply_code(project, T, code, "anna", span=Span(start, end), origin=SUGGESTED)
    return coding


def _code_id(project: Project, path: str) -> int:
    from qualcode.services.codebook import list_codes

    return next(c.id for c in list_codes(project) if c.path == path)


def test_a_hand_coding_that_reuses_a_removed_suggestions_id_is_human(
    demo_path: Path, run: Cli
) -> None:
    project = open_project(demo_path)
    try:
        accepted = _accept(project, 0, 12)
        assert accepted_count(project) == 1
        remove_coding(project, accepted.id)
        by_hand, _ = apply_code(project, T, "openness", "anna", span=Span(0, 12))
        assert by_hand.id == accepted.id  # SQLite gives the highest id again
        assert by_hand.origin == HUMAN
        assert accepted_count(project) == 0
    finally:
        project.close()
    assert "accepted suggestions" not in run("log", demo_path).stdout


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["undo"], None),  # the accepted coding is gone
        (["undo", "redo"], SUGGESTED),  # ... and back as an accepted suggestion
        (["recode"], HUMAN),  # another code chosen by hand
        (["recode", "undo"], SUGGESTED),  # the recode taken back
        (["recode", "undo", "redo"], HUMAN),
        (["adjust"], SUGGESTED),  # a moved span keeps the suggested code
        (["remove", "undo"], SUGGESTED),  # a removal taken back
        (["merge"], SUGGESTED),  # its code merged into another in the codebook
        (["merge", "undo"], SUGGESTED),
    ],
    ids=str.split("undo redo recode recode-undo recode-redo adjust remove-undo merge merge-undo"),
)
def test_origin_through_changes_undo_and_redo(
    demo_path: Path, steps: list[str], expected: str | None
) -> None:
    project = open_project(demo_path)
    try:
        coding = _accept(project, 0, 12, "recognition/not judged")
        for step in steps:
            if step == "undo":
                assert undo(project, "anna") is not None
            elif step == "redo":
                assert redo(project, "anna") is not None
            elif step == "recode":
                recode_coding(project, coding.id, _code_id(project, "recognition"), "anna")
            elif step == "adjust":
                adjust_coding(project, coding.id, Span(0, 20), "anna")
            elif step == "merge":
                into = "recognition/being understood"
                merge_code_path(project, "recognition/not judged", into, "anna")
            else:
                remove_coding(project, coding.id)
        assert _origins(project).get(coding.id) == expected
        assert accepted_count(project) == (expected == SUGGESTED)
    finally:
        project.close()


def test_merging_a_coders_copy_keeps_accepted_suggestions(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bo.qualcode"
    shutil.copyfile(demo_path, copy)
    theirs = open_project(copy)
    try:
        apply_code(theirs, T, "openness", "bo", span=Span(5, 30), origin=SUGGESTED)
        apply_code(theirs, T, "recognition", "bo", span=Span(40, 60))
    finally:
        theirs.close()
    project = open_project(demo_path)
    try:
        report = merge_projects(project, str(copy))
        assert report.codings_added == 2
        merged = {(c.code_path, c.start, c.end): c.origin for c in list_codings(project)}
        assert merged[("openness", 5, 30)] == SUGGESTED
        assert merged[("recognition", 40, 60)] == HUMAN
        assert accepted_count(project) == 1
    finally:
        project.close()


def _as_schema_8(path: Path) -> None:
    """The project as qualcode with schema 8 left it: no ``coding.origin``, and codings in
    the log without their origin (an apply event names it beside the coding)."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("ALTER TABLE coding DROP COLUMN origin")
        for event_id, payload in db.execute("SELECT id, payload FROM event_log").fetchall():
            old = json.loads(payload)
            for key in ("coding", "after"):
                if isinstance(old.get(key), dict):
                    old[key].pop("origin", None)
            db.execute("UPDATE event_log SET payload = ? WHERE id = ?", (json.dumps(old), event_id))
        db.execute("DELETE FROM schema_version")
        db.execute("INSERT INTO schema_version (version) VALUES (8)")
        db.commit()


def test_migration_takes_origins_from_the_log_once(demo_path: Path) -> None:
    project = open_project(demo_path)
    try:
        kept = _accept(project, 0, 12)
        recoded = _accept(project, 100, 140)
        recode_coding(project, recoded.id, _code_id(project, "recognition"), "anna")
        undone = _accept(project, 200, 240)
        undo(project, "anna")  # the last accepted one is gone, its id free again
        reused, _ = apply_code(project, T, "openness", "anna", span=Span(300, 340))
        assert reused.id == undone.id
        expected = _origins(project)
    finally:
        project.close()
    assert expected[kept.id] == SUGGESTED
    assert {expected[recoded.id], expected[reused.id]} == {HUMAN}
    _as_schema_8(demo_path)

    project = open_project(demo_path)  # migrates
    try:
        assert project.migrated_from == 8
        assert _origins(project) == expected
    finally:
        project.close()
    with closing(sqlite3.connect(demo_path)) as db:
        assert db.execute("SELECT max(version) FROM schema_version").fetchone() == (
            migrations.CURRENT_VERSION,
        )


def test_backups_carry_origins_but_no_saved_models(demo_path: Path, tmp_path: Path) -> None:
    project = open_project(demo_path)
    try:
        accepted = _accept(project, 0, 12)
        with project.unit_of_work() as uow:
            uow.suggestions.store_model('{"unit": "sentence"}', "e1", MODEL_WORD.decode())
        backup_project(project, tmp_path / "b.json", as_json=True)
        backup_project(project, tmp_path / "b.qualcode")
        expected = _origins(project)
    finally:
        project.close()
    assert MODEL_WORD not in (tmp_path / "b.qualcode").read_bytes()
    with closing(sqlite3.connect(tmp_path / "b.qualcode")) as db:
        assert db.execute("SELECT count(*) FROM suggestion_model").fetchone() == (0,)
        assert db.execute("SELECT origin FROM coding WHERE id = ?", (accepted.id,)).fetchone() == (
            SUGGESTED,
        )
    document = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert "suggestion_model" not in document["tables"]
    assert "origin" in document["tables"]["coding"]["columns"]

    restored, _ = restore_project(tmp_path / "b.json", str(tmp_path / "r.qualcode"))
    try:
        assert _origins(restored) == expected
    finally:
        restored.close()

    # A backup made before schema 9: no origin column, and the model table still in it.
    coding = document["tables"]["coding"]
    index = coding["columns"].index("origin")
    coding["columns"].pop(index)
    for row in coding["rows"]:
        row.pop(index)
    document["schema_version"] = 8
    document["tables"]["suggestion_model"] = {
        "columns": ["key", "fingerprint", "model", "created_at"],
        "rows": [["k", "e1", '{"words": "Mette"}', "2026-01-01T00:00:00"]],
    }
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document), encoding="utf-8")
    restored, rows = restore_project(old, str(tmp_path / "old.qualcode"))
    try:
        assert _origins(restored)[accepted.id] == SUGGESTED
        assert _origins(restored) == expected
        assert "suggestion_model" not in rows
        with restored.reading() as uow:
            assert uow.suggestions.cached_model("k", "e1") is None
    finally:
        restored.close()


def test_a_code_merge_that_drops_a_duplicate_puts_it_back_as_accepted_on_undo(
    demo_path: Path,
) -> None:
    project = open_project(demo_path)
    try:
        accepted = _accept(project, 0, 12, "recognition/not judged")
        apply_code(project, T, "recognition/being understood", "anna", span=Span(0, 12))
        merge_code_path(project, "recognition/not judged", "recognition/being understood", "anna")
        assert accepted.id not in _origins(project)  # the same span by hand was kept
        assert undo(project, "anna") is not None
        assert _origins(project)[accepted.id] == SUGGESTED
    finally:
        project.close()
