"""A new user's paths through the workspace, driven from the keyboard with Pilot: each
test asserts which messages were sent and what the database holds afterwards."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.binding import Binding
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from qualcode.domain.codings import Coding
from qualcode.services import search as search_service
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from qualcode.services.transcripts import get_transcript
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.screens.code_picker import CodePicker
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import HelpScreen
from qualcode.tui.screens.retrieval import RetrievalScreen
from qualcode.tui.screens.search import ReviewHits, SearchScreen
from qualcode.tui.widgets.coding_list import CodingList
from qualcode.tui.widgets.transcript_view import TranscriptView

SIZE = (100, 30)
FIRST = "focus-group-01-en"  # the first transcript the new coder has not finished
M = TypeVar("M", bound=Message)


class Recorder:
    """Collects every message the app processes (``run_test(message_hook=...)``)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.messages if isinstance(m, kind)]

    def notes(self) -> list[str]:
        return [str(m.notification.message) for m in self.of(Notify)]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def make_app(demo: Project, tmp_path: Path) -> Callable[..., QualcodeApp]:
    def make(coder: str = "cleo", **options: Any) -> QualcodeApp:
        return create_app(demo, coder, config_file=tmp_path / "config.json", **options)

    return make


def mine(project: Project, coder: str = "cleo") -> list[Coding]:
    return list_codings(project, coders=[coder])


def code_id(project: Project, path: str) -> int:
    return next(c.id for c in list_codes(project) if c.path == path)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_code_a_turn_by_shortcut_undo_and_redo(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    turn = get_transcript(demo, FIRST).turns[0]  # "]" from the text start: the first turn
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.transcript == FIRST
        assert isinstance(app.focused, TranscriptView)
        await pilot.press("right_square_bracket", "T")  # next turn, select it
        selected = record.of(TranscriptView.SelectionChanged)[-1]
        assert (selected.cursor, selected.selection) == (turn.end, (turn.start, turn.end))

        await pilot.press("h")  # recognition/being understood
        await pilot.pause()
        changed = record.of(CodingScreen.CodingsChanged)
        assert [(c.action, c.reload) for c in changed] == [("apply", False)]
        (coding,) = mine(demo)
        assert (coding.transcript, coding.code_path, coding.start, coding.end) == (
            FIRST,
            "recognition/being understood",
            turn.start,
            turn.end,
        )
        assert coding in screen.view.codings
        entry = next(e for e in screen.entries if e.path == coding.code_path)
        same_code = list_codings(demo, codes=[coding.code_path])
        assert (entry.here, entry.project) == (
            sum(1 for c in same_code if c.transcript == FIRST),
            len(same_code),
        )

        record.clear()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert [c.action for c in record.of(CodingScreen.CodingsChanged)] == ["undo"]
        assert mine(demo) == []
        assert coding not in screen.view.codings

        await pilot.press("ctrl+y")
        await pilot.pause()
        assert [c.action for c in record.of(CodingScreen.CodingsChanged)] == ["undo", "redo"]
        assert mine(demo) == [coding]


async def test_without_a_selection_a_shortcut_explains_itself(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert any("Select a passage first" in note for note in record.notes())
        assert record.of(CodingScreen.CodingsChanged) == []
    assert mine(demo) == []


async def test_fuzzy_picker_applies_a_code_with_a_typo(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    transcript = get_transcript(demo, FIRST)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("S", "enter")  # select the first sentence, open the picker
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"parnts as expers", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    (coding,) = mine(demo)
    assert coding.code_path == "recognition/parents as experts"
    # on the "Moderator:" label, S selects the turn's first sentence
    assert coding.start == transcript.turns[0].start
    assert transcript.text[coding.end - 1] in ".!?"
    assert "." not in transcript.text[coding.start : coding.end - 1]
    assert [c.action for c in record.of(CodingScreen.CodingsChanged)] == ["apply"]


async def test_picker_creates_a_new_code_on_the_spot(demo: Project, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S", "enter", *"trust in the system")
        await pilot.press("up", "enter")  # the last option creates the code
        await pilot.pause()
    assert any(c.path == "trust in the system" for c in list_codes(demo))
    assert [c.code_path for c in mine(demo)] == ["trust in the system"]


async def test_find_all_passages_for_a_theme_and_jump(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    expected = list_codings(demo, codes=["continuity"])
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        listing = screen.query_one(CodingList)
        assert [(p.transcript, p.start, p.end) for p in listing.places] == [
            (c.transcript, c.start, c.end) for c in expected
        ]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        chosen = record.of(CodingList.PlaceChosen)[-1].place
        assert (chosen.transcript, chosen.start, chosen.end) == (
            expected[2].transcript,
            expected[2].start,
            expected[2].end,
        )
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        assert coding.transcript == expected[2].transcript
        assert coding.view.selection == (expected[2].start, expected[2].end)


async def test_passages_filtered_by_coder(demo: Project, make_app: Any) -> None:
    from textual.widgets import Select

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#filter-coder", Select).value = "bo"
        await pilot.pause()
        places = app.screen.query_one(CodingList).places
    expected = list_codings(demo, codes=["continuity"], coders=["bo"])
    assert [(p.transcript, p.start) for p in places] == [(c.transcript, c.start) for c in expected]


async def test_search_and_code_hits_after_review(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    hits = search_service.search(demo, "caseworker", transcripts=[FIRST])
    assert len(hits) > 3
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"caseworker", "enter")
        await pilot.pause()
        listing = app.screen.query_one(CodingList)
        assert [(p.start, p.end) for p in listing.places] == [(h.start, h.end) for h in hits]

        await pilot.press("ctrl+o", *"holistic", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewHits)
        await pilot.press("n", "y", "n", "ctrl+s")  # skip the 1st and 3rd hit
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        (coded,) = record.of(SearchScreen.HitsCoded)
        assert (coded.code_id, coded.count) == (
            code_id(demo, "continuity/holistic view"),
            len(hits) - 2,
        )
        kept = [h for i, h in enumerate(hits) if i not in (0, 2)]
        assert [(c.start, c.end, c.code_path) for c in mine(demo)] == [
            (h.start, h.end, "continuity/holistic view") for h in kept
        ]

        await pilot.press("escape")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert {c.id for c in mine(demo)} <= {c.id for c in screen.view.codings}
        await pilot.press("ctrl+z")  # one undo takes the whole batch back
        await pilot.pause()
        assert mine(demo) == []


async def test_remove_recode_adjust_and_memo_from_the_keyboard(
    demo: Project, make_app: Any
) -> None:
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("T", "a")  # code the first turn: continuity/few caseworker changes
        await pilot.pause()
        (coding,) = mine(demo)
        await pilot.press("ctrl+r", *"open about rights", "enter")
        await pilot.pause()
        assert [c.code_path for c in mine(demo)] == ["openness/open about rights"]

        await pilot.press("ctrl+e")  # adjust: the coding's span is selected
        await pilot.press("shift+left", "shift+left", "enter")
        await pilot.pause()
        (adjusted,) = mine(demo)
        assert (adjusted.start, adjusted.end) == (coding.start, coding.end - 2)

        await pilot.press("home", "ctrl+n", *"feels heard", "ctrl+s")
        await pilot.pause()
        assert [c.memo for c in mine(demo)] == ["feels heard"]

        await pilot.press("delete")
        await pilot.pause()
        assert mine(demo) == []
        actions = [c.action for c in record.of(CodingScreen.CodingsChanged)]
        assert actions == ["apply", "adjust", "coding_memo", "remove"]
        assert [c.action for c in record.of(CodingScreen.CodebookChanged)] == ["recode"]

        for _ in range(4):
            await pilot.press("ctrl+z")
            await pilot.pause()
        assert [(c.code_path, c.start, c.end) for c in mine(demo)] == [
            (coding.code_path, coding.start, coding.end)
        ]


async def test_others_codings_cannot_be_removed(demo: Project, make_app: Any) -> None:
    theirs = list_codings(demo, coders=["anna"], transcripts=[FIRST])[0]
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        screen.view.select_span(theirs.start, theirs.start)
        await pilot.press("delete")
        await pilot.pause()
    assert any("No coding of yours" in note for note in record.notes())
    assert theirs in list_codings(demo, coders=["anna"])


async def test_blind_mode_shows_only_own_codings_and_counts(demo: Project, make_app: Any) -> None:
    anna_here = list_codings(demo, coders=["anna"], transcripts=[FIRST])
    everyone_here = list_codings(demo, transcripts=[FIRST])
    app = make_app("anna", blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.has_class("-blind")
        assert sorted(c.id for c in screen.view.codings) == sorted(c.id for c in anna_here)
        assert "BLIND" in str(screen.query_one("#status").render())
        assert sum(e.here for e in screen.entries) == len(anna_here)
    open_app = make_app("anna")
    async with open_app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = open_app.screen
        assert isinstance(screen, CodingScreen)
        assert len(screen.view.codings) == len(everyone_here) > len(anna_here)


async def test_help_lists_every_key_and_the_keymap_rebinds(
    demo: Project, make_app: Any, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text('{"keymap": {"history.undo": "ctrl+u"}}')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "a")
        await pilot.pause()
        assert len(mine(demo)) == 1
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert mine(demo) == []
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {row[2] for row in help_screen.rows}
        for owner in (CodingScreen, TranscriptView, QualcodeApp):
            assert {b.id for b in owner.BINDINGS if isinstance(b, Binding)} <= ids
        undo_row = next(row for row in help_screen.rows if row[2] == "history.undo")
        assert undo_row[0] == app.get_key_display(Binding("ctrl+u", ""))
        assert ("a", "apply continuity/few caseworker changes", "codebook shortcut") in (
            help_screen.rows
        )


async def test_command_palette_offers_group_action_entries(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
    for title in (
        "code: Apply a code to the selection (fuzzy picker)",
        "history: Undo your last action",
        "view: Passages coded with a code (retrieval)",
        "transcript: Select the turn",
    ):
        assert title in titles
    assert "transcript: Open parent-03-da" in titles
    assert "code: Apply openness/open about limits" in titles


async def test_a_busy_project_is_reported_not_frozen(
    demo: Project, demo_path: Path, make_app: Any
) -> None:
    app, record = make_app(), Recorder()
    blocker = sqlite3.connect(demo_path, isolation_level=None)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("T")
        blocker.execute("BEGIN IMMEDIATE")  # another coder's process holds the write lock
        await pilot.press("a")
        await pilot.pause()
        blocker.execute("ROLLBACK")
        notes = record.notes()
        assert any("retrying" in note for note in notes)
        assert any("busy" in note and "nothing changed" in note for note in notes)
        assert record.of(CodingScreen.CodingsChanged) == []
        assert mine(demo) == []
        await pilot.press("a")  # the lock is gone: the same key now codes
        await pilot.pause()
    blocker.close()
    assert len(mine(demo)) == 1


async def test_quit_leaves_the_app(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_codebook_editing_add_rename_merge_and_undo(demo: Project, make_app: Any) -> None:
    from qualcode.tui.screens.code_editor import CodeEditor
    from qualcode.tui.widgets.codebook_tree import CodebookTree

    before = {c.id: c.path for c in list_codes(demo)}
    limits = list_codings(demo, codes=["openness/open about limits"])
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("tab")
        assert isinstance(app.focused, CodebookTree)
        await pilot.press("a")
        assert isinstance(app.screen, CodeEditor)
        await pilot.press(*"trust", "ctrl+s")
        await pilot.pause()
        assert "trust" in {c.path for c in list_codes(demo)}

        screen = app.screen
        assert isinstance(screen, CodingScreen)
        screen.codebook.select_code(code_id(demo, "trust"))
        await pilot.press("e", "end", "ctrl+u", *"trust in caseworkers", "ctrl+s")
        await pilot.pause()
        assert "trust in caseworkers" in {c.path for c in list_codes(demo)}

        screen.codebook.select_code(code_id(demo, "openness/open about limits"))
        await pilot.press("m", *"trust in case", "enter")
        await pilot.pause()
        moved = list_codings(demo, codes=["trust in caseworkers"])
        assert sorted(c.id for c in moved) == sorted(c.id for c in limits)
        assert "openness/open about limits" not in {c.path for c in list_codes(demo)}
        actions = [m.action for m in record.of(CodingScreen.CodebookChanged)]
        assert actions == ["code_add", "code_edit", "code_merge"]

        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")
        await pilot.pause()
    assert {c.id: c.path for c in list_codes(demo)} == before
    assert list_codings(demo, codes=["openness/open about limits"]) == limits


async def test_codebook_edits_reach_the_yaml_export(demo: Project, make_app: Any) -> None:
    from qualcode.exporters.codebook_yaml import dump_codebook
    from qualcode.services.codebook import export_codebook

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        screen.codebook.select_code(code_id(demo, "openness/open about limits"))
        await pilot.press("tab", "e", "end", "ctrl+u", *"honest about limits", "tab", "tab")
        await pilot.press("end", "ctrl+u", "z", "ctrl+s")  # shortcut n -> z
        await pilot.pause()
    exported = dump_codebook(export_codebook(demo))
    assert "name: honest about limits" in exported
    assert "open about limits" not in exported
    assert 'shortcut: "z"' in exported or "shortcut: z" in exported


async def test_mouse_drag_selects_and_a_shortcut_codes_it(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.view
        left = view.content_region.x - view.region.x + 4  # after the stripes margin
        await pilot.mouse_down(TranscriptView, offset=(left + 2, 0))
        await pilot.hover(TranscriptView, offset=(left + 12, 0))
        await pilot.mouse_up(TranscriptView, offset=(left + 12, 0))
        await pilot.pause()
        selection = record.of(TranscriptView.SelectionChanged)[-1].selection
        assert selection == (2, 12)
        await pilot.press("b")
        await pilot.pause()
    assert [(c.start, c.end, c.code_path) for c in mine(demo)] == [
        (2, 12, "continuity/meeting the child")
    ]


async def test_blind_coding_as_a_project_setting_and_theme_remembered(
    demo: Project, make_app: Any, tmp_path: Path
) -> None:
    import json

    from qualcode.services.workspace import blind_by_setting

    app = make_app("anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        titles = {c.title: c for c in app.get_system_commands(screen)}
        assert "codebook: Add a code" in titles
        await titles["project: Require blind coding"].callback()
        await pilot.pause()
        assert blind_by_setting(demo)
        assert {c.coder for c in screen.view.codings} <= {"anna"}
        app.theme = "textual-light"
        await pilot.pause()
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["theme"] == "textual-light"
    again = make_app("bo")  # a new session follows the project setting
    assert again.workspace.blind


async def test_transcript_marks_follow_coding_and_done(demo: Project, make_app: Any) -> None:
    from qualcode.services.status import done_marks
    from qualcode.tui.widgets.transcript_list import TranscriptList

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        listing = screen.query_one(TranscriptList)

        def label(name: str) -> str:
            node = next(n for n in listing.root.children[0].children if n.data == name)
            return str(node.label)

        assert label(FIRST).startswith("·")
        await pilot.press("T", "a")
        await pilot.pause()
        assert label(FIRST).startswith("◐")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert label(FIRST).startswith("✓")
        assert done_marks(demo) == {FIRST: {"cleo"}}
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert done_marks(demo) == {}
        await pilot.press("ctrl+z")  # marking is undoable too
        await pilot.pause()
        assert label(FIRST).startswith("✓")
    assert done_marks(demo) == {FIRST: {"cleo"}}


async def test_undo_after_a_restart_of_the_workspace(demo: Project, make_app: Any) -> None:
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("T", "a", "ctrl+q")
        await pilot.pause()
    assert len(mine(demo)) == 1
    second, record = make_app(), Recorder()
    async with second.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert any(note.startswith("undo: cleo coded") for note in record.notes())
    assert mine(demo) == []


def test_an_unknown_first_transcript_is_a_one_line_error(make_app: Any) -> None:
    from qualcode.domain.errors import NotFoundError

    with pytest.raises(NotFoundError, match="unknown transcript 'parent-01'; did you mean"):
        make_app(transcript="parent-01")


async def test_an_empty_project_opens_and_takes_a_first_code(tmp_path: Path) -> None:
    from qualcode.services.project import init_project
    from qualcode.tui.screens.code_editor import CodeEditor

    project = init_project(tmp_path / "empty.qualcode")
    app = create_app(project, "cleo", config_file=tmp_path / "config.json")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("right", "T", "enter", "h", "delete", "ctrl+z", "ctrl+g", "escape"):
            await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("tab", "a")
        assert isinstance(app.screen, CodeEditor)
        await pilot.press(*"first theme", "ctrl+s")
        await pilot.pause()
    assert [c.path for c in list_codes(project)] == ["first theme"]
    project.close()


async def test_fuzzy_search_across_the_project(demo: Project, make_app: Any) -> None:
    expected = search_service.search(demo, "kitchn tabel", fuzzy=True)
    assert expected
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"kitchn tabel", "enter")
        await pilot.press("tab", "space", "tab", "space")  # fuzzy on, all transcripts on
        await pilot.pause()
        places = app.screen.query_one(CodingList).places
    assert [(p.transcript, p.start, p.end) for p in places] == [
        (h.transcript, h.start, h.end) for h in expected
    ]
