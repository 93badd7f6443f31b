"""The Textual coding workspace: the only package that imports textual.

Importing this package is cheap; :func:`run_workspace` loads Textual when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.services.project import Project


def run_workspace(project: Project, coder: str, *, blind: bool | None = None) -> None:
    """Open the coding workspace on ``project`` for ``coder`` (blocks until quit). When
    something unexpected made the workspace close, raises
    :class:`~qualcode.domain.errors.InternalError` with its one line (the traceback is in
    the error log, never on the terminal)."""
    from qualcode.domain.errors import InternalError
    from qualcode.tui.app import create_app

    app = create_app(project, coder, blind=blind)
    app.run()
    if app.failure is not None:
        raise InternalError(app.failure.text)
