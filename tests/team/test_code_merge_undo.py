"""A merge's undo gives back every row, on each backend (the rows of a JSON backup before
the merge equal those after its undo, the event log aside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.spans import Span
from qualcode.services.code_merges import merge_code_path
from qualcode.services.coding import apply_code
from qualcode.services.history import undo
from qualcode.services.memos import add_memo
from qualcode.services.project import Project
from qualcode.storage.dump import read_json_backup, write_json_backup

MERGED = "continuity/meeting the child"
INTO = "continuity"
TRANSCRIPT = "parent-01-en"


def rows(project: Project, tmp_path: Path, name: str) -> dict[str, list[list[object]]]:
    path = tmp_path / f"{name}.json"
    write_json_backup(project, path)
    _, tables = read_json_backup(path)
    return {t.name: sorted(map(list, t.rows), key=repr) for t in tables if t.name != "event_log"}


@pytest.mark.parametrize(
    "location", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)
def test_undo_of_a_merge_with_a_duplicate_and_a_memo_restores_every_row(
    coded: Project, tmp_path: Path
) -> None:
    # anna's MERGED coding at 400:520 exists on INTO too (with a memo): a duplicate
    apply_code(coded, TRANSCRIPT, INTO, "anna", span=Span(400, 520), memo="on the theme")
    add_memo(coded, "about meeting the child", code_path=MERGED, author="anna")
    before = rows(coded, tmp_path, "before")
    merged = merge_code_path(coded, MERGED, INTO, "anna")
    assert (merged.memos, merged.duplicates) == (1, 1)
    assert rows(coded, tmp_path, "merged") != before
    assert undo(coded, "anna") is not None
    assert rows(coded, tmp_path, "undone") == before
