"""Codings flagged "needs review" by a transcript edit (``qualcode transcript edit`` or
``replace``), from the coding screen: jump to the next one (across transcripts, wrapping
around) and mark the one at the cursor reviewed (one transaction, undone by the coder's
undo). Blind coding reaches only the coder's own codings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from qualcode.domain.codings import Coding
from qualcode.services import workspace
from qualcode.services.maintenance import mark_reviewed
from qualcode.services.workspace import FlaggedPlace
from qualcode.tui.screens.dialogs import ChooseCoding

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen

NEXT_KEY = "review.next"


def key_of(screen: CodingScreen, binding_id: str, default: str) -> str:
    """The key bound to ``binding_id`` as shown to the coder (the keymap may rebind it)."""
    keymap: dict[str, str] = getattr(screen.app, "user_keymap", {})
    key = keymap.get(binding_id, default).split(",")[0].strip()
    return screen.app.get_key_display(Binding(key, ""))


def flagged_total(screen: CodingScreen) -> int:
    """How many codings the coder can see need review in the whole project."""
    ws = screen.workspace
    return workspace.flagged_count(ws.project, ws.coder, blind=ws.blind)


def next_place(
    places: list[FlaggedPlace], transcript: str, cursor: int, last: int | None
) -> FlaggedPlace:
    """The flagged coding after ``last`` (the one jumped to before, when still listed),
    else the first at or after ``cursor`` in ``transcript``, by transcript name and
    position; after the last one, the first again. ``places`` is not empty."""
    ids = [p.coding.id for p in places]
    if last in ids:
        return places[(ids.index(last) + 1) % len(places)]
    here = (transcript, cursor)
    return next((p for p in places if (p.coding.transcript, p.coding.start) >= here), places[0])


async def jump_to_next(screen: CodingScreen) -> None:
    ws = screen.workspace
    places = workspace.flagged_places(ws.project, ws.coder, blind=ws.blind)
    screen.flagged_total = len(places)
    if not places:
        screen.notify("No coding needs review")
        screen.update_status()
        return
    view = screen.view
    last = screen.last_reviewed
    if last is not None and view.selection != (last.start, last.end):
        last = None  # the coder moved on from it: continue from the cursor
    place = next_place(
        places,
        screen.transcript or "",
        view.selection[0] if view.selection else view.cursor,
        last.id if last is not None else None,
    )
    coding = screen.last_reviewed = place.coding
    if coding.transcript != screen.transcript:
        screen.open_transcript(coding.transcript, (coding.start, coding.end))
    else:
        view.select_span(coding.start, coding.end)
    view.focus()
    done_key = key_of(screen, "review.done", "R")
    screen.notify(
        f"Coding {coding.id} ({coding.code_path}, {coding.coder}) needs review: {place.note}. "
        f"{done_key} marks it reviewed.",
        timeout=10,
    )


def flagged_at_cursor(screen: CodingScreen) -> list[Coding]:
    """Flagged codings at the cursor; the one whose span is selected, if any, alone."""
    view = screen.view
    flagged = [c for c in view.codings_at(view.cursor) if c.id in view.flagged]
    selected = [c for c in flagged if (c.start, c.end) == view.selection]
    return selected or flagged


async def mark_reviewed_at_cursor(screen: CodingScreen) -> None:
    here = flagged_at_cursor(screen)
    if not here:
        next_key = key_of(screen, NEXT_KEY, "f8")
        screen.notify(
            f"No coding at the cursor needs review ({next_key} jumps to the next one)",
            severity="warning",
        )
        return
    if len(here) == 1:
        await _mark(screen, here[0])
        return
    by_id = {c.id: c for c in here}

    async def chosen(coding_id: int | None) -> None:
        if coding_id is not None:
            await _mark(screen, by_id[coding_id])

    screen.app.push_screen(
        ChooseCoding(here, "Mark which coding reviewed?", screen.view.flagged), chosen
    )


async def _mark(screen: CodingScreen, coding: Coding) -> None:
    ws = screen.workspace
    cleared = await screen.write_service(mark_reviewed, ws.project, [coding.id], ws.coder)
    if cleared is None:
        return
    screen.post_message(screen.CodingsChanged(screen, "review_done", screen.transcript))
    undo_key = key_of(screen, "history.undo", "ctrl+z")
    if cleared:
        screen.notify(f"Coding {coding.id} marked reviewed ({undo_key} takes it back)")
    else:
        screen.notify(f"Coding {coding.id} was reviewed already (by someone else?)")
