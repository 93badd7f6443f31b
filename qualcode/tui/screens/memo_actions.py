"""Memos from the coding screen: the open transcript's memos and the highlighted code's,
each read, written, corrected and deleted on a :class:`MemoBoard`; the counts shown in
the transcript list, codebook and status bar follow. Edits and deletions are logged
under the coder, so ctrl+z takes them back. Blind coding shows only the coder's own."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from qualcode.services.memos import add_memo, delete_memo, edit_memo, list_memos
from qualcode.services.workspace import CodeEntry
from qualcode.tui.screens.memo_board import MemoBoard, MemoChange

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen


def _title(screen: CodingScreen, target: str) -> str:
    return f"Memos on {target}" + (" (blind coding: yours only)" if screen.workspace.blind else "")


async def _store(screen: CodingScreen, add: Callable[[str], str], change: MemoChange) -> bool:
    """Store the board's change (``add`` writes a new memo's text); notifies what was
    done and returns whether anything was stored. A refused change raises (the board
    shows why and keeps the text)."""
    project, coder, write = screen.workspace.project, screen.workspace.coder, screen.workspace.write
    if change.memo_id is None:
        note = f"Memo {await write(add, change.text or '')} saved"
    elif change.text is None:
        described = await write(partial(delete_memo, project, change.memo_id, editor=coder))
        note = f"Memo {described} deleted (^z takes it back)"
    else:
        edited = await write(partial(edit_memo, project, change.memo_id, change.text, editor=coder))
        if not edited[1]:
            screen.notify(f"Memo {edited[0]} unchanged")
            return False
        note = f"Memo {edited[0]} edited (^z takes it back)"
    screen.notify(note)
    return True


def open_transcript_memos(screen: CodingScreen) -> None:
    """The open transcript's memos; a new one is stored with the coder as author."""
    name = screen.transcript
    if name is None:
        screen.notify("Open a transcript first", severity="warning")
        return
    workspace = screen.workspace
    memos = list_memos(
        workspace.project, transcript=name, author=workspace.coder if workspace.blind else None
    )

    def written(stored: bool | None) -> None:
        if stored:
            screen.refresh_transcript_list()
            screen.update_status()

    add = partial(add_memo, workspace.project, transcript=name, author=workspace.coder)
    board = MemoBoard(_title(screen, f"transcript {name}"), memos, partial(_store, screen, add))
    screen.app.push_screen(board, written)


def open_code_memos(screen: CodingScreen, entry: CodeEntry) -> None:
    """The memos on one code (not its sub-codes: each code shows its own count)."""
    workspace = screen.workspace
    memos = list_memos(
        workspace.project,
        code_path=entry.path,
        sub_codes=False,
        author=workspace.coder if workspace.blind else None,
    )

    def written(stored: bool | None) -> None:
        if stored:
            screen.refresh_code_counts()

    add = partial(add_memo, workspace.project, code_path=entry.path, author=workspace.coder)
    board = MemoBoard(_title(screen, f"code {entry.path}"), memos, partial(_store, screen, add))
    screen.app.push_screen(board, written)
