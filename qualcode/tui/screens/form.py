"""Dialogs that keep what was typed. A :class:`FormDialog` saves before it closes: it
calls its ``save`` (a service call through the workspace) with what was collected, and
only a save that succeeded dismisses the dialog, with the save's result. A
:class:`~qualcode.domain.errors.QualcodeError` keeps the dialog open with every field as
typed and shows the one-line message in the error label beside the field it concerns
(found by the error's ``source``), or under the form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, Generic, TypeVar

from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label

from qualcode.domain.errors import InputError, QualcodeError
from qualcode.tui.session import error_message as workspace_error_message

V = TypeVar("V")
R = TypeVar("R")

FORM = "form"  # the error label under the whole form (for errors of no one field)
ERROR_CLASS = "field-error"


def error_label(field_id: str = FORM) -> Label:
    """The (hidden until needed) label that shows an error about ``field_id``: place it
    under that field; ``FORM`` is the label under the whole form."""
    return Label("", id=f"{field_id}-error", classes=ERROR_CLASS)


def error_message(error: QualcodeError) -> str:
    """The line a dialog shows for a failed save (a busy project says to save again)."""
    return workspace_error_message(error, then="Save again.")


async def unchanged(value: V) -> V:
    """The ``save`` of a dialog that only collects: the value, as it was checked."""
    return value


class FormDialog(ModalScreen[R | None], Generic[V, R]):
    """A dialog that collects a ``V`` and saves it with ``save`` (result ``R``) before it
    closes. Subclasses yield :func:`error_label` under their fields and map error sources
    to field ids in :attr:`FIELDS`; escape still dismisses with ``None``."""

    FIELDS: ClassVar[dict[str, str]] = {}  # InputError.source -> id of the field concerned

    def __init__(self, save: Callable[[V], Awaitable[R]]) -> None:
        super().__init__()
        self.save = save
        self.saving = False

    def submit(self, value: V) -> None:
        """Save ``value`` in a worker (the dialog keeps drawing while the project is
        busy); a second submit while one runs is ignored. Errors a dialog finds in its
        own fields it shows with :meth:`show_error` before submitting."""
        if self.saving:
            return
        self.clear_errors()
        self.saving = True
        self.run_worker(self._submit(value), group="form-save")

    async def _submit(self, value: V) -> None:
        try:
            result = await self.save(value)
        except QualcodeError as error:
            self.show_error(error)
            return
        finally:
            self.saving = False
        self.dismiss(result)

    async def action_dismiss(self, result: R | None = None) -> None:
        """Escape (and other closing keys) wait while a save runs: closing then would
        hide whether it was stored."""
        if not self._still_saving():
            await super().action_dismiss(result)

    def cancel(self) -> None:
        """Close without saving (a Cancel button), unless a save is running."""
        if not self._still_saving():
            self.dismiss(None)

    def _still_saving(self) -> bool:
        if self.saving:
            self.notify("Saving… (the project may be busy)", timeout=3)
        return self.saving

    def field_of(self, error: QualcodeError) -> str:
        """The id of the field ``error`` is about (``FORM`` when it names none)."""
        if isinstance(error, InputError):
            return self.FIELDS.get(error.source, FORM)
        return FORM

    def clear_errors(self) -> None:
        for label in self.query(f".{ERROR_CLASS}").results(Label):
            label.update("")
            label.remove_class("-shown")

    def show_error(self, error: QualcodeError | str, field_id: str | None = None) -> None:
        """Show ``error`` beside its field (or ``field_id``) and focus that field."""
        if field_id is None:
            field_id = FORM if isinstance(error, str) else self.field_of(error)
        message = error if isinstance(error, str) else error_message(error)
        labels = [*self.query(f"#{field_id}-error").results(Label)]
        labels += [*self.query(f"#{FORM}-error").results(Label)]
        if not labels:  # a dialog without error labels: still said, still open
            self.notify(message, severity="error", timeout=8)
            return
        label = labels[0]
        label.update(message)
        label.add_class("-shown")
        label.scroll_visible(animate=False)
        try:
            field = self.query_one(f"#{field_id}", Widget)
        except NoMatches:
            return
        if field.focusable:
            field.focus()

    def errors_shown(self) -> dict[str, str]:
        """Error label id -> message, for the labels showing one (tests read this)."""
        return {
            label.id or "": str(label.content)
            for label in self.query(f".{ERROR_CLASS}.-shown").results(Label)
        }
