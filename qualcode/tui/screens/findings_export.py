"""The findings dialog of the matrix screen: it collects the file and the format of the
draft findings chapter, shows the equivalent ``qualcode findings`` command, and writes
with the ``save`` it is given (:func:`qualcode.tui.findings_files.write_findings` in a
thread). A file that cannot be written keeps the dialog open with the path as typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from qualcode.domain.errors import QualcodeError
from qualcode.services.findings import FindingsRequest
from qualcode.tui.findings_files import (
    FINDINGS_FORMATS,
    FindingsExport,
    default_findings_path,
    findings_command_line,
)
from qualcode.tui.screens.form import FormDialog, error_label

R = TypeVar("R")
DEFAULT_FORMAT = "docx"


class FindingsDialog(FormDialog[FindingsExport, R]):
    """Returns what ``save`` returned for the export, or ``None`` (escape)."""

    DEFAULT_CSS = """
    #findings-export { height: auto; }
    #findings-command { width: 1fr; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="findings.cancel", tooltip="Close"),
        Binding("ctrl+s", "write", "Write", id="findings.save", tooltip="Write the chapter"),
    ]

    def __init__(
        self,
        location: str,
        request: FindingsRequest,
        save: Callable[[FindingsExport], Awaitable[R]],
    ) -> None:
        super().__init__(save)
        self.location = location
        self.request = request

    def compose(self) -> ComposeResult:
        with Vertical(id="findings-export", classes="dialog"):
            yield Label("Draft findings chapter  (enter or ctrl+s writes, esc cancels)",
                        classes="dialog-title")  # fmt: skip
            yield Select(
                [(f, f) for f in FINDINGS_FORMATS],
                value=DEFAULT_FORMAT,
                allow_blank=False,
                id="findings-format",
            )
            yield Input(
                str(default_findings_path(DEFAULT_FORMAT)),
                placeholder="file to write",
                id="findings-path",
            )
            yield error_label("findings-path")
            yield Label("", id="findings-command")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write", id="findings-write", variant="primary")
                yield Button("Cancel", id="findings-cancel")

    def on_mount(self) -> None:
        self._describe()
        self.query_one("#findings-path", Input).focus()

    def chosen(self) -> FindingsExport:
        output_format = str(self.query_one("#findings-format", Select).value)
        path = self.query_one("#findings-path", Input).value.strip()
        return FindingsExport(Path(path), output_format)

    def _describe(self) -> None:
        command = findings_command_line(self.location, self.request, self.chosen())
        self.query_one("#findings-command", Label).update(f"same as: {command}")

    @on(Select.Changed, "#findings-format")
    def _format_changed(self, event: Select.Changed) -> None:
        field = self.query_one("#findings-path", Input)
        path = Path(field.value.strip() or default_findings_path(str(event.value)))
        if path.suffix.lstrip(".") in FINDINGS_FORMATS:
            field.value = str(path.with_suffix("." + str(event.value)))
        self._describe()

    @on(Input.Changed, "#findings-path")
    def _changed(self) -> None:
        self._describe()

    def field_of(self, error: QualcodeError) -> str:
        return "findings-path"  # a file that cannot be written: the path is what to change

    def action_write(self) -> None:
        chosen = self.chosen()
        if not chosen.path.name:
            self.show_error("Name a file to write, e.g. exports/findings.docx", "findings-path")
            return
        self.submit(chosen)

    @on(Input.Submitted, "#findings-path")
    @on(Button.Pressed, "#findings-write")
    def _write(self) -> None:
        self.action_write()

    @on(Button.Pressed, "#findings-cancel")
    def _cancel(self) -> None:
        self.cancel()
