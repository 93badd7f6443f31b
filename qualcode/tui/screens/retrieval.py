"""Code retrieval: every passage coded with a code (and its sub-codes), filtered by
coder, case and transcript, with context. Enter jumps to the passage."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, Select

from qualcode.services import search
from qualcode.services.cases import list_cases
from qualcode.services.project import project_summary
from qualcode.services.search import Passage
from qualcode.services.transcripts import list_transcripts
from qualcode.services.workspace import CodeEntry
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.codebook_tree import CodebookTree
from qualcode.tui.widgets.coding_list import CodingList, Place
from qualcode.tui.widgets.keys_footer import KeysFooter


class RetrievalScreen(Screen[Place | None]):
    """Returns the chosen passage's place, or ``None`` (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="passages.back", tooltip="Back to coding"),
    ]

    def __init__(
        self, workspace: Workspace, entries: Sequence[CodeEntry], code_id: int | None
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.entries = list(entries)
        self.code_id = code_id if code_id is not None else (entries[0].id if entries else None)

    def compose(self) -> ComposeResult:
        project = self.workspace.project
        coders: list[str] = (
            [self.workspace.coder]
            if self.workspace.blind
            else list(project_summary(project).coders)
        )
        with Horizontal():
            yield CodebookTree(id="retrieval-codes")
            with Vertical(id="retrieval-main"):
                with Horizontal(id="retrieval-filters"):
                    yield Select(
                        [(c, c) for c in coders],
                        prompt="any coder",
                        id="filter-coder",
                        value=self.workspace.coder if self.workspace.blind else Select.NULL,
                        allow_blank=not self.workspace.blind,
                    )
                    yield Select(
                        [(c.name, c.name) for c in list_cases(project)],
                        prompt="any case",
                        id="filter-case",
                    )
                    yield Select(
                        [(t.name, t.name) for t in list_transcripts(project)],
                        prompt="any transcript",
                        id="filter-transcript",
                    )
                yield Label("", id="retrieval-count")
                yield CodingList(id="passages")
        yield KeysFooter()

    def on_mount(self) -> None:
        tree = self.query_one(CodebookTree)
        tree.show_codes(self.entries)
        if self.code_id is not None:
            tree.select_code(self.code_id)
        self.refresh_passages()
        self.query_one(CodingList).focus()

    def _value(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else None

    def refresh_passages(self) -> None:
        if self.code_id is not None:
            self._show(self.code_id, search.passages(self.workspace.project, **self._filters()))

    def _filters(self) -> dict[str, Any]:
        return {
            "code_id": self.code_id,
            "coder": self._value("#filter-coder"),
            "case": self._value("#filter-case"),
            "transcript": self._value("#filter-transcript"),
        }

    def refresh_from_live(self) -> None:
        """Read the passages again in a thread (another coder's codings arrived,
        tui/live.py); the highlighted passage and the scroll position stay."""
        if self.code_id is not None:
            self.run_worker(self._refetch(), exclusive=True, group="retrieval")

    async def _refetch(self) -> None:
        filters = self._filters()
        found = await asyncio.to_thread(search.passages, self.workspace.project, **filters)
        if filters == self._filters():  # else the coder moved on; that showed its own
            listing = self.query_one(CodingList)
            scroll = listing.scroll_y
            self._show(filters["code_id"], found)
            listing.scroll_to(y=scroll, animate=False, immediate=True)

    def _show(self, code_id: int, found: list[Passage]) -> None:
        path = next((e.path for e in self.entries if e.id == code_id), "?")
        self.query_one("#retrieval-count", Label).update(
            f"{len(found)} passage(s) coded {path} (and its sub-codes) — enter jumps there"
        )
        self.query_one(CodingList).show_passages(found)

    @on(CodebookTree.CodeHighlighted)
    def _code(self, event: CodebookTree.CodeHighlighted) -> None:
        if event.entry.id != self.code_id:
            self.code_id = event.entry.id
            self.refresh_passages()

    @on(CodebookTree.CodeChosen)
    def _code_chosen(self, event: CodebookTree.CodeChosen) -> None:
        self.query_one(CodingList).focus()

    @on(Select.Changed)
    def _filter(self) -> None:
        self.refresh_passages()

    @on(CodingList.PlaceChosen)
    def _chosen(self, event: CodingList.PlaceChosen) -> None:
        self.dismiss(event.place)
