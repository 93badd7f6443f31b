"""A list of passages in context: coded passages (code retrieval) or search hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from qualcode.services.search import Passage, SearchHit, Snippet

MIDDLE_CHARS = 160  # a long passage is shown by its start and end


def snippet_text(snippet: Snippet) -> Text:
    middle = snippet.middle
    if len(middle) > MIDDLE_CHARS:
        half = MIDDLE_CHARS // 2
        middle = middle[:half] + " … " + middle[-half:]
    text = Text(snippet.before, style="dim")
    text.append(middle, style="bold reverse")
    text.append(snippet.after, style="dim")
    return text


@dataclass(frozen=True, slots=True)
class Place:
    """Where a listed passage sits: ``[start, end)`` in a transcript."""

    transcript: str
    start: int
    end: int


class CodingList(OptionList):
    """Passages with context; Enter posts :class:`PlaceChosen`."""

    @dataclass
    class PlaceChosen(Message):
        coding_list: CodingList
        index: int
        place: Place

        @property
        def control(self) -> CodingList:
            return self.coding_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.places: list[Place] = []

    def show_passages(self, passages: Sequence[Passage]) -> None:
        self.places = [Place(p.coding.transcript, p.coding.start, p.coding.end) for p in passages]
        options = []
        for passage in passages:
            coding = passage.coding
            head = Text(
                f"{coding.transcript} {coding.start}:{coding.end}  {coding.code_path}  "
                f"by {coding.coder}",
                style="bold",
            )
            if coding.memo:
                head.append(f"  memo: {coding.memo}", style="italic")
            options.append(Option(Text("\n").join([head, snippet_text(passage.snippet)])))
        self._replace(options)

    def show_hits(self, hits: Sequence[SearchHit], accepted: Sequence[bool] | None = None) -> None:
        self.places = [Place(h.transcript, h.start, h.end) for h in hits]
        options = []
        for index, hit in enumerate(hits):
            head = Text()
            if accepted is not None:
                head.append("[✓] " if accepted[index] else "[ ] ", style="bold")
            head.append(f"{hit.transcript} {hit.start}:{hit.end}", style="bold")
            if hit.score < 100:
                head.append(f"  score {hit.score:.0f}", style="dim")
            options.append(Option(Text("\n").join([head, snippet_text(hit.snippet)])))
        self._replace(options)

    def _replace(self, options: list[Option]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(options)
        if options:
            self.highlighted = min(highlighted or 0, len(options) - 1)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.places):
            self.post_message(
                self.PlaceChosen(self, event.option_index, self.places[event.option_index])
            )
