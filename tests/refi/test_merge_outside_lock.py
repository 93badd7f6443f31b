"""Fuzzy matching of a merged copy's transcripts (quadratic in their length) is worked out
before the write lock: another coder writes while it runs. When the project's transcripts
change in between, the match is worked out again inside the merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.importers.refi_offsets import EditMap
from qualcode.services import merge
from qualcode.services.coding import list_codings
from qualcode.services.memos import add_memo, list_memos
from qualcode.services.project import Project, init_project, open_project
from qualcode.services.refi import merge_projects
from qualcode.services.transcripts import get_transcript, import_transcripts
from qualcode.storage.database import RetryPolicy
from tests.conftest import TRANSCRIPTS
from tests.refi.test_merge import _single_source_qdpx

CODE = "ac000000-0000-4000-8000-000000000001"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    opened = init_project(tmp_path / "study.qualcode")
    import_transcripts(opened, [TRANSCRIPTS / "parent-01-en.txt", TRANSCRIPTS / "parent-03-da.txt"])
    return opened


def _edited_copy(project: Project, folder: Path) -> Path:
    text = get_transcript(project, "parent-01-en").text
    cut = text.index("So the first contact")
    edited = text[:cut] + "(pause) " + text[cut:]
    return _single_source_qdpx(
        folder / "edited.qdpx", edited, [(cut + 8, cut + 48, CODE)], {"recognition": CODE}
    )


def _while_edit_maps_are_made(
    monkeypatch: pytest.MonkeyPatch, location: str, action: str
) -> list[str]:
    """Each edit map is made while a second, impatient connection (one try, 100 ms)
    writes a memo: that fails if the write lock is held."""
    events: list[str] = []

    def edit_map_while_another_coder_writes(old: str, new: str) -> EditMap:
        other = open_project(location, busy_timeout_ms=100, retry=RetryPolicy(attempts=1))
        try:
            add_memo(other, "written while the merge matched texts", author="cy")
            events.append(action)
        finally:
            other.close()
        return EditMap(old, new)

    monkeypatch.setattr(merge, "EditMap", edit_map_while_another_coder_writes)
    return events


def test_another_coder_writes_while_the_fuzzy_match_is_made(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qdpx = _edited_copy(project, tmp_path)
    events = _while_edit_maps_are_made(monkeypatch, project.location, "memo")
    report = merge_projects(project, str(qdpx))
    assert events == ["memo"]  # made once, before the lock; the other coder's write went in
    assert report.transcripts_fuzzy
    assert report.codings_added == 1
    assert [c.coder for c in list_codings(project)] == ["bo"]
    assert [m.text for m in list_memos(project)] == ["written while the merge matched texts"]
