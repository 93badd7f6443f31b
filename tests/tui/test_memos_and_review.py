"""Memos and review flags in the workspace, driven from the keyboard with Pilot: `M` reads
and writes the transcript's memos (in the codebook: the highlighted code's), `f8` walks
the codings a transcript edit flagged, `R` marks one reviewed (undone by ctrl+z). Each
test asserts what the screen shows and what the database holds."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets import Label, Static, TextArea

from qualcode.services.codebook import list_codes
from qualcode.services.maintenance import flagged_codings
from qualcode.services.memos import add_memo, list_memos
from qualcode.services.project import Project, open_project
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import ChooseCoding, HelpScreen
from qualcode.tui.screens.memo_board import ConfirmMemoDelete, MemoBoard
from qualcode.tui.widgets.codebook_tree import CodebookTree, CodeDefinition
from qualcode.tui.widgets.transcript_list import TranscriptList
from qualcode.tui.widgets.transcript_rows import STRIPES
from tests.conftest import Cli, write
from tests.tui.flagging import REWRITE, rewritten_texts
from tests.tui.test_workflows import Recorder, settle

SIZE = (100, 30)
FIRST = "focus-group-01-en"  # the first transcript a new coder has not finished


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., QualcodeApp]:
    def make(project: Project, coder: str = "cleo", **options: Any) -> QualcodeApp:
        return create_app(project, coder, config_file=tmp_path / "config.json", **options)

    return make


def coding_screen(app: QualcodeApp) -> CodingScreen:
    screen = app.screen
    assert isinstance(screen, CodingScreen)
    return screen


def status(app: QualcodeApp) -> str:
    return str(coding_screen(app).query_one("#status", Static).render())


def listed_label(app: QualcodeApp, name: str) -> str:
    tree = coding_screen(app).query_one(TranscriptList)
    node = next(n for n in tree._name_nodes.values() if n.data == name)
    return str(node.label)


# -- memos ------------------------------------------------------------------------------


async def test_transcript_memos_are_read_and_written(demo: Project, make_app: Any) -> None:
    add_memo(demo, "Anne leads the group", transcript=FIRST, author="bo")
    app, record = make_app(demo), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        assert f"{FIRST} ✎1 │" in status(app)
        assert "✎1" in listed_label(app, FIRST)

        await pilot.press("M")
        board = app.screen
        assert isinstance(board, MemoBoard)
        assert board.title_text == f"Memos on transcript {FIRST}"
        assert [(m.author, m.text) for m in board.memos] == [("bo", "Anne leads the group")]
        assert isinstance(app.focused, TextArea)  # ready to write

        await pilot.press(*"Moderator steers a lot", "enter", *"second line", "ctrl+s")
        await settle(pilot)
        coding_screen(app)
        assert f"{FIRST} ✎2 │" in status(app)
        assert "✎2" in listed_label(app, FIRST)
    memos = list_memos(demo, transcript=FIRST)
    assert [(m.author, m.text) for m in memos] == [
        ("bo", "Anne leads the group"),
        ("cleo", "Moderator steers a lot\nsecond line"),
    ]
    assert any(f"on transcript '{FIRST}' saved" in note for note in record.notes())


async def test_a_blank_memo_is_refused_and_escape_writes_nothing(
    demo: Project, make_app: Any
) -> None:
    app, record = make_app(demo), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        await pilot.press("M", "space", "enter", "ctrl+s")
        await pilot.pause()
        board = app.screen
        assert isinstance(board, MemoBoard)
        await settle(pilot)
        assert board.errors_shown() == {"form-error": "Write the memo first (escape closes)"}
        await pilot.press(*"never saved", "escape")
        await settle(pilot)
        assert " ✎" not in status(app)
    assert list_memos(demo) == []


async def test_code_memos_from_the_codebook(demo: Project, make_app: Any) -> None:
    code = next(c for c in list_codes(demo) if c.path == "recognition/not judged")
    add_memo(demo, "Close to being understood?", code_path=code.path, author="bo")
    add_memo(demo, "On the parent theme", code_path="recognition", author="bo")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = coding_screen(app)
        await pilot.press("tab")
        assert isinstance(app.focused, CodebookTree)
        screen.codebook.select_code(code.id)
        await pilot.pause()
        assert "✎1 not judged" in str(screen.codebook.cursor_node.label)  # type: ignore[union-attr]

        await pilot.press("M")
        board = app.screen
        assert isinstance(board, MemoBoard)
        assert board.title_text == f"Memos on code {code.path}"
        assert [m.text for m in board.memos] == ["Close to being understood?"]  # not the parent's
        await pilot.press(*"Keep apart from stigma", "ctrl+s")
        await settle(pilot)
        assert "✎2 not judged" in str(screen.codebook.cursor_node.label)  # type: ignore[union-attr]
        assert "✎ 2 memos" in screen.query_one(CodeDefinition).shown
        memos = list_memos(demo, code_path=code.path)
        assert [(m.target, m.author, m.text) for m in memos][-1] == (
            f"code {code.path}",
            "cleo",
            "Keep apart from stigma",
        )

        await pilot.press("M", "shift+tab", "up", "delete", "y")  # the older one goes
        await settle(pilot)
        assert "✎1 not judged" in str(screen.codebook.cursor_node.label)  # type: ignore[union-attr]
    assert [m.text for m in list_memos(demo, code_path=code.path)] == ["Keep apart from stigma"]


async def test_blind_coding_shows_only_ones_own_memos(demo: Project, make_app: Any) -> None:
    add_memo(demo, "bo's reading", transcript=FIRST, author="bo")
    add_memo(demo, "my reading", transcript=FIRST, author="cleo")
    app = make_app(demo, blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"{FIRST} ✎1 │" in status(app)
        await pilot.press("M")
        board = app.screen
        assert isinstance(board, MemoBoard)
        assert [m.text for m in board.memos] == ["my reading"]
        assert "yours only" in board.title_text


def on_first(demo: Project, *memos: tuple[str, str]) -> None:
    """Memos (text, author) on the first transcript, in order (ids 1, 2, ...)."""
    for text, author in memos:
        add_memo(demo, text, transcript=FIRST, author=author)


async def test_a_memo_is_edited_from_the_list_and_undone(demo: Project, make_app: Any) -> None:
    on_first(demo, ("Anne leeds the group", "bo"), ("Second thought", "cleo"))
    app, record = make_app(demo), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        await pilot.press("M", "shift+tab")  # from the text field to the list
        board = app.screen
        assert isinstance(board, MemoBoard)
        assert [m.text for m in board.memos][-1] == "Second thought"  # the newest highlighted
        await pilot.press("up", "enter")
        field = board.query_one("#memo-new", TextArea)
        assert field.text == "Anne leeds the group"
        assert app.focused is field
        assert "Editing memo 1 by bo" in str(board.query_one("#memo-new-label", Label).render())
        await pilot.press("ctrl+e", *["backspace"] * 15, *"leads the group.", "ctrl+s")
        await settle(pilot)
        assert f"{FIRST} ✎2 │" in status(app)
        assert [(m.author, m.text) for m in list_memos(demo, transcript=FIRST)] == [
            ("bo", "Anne leads the group."),
            ("cleo", "Second thought"),
        ]
        assert f"Memo 1 on transcript '{FIRST}' edited (^z takes it back)" in record.notes()

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert list_memos(demo, transcript=FIRST)[0].text == "Anne leeds the group"
    with demo.reading() as uow:
        actions = [event.action for event in uow.events.latest(2)]
    assert actions == ["undo", "memo_edit"]


async def test_escape_drops_an_edit_and_a_blank_edit_is_refused(
    demo: Project, make_app: Any
) -> None:
    on_first(demo, ("Keep me", "bo"))
    app, record = make_app(demo), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        await pilot.press("M", "shift+tab", "enter", "ctrl+e", *["backspace"] * 7, "ctrl+s")
        await pilot.pause()
        board = app.screen
        assert isinstance(board, MemoBoard)
        assert board.errors_shown() == {
            "form-error": "A memo cannot be empty (delete in the list deletes it)"
        }
        await pilot.press("escape")  # drops the edit, keeps the board
        assert app.screen is board
        assert board.editing is None
        assert board.errors_shown() == {}
        assert board.query_one("#memo-new", TextArea).text == ""
        await pilot.press("escape")
        await settle(pilot)
        coding_screen(app)
    assert [m.text for m in list_memos(demo)] == ["Keep me"]


async def test_a_memo_is_deleted_after_asking_and_undone(demo: Project, make_app: Any) -> None:
    on_first(demo, ("Wrong transcript", "bo"), ("Stays", "bo"))
    app, record = make_app(demo), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        assert f"{FIRST} ✎2 │" in status(app)
        await pilot.press("M", "shift+tab", "up", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmMemoDelete)
        assert app.screen.memo.text == "Wrong transcript"
        await pilot.press("n")  # kept
        await pilot.pause()
        assert isinstance(app.screen, MemoBoard)
        await pilot.press("delete", "y")
        await settle(pilot)
        coding_screen(app)
        assert f"{FIRST} ✎1 │" in status(app)
        assert "✎1" in listed_label(app, FIRST)
        assert [m.text for m in list_memos(demo)] == ["Stays"]
        assert f"Memo 1 on transcript '{FIRST}' deleted (^z takes it back)" in record.notes()

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert [(m.id, m.text) for m in list_memos(demo)] == [(1, "Wrong transcript"), (2, "Stays")]
        assert f"{FIRST} ✎2 │" in status(app)
        assert "✎2" in listed_label(app, FIRST)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert [m.text for m in list_memos(demo)] == ["Stays"]


async def test_the_board_keys_are_in_its_help_and_palette(demo: Project, make_app: Any) -> None:
    add_memo(demo, "A memo", transcript=FIRST, author="bo")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {
            "memo: Edit the highlighted memo",
            "memo: Delete the highlighted memo",
            "memo: Save the new or edited memo",
        } <= titles.keys()
        await titles["memo: Edit the highlighted memo"].callback()
        await pilot.pause()
        board = app.screen
        assert isinstance(board, MemoBoard)
        assert board.query_one("#memo-new", TextArea).text == "A memo"
        await pilot.press("f1")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {row[2]: row for row in help_screen.rows}
        for binding_id, key, does in (
            ("memos.edit", "enter", "Edit the highlighted memo"),
            ("memos.delete", "delete", "Delete the highlighted memo"),
        ):
            assert rows[binding_id][:2] == (app.get_key_display(Binding(key, "")), does)


# -- review flags -----------------------------------------------------------------------


def visible_rows(app: QualcodeApp) -> list[str]:
    view = coding_screen(app).view
    return [
        "".join(s.text for s in view.render_line(y)) for y in range(view.scrollable_size.height)
    ]


async def test_flagged_codings_are_marked_and_counted(flagged: Project, make_app: Any) -> None:
    in_db = flagged_codings(flagged)
    here = {f.id for f in in_db if f.transcript == FIRST}
    app = make_app(flagged)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = coding_screen(app)
        assert screen.view.flagged == here
        assert f"⚑ review: {len(here)} here, {len(in_db)} in all" in status(app)
        first = min((f for f in in_db if f.transcript == FIRST), key=lambda f: (f.start, f.id))
        screen.view.select_span(first.start, first.end)
        await pilot.pause()
        assert f"⚑ coding {first.id} needs review" in status(app)
        rows = visible_rows(app)
        marked = [row for row in rows if row[STRIPES] == "!"]  # between stripes and text
        assert any(REWRITE[:20] in row for row in marked)
        assert all(row[STRIPES] == " " for row in rows if row not in marked)
        assert all(row[:STRIPES].strip() for row in marked)  # flagged rows are coded rows


async def test_next_flagged_walks_every_flagged_coding_and_wraps(
    flagged: Project, make_app: Any
) -> None:
    in_db = flagged_codings(flagged)  # by transcript name and position
    start = [f for f in in_db if f.transcript >= FIRST]  # from the open transcript on
    expected = start + [f for f in in_db if f.transcript < FIRST]
    app, record = make_app(flagged), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        screen = coding_screen(app)
        visited = []
        for _ in range(len(expected) + 1):
            await pilot.press("f8")
            await settle(pilot)
            visited.append((screen.transcript, screen.view.selection))
        assert visited == [(f.transcript, (f.start, f.end)) for f in [*expected, expected[0]]]
        first = expected[0]
        assert f"Coding {first.id} (" in record.notes()[0]
        assert first.note in record.notes()[0]
        assert "R marks it reviewed" in record.notes()[0]


async def test_marking_reviewed_is_undone_and_redone(flagged: Project, make_app: Any) -> None:
    before = flagged_codings(flagged)
    app, record = make_app(flagged), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        screen = coding_screen(app)
        await pilot.press("f8")
        await settle(pilot)
        target = next(f for f in before if (f.start, f.end) == screen.view.selection)
        await pilot.press("R")
        await settle(pilot)
        assert flagged_codings(flagged) == [f for f in before if f.id != target.id]
        assert target.id not in screen.view.flagged
        assert screen.flagged_total == len(before) - 1
        assert f"Coding {target.id} marked reviewed (^z takes it back)" in record.notes()

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert flagged_codings(flagged) == before  # the note is back as it was
        assert target.id in screen.view.flagged
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert target.id not in {f.id for f in flagged_codings(flagged)}
    with flagged.reading() as uow:
        actions = [event.action for event in uow.events.latest(3)]
    assert actions == ["redo", "undo", "review_done"]


async def test_several_flagged_codings_at_the_cursor_ask_which(
    flagged: Project, make_app: Any
) -> None:
    in_db = [f for f in flagged_codings(flagged) if f.transcript == FIRST]
    app = make_app(flagged)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = coding_screen(app)
        view = screen.view
        # an offset that two flagged codings cover, with no selection
        offset = next(
            o
            for f in in_db
            for o in range(f.start, f.end)
            if len([g for g in in_db if g.start <= o < g.end]) > 1
        )
        view.cursor = offset
        await pilot.press("R")
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, ChooseCoding)
        covering = {f.id for f in in_db if f.start <= offset < f.end}
        assert {c.id for c in chooser.codings} == covering
        await pilot.press("enter")
        await settle(pilot)
    left = {f.id for f in flagged_codings(flagged)}
    assert len(covering - left) == 1


async def test_without_flags_the_keys_explain_themselves(demo: Project, make_app: Any) -> None:
    app, record = make_app(demo), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        await pilot.press("f8", "R")
        await pilot.pause()
        assert "⚑" not in status(app)
    assert record.notes() == [
        "No coding needs review",
        "No coding at the cursor needs review (f8 jumps to the next one)",
    ]


async def test_blind_review_reaches_only_ones_own(flagged: Project, make_app: Any) -> None:
    own = [f for f in flagged_codings(flagged) if f.coder == "anna"]
    app = make_app(flagged, "anna", blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = coding_screen(app)
        assert f"{len(own)} in all" in status(app)
        seen = []
        for _ in own:
            await pilot.press("f8")
            await settle(pilot)
            seen.append(next(f.id for f in own if (f.start, f.end) == screen.view.selection))
        assert sorted(seen) == sorted(f.id for f in own)
        assert screen.view.flagged <= {f.id for f in own}


async def test_flags_from_transcript_edit_in_an_editor(
    demo_path: Path, run: Cli, tmp_path: Path, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_text = rewritten_texts(demo_path, {FIRST: (5,)})[FIRST]
    source = write(tmp_path / "new.txt", new_text)
    script = write(
        tmp_path / "editor.py",
        f"import sys, shutil\nshutil.copyfile({str(source)!r}, sys.argv[1])\n",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    result = run("transcript", "edit", demo_path, FIRST, "--coder", "bo")
    assert "to review" in result.stdout
    project = open_project(demo_path)
    try:
        in_db = flagged_codings(project)
        assert in_db
        app = make_app(project)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert coding_screen(app).view.flagged == {f.id for f in in_db}
            await pilot.press("f8")
            await settle(pilot)
            assert coding_screen(app).view.selection == (in_db[0].start, in_db[0].end)
    finally:
        project.close()


# -- keys: help, palette, keymap ---------------------------------------------------------


async def test_help_palette_and_rebound_keys(
    flagged: Project, make_app: Any, tmp_path: Path
) -> None:
    keymap = {"memo.transcript": "ctrl+w", "review.next": "f9", "review.done": "f10"}
    (tmp_path / "config.json").write_text(json.dumps({"keymap": keymap}))
    app, record = make_app(flagged), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await settle(pilot)
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in (
            "memo: Memos on this transcript: read them, write one",
            "memo: Memos on the highlighted code: read them, write one",
            "review: Jump to the next coding that needs review after a transcript edit",
            "review: Mark the coding at the cursor reviewed (clears its review flag)",
        ):
            assert title in titles
        await titles[
            "review: Jump to the next coding that needs review after a transcript edit"
        ].callback()
        await settle(pilot)
        assert "f10 marks it reviewed" in record.notes()[-1]

        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {row[2]: row for row in help_screen.rows}
        assert rows["memo.transcript"][0] == app.get_key_display(Binding("ctrl+w", ""))
        assert rows["review.next"][0] == "f9"
        assert {"memo.code", "review.done"} <= rows.keys()
        await pilot.press("escape")

        before = len(flagged_codings(flagged))
        await pilot.press("f10")
        await settle(pilot)
        assert len(flagged_codings(flagged)) == before - 1
        await pilot.press("ctrl+w")
        assert isinstance(app.screen, MemoBoard)
