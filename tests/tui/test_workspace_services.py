"""The services behind the workspace: coding actions, undo/redo from the event log,
counts, search and retrieval, codebook editing — checked against the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.codings import Coding
from qualcode.domain.errors import InputError
from qualcode.domain.spans import Span
from qualcode.services import codebook_edit, coding_changes, history, search, workspace
from qualcode.services.codebook import list_codes
from qualcode.services.coding import apply_code, list_codings, remove_coding
from qualcode.services.project import Project, open_project

TRANSCRIPT = "parent-01-en"


def code_id(project: Project, path: str) -> int:
    return next(c.id for c in list_codes(project) if c.path == path)


def all_codings(project: Project) -> list[Coding]:
    return list_codings(project)


def test_apply_undo_redo_round_trip_and_survives_restart(demo: Project, demo_path: Path) -> None:
    before = all_codings(demo)
    target = code_id(demo, "openness/open about rights")
    coding = apply_code(demo, TRANSCRIPT, target, "cleo", span=Span(100, 180))[0]
    text = workspace.load_document(demo, TRANSCRIPT, "cleo", blind=True).text
    assert coding.text == text[100:180]
    assert all_codings(demo) == sorted([*before, coding], key=_order)

    demo.close()
    reopened = open_project(demo_path)  # undo reads the event log, not memory
    step = history.undo(reopened, "cleo")
    assert step is not None
    assert (step.direction, step.action, step.transcript, step.span) == (
        "undo",
        "apply",
        TRANSCRIPT,
        (100, 180),
    )
    assert all_codings(reopened) == before
    assert history.undo(reopened, "cleo") is None  # nothing else of cleo's to undo

    redone = history.redo(reopened, "cleo")
    assert redone is not None
    assert redone.direction == "redo"
    assert all_codings(reopened) == sorted([*before, coding], key=_order)
    assert history.redo(reopened, "cleo") is None
    reopened.close()


def _order(c: Coding) -> tuple[str, int, int, int]:
    return (c.transcript, c.start, c.end, c.id)


def test_undo_is_per_coder_and_multi_level(demo: Project) -> None:
    before = all_codings(demo)
    code = code_id(demo, "continuity")
    first = apply_code(demo, TRANSCRIPT, code, "cleo", span=Span(10, 20))[0]
    apply_code(demo, TRANSCRIPT, code, "dan", span=Span(30, 40))[0]
    second = apply_code(demo, TRANSCRIPT, code, "cleo", span=Span(50, 60))[0]
    assert history.undo(demo, "cleo") is not None
    assert history.undo(demo, "cleo") is not None
    remaining = {(c.coder, c.start) for c in all_codings(demo)} - {
        (c.coder, c.start) for c in before
    }
    assert remaining == {("dan", 30)}
    # redo comes back in the order the actions were made
    assert history.redo(demo, "cleo") is not None
    assert first.id in {c.id for c in all_codings(demo)}
    assert second.id not in {c.id for c in all_codings(demo)}


def test_a_new_action_empties_the_redo_stack(demo: Project) -> None:
    code = code_id(demo, "continuity")
    apply_code(demo, TRANSCRIPT, code, "cleo", span=Span(10, 20))[0]
    history.undo(demo, "cleo")
    apply_code(demo, TRANSCRIPT, code, "cleo", span=Span(30, 40))[0]
    assert history.redo(demo, "cleo") is None
    history.undo(demo, "cleo")
    # the first coding was dropped from the redo stack by the new action
    step = history.redo(demo, "cleo")
    assert step is not None
    assert step.span == (30, 40)
    assert history.redo(demo, "cleo") is None


def test_remove_recode_adjust_memo_each_undo_exactly(demo: Project) -> None:
    original = apply_code(demo, TRANSCRIPT, code_id(demo, "continuity"), "cleo", span=Span(10, 30))[
        0
    ]
    snapshot = all_codings(demo)
    recoded = coding_changes.recode_coding(demo, original.id, code_id(demo, "openness"), "cleo")
    assert recoded.code_path == "openness"
    adjusted = coding_changes.adjust_coding(demo, original.id, Span(12, 40), "cleo")
    text = workspace.load_document(demo, TRANSCRIPT, "cleo", blind=True).text
    assert (adjusted.start, adjusted.end, adjusted.text) == (12, 40, text[12:40])
    memo = coding_changes.set_memo(demo, original.id, "  parents feel heard ", "cleo")
    assert memo.memo == "parents feel heard"
    removed = remove_coding(demo, original.id, coder="cleo")
    assert removed.memo == "parents feel heard"
    assert original.id not in {c.id for c in all_codings(demo)}
    for _ in range(4):  # remove, memo, adjust, recode
        assert history.undo(demo, "cleo") is not None
    assert all_codings(demo) == snapshot


def test_only_the_owner_changes_a_coding(demo: Project) -> None:
    theirs = next(c for c in all_codings(demo) if c.coder == "anna")
    with pytest.raises(InputError, match="belongs to anna"):
        remove_coding(demo, theirs.id, coder="bo")
    assert theirs in all_codings(demo)


def test_blind_document_shows_only_own_codings_and_counts(demo: Project) -> None:
    everyone = [c for c in all_codings(demo) if c.transcript == TRANSCRIPT]
    mine = [c for c in everyone if c.coder == "anna"]
    assert len(mine) < len(everyone)
    blind = workspace.load_document(demo, TRANSCRIPT, "anna", blind=True)
    assert sorted(c.id for c in blind.codings) == sorted(c.id for c in mine)
    open_view = workspace.load_document(demo, TRANSCRIPT, "anna", blind=False)
    assert len(open_view.codings) == len(everyone)

    entries = {e.path: e for e in workspace.code_entries(demo, TRANSCRIPT, "anna", blind=True)}
    for path, entry in entries.items():
        assert entry.here == sum(1 for c in mine if c.code_path == path)
        assert entry.project == sum(
            1 for c in all_codings(demo) if c.code_path == path and c.coder == "anna"
        )


def test_transcript_groups_follow_cases_and_marks(demo: Project) -> None:
    from qualcode.services.status import mark_done

    mark_done(demo, "parent-02-en", "anna")
    groups = {g.label: g for g in workspace.transcript_groups(demo, "anna")}
    assert [t.name for t in groups["Family 01"].transcripts] == ["parent-01-en"]
    focus = groups["Caseworker Anne, Caseworker Bilal, Caseworker Carla, Caseworker Dev"]
    assert [t.name for t in focus.transcripts] == ["focus-group-01-en"]
    marks = {t.name: t.mark for g in groups.values() for t in g.transcripts}
    assert marks["parent-02-en"] == "done"
    coded_by_anna = {c.transcript for c in all_codings(demo) if c.coder == "anna"}
    assert {n for n, m in marks.items() if m == "started"} == coded_by_anna - {"parent-02-en"}


def test_exact_search_finds_every_occurrence_ignoring_case(demo: Project) -> None:
    text = workspace.load_document(demo, TRANSCRIPT, "anna", blind=True).text
    hits = search.search(demo, "CASEWORKER", transcripts=[TRANSCRIPT])
    assert [h.start for h in hits] == [
        i for i in range(len(text)) if text[i : i + 10].lower() == "caseworker"
    ]
    assert all(h.snippet.middle.lower() == "caseworker" for h in hits)


def test_fuzzy_search_tolerates_typos(demo: Project) -> None:
    text = workspace.load_document(demo, TRANSCRIPT, "anna", blind=True).text
    exact = search.search(demo, "kitchen table", transcripts=[TRANSCRIPT])
    assert exact
    fuzzy = search.search(demo, "kitchn tabel", transcripts=[TRANSCRIPT], fuzzy=True)
    assert {(h.start, h.end) for h in exact} <= {(h.start, h.end) for h in fuzzy}
    assert all(80 <= h.score < 100 for h in fuzzy)
    assert all(text[h.start : h.end].lower() == "kitchen table" for h in fuzzy)


def test_passages_filter_by_coder_case_and_include_subcodes(demo: Project) -> None:
    theme = code_id(demo, "continuity")
    codings = all_codings(demo)
    found = search.passages(demo, theme)
    expected = [c for c in codings if c.code_path.split("/")[0] == "continuity"]
    assert sorted(p.coding.id for p in found) == sorted(c.id for c in expected)
    by_bo = search.passages(demo, theme, coder="bo")
    assert sorted(p.coding.id for p in by_bo) == sorted(c.id for c in expected if c.coder == "bo")
    family = search.passages(demo, theme, case="Family 03")
    assert {p.coding.transcript for p in family} == {"parent-03-da"}
    assert all(p.snippet.middle == p.coding.text.replace("\n", " ") for p in found)


def test_code_spans_is_one_undoable_batch(demo: Project) -> None:
    before = all_codings(demo)
    hits = search.search(demo, "caseworker")
    coded = workspace.code_spans(
        demo, [(h.transcript, h.start, h.end) for h in hits], code_id(demo, "continuity"), "cleo"
    )
    assert len(coded) == len(hits) > 5
    assert len(all_codings(demo)) == len(before) + len(hits)
    step = history.undo(demo, "cleo")
    assert step is not None
    assert step.action == "apply_batch"
    assert all_codings(demo) == before


def test_codebook_edits_undo_and_merge_moves_codings(demo: Project) -> None:
    codes_before = {c.id: (c.path, c.spec) for c in list_codes(demo)}
    new_id = codebook_edit.add_code(
        demo, CodeSpec("trust", shortcut="t"), code_id(demo, "openness"), "cleo"
    )
    assert any(c.path == "openness/trust" for c in list_codes(demo))
    with pytest.raises(InputError, match="already used"):
        codebook_edit.add_code(demo, CodeSpec("other", shortcut="t"), None, "cleo")
    limits = code_id(demo, "openness/open about limits")
    moved = [c.id for c in all_codings(demo) if c.code_path == "openness/open about limits"]
    assert codebook_edit.merge_code(demo, limits, new_id, "cleo").codings == len(moved) > 0
    assert {c.id for c in all_codings(demo) if c.code_path == "openness/trust"} == set(moved)
    codebook_edit.edit_code(demo, new_id, CodeSpec("confidence", colour="#112233"), "cleo")
    assert any(c.path == "openness/confidence" for c in list_codes(demo))
    for _ in range(3):
        assert history.undo(demo, "cleo") is not None
    assert {c.id: (c.path, c.spec) for c in list_codes(demo)} == codes_before
    assert {c.id for c in all_codings(demo) if c.code_path == "openness/open about limits"} == set(
        moved
    )
