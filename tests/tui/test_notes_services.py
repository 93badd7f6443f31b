"""The services behind memos and review flags in the workspace, checked against the
database: memo counts per transcript and code (blind: the coder's own), flagged codings
after a real ``transcript replace``, and undo/redo of marking one reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services import history, workspace
from qualcode.services.coding import list_codings
from qualcode.services.maintenance import flagged_codings, mark_reviewed
from qualcode.services.memos import add_memo, list_memos
from qualcode.services.project import Project
from tests.conftest import Cli
from tests.tui.flagging import PICKS

FIRST = "focus-group-01-en"


def test_memo_counts_follow_the_memos_and_blind_counts_only_ones_own(demo: Project) -> None:
    add_memo(demo, "one", transcript=FIRST, author="bo")
    add_memo(demo, "two", transcript=FIRST, author="cleo")
    add_memo(demo, "three", transcript="parent-03-da", author="bo")
    add_memo(demo, "on the theme", code_path="continuity", author="cleo")
    add_memo(demo, "on the project", author="cleo")

    def listed(blind: bool) -> dict[str, int]:
        groups = workspace.transcript_groups(demo, "cleo", blind=blind)
        return {t.name: t.memos for g in groups for t in g.transcripts if t.memos}

    assert listed(blind=False) == {FIRST: 2, "parent-03-da": 1}
    assert listed(blind=True) == {FIRST: 1}

    def code_memos(blind: bool) -> dict[str, int]:
        entries = workspace.code_entries(demo, FIRST, "cleo", blind=blind)
        return {e.path: e.memos for e in entries if e.memos}

    assert code_memos(blind=False) == code_memos(blind=True) == {"continuity": 1}
    # the board of a code shows its own memos, not its sub-codes'
    add_memo(demo, "sub", code_path="continuity/few caseworker changes", author="bo")
    own = list_memos(demo, code_path="continuity", sub_codes=False)
    assert [m.text for m in own] == ["on the theme"]
    assert [m.text for m in list_memos(demo, transcript=FIRST, author="cleo")] == ["two"]


def test_flagged_codings_come_with_the_document(flagged: Project) -> None:
    in_db = flagged_codings(flagged)
    assert {f.transcript for f in in_db} == set(PICKS)  # the edit really flagged both
    for name in PICKS:
        document = workspace.load_document(flagged, name, "cleo", blind=False)
        expected = {f.id: f.note for f in in_db if f.transcript == name}
        assert dict(document.flagged) == expected
        assert len(expected) >= len(PICKS[name])
        assert all(f.note.startswith(tuple("0123456789")) for f in in_db)
    anna = workspace.load_document(flagged, FIRST, "anna", blind=True)
    assert set(anna.flagged) == {f.id for f in in_db if f.transcript == FIRST and f.coder == "anna"}


def test_flagged_places_are_ordered_and_blind_keeps_ones_own(flagged: Project) -> None:
    in_db = flagged_codings(flagged)
    codings = {c.id: c for c in list_codings(flagged)}
    places = workspace.flagged_places(flagged, "anna", blind=False)
    assert [(p.coding, p.note) for p in places] == [(codings[f.id], f.note) for f in in_db]
    assert in_db == sorted(in_db, key=lambda f: (f.transcript, f.start, f.id))
    blind = workspace.flagged_places(flagged, "anna", blind=True)
    assert blind == [p for p in places if p.coding.coder == "anna"]
    assert 0 < len(blind) < len(places)


def test_marking_reviewed_is_undone_and_redone(flagged: Project) -> None:
    target = flagged_codings(flagged)[0]
    assert mark_reviewed(flagged, [target.id], "cleo") == 1
    assert target.id not in {f.id for f in flagged_codings(flagged)}

    step = history.undo(flagged, "cleo")
    assert step is not None
    assert (step.direction, step.action) == ("undo", "review_done")
    assert flagged_codings(flagged)[0] == target  # the same note, back

    assert history.redo(flagged, "cleo") is not None
    assert target.id not in {f.id for f in flagged_codings(flagged)}


def test_undoing_a_review_of_a_removed_coding_changes_nothing(
    flagged: Project, flagged_path: Path, run: Cli
) -> None:
    target = flagged_codings(flagged)[0]
    mark_reviewed(flagged, [target.id], "cleo")
    run("uncode", flagged_path, "--id", str(target.id))
    before = flagged_codings(flagged)
    with pytest.raises(history.HistoryError, match=f"coding {target.id} no longer exists"):
        history.undo(flagged, "cleo")
    assert flagged_codings(flagged) == before
