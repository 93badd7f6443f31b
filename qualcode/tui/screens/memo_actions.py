"""Memos from the coding screen: the open transcript's memos and the highlighted code's,
each read and written on a :class:`MemoBoard`; the counts shown in the transcript list,
codebook and status bar follow a new memo. Blind coding shows only the coder's own."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from qualcode.services.memos import add_memo, list_memos
from qualcode.services.workspace import CodeEntry
from qualcode.tui.screens.memo_board import MemoBoard

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen


def _title(screen: CodingScreen, target: str) -> str:
    return f"Memos on {target}" + (" (blind coding: yours only)" if screen.workspace.blind else "")


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

    async def written(text: str | None) -> None:
        if text is None:
            return
        store = partial(add_memo, workspace.project, text, transcript=name, author=workspace.coder)
        described = await screen.write_service(store)
        if described is not None:
            screen.refresh_transcript_list()
            screen.update_status()
            screen.notify(f"Memo {described} saved")

    screen.app.push_screen(MemoBoard(_title(screen, f"transcript {name}"), memos), written)


def open_code_memos(screen: CodingScreen, entry: CodeEntry) -> None:
    """The memos on one code (not its sub-codes: each code shows its own count)."""
    workspace = screen.workspace
    memos = list_memos(
        workspace.project,
        code_path=entry.path,
        sub_codes=False,
        author=workspace.coder if workspace.blind else None,
    )

    async def written(text: str | None) -> None:
        if text is None:
            return
        store = partial(
            add_memo, workspace.project, text, code_path=entry.path, author=workspace.coder
        )
        described = await screen.write_service(store)
        if described is not None:
            screen.refresh_code_counts()
            screen.notify(f"Memo {described} saved")

    screen.app.push_screen(MemoBoard(_title(screen, f"code {entry.path}"), memos), written)
