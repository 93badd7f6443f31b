"""Where two coders differ, side by side in context, and settling each disagreement
into the consensus layer: A's spans, B's, both (the whole region), neither, or a span
edited by hand. Each choice is one transaction and one ``reconcile`` event, undone and
redone as the layer's (ctrl+z, ctrl+y); the coders' own codings are never touched."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from qualcode.domain.codings import Coding
from qualcode.domain.errors import QualcodeError
from qualcode.domain.spans import Span, span_text
from qualcode.domain.transcripts import Transcript
from qualcode.services import history
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.reconcile import (
    DEFAULT_LAYER,
    Disagreement,
    list_disagreements,
    resolve_disagreement,
)
from qualcode.services.reconcile_review import RegionKey, Settlement, settlements
from qualcode.services.transcripts import get_transcript
from qualcode.tui.screens.agreement_dialogs import SpanEditor
from qualcode.tui.session import Workspace, error_message
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.transcript_view import CodeMark

CONTEXT_CHARS = 150  # shown either side of a region
EXCERPT_CHARS = 160  # of a region's text in the list (a row shows less)
CHOICE_NAMES = {"a": "A", "b": "B", "both": "both", "neither": "neither", "edit": "edit"}
OPEN_MARK, CLOSE_MARK = "⟦", "⟧"  # around a coder's spans: readable without colour
FALLBACK_COLOUR = "#E07A5F"


def _binding(
    key: str, action: str, description: str, binding_id: str, tooltip: str, show: bool = True
) -> Binding:
    return Binding(key, action, description, show=show, id=binding_id, tooltip=tooltip)


def region_key(found: Disagreement) -> RegionKey:
    return (found.transcript, found.code, found.region.start, found.region.end)


def side_text(
    text: str,
    start: int,
    end: int,
    spans: Sequence[Span],
    coded: Style,
    context: int = CONTEXT_CHARS,
) -> Text:
    """The region ``[start, end)`` of ``text`` with up to ``context`` characters either
    side (dim); inside it, ``spans`` are styled ``coded`` and set between ⟦ and ⟧."""
    shown = Text()
    before = max(0, start - context)
    shown.append(("…" if before else "") + text[before:start], style="dim")
    position = start
    for span in spans:
        shown.append(text[position : span.start])
        shown.append(OPEN_MARK, style="bold")
        shown.append(span_text(text, span.start, span.end), style=coded)
        shown.append(CLOSE_MARK, style="bold")
        position = span.end
    shown.append(text[position:end])
    after = min(len(text), end + context)
    shown.append(text[end:after] + ("…" if after < len(text) else ""), style="dim")
    return shown


def spans_text(spans: Sequence[Span] | Sequence[tuple[int, int]]) -> str:
    pairs = [(s.start, s.end) if isinstance(s, Span) else s for s in spans]
    return " ".join(f"{s}:{e}" for s, e in pairs) or "nothing"


class DisagreementScreen(Screen[bool]):
    """Returns whether anything was written to (or undone in) the consensus layer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("escape", "back", "Back", "reconcile.back", "Back to the agreement table"),
        _binding("a", "settle('a')", "Take A", "reconcile.a",
                 "Settle with the first coder's spans (A)"),
        _binding("b", "settle('b')", "Take B", "reconcile.b",
                 "Settle with the second coder's spans (B)"),
        _binding("u", "settle('both')", "Both", "reconcile.both",
                 "Settle with the whole region (both coders' spans)"),
        _binding("n", "settle('neither')", "Neither", "reconcile.neither",
                 "Settle with nothing coded here (neither)"),
        _binding("e", "edit", "Edit…", "reconcile.edit",
                 "Settle with a span you select (edit)"),
        _binding("ctrl+z", "history('undo')", "Undo", "reconcile.undo",
                 "Undo the consensus layer's last change"),
        _binding("ctrl+y", "history('redo')", "Redo", "reconcile.redo",
                 "Redo the consensus layer's last undone change", show=False),
        _binding("shift+down", "scroll_sides(1)", "Scroll context", "reconcile.scroll-down",
                 "Scroll both sides down", show=False),
        _binding("shift+up", "scroll_sides(-1)", "Scroll context up", "reconcile.scroll-up",
                 "Scroll both sides up", show=False),
    ]  # fmt: skip

    @classmethod
    def key_owners(cls) -> tuple[type, ...]:
        """Whose keys the help screen and the palette list while this screen shows."""
        return (cls,)

    @dataclass
    class ConsensusChanged(Message, bubble=False):
        """The consensus layer changed: ``action`` is the choice written (a, b, both,
        neither, edit), or undo / redo; ``key`` the region settled (for a choice) or
        the region the undo or redo was about (``None`` when it had none)."""

        screen: DisagreementScreen
        action: str
        key: RegionKey | None
        codings: tuple[Coding, ...] = ()

    def __init__(
        self,
        workspace: Workspace,
        coders: tuple[str, str],
        *,
        code: str | None = None,
        transcript: str | None = None,
        into: str = DEFAULT_LAYER,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.coders = coders
        self.code = code
        self.transcript = transcript
        self.into = into
        self.found: list[Disagreement] = []
        self.settled: dict[RegionKey, Settlement] = {}
        self.changed = False
        self._texts: dict[str, Transcript] = {}

    def compose(self) -> ComposeResult:
        yield Label("", id="disagreement-header")
        with Horizontal(id="disagreement-progress-row"):
            yield Label("", id="disagreement-progress-text")
            yield ProgressBar(id="disagreement-progress", show_eta=False)
        yield OptionList(id="disagreement-list")
        with Horizontal(id="disagreement-sides"):
            for side in ("a", "b"):
                with Vertical(id=f"side-{side}-box", classes="disagreement-side"):
                    yield Label("", id=f"side-{side}-title", classes="side-title")
                    with VerticalScroll(id=f"side-{side}-scroll", can_focus=False):
                        yield Static("", id=f"side-{side}")
        yield Label("", id="disagreement-outcome")
        yield KeysFooter()

    @property
    def listing(self) -> OptionList:
        return self.query_one("#disagreement-list", OptionList)

    def on_mount(self) -> None:
        a, b = self.coders
        where = " · ".join(x for x in (self.code, self.transcript) if x) or "every code"
        self.query_one("#disagreement-header", Label).update(
            f"A = {a}, B = {b} → {self.into} · {where} · a/b/u/n/e settles, ctrl+z undoes"
        )
        try:
            found, _ = list_disagreements(
                self.workspace.project,
                self.coders,
                codes=[self.code] if self.code else (),
                transcripts=[self.transcript] if self.transcript else (),
            )
        except QualcodeError as error:  # e.g. a blind round: say so and close, nothing shown
            self.app.notify(str(error), severity="error", timeout=8, markup=False)
            self.call_after_refresh(self.dismiss, False)
            return
        self.found = [d for d in found if self.code is None or d.code == self.code]
        self.settled = settlements(self.workspace.project, self.coders, self.into)
        self._fill()
        self._go_to_unsettled(0)
        self.listing.focus()

    # -- showing -------------------------------------------------------------------------
    def _fill(self) -> None:
        listing = self.listing
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([Option(self._prompt(d)) for d in self.found])
        if self.found:
            listing.highlighted = min(highlighted or 0, len(self.found) - 1)
        self._show_progress()

    def _prompt(self, found: Disagreement) -> Text:
        settled = self.settled.get(region_key(found))
        prompt = Text(no_wrap=True, overflow="ellipsis")
        if settled is None:
            prompt.append("·         ", style="bold")
        else:
            prompt.append(f"✓ {CHOICE_NAMES.get(settled.choice, settled.choice):8}", style="bold")
        if self.transcript is None:
            prompt.append(f"{found.transcript} ")
        prompt.append(f"{found.region.start}:{found.region.end} ", style="bold")
        if self.code is None:
            prompt.append(f"{found.code} ")
        text = self._text(found.transcript).text
        end = min(found.region.end, found.region.start + EXCERPT_CHARS)
        excerpt = span_text(text, found.region.start, end).replace("\n", " ")
        prompt.append(excerpt, style="dim")
        return prompt

    def _show_progress(self) -> None:
        total = len(self.found)
        done = sum(1 for d in self.found if region_key(d) in self.settled)
        label = f"{done} of {total} settled" if total else "No disagreements here"
        self.query_one("#disagreement-progress-text", Label).update(label)
        self.query_one("#disagreement-progress", ProgressBar).update(total=total, progress=done)

    def _text(self, name: str) -> Transcript:
        if name not in self._texts:
            self._texts[name] = get_transcript(self.workspace.project, name)
        return self._texts[name]

    def current(self) -> Disagreement | None:
        index = self.listing.highlighted
        return self.found[index] if index is not None and 0 <= index < len(self.found) else None

    @on(OptionList.OptionHighlighted, "#disagreement-list")
    def _highlighted(self) -> None:
        self._show_sides()

    def _show_sides(self) -> None:
        found = self.current()
        outcome = self.query_one("#disagreement-outcome", Label)
        if found is None:
            for side in ("a", "b"):
                self.query_one(f"#side-{side}-title", Label).update("")
                self.query_one(f"#side-{side}", Static).update("")
            outcome.update("")
            return
        text = self._text(found.transcript).text
        region = found.region
        variables = self.app.get_css_variables()
        coded = Style(
            bold=True,
            underline=True,
            color=variables.get("text-accent"),
            bgcolor=variables.get("accent-muted"),
        )
        for side, name, spans in (("a", found.a, region.a), ("b", found.b, region.b)):
            self.query_one(f"#side-{side}-title", Label).update(
                f"{side.upper()} · {name}: {spans_text(spans)}"
            )
            self.query_one(f"#side-{side}", Static).update(
                side_text(text, region.start, region.end, spans, coded)
            )
            self.query_one(f"#side-{side}-scroll", VerticalScroll).scroll_home(animate=False)
        settled = self.settled.get(region_key(found))
        head = f"{found.transcript} {region.start}:{region.end} {found.code} · {self.into}: "
        if settled is None:
            outcome.update(head + "not settled yet")
        else:
            choice = CHOICE_NAMES.get(settled.choice, settled.choice)
            outcome.update(head + f"{choice} → {spans_text(settled.spans)}")

    def _go_to_unsettled(self, start: int) -> None:
        """Highlight the first unsettled disagreement from ``start`` on (wrapping)."""
        count = len(self.found)
        for step in range(count):
            index = (start + step) % count
            if region_key(self.found[index]) not in self.settled:
                self.listing.highlighted = index
                return
        if count:
            self.listing.highlighted = min(start, count - 1)

    # -- settling ------------------------------------------------------------------------
    async def _write(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a service that writes; mistakes and a busy project become notifications."""
        try:
            return await self.workspace.write(action, *args, **kwargs)
        except QualcodeError as error:
            self.notify(error_message(error, then=""), severity="error", timeout=6)
            return None

    async def action_settle(self, choice: str, spans: Sequence[tuple[int, int]] = ()) -> None:
        found = self.current()
        if found is None:
            return
        created: list[Coding] | None = await self._write(
            resolve_disagreement,
            self.workspace.project,
            self.coders,
            found.transcript,
            found.code,
            (found.region.start, found.region.end),
            choice,
            into=self.into,
            spans=spans,
        )
        if created is not None:
            self.post_message(
                self.ConsensusChanged(self, choice, region_key(found), tuple(created))
            )

    async def action_edit(self) -> None:
        found = self.current()
        if found is None:
            return
        transcript = self._text(found.transcript)
        codings = [
            c
            for c in list_codings(
                self.workspace.project, coders=self.coders, transcripts=[found.transcript]
            )
            if c.code_path == found.code
        ]
        colour = next(
            (c.spec.colour for c in list_codes(self.workspace.project) if c.path == found.code),
            None,
        )
        marks = {found.code: CodeMark(colour or FALLBACK_COLOUR, "•")}
        region = (found.region.start, found.region.end)
        title = f"The span {self.into} keeps, inside {region[0]}:{region[1]} ({found.code})"

        async def edited(span: tuple[int, int] | None) -> None:
            if span is not None:
                await self.action_settle("edit", [span])

        self.app.push_screen(
            SpanEditor(transcript.text, transcript.turns, codings, marks, region, title), edited
        )

    async def action_history(self, direction: str) -> None:
        move = history.undo if direction == "undo" else history.redo
        step: history.HistoryStep | None = await self._write(
            move, self.workspace.project, self.into
        )
        if step is None:
            self.notify(f"Nothing of {self.into} to {direction}", severity="warning")
            return
        self.notify(f"{direction}: {step.summary}")
        # the region whose settling event was taken back (undo) or restored (redo)
        before, after = self.settled, settlements(self.workspace.project, self.coders, self.into)
        key = next(
            (
                k
                for found in (before, after)
                for k, s in found.items()
                if s.event_id == step.event_id
            ),
            None,
        )
        self.post_message(self.ConsensusChanged(self, direction, key))

    @on(ConsensusChanged)
    def _consensus_changed(self, event: ConsensusChanged) -> None:
        self.changed = True
        self.settled = settlements(self.workspace.project, self.coders, self.into)
        index = self.listing.highlighted or 0
        keys = [region_key(d) for d in self.found]
        if event.key in keys:
            index = keys.index(event.key)
        self._fill()
        if event.action in ("undo", "redo"):
            self.listing.highlighted = index
        else:
            self._go_to_unsettled(index)
        self._show_sides()

    def action_scroll_sides(self, rows: int) -> None:
        for side in ("a", "b"):
            scroll = self.query_one(f"#side-{side}-scroll", VerticalScroll)
            scroll.scroll_relative(y=rows * 3, animate=False)

    def action_back(self) -> None:
        self.dismiss(self.changed)
