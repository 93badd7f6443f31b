"""User-facing errors: each renders as one line naming where the problem is."""

from __future__ import annotations


class QualcodeError(Exception):
    """A mistake in the user's input or request: shown as one line, never a traceback."""


class InputError(QualcodeError):
    """Bad content in a file or argument, located by line/column or by offset.

    ``line`` and ``column`` are 1-based; ``offset`` is a byte or code-point offset
    (``offset_unit`` says which).
    """

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
        offset_unit: str = "byte",
    ) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.column = column
        self.offset = offset
        self.offset_unit = offset_unit
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        elif self.offset is not None:
            where += f": {self.offset_unit} offset {self.offset}"
        return f"{where}: {self.reason}"


class FieldError(InputError):
    """The value given for a named field is wrong: ``field`` is the field's plain name
    (``threshold``, ``coders``), never a command-line flag. Each front end shows it its own
    way — the command line as the option (``--threshold: …``), the workspace beside the
    dialog's field of that name."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(field, reason)


class NotCodableError(InputError):
    """The code asked for is a heading (REFI-QDA ``isCodable="false"``): it groups codes
    and cannot be applied itself."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"code {path!r}", "is a heading that groups codes; apply one of the codes under it"
        )


class NotFoundError(QualcodeError):
    """A named transcript, code, coder, case or coding does not exist."""


class BlindRoundError(QualcodeError):
    """A blind coding round is open: what was asked would show one coder another's
    work (or compare coders) before the round is revealed."""


class ProjectError(QualcodeError):
    """The project itself cannot be used: missing, not a qualcode database, read-only."""


class ProjectBusyError(ProjectError):
    """Other coders kept the project busy through every retry; nothing was changed."""


class DamagedProjectError(ProjectError):
    """The project's file or rows cannot be read as they should (see ``qualcode check``)."""


class DiskFullError(ProjectError):
    """The disk (or quota) holding a project or an output file is full."""


class ReadOnlyError(ProjectError):
    """A project or output file is on read-only media, or its file is not writable."""


class FileAccessError(QualcodeError):
    """A path given by the user cannot be read or written as asked: not a regular file,
    missing, unreadable, a folder, a device, or a target that is not ours to replace."""


class NotOursError(FileAccessError):
    """An export's file name is taken by a file qualcode did not write, or wrote and
    someone changed since: exports replace only their own unchanged files."""


class LimitError(InputError):
    """An input exceeds a stated limit (size, entries, nesting depth, number range)."""


class InternalError(QualcodeError):
    """Something unexpected went wrong (a bug, not the user's doing) and was already
    written to the error log; the message is the finished one line naming the log file
    (see :mod:`qualcode.services.error_lines`)."""
