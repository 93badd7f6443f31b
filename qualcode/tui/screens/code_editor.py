"""Add or edit a code: name, parent (moving it), shortcut, colour, description,
inclusion/exclusion criteria and example. The dialog saves the edit itself (through the
``save`` it is given) and closes only when that worked: a name or shortcut the codebook
refuses is shown beside its field, with everything typed still there."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, TextArea

from qualcode.domain.codebook import CodeSpec
from qualcode.services.workspace import CodeEntry
from qualcode.tui.screens.form import FormDialog, error_label

R = TypeVar("R")

TOP_LEVEL = -1


@dataclass(frozen=True, slots=True)
class CodeEdit:
    """A code's new definition and parent (``None`` = top level)."""

    spec: CodeSpec
    parent_id: int | None


class CodeEditor(FormDialog[CodeEdit, R]):
    """Returns what ``save`` returned for the edit, or ``None`` (escape)."""

    FIELDS: ClassVar[dict[str, str]] = {
        "code name": "code-name",
        "name": "code-name",
        "shortcut": "code-shortcut",
        "colour": "code-colour",
        "parent": "code-parent",
        "move": "code-parent",
        "description": "code-description",
        "inclusion": "code-inclusion",
        "exclusion": "code-exclusion",
        "example": "code-example",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save", tooltip="Save the code"),
        Binding("escape", "dismiss(None)", "Cancel", id="editor.cancel", tooltip="Close"),
    ]

    def __init__(
        self,
        title: str,
        entries: Sequence[CodeEntry],
        spec: CodeSpec,
        parent_id: int | None,
        save: Callable[[CodeEdit], Awaitable[R]],
        own_id: int | None = None,
    ) -> None:
        super().__init__(save)
        self.title_text = title
        self.spec = spec
        self.parent_id = parent_id
        # a code cannot move under itself or its sub-codes
        own_path = next((e.path for e in entries if e.id == own_id), None)
        self.parents = [
            e
            for e in entries
            if own_path is None or (e.path != own_path and not e.path.startswith(own_path + "/"))
        ]

    def compose(self) -> ComposeResult:
        spec = self.spec
        with VerticalScroll(id="code-editor", classes="dialog"):
            yield Label(self.title_text + "  (ctrl+s saves, esc cancels)", classes="dialog-title")
            yield Input(spec.name, placeholder="name", id="code-name")
            yield error_label("code-name")
            yield Select(
                [("(top level)", TOP_LEVEL), *[(e.path, e.id) for e in self.parents]],
                value=self.parent_id if self.parent_id is not None else TOP_LEVEL,
                allow_blank=False,
                id="code-parent",
            )
            yield error_label("code-parent")
            with Horizontal(classes="editor-row"):
                yield Input(
                    spec.shortcut or "",
                    placeholder="shortcut key",
                    max_length=1,
                    id="code-shortcut",
                )
                yield Input(spec.colour or "", placeholder="colour #RRGGBB", id="code-colour")
            yield error_label("code-shortcut")
            yield error_label("code-colour")
            for field, title in (
                ("description", "description"),
                ("inclusion", "include when"),
                ("exclusion", "exclude when"),
                ("example", "example"),
            ):
                yield Label(title)
                yield TextArea(
                    getattr(spec, field) or "", id=f"code-{field}", classes="editor-text"
                )
                yield error_label(f"code-{field}")
            yield error_label()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="editor-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#code-name", Input).focus()

    def _text(self, selector: str) -> str | None:
        widget = self.query_one(selector)
        value = (
            widget.text if isinstance(widget, TextArea) else self.query_one(selector, Input).value
        )
        return value.strip() or None

    def action_save(self) -> None:
        parent = self.query_one("#code-parent", Select).value
        spec = CodeSpec(
            name=self._text("#code-name") or "",
            label_da=self.spec.label_da,
            description=self._text("#code-description"),
            inclusion=self._text("#code-inclusion"),
            exclusion=self._text("#code-exclusion"),
            example=self._text("#code-example"),
            colour=self._text("#code-colour"),
            shortcut=self._text("#code-shortcut"),
            keywords=self.spec.keywords,
            codable=self.spec.codable,  # a heading stays one (no field for it here)
        )
        self.submit(
            CodeEdit(spec, parent if isinstance(parent, int) and parent != TOP_LEVEL else None)
        )

    @on(Button.Pressed, "#editor-save")
    def _save(self) -> None:
        self.action_save()
