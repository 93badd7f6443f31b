"""The memos on a transcript or a code, oldest first, with a field to write a new one.
The board only collects the text: it returns it, and the screen that opened it stores
the memo (one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from qualcode.services.memos import Memo


def memo_text(memo: Memo) -> Text:
    """``author · 2026-11-22 18:04 UTC`` in bold, then the memo's text."""
    stamp = memo.created.replace("T", " ").removesuffix("Z")[:16] + " UTC"
    text = Text()
    text.append(f"{memo.author or '(no author)'} · {stamp}", style="bold")
    text.append("\n" + memo.text.strip())
    return text


class MemoBoard(ModalScreen[str | None]):
    """Read the memos listed, write a new one: ctrl+s returns its text (a blank text is
    refused with a warning), escape returns ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="memos.close", tooltip="Close"),
        Binding("ctrl+s", "save", "Save", id="memos.save", tooltip="Save the new memo"),
    ]

    def __init__(self, title: str, memos: Sequence[Memo]) -> None:
        super().__init__()
        self.title_text = title
        self.memos = list(memos)

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-board", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.memos:
                options: list[Option | None] = []
                for memo in self.memos:
                    options.extend(
                        [None, Option(memo_text(memo))] if options else [Option(memo_text(memo))]
                    )
                yield OptionList(*options, id="memo-list")
            else:
                yield Label("No memos yet.", id="memo-empty")
            yield Label("New memo (ctrl+s saves, escape closes):", id="memo-new-label")
            yield TextArea("", id="memo-new")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="memo-board-save", variant="primary")
                yield Button("Close (esc)", id="memo-board-close")

    def on_mount(self) -> None:
        self.query_one("#memo-new", TextArea).focus()
        if self.memos:  # the newest memo in view
            listing = self.query_one("#memo-list", OptionList)
            listing.highlighted = listing.option_count - 1

    def action_save(self) -> None:
        text = self.query_one("#memo-new", TextArea).text.strip()
        if not text:
            self.notify("Write the memo first (escape closes)", severity="warning")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#memo-board-save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#memo-board-close")
    def _close(self) -> None:
        self.dismiss(None)
