"""The Textual coding workspace: the only package that imports textual.

Importing this package is cheap; :func:`run_workspace` loads Textual when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.services.project import Project
    from qualcode.tui.app import QualcodeApp


def run_workspace(project: Project, coder: str, *, blind: bool | None = None) -> None:
    """Open the coding workspace on ``project`` for ``coder`` (blocks until quit). When
    something unexpected made the workspace close, raises
    :class:`~qualcode.domain.errors.InternalError` with its one line (the traceback is in
    the error log, never on the terminal)."""
    from qualcode.tui.app import create_app

    _run(create_app(project, coder, blind=blind))


def run_served_workspace(project: Project, coder: str | None) -> None:
    """One browser session's workspace (``qualcode serve``; Textual's web driver is chosen
    by the environment the server gives the process): for ``coder``, or, when None, for
    the name the workspace asks for as it opens. Errors as :func:`run_workspace`."""
    from qualcode.tui.app import create_app

    _run(create_app(project, coder or "", ask_coder=coder is None))


def _run(app: QualcodeApp) -> None:
    from qualcode.domain.errors import InternalError

    app.run()
    if app.failure is not None:
        raise InternalError(app.failure.text)
