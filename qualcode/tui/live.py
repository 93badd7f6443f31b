"""Live updates in the coding screen: other coders' committed work appears within a
fraction of a second, without a key press.

A timer asks the project's :class:`~qualcode.services.live.LiveFeed` a few times a second
whether anything was committed (a check that reads no table) and applies the new events
from their payloads: codings are added, removed or replaced in the open transcript's
stripes and the codebook's counts move by one, with no reload of the transcript. Changes
whose payload does not say enough (an undo, a reconciliation, a codebook edit) reload
only the panel they touch. The coder's cursor, selection and scroll stay where they are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from qualcode.domain.codings import Coding
from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.domain.events import CODEBOOK_ACTIONS, Action
from qualcode.services import live
from qualcode.services.live import LiveEvent, LiveFeed, Presence, coding_of
from qualcode.services.workspace import BLIND_SETTING, CodeEntry
from qualcode.tui.widgets.codebook_tree import CodeDefinition

if TYPE_CHECKING:
    from qualcode.tui.screens.coding import CodingScreen

POLL_SECONDS = 0.25  # four cheap checks a second: a change shows well within 2 s
REFRESH_SECONDS = 1.0  # an open matrix, agreement, retrieval or search view recounts at most
# this often while changes keep arriving (a recount reads far more than one event)


@runtime_checkable
class LiveRefreshable(Protocol):
    """A view over the coding screen that counts what it shows (matrix, agreement,
    retrieval, search): it recounts in a worker, keeping its cursor, selection and scroll."""

    def refresh_from_live(self) -> None: ...


# what each action needs redrawn beyond the codings it carries
_LISTING = frozenset(
    {
        Action.DONE,
        Action.UNDONE,
        Action.IMPORT_TRANSCRIPTS,
        Action.RENAME_TRANSCRIPT,
        Action.IMPORT_CASES,
        Action.IMPORT_SURVEY,
        Action.SETTING,
    }
)
_MEMOS = frozenset({Action.MEMO, Action.MEMO_EDIT, Action.MEMO_DELETE})
_CODEBOOK = CODEBOOK_ACTIONS | {Action.IMPORT_CODEBOOK}
# the whole project may have changed (texts, names, codings): the open transcript is read again
_PROJECT = frozenset({Action.RESTORE, Action.ANONYMIZE, Action.MERGE, Action.IMPORT_PROJECT})
_CODINGS = frozenset(
    {
        Action.APPLY,
        Action.APPLY_BATCH,
        Action.REMOVE,
        Action.RECODE,
        Action.ADJUST,
        Action.CODING_MEMO,
    }
)


@dataclass
class Changes:
    """What a batch of events asks of the screen, gathered before anything is drawn."""

    transcript: str | None
    codings: dict[int, Coding]  # the open transcript's codings, by id
    counts: dict[int | str, int] = field(default_factory=dict)  # code id (or path) -> delta
    here: dict[int | str, int] = field(default_factory=dict)
    codings_changed: bool = False
    reload_codings: bool = False
    listing: bool = False
    memos: bool = False
    codebook: bool = False
    text: bool = False  # the open transcript's text changed: read it again
    renamed: str | None = None  # the open transcript's new name
    blind: bool | None = None  # the project's blind_coding setting, when it changed

    def add(self, coding: Coding, code: object) -> None:
        key = code if isinstance(code, int) else coding.code_path
        self.counts[key] = self.counts.get(key, 0) + 1
        if coding.transcript == self.transcript:
            self.here[key] = self.here.get(key, 0) + 1
            self.codings[coding.id] = coding
            self.codings_changed = True

    def remove(self, coding: Coding, code: object) -> None:
        key = code if isinstance(code, int) else coding.code_path
        self.counts[key] = self.counts.get(key, 0) - 1
        if coding.transcript == self.transcript:
            self.here[key] = self.here.get(key, 0) - 1
            self.codings.pop(coding.id, None)
            self.codings_changed = True

    def take(self, event: LiveEvent) -> None:
        action, payload = event.action, event.payload
        if action in _CODINGS:
            self._take_codings(action, payload)
        elif action in _CODEBOOK:
            self.codebook = True
        elif action in _PROJECT:
            self.text = self.listing = True
        elif action == Action.TRANSCRIPT_EDIT:  # another transcript's edit moves only its own
            self.listing = True
            self.text = self.text or payload.get("transcript") == self.transcript
        elif action == Action.RENAME_TRANSCRIPT:
            self.listing = True
            if payload.get("old") == self.transcript and isinstance(payload.get("new"), str):
                self.renamed = self.transcript = str(payload["new"])
        elif action == Action.SETTING and payload.get("key") == BLIND_SETTING:
            self.listing = True
            self.blind = bool(payload.get("after"))
        elif action in _LISTING:
            self.listing = True
        elif action in _MEMOS:
            self.listing = self.memos = True
        else:  # undo, redo, reconcile, imports of codings, reviews, unknown actions
            self.reload_codings = self.listing = True

    def _take_codings(self, action: Action | None, payload: Mapping[str, object]) -> None:
        pairs: list[tuple[object, object]]
        before = payload.get("coding")
        after = payload.get("after")
        if action == Action.APPLY_BATCH:
            batch = payload.get("codings")
            pairs = [(None, c) for c in batch] if isinstance(batch, list) else []
        elif action == Action.APPLY:
            pairs = [(None, before)]
        elif action == Action.REMOVE:
            pairs = [(before, None)]
        else:
            pairs = [(before, after)]
        for old, new in pairs:
            gone, came = coding_of(old), coding_of(new)
            if (old is not None and gone is None) or (new is not None and came is None):
                self.reload_codings = True  # a payload this version cannot read
                continue
            if gone is not None:
                self.remove(gone, _code_id(old))
            if came is not None:
                self.add(came, _code_id(new))


def _codings_in(event: LiveEvent) -> int:
    """How many codings an event changed (a batch carries a list)."""
    batch = event.payload.get("codings")
    return len(batch) if isinstance(batch, list) else 1


def _code_id(payload: object) -> object:
    return payload.get("code_id") if isinstance(payload, dict) else None


def apply_events(screen: CodingScreen, events: Iterable[LiveEvent]) -> Changes:
    """Show ``events`` (committed by others) in ``screen``; returns what was done."""
    view = screen.view
    changes = Changes(screen.transcript, {c.id: c for c in view.codings})
    for event in events:
        changes.take(event)
    if changes.renamed is not None:
        screen.transcript = changes.renamed
    if changes.blind is not None and _follow_blind(screen, changes.blind):
        if changes.codebook:  # the reload above kept the tree's codes
            screen.post_message(screen.CodebookChanged(screen, "live"))
        return changes
    if changes.text and screen.transcript is not None:
        _reopen(screen, screen.transcript)
    elif changes.codebook:
        screen.post_message(screen.CodebookChanged(screen, "live"))
    elif changes.reload_codings:
        screen.reload_codings()
    elif changes.codings_changed or changes.counts:
        if changes.codings_changed:
            view.set_codings(list(changes.codings.values()))
        screen.entries = [_counted(e, changes) for e in screen.entries]
        screen.codebook.update_counts(screen.entries)
        screen.query_one(CodeDefinition).show(screen.codebook.highlighted_entry)
    if changes.listing:
        screen.refresh_transcript_list()
    if changes.memos:
        screen.refresh_code_counts()
    screen.update_status()
    return changes


def _follow_blind(screen: CodingScreen, required: bool) -> bool:
    """A blind round started or was revealed elsewhere. Starting one blinds this workspace
    at once (others' codings, counts and memos leave the screen, and an open view showing
    others' work closes); a reveal switches it back just as live, unless the coder chose
    blind coding themselves (``--blind``), which stays on. The cursor, selection and
    scroll stay put. True when the screen was reloaded."""
    ws = screen.workspace
    if ws.blind == required:
        return False
    if not required and ws.chose_blind:
        screen.notify("Blind coding is no longer required; you chose it, so it stays on")
        return False
    ws.blind = required
    screen.set_class(required, "-blind")
    if required:
        _close_views_over(screen)
    screen.reload_codings()
    screen.refresh_transcript_list()
    screen.refresh_code_counts()
    screen.update_status()
    if required:
        screen.notify("Blind coding is now required: only your own codings are shown")
    else:
        screen.notify("The blind round was revealed: everyone's codings are shown again")
    return True


def _above(screen: CodingScreen) -> tuple[list[Screen[object]], list[Screen[object]]]:
    """The screens above the coding screen, and of those the views (not dialogs)."""
    stack = screen.app.screen_stack
    if screen not in stack:
        return [], []
    above = list(stack[stack.index(screen) + 1 :])
    return above, [s for s in above if not isinstance(s, ModalScreen)]


def _close_views_over(screen: CodingScreen) -> None:
    """A round started: views opened over the coding screen (agreement, disagreements,
    matrix, retrieval, search) were counted from everyone's codings, so they close, with
    what is above them. Dialogs opened straight over the coding screen stay (they hold
    what the coder typed, and show no one else's work)."""
    app = screen.app
    above, views = _above(screen)
    if not views:
        return
    first = above.index(views[0])
    for _ in above[first:]:
        app.pop_screen()
    names = ", ".join(type(v).__name__.removesuffix("Screen").lower() for v in views)
    app.notify(
        f"A blind round started: closed the {names} view (it showed other coders' work)",
        severity="warning",
        timeout=8,
    )


def _counted(entry: CodeEntry, changes: Changes) -> CodeEntry:
    project = changes.counts.get(entry.id, 0) + changes.counts.get(entry.path, 0)
    here = changes.here.get(entry.id, 0) + changes.here.get(entry.path, 0)
    if not (project or here):
        return entry
    return replace(entry, project=max(0, entry.project + project), here=max(0, entry.here + here))


def _reopen(screen: CodingScreen, name: str) -> None:
    """The open transcript's text changed: show it again where the coder was."""
    view = screen.view
    cursor, scroll_y = view.cursor, view.scroll_y
    try:
        screen.open_transcript(name)
    except NotFoundError:  # renamed or removed meanwhile (a restore, an anonymisation)
        screen.notify(f"{name} was renamed or removed by another coder", severity="warning")
        return
    view.cursor = min(cursor, len(view.text))
    view.scroll_to(y=scroll_y, animate=False)


class LiveUpdates:
    """The coding screen's live follower: a timer and the feed it polls."""

    def __init__(self, screen: CodingScreen) -> None:
        ws = screen.workspace
        self.screen = screen
        self.timer: Timer | None = None
        self.feed: LiveFeed | None = None
        try:
            self.feed = live.follow(ws.project, ws.coder, blind=ws.blind)
        except QualcodeError as error:  # the workspace works on, as a snapshot
            screen.notify(f"No live updates: {error}", severity="warning", markup=False)
        self.applied = 0  # events shown so far (for tests and the curious)
        self.workspace_id = live.new_workspace_id()
        self.others: list[Presence] = []  # who else has the project open
        self.heart: Timer | None = None
        self._told: Screen[object] | None = None  # the last screen told of changed codings
        self._pending = 0  # codings changed since the open view last recounted
        self._pending_coders: set[str] = set()
        self._refreshed_at = 0.0  # time.monotonic() of the last recount
        self._refresh_timer: Timer | None = None
        self.refreshed = 0  # recounts asked of open views (for tests and the curious)

    def start(self) -> None:
        if self.feed is not None:
            self.timer = self.screen.set_interval(POLL_SECONDS, self.tick, name="live updates")
        if not self.screen.workspace.project.read_only:
            self.heart = self.screen.set_interval(
                live.HEARTBEAT_SECONDS, self.beat, name="presence"
            )
            self.screen.run_worker(self.beat(), group="presence")

    async def beat(self) -> None:
        """Renew this workspace's presence (off the UI thread) and show who else is here.
        Presence is a courtesy: a busy or unreachable project skips a beat silently."""
        ws = self.screen.workspace
        try:
            others = await asyncio.to_thread(
                live.heartbeat, ws.project, self.workspace_id, ws.coder, self.screen.transcript
            )
        except Exception:  # see the docstring: the next beat tries again
            return
        if others != self.others and self.heart is not None:
            self.others = others
            self.screen.update_status()

    def tick(self) -> None:
        feed = self.feed
        if feed is None:
            return
        feed.blind = self.screen.workspace.blind  # blind may be switched on meanwhile
        try:
            events = feed.poll()
        except Exception as error:  # a project gone away: say so once and stop following
            self.stop()
            self.screen.app.notify(
                f"Live updates stopped: {error}", severity="warning", markup=False
            )
            return
        if events:
            try:
                changes = apply_events(self.screen, events)
            except QualcodeError as error:  # e.g. a read refused: the next change tries again
                self.screen.notify(str(error), severity="warning", markup=False)
                return
            finally:
                self.applied += len(events)
            self._offer_refresh(changes, events)

    def _offer_refresh(self, changes: Changes, events: list[LiveEvent]) -> None:
        """A matrix, agreement, retrieval or search screen open over the coding screen
        counts what it read: it recounts in place (at most once per
        :data:`REFRESH_SECONDS`) and says briefly what came in. A view that cannot
        recount is told once that codings changed."""
        touched = changes.codings_changed or changes.counts or changes.reload_codings
        view = self._view_over_coding()
        if not touched or view is None:
            return
        self._pending += sum(_codings_in(e) for e in events if e.action in _CODINGS) or 1
        self._pending_coders.update(e.coder for e in events if e.coder)
        if not isinstance(view, LiveRefreshable):
            self._tell_once(view)
            return
        wait = self._refreshed_at + REFRESH_SECONDS - time.monotonic()
        if wait <= 0:
            self.refresh_view()
        elif self._refresh_timer is None:
            self._refresh_timer = self.screen.set_timer(wait, self.refresh_view)

    def _view_over_coding(self) -> Screen[object] | None:
        """The topmost screen above the coding screen that is not a dialog."""
        _, views = _above(self.screen)
        return views[-1] if views else None

    def refresh_view(self) -> None:
        """Recount the open view now with what arrived since its last recount."""
        self._refresh_timer = None
        view = self._view_over_coding()
        count, who = self._pending, ", ".join(sorted(self._pending_coders)) or "another coder"
        self._pending, self._pending_coders = 0, set()
        if not isinstance(view, LiveRefreshable) or not count:
            return
        self._refreshed_at = time.monotonic()
        view.refresh_from_live()
        self.refreshed += 1
        plural = "s" if count != 1 else ""
        self.screen.app.notify(f"updated: {count} coding{plural} from {who}", timeout=3)

    def _tell_once(self, view: Screen[object]) -> None:
        if view is self._told:
            return
        self._told = view
        who = ", ".join(sorted(self._pending_coders)) or "another coder"
        self._pending, self._pending_coders = 0, set()
        self.screen.app.notify(
            f"{who} changed codings since this view opened: close and reopen it to include them",
            timeout=8,
            markup=False,
        )

    def stop(self) -> None:
        """Stop following (the screen closes): the presence row goes at once."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.heart is not None:
            self.heart.stop()
            self.heart = None
            with suppress(Exception):  # gone anyway once its heartbeat expires
                live.leave(self.screen.workspace.project, self.workspace_id)
        if self.feed is not None:
            self.feed.close()
            self.feed = None
