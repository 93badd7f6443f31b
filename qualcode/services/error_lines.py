"""The one place where an exception becomes the line a user reads.

Both front ends hand every exception that reaches them to :func:`error_line`: the command
line prints ``Error: <line>`` and exits with the line's code, the workspace shows the line
as a notification and keeps running. The line is always exactly one line (line breaks in a
message are shown as ``⏎``) without control characters (see
:mod:`qualcode.domain.terminal_text`), so nothing stored in a project can rewrite the
terminal through an error message either.

What each kind of exception becomes, and its exit status:

======================================  ==============================================  ====
exception                               line                                            exit
======================================  ==============================================  ====
:class:`QualcodeError` (typed errors)   its own message                                 1
:class:`InternalError`                  its own message (already logged)                70
``OSError``                             ``PATH: disk full`` / ``read-only file system``  1
                                        / ``permission denied`` / ``not found`` / the
                                        system's reason, by errno (never by text)
``MemoryError``                         ran out of memory …; nothing was changed         1
``RecursionError``                      input nested too deeply …; nothing was changed  1
``UnicodeError``                        which character or byte could not be encoded    1
                                        or decoded, and where
``KeyboardInterrupt``                   interrupted; nothing was changed                130
anything else (a bug)                   internal error: TYPE: message; nothing was      70
                                        changed; details in LOGFILE
======================================  ==============================================  ====

Usage mistakes on the command line (exit 2) are click's and are told by the CLI itself.
For an unexpected exception the traceback goes to ``errors.log`` in the user log folder
(platformdirs ``user_log_dir("qualcode")``, or the folder named by ``QUALCODE_LOG_DIR``),
never to the terminal; if that file cannot be written the line says so, still one line.
Exit status 70 is ``EX_SOFTWARE`` of BSD's sysexits.h: an internal software error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
import platform
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InternalError, QualcodeError
from qualcode.domain.terminal_text import visible

EXIT_USER = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
LOG_DIR_VARIABLE = "QUALCODE_LOG_DIR"
LOG_NAME = "errors.log"
LOG_LIMIT = 1024 * 1024  # bytes; a longer log is moved to errors.log.1 before writing
_MESSAGE_LIMIT = 300  # characters of an unexpected exception's message shown in the line

_BY_ERRNO = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk full (quota exceeded)",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "not found",
}


@dataclass(frozen=True, slots=True)
class ErrorLine:
    """What to tell the user: ``text`` is one line without the ``Error:`` prefix,
    ``exit_code`` the command line's exit status, ``log_file`` where the traceback was
    written (unexpected errors only, and only when writing it succeeded)."""

    text: str
    exit_code: int
    log_file: Path | None = None


def one_line(text: str) -> str:
    """``text`` as one line: its lines (as ``str.splitlines`` counts them) joined by
    `` ⏎ ``, blank ones dropped, and every control character made visible."""
    parts = [part.strip() for part in text.splitlines()]
    return visible(" ⏎ ".join(part for part in parts if part), keep="")


def error_line(error: BaseException, *, where: str = "") -> ErrorLine:
    """The line for ``error`` (see the module's table). ``where`` names the action (e.g.
    ``qualcode matrix``) in the log entry of an unexpected error. Never empty: a message
    that is only line breaks or spaces (``OSError('\\x85')``) gives the exception's name."""
    line = _line_for(error, where)
    return line if line.text else dataclasses.replace(line, text=type(error).__name__)


def _line_for(error: BaseException, where: str) -> ErrorLine:
    if isinstance(error, InternalError):
        return ErrorLine(one_line(_message(error)), EXIT_INTERNAL)
    if isinstance(error, QualcodeError):
        return ErrorLine(one_line(_message(error)), EXIT_USER)
    if isinstance(error, KeyboardInterrupt):
        return ErrorLine("interrupted; nothing was changed", EXIT_INTERRUPTED)
    if isinstance(error, MemoryError):
        return ErrorLine(
            "ran out of memory before finishing; nothing was changed (the input may be "
            "too large for this computer)",
            EXIT_USER,
        )
    if isinstance(error, RecursionError):
        return ErrorLine(
            "the input is nested too deeply to process; nothing was changed", EXIT_USER
        )
    if isinstance(error, UnicodeError):
        return ErrorLine(one_line(_unicode_reason(error)), EXIT_USER)
    if isinstance(error, OSError):
        return ErrorLine(one_line(_os_reason(error)), EXIT_USER)
    return unexpected(error, where=where)


def unexpected(error: BaseException, *, where: str = "") -> ErrorLine:
    """An exception nobody expected (a bug): its traceback goes to the error log, the
    line names the exception and the log file."""
    message = " ".join(_message(error).split())
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 1] + "…"
    what = f"{type(error).__name__}: {message}" if message else type(error).__name__
    path = log_file()
    try:
        _append_log(path, error, where)
    except OSError as failure:
        reason = _BY_ERRNO.get(failure.errno or 0) or failure.strerror or type(failure).__name__
        text = (
            f"internal error: {what}; nothing was changed (the details could not be "
            f"written to {path}: {reason})"
        )
        return ErrorLine(one_line(text), EXIT_INTERNAL)
    text = f"internal error: {what}; nothing was changed; details in {path}"
    return ErrorLine(one_line(text), EXIT_INTERNAL, path)


def logged(error: BaseException, *, where: str = "") -> QualcodeError:
    """``error`` as a typed error for a caller that shows :class:`QualcodeError` messages:
    a typed error stays as it is; anything else becomes an :class:`InternalError` whose
    message is its one line (unexpected errors are logged here, once)."""
    if isinstance(error, QualcodeError):
        return error
    line = error_line(error, where=where)
    return InternalError(line.text) if line.exit_code == EXIT_INTERNAL else QualcodeError(line.text)


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # an exception whose __str__ fails must still give a line
        return f"<{type(error).__name__} that cannot be shown>"


def log_file() -> Path:
    """Where tracebacks of unexpected errors are appended."""
    folder = os.environ.get(LOG_DIR_VARIABLE)
    if not folder:
        from platformdirs import user_log_dir

        folder = user_log_dir("qualcode")
    return Path(folder) / LOG_NAME


def _append_log(path: Path, error: BaseException, where: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_size > LOG_LIMIT:
            path.replace(path.with_name(LOG_NAME + ".1"))
    except FileNotFoundError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("qualcode")
    except PackageNotFoundError:
        release = "unknown"
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = (
        f"==== {at} qualcode {release}, Python {platform.python_version()}, "
        f"{sys.platform}{', ' + where if where else ''}\n"
    )
    body = "".join(traceback.format_exception(error))
    # The log may quote interview text (messages, source lines): readable by its owner only.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(header + body + "\n")


def _os_reason(error: OSError) -> str:
    reason = _BY_ERRNO.get(error.errno or 0) or error.strerror or str(error) or type(error).__name__
    if error.errno == errno.EPIPE:
        reason = "the output was closed before everything was written"
    names = [_path_text(name) for name in (error.filename, error.filename2) if name is not None]
    return f"{' -> '.join(names)}: {reason}" if names else reason


def _path_text(name: object) -> str:
    if isinstance(name, str | bytes):
        return os.fsdecode(name)
    return f"file descriptor {name}"


def _unicode_reason(error: UnicodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        shown = error.object[error.start : min(error.end, error.start + 4)]
        byte = " ".join(f"0x{b:02x}" for b in shown)
        return (
            f"text is not valid {error.encoding}: byte {byte} at byte offset {error.start} "
            f"cannot be decoded ({error.reason}); nothing was changed"
        )
    if isinstance(error, UnicodeEncodeError | UnicodeTranslateError):
        character = error.object[error.start] if error.start < len(error.object) else ""
        code = f"U+{ord(character):04X}" if character else "a character"
        encoding = getattr(error, "encoding", "text")
        return (
            f"text holds {code} at character {error.start}, which cannot be written as "
            f"{encoding} ({error.reason}); nothing was changed"
        )
    return f"text cannot be encoded or decoded ({_message(error)}); nothing was changed"
