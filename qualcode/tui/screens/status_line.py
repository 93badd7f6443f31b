"""The coding screen's status bar: coder, transcript (✎ and the number of memos on it),
codings to review (⚑), cursor offset, selection length and the modes (SELECTING, BLIND,
ADJUSTING). Built from what the screen holds: no query per key press."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.services.live import presence_line
from qualcode.tui.screens import suggestion_actions

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen


def review_part(screen: CodingScreen) -> str | None:
    """``⚑ coding 12 needs review`` on a flagged coding, else ``⚑ review: 2 here, 5 in
    all``; ``None`` when nothing needs review."""
    view = screen.view
    if view.flagged:
        at_cursor = [c.id for c in view.codings_at(view.cursor) if c.id in view.flagged]
        if at_cursor:
            return f"⚑ coding {at_cursor[0]} needs review"
    total = max(screen.flagged_total, len(view.flagged))
    if not total:
        return None
    return f"⚑ review: {len(view.flagged)} here, {total} in all"


def status_line(screen: CodingScreen) -> str:
    view = screen.view
    selection = view.selection
    transcript = screen.transcript or "no transcript"
    memos = screen.memo_counts.get(transcript, 0)
    parts = [f"coder {screen.workspace.coder}", f"{transcript} ✎{memos}" if memos else transcript]
    review = review_part(screen)
    if review:
        parts.append(review)
    suggested = suggestion_actions.status_part(screen)
    if suggested:
        parts.append(suggested)
    parts.append(f"offset {view.cursor:,}")
    parts.append(f"selection {selection[1] - selection[0]:,}" if selection else "no selection")
    if view.marking:
        parts.append("SELECTING")
    if screen.workspace.blind:
        parts.append("BLIND")
    live = getattr(screen, "live", None)  # who else has the project open
    if live is not None and (here := presence_line(live.others)):
        parts.append(here)
    if screen.adjusting is not None:
        parts.append(f"ADJUSTING coding {screen.adjusting.id}: enter saves, ctrl+e cancels")
    return " │ ".join(parts)
