"""At 80×24: a code's long definition is read from the keyboard (the panel scrolls, ``d``
shows it whole in a dialog), and the footer keeps quit and help whatever has focus."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from qualcode.domain.codebook import CodeSpec
from qualcode.services import codebook_edit
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.screens.code_description import CodeDescription
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import HelpScreen
from qualcode.tui.widgets.codebook_tree import CodebookTree, CodeDefinition
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.transcript_view import TranscriptView
from tests.tui import idle

SIZE = (80, 24)
# a definition far longer than the panel: numbered sentences, so the last one is findable
LONG = " ".join(f"Sentence {n} of the definition." for n in range(1, 61))


@pytest.fixture
def app(project: Project, tmp_path: Path) -> QualcodeApp:
    spec = CodeSpec("trust", description=LONG, inclusion="Any talk of trust.", example="“Yes.”")
    codebook_edit.add_code(project, spec, None, "t")
    return create_app(project, "cleo", config_file=tmp_path / "config.json")


def footer_actions(app: QualcodeApp) -> list[str]:
    footer = app.screen.query_one(KeysFooter)
    return [str(getattr(key, "action", "")) for key in footer.children]


async def test_the_definition_panel_scrolls_from_the_keyboard(app: QualcodeApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab")  # the codebook, then its definition panel
        panel = app.screen.query_one(CodeDefinition)
        assert app.focused is panel
        assert "Sentence 60 of the definition." in panel.shown
        assert panel.max_scroll_y > 0  # longer than the panel
        await pilot.press("pagedown")
        await pilot.pause()
        assert panel.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert panel.scroll_y == panel.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert panel.scroll_y == 0


async def test_d_shows_the_whole_definition_in_a_dialog(app: QualcodeApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "d")
        dialog = app.screen
        assert isinstance(dialog, CodeDescription)
        text = str(dialog.query_one("#description-text", Static).content)
        for part in (LONG, "Any talk of trust.", "“Yes.”"):
            assert part in " ".join(text.split())
        scroll = dialog.query_one("#description", VerticalScroll)
        assert app.focused is scroll
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y > 0  # 60 sentences do not fit
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_the_keys_are_in_help_and_the_palette(app: QualcodeApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "codebook: Read the highlighted code's whole definition, criteria and example" in (
            titles
        )
        await pilot.press("f1")
        shown = app.screen
        assert isinstance(shown, HelpScreen)
        ids = {row[2]: row[0] for row in shown.rows}
        assert ids["codebook.describe"] == "d"
        assert {"definition.page-down", "definition.page-up"} <= set(ids)


async def focus(pilot: Pilot[None], kind: type) -> None:
    while not isinstance(pilot.app.focused, kind):
        await pilot.press("tab")


@pytest.mark.parametrize(
    "focused",
    [TranscriptView, CodebookTree, CodeDefinition],  # each brings its own keys
    ids=["transcript", "codebook", "definition"],
)
async def test_quit_and_help_lead_the_footer(app: QualcodeApp, focused: type) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await focus(pilot, focused)
        await idle.footer_composed(pilot)
        assert footer_actions(app)[:2] == ["quit", "help"]
