"""One matrix cell opened: its passages (transcript, offsets, speakers, codes, coders and
text) and, for a case × code cell, the framework summary, which ``e`` writes or edits.
Enter on a passage returns its place, and the coding screen jumps there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label, Static
from textual.widgets.option_list import Option

from qualcode.domain.matrices import FrameworkSummary, Passage
from qualcode.services.matrices import set_framework_summary
from qualcode.tui.screens.dialogs import MemoEditor
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.coding_list import CodingList, Place
from qualcode.tui.widgets.keys_footer import KeysFooter

PASSAGE_CHARS = 240  # a longer passage is shown by its start and end


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """A cell as the passages screen shows it. ``case`` is set when the cell is a
    case × code cell, the only kind that holds a framework summary."""

    row: str
    column: str
    value: str
    measure: str
    passages: tuple[Passage, ...]
    case: str | None = None
    summary: FrameworkSummary | None = None


def passage_option(passage: Passage) -> Option:
    head = Text(f"{passage.transcript} {passage.start}:{passage.end}", style="bold")
    if passage.speakers:
        head.append(f"  {', '.join(passage.speakers)}", style="bold")
    head.append(f"  {', '.join(passage.codes)}  by {', '.join(passage.coders)}", style="dim")
    text = " ".join(passage.text.split())
    if len(text) > PASSAGE_CHARS:
        half = PASSAGE_CHARS // 2
        text = text[:half] + " … " + text[-half:]
    return Option(Text("\n").join([head, Text(f"“{text}”")]))


def summary_text(cell: MatrixCell) -> Text:
    if cell.case is None:
        return Text("Framework summaries belong to case × code cells (rows: cases).", "dim")
    if cell.summary is None:
        return Text("No framework summary yet: e writes one.", "dim italic")
    text = Text("Summary: ", style="bold")
    text.append(cell.summary.text)
    if cell.summary.author:
        text.append(f"  — {cell.summary.author}, {cell.summary.updated_at}", style="dim")
    return text


def edit_summary(
    screen: Screen[Any],
    workspace: Workspace,
    case: str,
    code: str,
    current: FrameworkSummary | None,
    saved: Callable[[FrameworkSummary | None], None],
) -> None:
    """Ask for the summary of ``case`` × ``code`` (an empty text removes it), store it
    in one transaction with the coder as author, then call ``saved`` with what is stored.
    A refused text or a busy project keeps the editor open with the text as typed."""

    async def save(text: str) -> bool:
        stored = await workspace.write(
            set_framework_summary, workspace.project, case, code, text, workspace.coder
        )
        saved(stored)
        screen.notify(f"Summary {'saved' if stored else 'removed'}: {case} × {code}")
        return True

    title = f"Framework summary: {case} × {code}  (ctrl+s saves, empty removes)"
    screen.app.push_screen(MemoEditor(current.text if current else "", title, save))


class CellPassageList(CodingList):
    """The passages of one cell; Enter posts :class:`CodingList.PlaceChosen`."""

    def show_cell(self, passages: Sequence[Passage]) -> None:
        self.places = [Place(p.transcript, p.start, p.end) for p in passages]
        self._replace([passage_option(p) for p in passages])


class CellPassagesScreen(Screen[Place | None]):
    """Returns the passage to jump to, or ``None`` (escape). ``summary`` is the cell's
    summary as it stands when the screen closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="cell.back", tooltip="Back to the matrix"),
        Binding("e", "summary", "Summary…", id="cell.summary",
                tooltip="Write or edit the framework summary of this case × code cell"),
    ]  # fmt: skip

    @classmethod
    def key_owners(cls) -> tuple[type, ...]:
        """Whose keys the help screen and the palette list while this screen shows."""
        return (cls,)

    def __init__(self, workspace: Workspace, cell: MatrixCell) -> None:
        super().__init__()
        self.workspace = workspace
        self.cell = cell
        self.summary = cell.summary

    def compose(self) -> ComposeResult:
        cell = self.cell
        count = len(cell.passages)
        yield Label(
            f"{cell.row} × {cell.column}: {cell.measure} {cell.value} · "
            f"{count} passage{'s' if count != 1 else ''} — enter jumps there",
            id="cell-title",
        )
        yield Static(summary_text(cell), id="cell-summary")
        yield CellPassageList(id="cell-passages")
        yield KeysFooter()

    def on_mount(self) -> None:
        listing = self.query_one(CellPassageList)
        listing.show_cell(self.cell.passages)
        listing.focus()

    def action_summary(self) -> None:
        case = self.cell.case
        if case is None:
            self.notify(
                "Summaries belong to case × code cells: choose rows: cases", severity="warning"
            )
            return

        def saved(stored: FrameworkSummary | None) -> None:
            self.summary = stored
            self.cell = replace(self.cell, summary=stored)
            self.query_one("#cell-summary", Static).update(summary_text(self.cell))

        edit_summary(self, self.workspace, case, self.cell.column, self.summary, saved)

    @on(CodingList.PlaceChosen)
    def _chosen(self, event: CodingList.PlaceChosen) -> None:
        self.dismiss(event.place)
