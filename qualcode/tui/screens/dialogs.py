"""Small dialogs that return typed values: which coding, a memo text, the key map."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from qualcode.domain.codings import Coding
from qualcode.tui.screens.form import FormDialog, error_label
from qualcode.tui.widgets.measured_table import MeasuredTable

R = TypeVar("R")


class ChooseCoding(ModalScreen[int | None]):
    """Several codings cover the cursor: pick one (returns its id). Codings in
    ``flagged`` (they need review after a transcript edit) are marked ⚑."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="choose.cancel", tooltip="Close"),
    ]

    def __init__(
        self, codings: Sequence[Coding], title: str, flagged: Collection[int] = ()
    ) -> None:
        super().__init__()
        self.codings = list(codings)
        self.title_text = title
        self.flagged = frozenset(flagged)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(
                *[
                    Option(
                        Text(
                            f"{'⚑ ' if c.id in self.flagged else ''}{c.code_path}  "
                            f"{c.start}:{c.end}  ({len(c.text)} chars)"
                        ),
                        id=str(c.id),
                    )
                    for c in self.codings
                ],
                id="choose-options",
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))


class MemoEditor(FormDialog[str, R]):
    """Edit a memo-like text (a coding's memo, a framework summary): ctrl+s saves it with
    ``save`` and closes with its result; a refused text stays, with the reason under it.
    Escape cancels (``None``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="memo.cancel", tooltip="Close"),
        Binding("ctrl+s", "save", "Save", id="memo.save", tooltip="Save the memo"),
    ]

    def __init__(self, memo: str | None, title: str, save: Callable[[str], Awaitable[R]]) -> None:
        super().__init__(save)
        self.memo = memo or ""
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.memo, id="memo-text")
            yield error_label()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="memo-save", variant="primary")
                yield Button("Cancel (esc)", id="memo-cancel")

    def action_save(self) -> None:
        self.submit(self.query_one("#memo-text", TextArea).text)

    @on(Button.Pressed, "#memo-save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#memo-cancel")
    def _cancel(self) -> None:
        self.cancel()


class HelpScreen(ModalScreen[None]):
    """Every key: what it does and its binding id (for the keymap in the config)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,f1,question_mark", "dismiss(None)", "Close", id="help.close", tooltip="Close"
        ),
    ]

    def __init__(self, rows: Sequence[tuple[str, str, str]], config_hint: str) -> None:
        super().__init__()
        self.rows = list(rows)
        self.config_hint = config_hint

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label("Keys  (escape closes)", classes="dialog-title")
            yield MeasuredTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Label(self.config_hint, id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "does", "binding id")
        table.add_rows(self.rows)
        table.focus()
