"""Nothing a user typed is lost: a dialog whose save is refused stays open with every
field as typed and the reason beside the field, and the project is unchanged; once the
input is corrected the same dialog saves and closes. On a tiny project, so each Pilot
session is cheap."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.spans import Span
from qualcode.services import codebook_edit
from qualcode.services.codebook import list_codes
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.memos import list_memos
from qualcode.services.project import Project
from qualcode.services.transcripts import import_transcripts
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.screens.code_editor import CodeEditor
from qualcode.tui.screens.code_picker import CodePicker
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import MemoEditor
from qualcode.tui.screens.form import FormDialog
from qualcode.tui.screens.memo_board import MemoBoard
from tests.cli.test_bad_input import dump
from tests.tui.test_workflows import settle

SIZE = (80, 24)
TEXT = "Anna: I trust the caseworker.\nBo: Not always, no.\n"


@pytest.fixture
def tiny(project: Project, tmp_path: Path) -> Project:
    """One short transcript; codes ``continuity`` [b] with ``meeting`` [m] under it, and
    ``recognition`` [r]; one coding of cleo's."""
    transcript = tmp_path / "talk.txt"
    transcript.write_text(TEXT, encoding="utf-8")
    import_transcripts(project, [transcript])
    continuity = codebook_edit.add_code(project, CodeSpec("continuity", shortcut="b"), None, "t")
    codebook_edit.add_code(project, CodeSpec("meeting", shortcut="m"), continuity, "t")
    recognition = codebook_edit.add_code(project, CodeSpec("recognition", shortcut="r"), None, "t")
    apply_code(project, "talk", recognition, "cleo", span=Span(6, 29))
    return project


@pytest.fixture
def tiny_path(tiny: Project, project_path: Path) -> Path:
    return project_path


@pytest.fixture
def app(tiny: Project, tmp_path: Path) -> QualcodeApp:
    return create_app(tiny, "cleo", config_file=tmp_path / "config.json")


def dialog(app: QualcodeApp) -> FormDialog[Any, Any]:
    screen = app.screen
    assert isinstance(screen, FormDialog), screen
    return screen


def value(app: QualcodeApp, field: str) -> str:
    widget = app.screen.query_one(f"#{field}")
    return (
        widget.text
        if isinstance(widget, TextArea)
        else app.screen.query_one(f"#{field}", Input).value
    )


def code_id(project: Project, path: str) -> int:
    return next(c.id for c in list_codes(project) if c.path == path)


async def open_codebook(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press("tab", *keys)  # the codebook, then its key


async def test_a_taken_shortcut_keeps_the_new_code_form(
    app: QualcodeApp, tiny: Project, tiny_path: Path
) -> None:
    before = dump(tiny_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot, "a")
        assert isinstance(app.screen, CodeEditor)
        # name, parent, shortcut "b" (continuity's), colour, a description
        await pilot.press(*"trust", "tab", "tab", "b", "tab", "tab", *"feels safe", "ctrl+s")
        await settle(pilot)
        form = dialog(app)
        assert isinstance(form, CodeEditor)
        assert (value(app, "code-name"), value(app, "code-shortcut")) == ("trust", "b")
        assert value(app, "code-description") == "feels safe"
        assert form.errors_shown() == {
            "code-shortcut-error": "shortcut: 'b' is already used by 'continuity'"
        }
        assert app.focused is form.query_one("#code-shortcut")  # where to correct it
        assert dump(tiny_path) == before

        await pilot.press("backspace", "t", "ctrl+s")  # another key: saved, closed
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
    (trust,) = [c for c in list_codes(tiny) if c.path == "trust"]
    assert (trust.spec.shortcut, trust.spec.description) == ("t", "feels safe")


REFUSED_NEW_CODES = [
    # nothing typed as the name
    ([], "code-name", "must be non-empty"),
    # a sibling of that name exists (case does not matter)
    (list("Recognition"), "code-name", "'recognition' exists already"),
    # a path separator in a name
    (list("a/b"), "code-name", "without '/'"),
    # not a colour
    ([*"calm", "tab", "tab", "tab", *"blue"], "code-colour", "not a colour"),
]


async def test_a_refused_new_code_says_why_beside_the_field(
    app: QualcodeApp, tiny_path: Path
) -> None:
    # one session, a fresh new-code dialog for each row (a start-up each cost more)
    before = dump(tiny_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_codebook(pilot, "a")
        for number, (typed, field, reason) in enumerate(REFUSED_NEW_CODES):
            if number:  # the last row's dialog closed unsaved, a new one opened
                await pilot.press("escape")
                await settle(pilot)
                assert isinstance(app.screen, CodingScreen)
                await pilot.press("a")  # the codebook still has the focus
            assert isinstance(app.screen, CodeEditor)
            assert value(app, "code-name") == ""
            await pilot.press(*typed, "ctrl+s")
            await settle(pilot)
            shown = dialog(app).errors_shown()
            assert list(shown) == [f"{field}-error"], typed
            assert reason in shown[f"{field}-error"]
    assert dump(tiny_path) == before


async def test_a_rename_to_a_sibling_keeps_the_edit_dialog(
    app: QualcodeApp, tiny: Project, tiny_path: Path
) -> None:
    before = dump(tiny_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        screen.codebook.select_code(code_id(tiny, "recognition"))
        await open_codebook(pilot, "e")
        await pilot.press("end", "ctrl+u", *"Continuity", "ctrl+s")
        await settle(pilot)
        form = dialog(app)
        assert value(app, "code-name") == "Continuity"
        assert form.errors_shown() == {"code-name-error": "code name: 'continuity' exists already"}
        assert dump(tiny_path) == before

        await pilot.press("ctrl+u", *"being recognised", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
    assert {c.path for c in list_codes(tiny)} == {
        "continuity",
        "continuity/meeting",
        "being recognised",
    }


async def test_a_busy_project_keeps_the_memo_as_typed(
    app: QualcodeApp, tiny: Project, tiny_path: Path
) -> None:
    (coding,) = list_codings(tiny)
    blocker = sqlite3.connect(tiny_path, isolation_level=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        screen.view.cursor = coding.start + 1
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, MemoEditor)
        await pilot.press(*"ask about trust")
        before = dump(tiny_path)
        blocker.execute("BEGIN IMMEDIATE")  # another coder's process holds the write lock
        await pilot.press("ctrl+s", "escape")  # escape waits while the save runs
        await settle(pilot)
        blocker.execute("ROLLBACK")
        form = dialog(app)
        assert value(app, "memo-text") == "ask about trust"
        assert "busy" in form.errors_shown()["form-error"]
        assert dump(tiny_path) == before

        await pilot.press("ctrl+s")  # the lock is gone: the same text is saved
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
    blocker.close()
    assert [c.memo for c in list_codings(tiny)] == ["ask about trust"]


async def test_a_blank_memo_is_refused_beside_the_field(app: QualcodeApp, tiny: Project) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MemoBoard)
        assert dialog(app).errors_shown() == {"form-error": "Write the memo first (escape closes)"}
        await pilot.press(*"first memo", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CodingScreen)
    assert [m.text for m in list_memos(tiny)] == ["first memo"]


async def test_the_picker_keeps_a_refused_new_name(app: QualcodeApp, tiny: Project) -> None:
    before = [c.path for c in list_codes(tiny)]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "enter", *"new/theme")
        await pilot.press("up", "enter")  # the last option creates the code
        await settle(pilot)
        form = dialog(app)
        assert isinstance(form, CodePicker)
        assert value(app, "picker-query") == "new/theme"
        assert "without '/'" in form.errors_shown()["picker-query-error"]
    assert [c.path for c in list_codes(tiny)] == before


def _dialogs() -> list[type]:
    """Every modal screen class defined in the workspace's screens."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import ModalScreen

    import qualcode.tui.screens as package

    found = []
    for module in pkgutil.iter_modules(package.__path__):
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        found += [
            cls
            for _, cls in inspect.getmembers(loaded, inspect.isclass)
            if issubclass(cls, ModalScreen) and cls.__module__ == loaded.__name__
        ]
    return found


def test_every_dialog_that_takes_typed_input_saves_before_closing() -> None:
    # a new dialog with a text field inherits the guarantee only through FormDialog
    import inspect

    typed = [
        cls
        for cls in _dialogs()
        if any(field in inspect.getsource(cls) for field in ("Input(", "TextArea("))
    ]
    assert {cls.__name__ for cls in typed} >= {"CodeEditor", "MemoEditor", "MemoBoard"}
    assert [cls.__name__ for cls in typed if not issubclass(cls, FormDialog)] == []
