"""Search: within the open transcript or across the project, exact or fuzzy; hits in
context; "code all hits" with a review step where each hit is accepted or skipped."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Input, Label, ProgressBar

from qualcode.domain.errors import QualcodeError
from qualcode.services import search, workspace
from qualcode.services.search import SearchHit
from qualcode.services.workspace import CodeEntry
from qualcode.tui.screens.code_picker import CodePicker
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.coding_list import CodingList, Place
from qualcode.tui.widgets.keys_footer import KeysFooter


class SearchScreen(Screen[Place | None]):
    """Returns the hit to jump to, or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="search.back", tooltip="Back to coding"),
        Binding("ctrl+o", "code_all", "Code all hits…", id="search.code-all",
                tooltip="Code every hit (after reviewing them) with one code"),
    ]  # fmt: skip

    @dataclass
    class HitsCoded(Message, bubble=False):
        """``count`` accepted hits were coded with ``code_id`` (one undoable action)."""

        screen: SearchScreen
        code_id: int
        count: int

    def __init__(
        self, workspace_: Workspace, transcript: str | None, entries: Sequence[CodeEntry]
    ) -> None:
        super().__init__()
        self.workspace = workspace_
        self.transcript = transcript
        self.entries = list(entries)
        self.hits: list[SearchHit] = []
        self.coded = 0  # hits coded while the screen was open

    def compose(self) -> ComposeResult:
        with Vertical(id="search-main"):
            yield Input(placeholder="search text, then enter", id="search-query")
            with Horizontal(id="search-options"):
                yield Checkbox("fuzzy", id="search-fuzzy")
                yield Checkbox("all transcripts", value=self.transcript is None, id="search-all")
            yield Label("", id="search-count")
            yield ProgressBar(id="search-progress", show_eta=False)
            yield CodingList(id="hits")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#search-progress").display = False
        self.query_one("#search-query", Input).focus()

    @on(Input.Submitted, "#search-query")
    @on(Checkbox.Changed)
    def run_search(self) -> None:
        asked = self._asked()
        if asked is None:
            return
        try:
            hits = self._found(asked)
        except QualcodeError as error:
            self.notify(str(error), severity="error")
            return
        self._show(hits)
        if self.hits:
            self.query_one(CodingList).focus()

    def _asked(self) -> tuple[str, list[str], bool] | None:
        """The search the controls ask for: query, transcripts (none: all), fuzzy."""
        query = self.query_one("#search-query", Input).value
        if not query.strip():
            return None
        transcripts = [] if self._everywhere() else [self.transcript or ""]
        return query, transcripts, self.query_one("#search-fuzzy", Checkbox).value

    def _found(self, asked: tuple[str, list[str], bool]) -> list[SearchHit]:
        query, transcripts, fuzzy = asked
        return search.search(self.workspace.project, query, transcripts=transcripts, fuzzy=fuzzy)

    def _everywhere(self) -> bool:
        return self.query_one("#search-all", Checkbox).value or self.transcript is None

    def _show(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        everywhere = self._everywhere()
        where = "all transcripts" if everywhere else self.transcript
        hint = "enter jumps, ctrl+o codes all hits"
        if not self.hits and not everywhere:
            hint = "tick “all transcripts” to search the whole project"
        self.query_one("#search-count", Label).update(
            f"{len(self.hits)} hit(s) in {where} — {hint}"
        )
        self.query_one(CodingList).show_hits(self.hits)

    def refresh_from_live(self) -> None:
        """Search again in a thread (the project changed, tui/live.py); the highlighted
        hit and the scroll position stay."""
        if self._asked() is not None:
            self.run_worker(self._search_again(), exclusive=True, group="search")

    async def _search_again(self) -> None:
        asked = self._asked()
        if asked is None:
            return
        try:
            hits = await asyncio.to_thread(self._found, asked)
        except QualcodeError:
            return  # the coder's own next search says what is wrong
        if asked == self._asked():
            listing = self.query_one(CodingList)
            scroll = listing.scroll_y
            self._show(hits)
            listing.scroll_to(y=scroll, animate=False, immediate=True)

    @on(CodingList.PlaceChosen, "#hits")
    def _chosen(self, event: CodingList.PlaceChosen) -> None:
        self.dismiss(event.place)

    def action_code_all(self) -> None:
        if not self.hits:
            self.notify("Search first: there are no hits to code", severity="warning")
            return

        def reviewed(code_id: int, accepted: list[int] | None) -> None:
            if accepted:
                chosen = [self.hits[i] for i in accepted]
                self.run_worker(self._code_hits(code_id, chosen), group="code-hits")

        def picked(code_id: int | None) -> None:
            if code_id is not None:
                self.app.push_screen(
                    ReviewHits(self.hits), lambda accepted: reviewed(code_id, accepted)
                )

        self.app.push_screen(CodePicker(self.workspace, self.entries, "Code all hits as…"), picked)

    async def _code_hits(self, code_id: int, hits: list[SearchHit]) -> None:
        bar = self.query_one("#search-progress", ProgressBar)
        bar.update(total=len(hits), progress=0)
        bar.display = True

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, progress=done)

        try:
            coded = await self.workspace.write(
                workspace.code_spans,
                self.workspace.project,
                [(h.transcript, h.start, h.end) for h in hits],
                code_id,
                self.workspace.coder,
                progress,
            )
        except QualcodeError as error:
            self.notify(str(error), severity="error", timeout=6)
            return
        finally:
            bar.display = False
        self.coded += len(coded)
        self.post_message(self.HitsCoded(self, code_id, len(coded)))
        self.notify(f"Coded {len(coded)} hit(s); one undo (ctrl+z) takes them all back")


class ReviewHits(ModalScreen[list[int] | None]):
    """Accept or skip each hit before coding: returns the accepted hits' indexes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "flip", "Accept/skip", id="review.toggle", tooltip="Toggle this hit"),
        Binding("y", "mark(True)", "Accept", id="review.accept", tooltip="Accept, next hit"),
        Binding("n", "mark(False)", "Skip", id="review.skip", tooltip="Skip, next hit"),
        Binding("ctrl+s", "confirm", "Code accepted", id="review.confirm",
                tooltip="Code the accepted hits"),
        Binding("escape", "dismiss(None)", "Cancel", id="review.cancel", tooltip="Code nothing"),
    ]  # fmt: skip

    def __init__(self, hits: Sequence[SearchHit]) -> None:
        super().__init__()
        self.hits = list(hits)
        self.accepted = [True] * len(self.hits)

    def compose(self) -> ComposeResult:
        with Vertical(id="review", classes="dialog"):
            yield Label("", id="review-title", classes="dialog-title")
            yield CodingList(id="review-hits")
            yield KeysFooter()

    def on_mount(self) -> None:
        self._show()
        self.query_one(CodingList).focus()

    def _show(self) -> None:
        self.query_one(CodingList).show_hits(self.hits, self.accepted)
        self.query_one("#review-title", Label).update(
            f"Review: {sum(self.accepted)} of {len(self.hits)} hits accepted — "
            "y accept, n skip, space toggle, ctrl+s code them, esc cancel"
        )

    def _current(self) -> int | None:
        return self.query_one(CodingList).highlighted

    def action_flip(self) -> None:
        index = self._current()
        if index is not None:
            self.accepted[index] = not self.accepted[index]
            self._show()

    def action_mark(self, accept: bool) -> None:
        index = self._current()
        if index is None:
            return
        self.accepted[index] = accept
        self._show()
        listing = self.query_one(CodingList)
        if index + 1 < len(self.hits):
            listing.highlighted = index + 1

    def action_confirm(self) -> None:
        self.dismiss([i for i, accepted in enumerate(self.accepted) if accepted])

    @on(CodingList.PlaceChosen)
    def _enter(self, event: CodingList.PlaceChosen) -> None:
        self.action_flip()
