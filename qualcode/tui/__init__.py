"""The Textual coding workspace: the only package that imports textual.

Importing this package is cheap; :func:`run_workspace` loads Textual when it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.services.project import Project


def run_workspace(project: Project, coder: str, *, blind: bool | None = None) -> None:
    """Open the coding workspace on ``project`` for ``coder`` (blocks until quit)."""
    from qualcode.tui.app import create_app

    create_app(project, coder, blind=blind).run()
