"""Code suggestions in the coding screen: shown dimmed in the stripe margin (the top
code's shortcut) for the units of the open transcript the coder has not coded, accepted
(a normal, undoable coding noted as suggested) or dismissed for this coder at the cursor.

Learning runs in a thread (the first time, or after codings changed, it trains); blind
coding learns only from the coder's own codings (see :mod:`qualcode.services.suggestions`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from qualcode.domain.errors import QualcodeError
from qualcode.domain.suggestions import Suggestion
from qualcode.services import suggestions as service
from qualcode.services.history import HistoryStep
from qualcode.tui.session import error_message

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen


async def toggle(screen: CodingScreen) -> None:
    """Show suggestions for the open transcript, or hide them."""
    screen.suggesting = not screen.suggesting
    if screen.suggesting:
        await show(screen)
    else:
        forget(screen)
        screen.view.set_suggestions([])
        screen.update_status()


def forget(screen: CodingScreen) -> None:
    """No suggestions held for the open transcript (another opens, or they are hidden)."""
    screen.suggestions = []
    screen.coded_suggestions = {}
    screen.dismissed_suggestions = {}


async def show(screen: CodingScreen) -> None:
    """(Re)compute the open transcript's suggestions and draw them."""
    transcript = screen.transcript
    if transcript is None:
        return
    screen.notify("Learning from the codings…", timeout=2)
    try:
        found = await asyncio.to_thread(
            service.suggest,
            screen.workspace.project,
            screen.workspace.coder,
            transcripts=[transcript],
            blind=screen.workspace.blind,
            limit=1,
        )
    except QualcodeError as error:
        screen.suggesting = False
        screen.notify(error_message(error), severity="error", timeout=8)
        return
    if not screen.suggesting or screen.transcript != transcript:
        return  # hidden, or another transcript opened, while learning
    forget(screen)
    _draw(screen, found)
    screen.notify(f"{len(found)} suggestions: A accepts the one at the cursor, X dismisses it")


def _draw(screen: CodingScreen, found: list[Suggestion]) -> None:
    screen.suggestions = found
    screen.view.set_suggestions([(s.start, s.end, s.codes[0][0]) for s in found])
    screen.update_status()


def follow_codings(screen: CodingScreen) -> None:
    """Keep the margin in step with the coder's codings: stop showing suggestions for
    units the coder has coded since they were made, and show again those set aside so
    whose unit is uncoded again (ctrl+z of an accepted suggestion, a coding removed)."""
    coder = screen.workspace.coder
    mine = [(c.start, c.end) for c in screen.view.codings if c.coder == coder]

    def coded(suggestion: Suggestion) -> bool:
        return any(a < suggestion.end and suggestion.start < b for a, b in mine)

    aside = screen.coded_suggestions
    kept = [s for s in screen.suggestions if not coded(s)]
    aside.update({(s.start, s.end): s for s in screen.suggestions if coded(s)})
    back = [s for s in aside.values() if not coded(s)]
    for suggestion in back:
        del aside[suggestion.start, suggestion.end]
    if len(kept) != len(screen.suggestions) or back:
        _draw(screen, sorted([*kept, *back], key=lambda s: (s.start, s.end)))


def after_history(screen: CodingScreen, step: HistoryStep) -> None:
    """A dismissal undone shows its suggestion again at once; redone, hides it again.
    In another transcript, that transcript opens (its suggestions computed afresh)."""
    if step.transcript is None or step.span is None or not screen.suggesting:
        return
    if step.transcript != screen.transcript:
        screen.open_transcript(step.transcript, step.span)
        return
    remembered = screen.dismissed_suggestions.get(step.span)
    if remembered is None:  # dismissed before these suggestions were made: ask again
        screen.run_worker(show(screen), group="suggestions")
        return
    shown = [s for s in screen.suggestions if (s.start, s.end) != step.span]
    if step.direction == "undo":
        shown = sorted([*shown, remembered], key=lambda s: (s.start, s.end))
    _draw(screen, shown)
    screen.view.select_span(*step.span)


def at_cursor(screen: CodingScreen) -> Suggestion | None:
    """The suggestion whose unit holds the cursor."""
    view = screen.view
    found = view.suggestion_at(view.cursor) if screen.suggesting else None
    if found is None:
        return None
    return next((s for s in screen.suggestions if (s.start, s.end) == found[:2]), None)


def status_part(screen: CodingScreen) -> str | None:
    """``suggested: CODE 0.82`` when the cursor is in a suggested unit."""
    suggestion = at_cursor(screen)
    if suggestion is None:
        return None
    code, score = suggestion.codes[0]
    return f"suggested: {code} {score:.2f} (A accepts, X dismisses)"


async def accept(screen: CodingScreen) -> None:
    """Code the unit at the cursor with its suggested code (one undoable event)."""
    suggestion = _chosen(screen)
    if suggestion is None:
        return
    coding = await screen.write_service(
        service.accept_suggestion, screen.workspace.project, suggestion, screen.workspace.coder
    )
    if coding is None:
        return
    screen.coded_suggestions[suggestion.start, suggestion.end] = suggestion  # for ctrl+z
    _draw(screen, [s for s in screen.suggestions if s is not suggestion])
    screen.post_message(screen.CodingsChanged(screen, "apply", screen.transcript, (coding,), False))
    screen.notify(f"Coded as {coding.code_path} (suggested); ctrl+z undoes")


async def dismiss(screen: CodingScreen) -> None:
    """Stop suggesting this code for the unit at the cursor, for this coder."""
    suggestion = _chosen(screen)
    if suggestion is None:
        return

    def write() -> bool:
        service.dismiss_suggestion(screen.workspace.project, suggestion, screen.workspace.coder)
        return True

    done = await screen.write_service(write)
    if done:
        screen.dismissed_suggestions[suggestion.start, suggestion.end] = suggestion
        _draw(screen, [s for s in screen.suggestions if s is not suggestion])
        screen.notify(f"Dismissed {suggestion.codes[0][0]} here; ctrl+z undoes")


def _chosen(screen: CodingScreen) -> Suggestion | None:
    if not screen.suggesting:
        screen.notify("Suggestions are off: f7 shows them", severity="warning")
        return None
    suggestion = at_cursor(screen)
    if suggestion is None:
        screen.notify("No suggestion at the cursor", severity="warning")
    return suggestion
