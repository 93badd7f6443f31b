"""The matrix export dialog: it collects the file, the format and which measures, shows
the equivalent ``qualcode matrix`` command, and writes with the ``save`` it is given
(:func:`qualcode.tui.matrix_files.write_export` in a thread). A file that cannot be
written keeps the dialog open with the path as typed and the reason under it."""

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
from qualcode.domain.matrices import Measure
from qualcode.services.matrices import MatrixRequest
from qualcode.tui.matrix_files import (
    ALL_BY_DEFAULT,
    EXPORT_FORMATS,
    MatrixExport,
    command_line,
    default_path,
)
from qualcode.tui.screens.form import FormDialog, error_label

SHOWN, ALL = "shown", "all"
R = TypeVar("R")


class ExportMatrixDialog(FormDialog[MatrixExport, R]):
    """Returns what ``save`` returned for the export, or ``None`` (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="export.cancel", tooltip="Close"),
        Binding("ctrl+s", "export", "Export", id="export.save", tooltip="Write the file"),
    ]

    def __init__(
        self,
        location: str,
        request: MatrixRequest,
        shown: Measure,
        save: Callable[[MatrixExport], Awaitable[R]],
        previous: MatrixExport | None = None,
    ) -> None:
        super().__init__(save)
        self.location = location
        self.request = request
        self.shown = shown
        self.previous = previous

    def compose(self) -> ComposeResult:
        chosen_format = self.previous.format if self.previous else EXPORT_FORMATS[0]
        path = self.previous.path if self.previous else default_path(chosen_format)
        every = self.previous.all_measures if self.previous else chosen_format in ALL_BY_DEFAULT
        with Vertical(id="matrix-export", classes="dialog"):
            yield Label("Export the matrix  (enter or ctrl+s writes, esc cancels)",
                        classes="dialog-title")  # fmt: skip
            with Horizontal(classes="export-row"):
                yield Select(
                    [(f, f) for f in EXPORT_FORMATS],
                    value=chosen_format,
                    allow_blank=False,
                    id="export-format",
                )
                yield Select(
                    [
                        (f"{self.shown.value} only", SHOWN),
                        ("all measures", ALL),
                    ],
                    value=ALL if every else SHOWN,
                    allow_blank=False,
                    id="export-measures",
                )
            yield Input(str(path), placeholder="file to write", id="export-path")
            yield error_label("export-path")
            yield Label("", id="export-command")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export-write", variant="primary")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self._describe()
        self.query_one("#export-path", Input).focus()

    def chosen(self) -> MatrixExport:
        output_format = self.query_one("#export-format", Select).value
        measures = self.query_one("#export-measures", Select).value
        path = self.query_one("#export-path", Input).value.strip()
        return MatrixExport(Path(path), str(output_format), measures == ALL)

    def _describe(self) -> None:
        command = command_line(self.location, self.request, self.shown, self.chosen())
        self.query_one("#export-command", Label).update(f"same as: {command}")

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        output_format = str(event.value)
        field = self.query_one("#export-path", Input)
        path = Path(field.value.strip() or default_path(output_format))
        if path.suffix.lstrip(".") in EXPORT_FORMATS:
            field.value = str(path.with_suffix("." + output_format))
        measures = self.query_one("#export-measures", Select)
        measures.value = ALL if output_format in ALL_BY_DEFAULT else SHOWN
        self._describe()

    @on(Select.Changed, "#export-measures")
    @on(Input.Changed, "#export-path")
    def _changed(self) -> None:
        self._describe()

    def field_of(self, error: QualcodeError) -> str:
        return "export-path"  # a file that cannot be written: the path is what to change

    def action_export(self) -> None:
        chosen = self.chosen()
        if not chosen.path.name:
            self.show_error("Name a file to write, e.g. exports/matrix.xlsx", "export-path")
            return
        self.submit(chosen)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-write")
    def _write(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.cancel()
