"""Who is coding: the question a browser session of ``qualcode serve`` asks first when
the server did not fix the coder (``--coder``). The name passes the one name entrance
(:func:`~qualcode.domain.text_entry.enter_coder`) before the workspace opens."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label

from qualcode.domain.text_entry import enter_coder
from qualcode.tui.screens.form import FormDialog, error_label

FIELD = "coder-name"


async def checked_name(typed: str) -> str:
    """The name as stored (:func:`~qualcode.domain.text_entry.enter_coder`, as for
    ``--coder``); a refused one raises an error about ``coder``."""
    return enter_coder(typed)


class CoderBackdrop(Screen[None]):
    """What is behind the question: the project's name, nothing of its content."""

    def __init__(self, location: str) -> None:
        super().__init__()
        self.location = location

    def compose(self) -> ComposeResult:
        yield Label(f"qualcode — {self.location}", id="coder-backdrop")


class CoderPrompt(FormDialog[str, str]):
    """Asks for the coder's name; enter opens the workspace as that coder."""

    FIELDS: ClassVar[dict[str, str]] = {"coder": FIELD}

    def __init__(self) -> None:
        super().__init__(checked_name)

    def compose(self) -> ComposeResult:
        with Vertical(id="coder-prompt", classes="dialog"):
            yield Label("Your coder name (enter opens the workspace)", classes="dialog-title")
            yield Input(id=FIELD, placeholder="e.g. bo")
            yield error_label(FIELD)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.submit(event.value)
