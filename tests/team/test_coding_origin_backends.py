"""The origin of an accepted suggestion is stored on both backends: PostgreSQL applies a
coding in one statement (storage/coding_writes.py), SQLite takes the ordinary path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from qualcode.domain.codings import HUMAN, SUGGESTED
from qualcode.domain.spans import Span
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.history import redo, undo
from qualcode.services.project import Project, open_project
from qualcode.services.suggestions import accepted_count
from qualcode.storage.database import engine_of


def test_an_accepted_suggestion_is_stored_and_logged_with_its_origin(coded: Project) -> None:
    coding, _ = apply_code(
        coded, "parent-01-en", "openness", "carl", span=Span(2000, 2050), origin=SUGGESTED
    )
    assert coding.origin == SUGGESTED
    with coded.reading() as uow:
        (event,) = uow.events.recent(["apply"], 1)
    payload = event.payload
    assert isinstance(payload, dict)
    assert payload["coding"]["origin"] == SUGGESTED
    assert payload["origin"] == SUGGESTED
    assert accepted_count(coded) == 1
    assert undo(coded, "carl") is not None
    assert accepted_count(coded) == 0
    assert redo(coded, "carl") is not None
    stored = {c.id: c.origin for c in list_codings(coded, coders=["carl"])}
    assert stored == {coding.id: SUGGESTED}


def test_the_migration_marks_accepted_suggestions_on_both_backends(
    coded: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a server's upgrade backup
    accepted, _ = apply_code(
        coded, "parent-01-en", "openness", "carl", span=Span(2000, 2050), origin=SUGGESTED
    )
    with engine_of(coded).begin() as connection:  # as schema 8 left it
        connection.execute(text("ALTER TABLE coding DROP COLUMN origin"))
        connection.execute(text("DELETE FROM schema_version"))
        connection.execute(text("INSERT INTO schema_version (version) VALUES (8)"))
    coded.close()
    project = open_project(coded.location)
    try:
        assert project.migrated_from == 8
        origins = {c.id: c.origin for c in list_codings(project)}
        assert origins.pop(accepted.id) == SUGGESTED
        assert set(origins.values()) == {HUMAN}
    finally:
        project.close()
