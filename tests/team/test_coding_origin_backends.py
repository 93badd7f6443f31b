"""The origin of an accepted suggestion is stored on both backends: PostgreSQL applies a
coding in one statement (storage/coding_writes.py), SQLite takes the ordinary path."""

from __future__ import annotations

from qualcode.domain.codings import SUGGESTED
from qualcode.domain.spans import Span
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.history import redo, undo
from qualcode.services.project import Project
from qualcode.services.suggestions import accepted_count


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
