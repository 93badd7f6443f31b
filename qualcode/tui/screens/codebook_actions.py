"""Codebook edits from the coding screen: add, edit (rename, move, recolour, shortcut,
definitions) and merge, each through a dialog and one service call; and a code's memos.
The code editor makes its service call itself, so a refused name or shortcut keeps it
open with what was typed."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.errors import QualcodeError
from qualcode.services import codebook_edit
from qualcode.services.codebook_rename import EditConflict
from qualcode.services.workspace import CodeEntry
from qualcode.tui.screens.code_editor import CodeEdit, CodeEditor
from qualcode.tui.screens.code_picker import CodePicker
from qualcode.tui.session import error_message

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen


def request_edit(screen: CodingScreen, kind: str, entry: CodeEntry | None) -> None:
    """Open the dialog for ``kind`` (``add``, ``edit``, ``merge``, ``memos``,
    ``describe``) on ``entry``."""
    workspace = screen.workspace
    if kind == "describe" and entry is not None:
        from qualcode.tui.screens.code_description import CodeDescription

        screen.app.push_screen(CodeDescription(entry))
    elif kind == "memos" and entry is not None:
        from qualcode.tui.screens.memo_actions import open_code_memos

        open_code_memos(screen, entry)
    elif kind == "add":
        parent = entry.parent_id if entry is not None else None

        async def add(edit: CodeEdit) -> int:
            return await workspace.write(
                codebook_edit.add_code,
                workspace.project,
                edit.spec,
                edit.parent_id,
                workspace.coder,
            )

        screen.app.push_screen(
            CodeEditor("New code", screen.entries, CodeSpec(""), parent, add),
            lambda added: _changed(screen, added, "code_add"),
        )
    elif kind == "edit" and entry is not None:

        async def edit(change: CodeEdit) -> bool:
            return await save_edit(screen, entry, change)

        screen.app.push_screen(
            CodeEditor(
                f"Edit {entry.path}", screen.entries, entry.spec, entry.parent_id, edit, entry.id
            ),
            lambda edited: _changed(screen, edited, "code_edit"),
        )
    elif kind == "merge" and entry is not None:
        others = [e for e in screen.entries if e.id != entry.id]

        async def merged(into: int | None) -> None:
            if into is not None:
                await save_merge(screen, entry, into)

        screen.app.push_screen(
            CodePicker(workspace, others, f"Merge {entry.path} into…", allow_create=False),
            merged,
        )


def _changed(screen: CodingScreen, saved: object, action: str) -> None:
    """After the code editor closed: the codebook follows a saved edit."""
    if saved is not None:
        screen.post_message(screen.CodebookChanged(screen, action))


async def save_merge(screen: CodingScreen, entry: CodeEntry, into: int) -> None:
    """Merge ``entry`` into the code ``into`` as the codebook showed them. When another
    coder merged or renamed either meanwhile, the refusal naming them is a notification
    and the codebook is read again: it then shows the winning state."""
    workspace = screen.workspace
    seen = (entry.path, next((e.path for e in screen.entries if e.id == into), ""))
    try:
        merged = await workspace.write(
            partial(codebook_edit.merge_code, expected=seen),
            workspace.project,
            entry.id,
            into,
            workspace.coder,
        )
    except EditConflict as conflict:
        screen.notify(str(conflict), severity="error", timeout=10, markup=False)
        screen.post_message(screen.CodebookChanged(screen, "code_merge"))
        return
    except QualcodeError as error:
        screen.notify(error_message(error), severity="error", timeout=6)
        return
    screen.notify(f"Merged {merged.path} into {merged.into}: {merged.describe()}")
    screen.post_message(screen.CodebookChanged(screen, "code_merge"))


async def save_edit(screen: CodingScreen, entry: CodeEntry, edit: CodeEdit) -> bool:
    """Save the code editor's ``edit`` of ``entry`` (as the dialog showed it). When
    another coder changed the code meanwhile, the refusal naming them is a notification
    and the dialog closes: the codebook then shows the winning version."""
    workspace = screen.workspace
    try:
        await workspace.write(
            codebook_edit.edit_code,
            workspace.project,
            entry.id,
            edit.spec,
            workspace.coder,
            parent_id=edit.parent_id,
            expected=entry.spec,
        )
    except EditConflict as conflict:
        screen.notify(str(conflict), severity="error", timeout=10, markup=False)
    return True
