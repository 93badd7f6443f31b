"""The open workspace: project, coder, blind flag, and how the UI calls services.

Writes run in a thread so the interface keeps drawing while the project waits for
another coder's write lock (storage retries briefly: see
:func:`qualcode.services.workspace.for_interactive_use`); a write that still finds the
project busy raises, and the screen reports it. Reads are quick in WAL mode and run
directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from qualcode.domain.errors import ProjectBusyError, QualcodeError
from qualcode.services.error_lines import logged
from qualcode.services.project import Project

P = ParamSpec("P")
T = TypeVar("T")


def error_message(error: QualcodeError, then: str = "Try again.") -> str:
    """The line the workspace shows for a failed write: a busy project (another coder
    held the write lock throughout) says nothing changed and ``then`` what to do."""
    if isinstance(error, ProjectBusyError):
        return " ".join(
            filter(None, ("The project is busy (another coder is saving); nothing changed.", then))
        )
    return str(error)


@dataclass
class Workspace:
    """Who is coding what: the project, the coder's name, and whether coding is blind
    (only the coder's own codings and counts are shown)."""

    project: Project
    coder: str
    blind: bool
    chose_blind: bool = False  # the coder asked for it (--blind, or switched it on here):
    # a blind round's reveal leaves it on; otherwise the reveal switches blind off
    _write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def write(self, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a service that writes, one at a time and off the UI thread. Every error
        arrives as a :class:`QualcodeError` the screen shows as one line: typed errors
        (including :class:`ProjectBusyError`) as they are, anything unexpected as an
        :class:`~qualcode.domain.errors.InternalError` whose traceback went to the error
        log (see :mod:`qualcode.services.error_lines`)."""
        async with self._write_lock:
            try:
                return await asyncio.to_thread(action, *args, **kwargs)
            except Exception as error:
                raise logged(error, where="workspace") from error
