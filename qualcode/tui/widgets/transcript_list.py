"""The transcripts of the project grouped by case, with words and the coder's mark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qualcode.services.workspace import CaseGroup, TranscriptEntry

MARKS = {"done": "✓", "started": "◐", "new": "·"}


def transcript_label(entry: TranscriptEntry) -> Text:
    """``◐ name ✎memos words``: the memo count (when any) before the words, which are
    cut first in a narrow list."""
    label = Text(f"{MARKS.get(entry.mark, ' ')} ", style="bold")
    label.append(entry.name)
    if entry.memos:
        label.append(f" ✎{entry.memos}", style="italic")
    label.append(f" {entry.words:,}w", style="dim")
    return label


class TranscriptList(Tree[str]):
    """Case groups with their transcripts; Enter opens one (:class:`TranscriptChosen`).
    Marks: ✓ done, ◐ started (the coder has codings in it), · not started; ✎N memos."""

    @dataclass
    class TranscriptChosen(Message):
        transcript_list: TranscriptList
        name: str

        @property
        def control(self) -> TranscriptList:
            return self.transcript_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("transcripts", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self._name_nodes: dict[str, TreeNode[str]] = {}

    def show_groups(self, groups: Sequence[CaseGroup], current: str | None) -> None:
        self.clear()
        self._name_nodes = {}
        for group in groups:
            parent = self.root.add(Text(_short(group.label), style="italic"), expand=True)
            for entry in group.transcripts:
                node = parent.add_leaf(transcript_label(entry), data=entry.name)
                self._name_nodes[entry.name] = node
        if current in self._name_nodes:
            self.move_cursor(self._name_nodes[current])

    @on(Tree.NodeSelected)
    def _chosen(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.TranscriptChosen(self, event.node.data))
        else:
            event.node.toggle()


def _short(label: str) -> str:
    """ "A, B, C" -> "A +2": focus groups are covered by many speaker cases."""
    names = label.split(", ")
    return names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1}"
