"""The workspace's suggestions: f7 shows them dimmed in the margin, A accepts the one at
the cursor (an undoable coding noted as suggested), X dismisses it for this coder."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets._toast import Toast

from qualcode.domain.suggestions import SUGGESTED
from qualcode.services.codebook_rename import rename_code
from qualcode.services.coding import list_codings
from qualcode.tui.app import QualcodeApp
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.session import Workspace
from tests.suggestions.tiny import code_of, tiny_project

SIZE = (110, 30)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def suggesting(pilot: Pilot[None]) -> CodingScreen:
    """The coding screen with suggestions shown (f7) and computed."""
    screen = pilot.app.screen
    assert isinstance(screen, CodingScreen)
    await pilot.press("f7")
    await settle(pilot)
    return screen


async def test_show_accept_undo_and_dismiss(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    app = QualcodeApp(Workspace(project, "anna", blind=True), transcript="t3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await suggesting(pilot)
        suggestions = screen.suggestions
        assert suggestions
        assert all(s.transcript == "t3" for s in suggestions)
        first = suggestions[0]
        view = screen.view
        line = view._lines.starts.index(  # the margin of the unit's first row is drawn dimmed
            max(start for start in view._lines.starts if start <= first.start)
        )
        margin = "".join(segment.text for segment in view.render_line(line - view.scroll_offset.y))
        marker = screen.marks()[first.codes[0][0]].marker
        assert marker in margin[:4]

        view.select_span(first.start, first.start)  # the cursor in the suggested unit
        await pilot.pause()
        assert "suggested:" in str(screen.query_one("#status").render())
        await pilot.press("A")
        await settle(pilot)
        (coding,) = [c for c in list_codings(project, coders=["anna"]) if c.transcript == "t3"]
        assert (coding.start, coding.end, coding.code_path) == (
            first.start,
            first.end,
            first.codes[0][0],
        )
        assert code_of(coding.text) == coding.code_path
        with project.reading() as uow:
            assert uow.suggestions.suggested_coding_ids("origin", SUGGESTED) == {coding.id}
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert not [c for c in list_codings(project, coders=["anna"]) if c.transcript == "t3"]

        second = screen.suggestions[0]
        view.select_span(second.start, second.start)
        await pilot.press("X")
        await settle(pilot)
        assert second not in screen.suggestions
        third = screen.suggestions[0]  # coded by hand: its suggestion goes
        view.select_span(third.start, third.end)
        await pilot.press(screen.marks()[third.codes[0][0]].marker)  # the code's shortcut
        await settle(pilot)
        assert third not in screen.suggestions
        await pilot.press("f7", "f7")  # off and on again: learned afresh, still dismissed
        await settle(pilot)
        assert (second.start, second.codes[0][0]) not in {
            (s.start, s.codes[0][0]) for s in screen.suggestions
        }
        (by_hand,) = [c for c in list_codings(project, coders=["anna"]) if c.transcript == "t3"]
        assert (by_hand.start, by_hand.end) == (third.start, third.end)
        with project.reading() as uow:
            assert not uow.suggestions.suggested_coding_ids("origin", SUGGESTED)


def status_text(screen: CodingScreen) -> str:
    return str(screen.query_one("#status").render())


async def test_ctrl_z_brings_an_accepted_or_dismissed_suggestion_back(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    before = len(list_codings(project, coders=["anna"]))
    app = QualcodeApp(Workspace(project, "anna", blind=True), transcript="t3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await suggesting(pilot)
        first = screen.suggestions[0]
        for key in ("A", "X"):  # accept, then dismiss: each one undoable step
            screen.view.select_span(first.start, first.start)
            await pilot.press(key)
            await settle(pilot)
            assert first not in screen.suggestions
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert first in screen.suggestions  # back at once, without f7 off and on
            assert f"suggested: {first.codes[0][0]}" in status_text(screen)
            assert len(list_codings(project, coders=["anna"])) == before  # nothing else undone
        await pilot.press("ctrl+y")  # the dismissal again
        await settle(pilot)
        assert first not in screen.suggestions
    with project.reading() as uow:
        dismissals = uow.events.recent(("dismiss_suggestion",), 10)
    assert [e.undone for e in dismissals] == [False]


async def test_square_brackets_in_messages_are_shown_as_written(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    name = "navigating [bold]the system [legal]"
    rename_code(project, "waiting", name, "bo")
    app = QualcodeApp(Workspace(project, "anna", blind=True), transcript="t3")
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn
        screen = await suggesting(pilot)
        found = next(s for s in screen.suggestions if s.codes[0][0] == name)
        screen.view.select_span(found.start, found.start)
        await pilot.pause()
        assert f"suggested: {name} " in status_text(screen)
        await pilot.press("A")
        await settle(pilot)
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert f"Coded as {name} (suggested); ctrl+z undoes" in toasts
        app.notify("pip install 'qualcode[suggest]'")
        await pilot.pause()
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert "pip install 'qualcode[suggest]'" in toasts
