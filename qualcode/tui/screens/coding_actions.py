"""The coder's own coding at the cursor: remove, recode, memo and adjust, each asking
which coding when several of the coder's cover the cursor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING

from qualcode.domain.codings import Coding
from qualcode.domain.spans import Span
from qualcode.services import coding as coding_service
from qualcode.services import coding_changes
from qualcode.tui.screens.code_picker import CodePicker
from qualcode.tui.screens.dialogs import ChooseCoding, MemoEditor

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen


def own_codings_at_cursor(screen: CodingScreen) -> list[Coding]:
    view = screen.view
    here = view.codings_at(view.cursor)
    own = [c for c in here if c.coder == screen.workspace.coder]
    if not own:
        others = sorted({c.coder for c in here})
        hint = f" (only {', '.join(others)}'s)" if others else ""
        screen.notify(f"No coding of yours at the cursor{hint}", severity="warning")
    return own


async def with_coding(
    screen: CodingScreen, title: str, then: Callable[[Coding], Awaitable[None]]
) -> None:
    """Call ``then`` with the coder's coding at the cursor, asking which if several."""
    own = own_codings_at_cursor(screen)
    if len(own) == 1:
        await then(own[0])
    elif own:
        by_id = {c.id: c for c in own}

        async def chosen(coding_id: int | None) -> None:
            if coding_id is not None:
                await then(by_id[coding_id])

        screen.app.push_screen(ChooseCoding(own, title, screen.view.flagged), chosen)


async def remove_at_cursor(screen: CodingScreen) -> None:
    await with_coding(screen, "Remove which coding?", lambda coding: _remove(screen, coding))


async def _remove(screen: CodingScreen, coding: Coding) -> None:
    removed = await screen.write_service(
        partial(coding_service.remove_coding, coder=screen.workspace.coder),
        screen.workspace.project,
        coding.id,
    )
    if removed is not None:
        screen.post_message(screen.CodingsChanged(screen, "remove", screen.transcript))


async def recode_at_cursor(screen: CodingScreen) -> None:
    await with_coding(screen, "Recode which coding?", lambda coding: _recode(screen, coding))


async def _recode(screen: CodingScreen, coding: Coding) -> None:
    async def picked(code_id: int | None) -> None:
        if code_id is None:
            return
        done = await screen.write_service(
            coding_changes.recode_coding,
            screen.workspace.project,
            coding.id,
            code_id,
            screen.workspace.coder,
        )
        if done is not None:
            screen.post_message(screen.CodebookChanged(screen, "recode"))

    screen.app.push_screen(
        CodePicker(screen.workspace, screen.entries, f"Recode {coding.code_path} as…"), picked
    )


async def memo_at_cursor(screen: CodingScreen) -> None:
    await with_coding(screen, "Memo on which coding?", lambda coding: _memo(screen, coding))


async def _memo(screen: CodingScreen, coding: Coding) -> None:
    ws = screen.workspace

    async def save(text: str) -> object:
        return await ws.write(coding_changes.set_memo, ws.project, coding.id, text, ws.coder)

    def saved(done: object | None) -> None:
        if done is not None:
            screen.post_message(screen.CodingsChanged(screen, "coding_memo", screen.transcript))
            screen.notify(f"Memo saved on coding {coding.id}")

    screen.app.push_screen(MemoEditor(coding.memo, f"Memo on {coding.code_path}", save), saved)


async def toggle_adjust(screen: CodingScreen) -> None:
    if screen.adjusting is not None:
        screen.adjusting = None
        screen.view.action_clear_selection()
        screen.update_status()
        return
    await with_coding(screen, "Adjust which coding?", lambda coding: _start_adjust(screen, coding))


async def _start_adjust(screen: CodingScreen, coding: Coding) -> None:
    screen.adjusting = coding
    screen.view.select_span(coding.start, coding.end)
    screen.update_status()


async def finish_adjust(screen: CodingScreen) -> None:
    coding, selection = screen.adjusting, screen.view.selection
    if coding is None:
        return
    if selection is None:
        screen.notify("Select the new extent, then enter (ctrl+e cancels)", severity="warning")
        return
    done = await screen.write_service(
        coding_changes.adjust_coding,
        screen.workspace.project,
        coding.id,
        Span(*selection),
        screen.workspace.coder,
    )
    if done is not None:
        screen.adjusting = None
        screen.view.anchor_offset = None
        screen.post_message(screen.CodingsChanged(screen, "adjust", screen.transcript))
    screen.update_status()
