"""The memos on a transcript or a code, oldest first, with a field to write a new one or
correct a listed one (``enter`` on it), and ``delete`` to remove one after a
confirmation. The board collects a :class:`MemoChange` and stores it with the ``save``
it was given (one transaction); a refused change keeps the board open with the text as
typed and the reason under it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
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
from qualcode.tui.screens.form import FormDialog, error_label

NEW_LABEL = "New memo (ctrl+s saves, escape closes):"
LIST_HINT = "In the list (shift+tab): enter edits the highlighted memo, delete deletes it."


@dataclass(frozen=True, slots=True)
class MemoChange:
    """What the board asks for: ``memo_id`` ``None`` writes a new memo with ``text``;
    otherwise ``text`` replaces that memo's text, or (``None``) deletes the memo."""

    memo_id: int | None
    text: str | None


def memo_text(memo: Memo) -> Text:
    """``author · 2026-11-22 18:04 UTC`` in bold, then the memo's text."""
    stamp = memo.created.replace("T", " ").removesuffix("Z")[:16] + " UTC"
    text = Text()
    text.append(f"{memo.author or '(no author)'} · {stamp}", style="bold")
    text.append("\n" + memo.text.strip())
    return text


class MemoBoard(FormDialog[MemoChange, bool]):
    """Read the memos listed, write a new one or correct one: ctrl+s saves the change
    and closes with what ``save`` returned (a blank text is refused beside the field);
    escape drops an edit, else returns ``None``; delete on a listed memo asks, then
    saves its deletion."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="memos.close", tooltip="Close (or drop the edit)"),
        Binding("ctrl+s", "save", "Save", id="memos.save", tooltip="Save the new or edited memo"),
        Binding("enter", "edit", "Edit", id="memos.edit", tooltip="Edit the highlighted memo"),
        Binding(
            "delete", "delete", "Delete", id="memos.delete", tooltip="Delete the highlighted memo"
        ),
        Binding("f1", "app.help", "Keys", id="memos.help", tooltip="List the board's keys"),
    ]

    def __init__(
        self, title: str, memos: Sequence[Memo], save: Callable[[MemoChange], Awaitable[bool]]
    ) -> None:
        super().__init__(save)
        self.title_text = title
        self.memos = list(memos)
        self.editing: Memo | None = None

    @classmethod
    def key_owners(cls) -> tuple[type, ...]:
        """Whose keys the help screen and palette list while the board is open."""
        return (cls,)

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-board", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.memos:
                options: list[Option | None] = []
                for memo in self.memos:
                    option = Option(memo_text(memo), id=f"memo-{memo.id}")
                    options.extend([None, option] if options else [option])
                yield OptionList(*options, id="memo-list")
                yield Label(LIST_HINT, id="memo-hint")
            else:
                yield Label("No memos yet.", id="memo-empty")
            yield Label(NEW_LABEL, id="memo-new-label")
            yield TextArea("", id="memo-new")
            yield error_label()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="memo-board-save", variant="primary")
                yield Button("Close (esc)", id="memo-board-close")

    def on_mount(self) -> None:
        self.query_one("#memo-new", TextArea).focus()
        if self.memos:  # the newest memo in view
            listing = self.query_one("#memo-list", OptionList)
            listing.highlighted = listing.option_count - 1

    def highlighted(self) -> Memo | None:
        """The memo highlighted in the list (``None`` without memos)."""
        if not self.memos:
            return None
        option = self.query_one("#memo-list", OptionList).highlighted_option
        if option is None:
            return None
        return next((m for m in self.memos if f"memo-{m.id}" == option.id), None)

    def action_edit(self) -> None:
        memo = self.highlighted()
        if memo is None:
            self.notify("No memo to edit", severity="warning")
            return
        self.editing = memo
        field = self.query_one("#memo-new", TextArea)
        field.load_text(memo.text)
        field.focus()
        self.query_one("#memo-new-label", Label).update(
            f"Editing memo {memo.id} by {memo.author or '(no author)'} "
            "(ctrl+s saves the edit, escape drops it):"
        )

    def action_close(self) -> None:
        if self.editing is None:
            self.cancel()
            return
        self.editing = None
        self.clear_errors()
        self.query_one("#memo-new", TextArea).load_text("")
        self.query_one("#memo-new-label", Label).update(NEW_LABEL)

    def action_save(self) -> None:
        text = self.query_one("#memo-new", TextArea).text.strip()
        if not text:
            self.show_error(
                "Write the memo first (escape closes)"
                if self.editing is None
                else "A memo cannot be empty (delete in the list deletes it)"
            )
            return
        self.submit(MemoChange(None if self.editing is None else self.editing.id, text))

    def action_delete(self) -> None:
        memo = self.highlighted()
        if memo is None:
            self.notify("No memo to delete", severity="warning")
            return

        def answered(sure: bool | None) -> None:
            if sure:
                self.submit(MemoChange(memo.id, None))

        self.app.push_screen(ConfirmMemoDelete(memo), answered)

    @on(OptionList.OptionSelected, "#memo-list")
    def _selected(self) -> None:
        self.action_edit()

    @on(Button.Pressed, "#memo-board-save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#memo-board-close")
    def _close(self) -> None:
        self.cancel()


class ConfirmMemoDelete(ModalScreen[bool]):
    """Asks before a memo is deleted: ``y`` (or the button) returns ``True``, ``n`` or
    escape ``False``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "dismiss(True)", "Delete", id="memos.delete-yes", tooltip="Delete it"),
        Binding("n,escape", "dismiss(False)", "Keep", id="memos.delete-no", tooltip="Keep it"),
    ]

    def __init__(self, memo: Memo) -> None:
        super().__init__()
        self.memo = memo

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-delete", classes="dialog"):
            yield Label(f"Delete memo {self.memo.id}?", classes="dialog-title")
            yield Label(memo_text(self.memo))
            yield Label("The event log keeps its text; ctrl+z in the workspace takes it back.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete (y)", id="memo-delete-yes", variant="error")
                yield Button("Keep (n)", id="memo-delete-no")

    @on(Button.Pressed, "#memo-delete-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#memo-delete-no")
    def _no(self) -> None:
        self.dismiss(False)
