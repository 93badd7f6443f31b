"""Code retrieval: every passage coded with a code (and its sub-codes), filtered by
coder, case and transcript, with context. Enter jumps to the passage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Label, Select

from qualcode.services import search
from qualcode.services.cases import list_cases
from qualcode.services.project import project_summary
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
        if self.code_id is None:
            return
        found = search.passages(
            self.workspace.project,
            self.code_id,
            coder=self._value("#filter-coder"),
            case=self._value("#filter-case"),
            transcript=self._value("#filter-transcript"),
        )
        path = next((e.path for e in self.entries if e.id == self.code_id), "?")
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
