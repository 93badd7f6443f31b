"""The codebook at hand: a tree of codes with their counts and shortcut keys, and the
highlighted code's definition, inclusion/exclusion criteria and example (a focusable,
scrollable panel; ``d`` on the tree reads the whole text in a dialog)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from qualcode.services.workspace import CodeEntry

DEFAULT_COLOUR = "#888888"


def code_label(entry: CodeEntry, *, counts: bool = True) -> Text:
    """``■ [a] here/project ✎memos name``: the swatch in the code's colour, the shortcut
    in brackets (or spaces), the counts (memos only when there are any)."""
    label = Text()
    label.append("■ ", style=entry.spec.colour or DEFAULT_COLOUR)
    label.append(f"[{entry.spec.shortcut}] " if entry.spec.shortcut else "    ", style="bold")
    if counts:
        label.append(f"{entry.here}/{entry.project} ", style="dim")
    if entry.memos:
        label.append(f"✎{entry.memos} ", style="italic")
    label.append(entry.spec.name)
    return label


class CodebookTree(Tree[CodeEntry]):
    """Codes as a tree; the label shows count in this transcript / in the project.
    With ``editable`` its keys ask for codebook edits (:class:`EditRequested`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "edit('add')", "Add code", id="codebook.add", tooltip="Add a code"),
        Binding("e", "edit('edit')", "Edit code", id="codebook.edit",
                tooltip="Edit the code: rename, move, recolour, shortcut, definitions"),
        Binding("m", "edit('merge')", "Merge into…", id="codebook.merge", show=False,
                tooltip="Merge the code into another (its codings follow)"),
        Binding("M", "edit('memos')", "Memos", id="memo.code",
                tooltip="Memos on the highlighted code: read them, write one"),
        Binding("d", "edit('describe')", "Definition", id="codebook.describe",
                tooltip="Read the highlighted code's whole definition, criteria and example"),
    ]  # fmt: skip

    @dataclass
    class EditRequested(Message):
        """The coder asked to ``add``, ``edit``, ``merge``, read the ``memos`` of a code or
        ``describe`` it in full (``entry`` is the code under the cursor, ``None`` in an
        empty codebook)."""

        tree: CodebookTree
        kind: str
        entry: CodeEntry | None

        @property
        def control(self) -> CodebookTree:
            return self.tree

    @dataclass
    class CodeHighlighted(Message):
        """The cursor moved onto a code."""

        tree: CodebookTree
        entry: CodeEntry

        @property
        def control(self) -> CodebookTree:
            return self.tree

    @dataclass
    class CodeChosen(Message):
        """Enter was pressed on a code (apply it to the selection)."""

        tree: CodebookTree
        entry: CodeEntry

        @property
        def control(self) -> CodebookTree:
            return self.tree

    def __init__(self, *, id: str | None = None, editable: bool = False) -> None:
        super().__init__("codebook", id=id)
        self.editable = editable
        self.show_root = False
        self.guide_depth = 2
        self._code_nodes: dict[int, TreeNode[CodeEntry]] = {}

    def show_codes(self, entries: Sequence[CodeEntry]) -> None:
        """Rebuild the tree when the codebook itself changed (keeps the cursor's code)."""
        current = self.cursor_node.data.id if self.cursor_node and self.cursor_node.data else None
        self.clear()
        self._code_nodes = {}
        for entry in entries:
            parent = self._code_nodes.get(entry.parent_id) if entry.parent_id else self.root
            node = (parent or self.root).add(code_label(entry), data=entry, expand=True)
            self._code_nodes[entry.id] = node
        for node in self._code_nodes.values():
            if not node.children:
                node.allow_expand = False
        if current in self._code_nodes:
            self.move_cursor(self._code_nodes[current])
        elif self._code_nodes:
            self.cursor_line = 0

    def update_counts(self, entries: Sequence[CodeEntry]) -> None:
        """Refresh counts in place (no rebuild) when only codings changed."""
        if {e.id for e in entries} != set(self._code_nodes):
            self.show_codes(entries)
            return
        for entry in entries:
            node = self._code_nodes[entry.id]
            if node.data != entry:
                node.data = entry
                node.set_label(code_label(entry))

    def select_code(self, code_id: int) -> None:
        if code_id in self._code_nodes:
            self.move_cursor(self._code_nodes[code_id])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.editable
        return True

    def action_edit(self, kind: str) -> None:
        entry = self.highlighted_entry
        if entry is None and kind != "add":
            return
        self.post_message(self.EditRequested(self, kind, entry))

    @property
    def highlighted_entry(self) -> CodeEntry | None:
        node = self.cursor_node
        return node.data if node is not None else None

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[CodeEntry]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.CodeHighlighted(self, event.node.data))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[CodeEntry]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.CodeChosen(self, event.node.data))


def definition_text(entry: CodeEntry) -> Text:
    """A code's path, Danish label, description, criteria, example and memo count."""
    spec = entry.spec
    text = Text()
    text.append(entry.path + "\n", style="bold")
    if spec.label_da:
        text.append(f"({spec.label_da})\n", style="italic")
    for title, value in (
        ("", spec.description),
        ("Include: ", spec.inclusion),
        ("Exclude: ", spec.exclusion),
        ("Example: ", spec.example),
    ):
        if value:
            text.append("\n" + title, style="bold")
            text.append(value.strip() + "\n")
    if entry.memos:
        text.append(f"\n✎ {entry.memos} memo{'s' if entry.memos > 1 else ''}\n", style="italic")
    return text


class CodeDefinition(VerticalScroll):
    """The highlighted code's definition and criteria. Longer than its panel, it scrolls:
    tab to it, then the arrows and page keys."""

    shown = ""  # the text shown, plain (tests read it)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pageup", "page_up", "Page up", show=False, id="definition.page-up",
                tooltip="Scroll the code's definition up (tab to it from the codebook)"),
        Binding("pagedown", "page_down", "Page down", show=False, id="definition.page-down",
                tooltip="Scroll the code's definition down (tab to it from the codebook)"),
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        yield Static(id="definition-text")

    def show(self, entry: CodeEntry | None) -> None:
        text = Text() if entry is None else definition_text(entry)
        self.query_one("#definition-text", Static).update(text)
        self.shown = text.plain
        self.scroll_home(animate=False)
