"""A code's whole definition in a dialog: the codebook panel is narrow, and long
descriptions, criteria and examples are read here, scrolled from the keyboard."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from qualcode.services.workspace import CodeEntry
from qualcode.tui.widgets.codebook_tree import definition_text


class CodeDescription(ModalScreen[None]):
    """Shows ``entry``'s definition, criteria and example; arrows and page keys scroll,
    escape (or ``d`` again) closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,d", "dismiss(None)", "Close", id="description.close", tooltip="Close"),
    ]

    def __init__(self, entry: CodeEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="description", classes="dialog"):
            yield Label(
                "Definition  (arrows and page keys scroll, esc closes)", classes="dialog-title"
            )
            yield Static(definition_text(self.entry), id="description-text")

    def on_mount(self) -> None:
        self.query_one("#description", VerticalScroll).focus()
