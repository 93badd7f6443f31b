"""The fuzzy code picker: type part of a code's name (typos allowed), Enter picks it;
the last line creates a new code with the typed name on the spot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualcode.domain.codebook import CodeSpec
from qualcode.services import codebook_edit
from qualcode.services.workspace import CodeEntry
from qualcode.tui.screens.form import FormDialog, error_label
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.codebook_tree import code_label

CREATE = "create"
MAX_SHOWN = 30


def rank_codes(query: str, entries: Sequence[CodeEntry]) -> list[CodeEntry]:
    """Codes by how well their path matches ``query`` (rapidfuzz WRatio), best first;
    all codes in codebook order for an empty query."""
    wanted = query.strip()
    if not wanted:
        return list(entries)
    from rapidfuzz import fuzz, process

    found = process.extract(
        wanted.casefold(),
        [e.path.casefold() for e in entries],
        scorer=fuzz.WRatio,
        score_cutoff=50,
        limit=MAX_SHOWN,
    )
    return [entries[index] for _, _, index in found]


class CodePicker(FormDialog[str, int]):
    """Returns the chosen (or newly created) code's id, or ``None`` when cancelled. A
    new name the codebook refuses is shown under the field, still typed."""

    FIELDS: ClassVar[dict[str, str]] = {"code name": "picker-query", "name": "picker-query"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel", tooltip="Close"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down", tooltip="Next code"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up", tooltip="Previous"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        entries: Sequence[CodeEntry],
        title: str,
        *,
        allow_create: bool = True,
    ) -> None:
        super().__init__(self._create)
        self.allow_create = allow_create
        self.workspace = workspace
        self.entries = list(entries)
        self.title_text = title
        self.shown: list[CodeEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="code name (fuzzy)", id="picker-query")
            yield error_label("picker-query")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")

    @on(Input.Changed, "#picker-query")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        self.shown = rank_codes(query, self.entries)
        options = [Option(code_label(e, counts=False), id=str(e.id)) for e in self.shown]
        name = query.strip()
        if (
            self.allow_create
            and name
            and not any(e.spec.name.casefold() == name.casefold() for e in self.entries)
        ):
            options.append(Option(Text(f"+ new code “{name}”", style="italic"), id=CREATE))
        option_list = self.query_one("#picker-options", OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        if options:
            option_list.highlighted = 0

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#picker-options", OptionList)
        if option_list.option_count:
            current = option_list.highlighted or 0
            option_list.highlighted = (current + step) % option_list.option_count

    @on(Input.Submitted, "#picker-query")
    async def _submitted(self) -> None:
        option_list = self.query_one("#picker-options", OptionList)
        if option_list.highlighted is not None:
            await self._choose(option_list.get_option_at_index(option_list.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-options")
    async def _selected(self, event: OptionList.OptionSelected) -> None:
        await self._choose(event.option.id)

    async def _choose(self, option_id: str | None) -> None:
        if option_id is None:
            return
        if option_id != CREATE:
            self.dismiss(int(option_id))
            return
        self.submit(self.query_one("#picker-query", Input).value.strip())

    async def _create(self, name: str) -> int:
        """A new top-level code named ``name``; its id."""
        return await self.workspace.write(
            codebook_edit.add_code,
            self.workspace.project,
            CodeSpec(name),
            None,
            self.workspace.coder,
        )
