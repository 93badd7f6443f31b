"""The coding screen: transcripts by case (left), the transcript (centre), the codebook
with counts and definitions (right), a status bar. Code shortcuts pressed in the
transcript apply their code to the selection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, ClassVar, ParamSpec, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from qualcode.domain.cases import SpeakerCases
from qualcode.domain.codings import Coding
from qualcode.domain.errors import QualcodeError
from qualcode.domain.events import CODEBOOK_ACTIONS, MEMO_ACTIONS, STATUS_ACTIONS, Action
from qualcode.domain.spans import Span
from qualcode.domain.suggestions import Suggestion
from qualcode.services import coding as coding_service
from qualcode.services import history, workspace
from qualcode.services.history import HistoryStep
from qualcode.services.status import mark_done, set_setting
from qualcode.services.workspace import CodeEntry
from qualcode.tui.live import LiveUpdates
from qualcode.tui.screens import coding_actions, memo_actions, review_actions, suggestion_actions
from qualcode.tui.screens.code_picker import CodePicker
from qualcode.tui.screens.status_line import status_line
from qualcode.tui.session import Workspace, error_message
from qualcode.tui.widgets.codebook_tree import CodebookTree, CodeDefinition
from qualcode.tui.widgets.coding_list import Place
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.speaker_details import SpeakerDetails, turn_at
from qualcode.tui.widgets.transcript_list import TranscriptList
from qualcode.tui.widgets.transcript_view import CodeMark, TranscriptView

if TYPE_CHECKING:
    from qualcode.tui.screens.matrix import MatrixChoices

P = ParamSpec("P")
T = TypeVar("T")


FALLBACK_COLOURS = ("#E07A5F", "#3D405B", "#81B29A", "#F2CC8F", "#9C6ADE", "#4EA8DE")


def _binding(
    key: str, action: str, description: str, binding_id: str, tooltip: str, show: bool = True
) -> Binding:
    return Binding(key, action, description, show=show, id=binding_id, tooltip=tooltip)


class CodingScreen(Screen[None]):
    """Where the coder spends the day."""

    # the footer shows these in this order after quit and help: at 80 columns, where the
    # transcript list is hidden, the first four are what a new coder needs to find
    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("enter", "apply_picker", "Code…", "code.apply",
                 "Apply a code to the selection (fuzzy picker)"),
        _binding("ctrl+t", "toggle_transcripts", "Transcripts", "view.transcripts",
                 "Go to the transcript list (and back)"),
        _binding("slash", "search", "Search", "search.find",
                 "Search this transcript or the whole project"),
        _binding("ctrl+z", "undo", "Undo", "history.undo", "Undo your last action"),
        _binding("ctrl+y", "redo", "Redo", "history.redo", "Redo the last undone action"),
        _binding("delete", "remove", "Uncode", "code.remove", "Remove your coding at the cursor"),
        _binding("ctrl+g", "passages", "Passages", "view.passages",
                 "Passages coded with a code (retrieval)"),
        _binding("ctrl+r", "recode", "Recode…", "code.recode",
                 "Recode your coding at the cursor", show=False),
        _binding("ctrl+e", "adjust", "Adjust", "code.adjust",
                 "Adjust the span of your coding at the cursor (enter saves)", show=False),
        _binding("ctrl+n", "memo", "Memo…", "code.memo",
                 "Write a memo on your coding at the cursor", show=False),
        _binding("ctrl+d", "toggle_done", "Done", "transcript.done",
                 "Mark the transcript done (or not done) for you", show=False),
        _binding("ctrl+x", "matrix", "Matrix", "matrix.open", "Open matrix", show=False),
        _binding("ctrl+k", "agreement", "Agreement", "agreement.compare", "Compare coders",
                 show=False),
        _binding("f6", "reconcile", "Reconcile", "agreement.reconcile",
                 "Reconcile disagreements", show=False),
        _binding("M", "transcript_memos", "Memos", "memo.transcript",
                 "Memos on this transcript: read them, write one", show=False),
        _binding("f8", "next_flagged", "Next to review", "review.next",
                 "Jump to the next coding that needs review after a transcript edit", show=False),
        _binding("R", "mark_reviewed", "Reviewed", "review.done",
                 "Mark the coding at the cursor reviewed (clears its review flag)", show=False),
        _binding("f7", "toggle_suggestions", "Suggestions", "suggest.toggle",
                 "Show (or hide) code suggestions learned from the codings, dimmed in the margin",
                 show=False),
        _binding("A", "accept_suggestion", "Accept suggestion", "suggest.accept",
                 "Code the unit at the cursor with its suggested code", show=False),
        _binding("X", "dismiss_suggestion", "Dismiss suggestion", "suggest.dismiss",
                 "Stop suggesting this code here (for you)", show=False),
    ]  # fmt: skip

    @dataclass
    class CodingsChanged(Message, bubble=False):
        """Codings of the workspace changed: ``action`` says how (apply, remove, recode,
        adjust, coding_memo, undo, redo, apply_batch, review_done); ``added`` are new codings of the
        open transcript when that is all that changed, else everything is reloaded."""

        screen: CodingScreen
        action: str
        transcript: str | None
        added: tuple[Coding, ...] = ()
        reload: bool = True

    @dataclass
    class CodebookChanged(Message, bubble=False):
        """Codes were added, edited, moved or merged."""

        screen: CodingScreen
        action: str

    def __init__(self, workspace_: Workspace, transcript: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace_
        self.first_transcript = transcript
        self.transcript: str | None = None
        self.entries: list[CodeEntry] = []
        self.adjusting: Coding | None = None
        self._marks: dict[str, str] = {}  # transcript -> done / started / new, as listed
        self.memo_counts: dict[str, int] = {}  # transcript -> memos on it, as listed
        self.flagged_total = 0  # codings needing review in the project (visible ones)
        self.last_reviewed: Coding | None = None  # the flagged coding review.next went to
        self.matrix_choices: MatrixChoices | None = None  # the matrix reopens as left
        self.speakers: SpeakerCases = {}  # the open transcript's speakers' cases and values
        self.suggesting = False  # f7: suggestions shown for the open transcript
        self.suggestions: list[Suggestion] = []
        # taken from the margin since they were shown, by unit (start, end): put back
        # when the unit is uncoded again (undo) or the dismissal is undone
        self.coded_suggestions: dict[tuple[int, int], Suggestion] = {}
        self.dismissed_suggestions: dict[tuple[int, int], Suggestion] = {}

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="workspace"):
            yield TranscriptList(id="transcripts")
            yield TranscriptView(id="transcript")
            with Vertical(id="codebook-panel"):
                yield CodebookTree(id="codebook", editable=True)
                yield CodeDefinition(id="definition")
                yield SpeakerDetails(id="speaker-details")
        yield Static(id="status")
        yield KeysFooter()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def codebook(self) -> CodebookTree:
        return self.query_one(CodebookTree)

    def on_mount(self) -> None:
        self.set_class(self.workspace.blind, "-blind")
        # before anything is loaded, so a commit made meanwhile is not missed
        self.live = LiveUpdates(self)
        first = self.first_transcript
        if first is None:
            groups = workspace.transcript_groups(self.workspace.project, self.workspace.coder)
            first = next(
                (t.name for g in groups for t in g.transcripts if t.mark != "done"),
                next((t.name for g in groups for t in g.transcripts), None),
            )
        self.transcript = first
        # counts and the transcript list are not needed for the first paint
        self.entries = self._code_entries(counts=False)
        self.codebook.show_codes(self.entries)
        if first is not None:
            self.open_transcript(first, counts=False)
        self.view.focus()
        self.call_later(self._after_first_paint)
        self.live.start()
        self._warn_shadowed_shortcuts()

    def on_unmount(self) -> None:
        self.live.stop()

    def _after_first_paint(self) -> None:
        self.entries = self._code_entries()
        self.codebook.update_counts(self.entries)
        self.flagged_total = review_actions.flagged_total(self)
        self.refresh_transcript_list()
        self.update_status()

    def refresh_transcript_list(self) -> None:
        groups = workspace.transcript_groups(
            self.workspace.project, self.workspace.coder, blind=self.workspace.blind
        )
        self._marks = {t.name: t.mark for g in groups for t in g.transcripts}
        self.memo_counts = {t.name: t.memos for g in groups for t in g.transcripts}
        self.query_one(TranscriptList).show_groups(groups, self.transcript)

    def refresh_code_counts(self) -> None:
        """Codes' counts (codings, memos) again, in the tree and the definition panel."""
        self.entries = self._code_entries()
        self.codebook.update_counts(self.entries)
        self.query_one(CodeDefinition).show(self.codebook.highlighted_entry)

    # -- loading -------------------------------------------------------------------------
    def _code_entries(self, *, counts: bool = True) -> list[CodeEntry]:
        return workspace.code_entries(
            self.workspace.project,
            self.transcript,
            self.workspace.coder,
            blind=self.workspace.blind,
            counts=counts,
        )

    def marks(self) -> dict[str, CodeMark]:
        marks: dict[str, CodeMark] = {}
        for index, entry in enumerate(self.entries):
            colour = entry.spec.colour or FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]
            marker = entry.spec.shortcut or entry.spec.name[:1].upper() or "?"
            marks[entry.path] = CodeMark(colour, marker)
        return marks

    def open_transcript(
        self, name: str, span: tuple[int, int] | None = None, *, counts: bool = True
    ) -> None:
        """Show a transcript (optionally selecting ``span``); counts follow it."""
        document = workspace.load_document(
            self.workspace.project, name, self.workspace.coder, blind=self.workspace.blind
        )
        self.transcript = name
        self.adjusting = None
        if counts:
            self.entries = self._code_entries()
            self.codebook.update_counts(self.entries)
            self.flagged_total = review_actions.flagged_total(self)
        self.speakers = document.speakers
        self.view.load(document.text, document.turns, document.codings, self.marks())
        self.view.set_flagged(document.flagged)
        suggestion_actions.forget(self)
        if self.suggesting:  # they follow the coder to the next transcript
            self.run_worker(suggestion_actions.show(self), group="suggestions")
        if span is not None:
            self.view.select_span(*span)
        self.update_status()

    def reload_codings(self) -> None:
        if self.transcript is None:
            return
        document = workspace.load_document(
            self.workspace.project,
            self.transcript,
            self.workspace.coder,
            blind=self.workspace.blind,
        )
        self.entries = self._code_entries()
        self.codebook.update_counts(self.entries)
        self.flagged_total = review_actions.flagged_total(self)
        self.view.set_codings(document.codings, self.marks())
        self.view.set_flagged(document.flagged)
        self.update_status()

    @on(CodingsChanged)
    def _codings_changed(self, event: CodingsChanged) -> None:
        if self._marks.get(self.transcript or "") == "new" and event.action == "apply":
            self.refresh_transcript_list()  # the transcript is started now
        if event.reload or event.transcript != self.transcript:
            self.reload_codings()
            suggestion_actions.follow_codings(self)
            return
        view = self.view
        view.set_codings([*view.codings, *event.added])
        suggestion_actions.follow_codings(self)
        bumped = {c.code_path for c in event.added}
        self.entries = [
            replace(e, here=e.here + 1, project=e.project + 1) if e.path in bumped else e
            for e in self.entries
        ]
        self.codebook.update_counts(self.entries)

    @on(CodebookChanged)
    def _codebook_changed(self, event: CodebookChanged) -> None:
        self.entries = self._code_entries()
        self.codebook.show_codes(self.entries)
        self.view.set_codings(self.view.codings, self.marks())
        self.reload_codings()

    @on(TranscriptList.TranscriptChosen)
    def _transcript_chosen(self, event: TranscriptList.TranscriptChosen) -> None:
        self.open_transcript(event.name)
        self.view.focus()

    @on(TranscriptView.SelectionChanged)
    def _selection_changed(self, event: TranscriptView.SelectionChanged) -> None:
        self.update_status()
        view = self.view
        turn = turn_at(view.text, view.turns, view.cursor) if self.speakers else None
        self.query_one(SpeakerDetails).show_for(turn, self.speakers)

    @on(CodebookTree.CodeHighlighted)
    def _code_highlighted(self, event: CodebookTree.CodeHighlighted) -> None:
        self.query_one(CodeDefinition).show(event.entry)

    @on(CodebookTree.EditRequested)
    def _edit_requested(self, event: CodebookTree.EditRequested) -> None:
        from qualcode.tui.screens.codebook_actions import request_edit

        request_edit(self, event.kind, event.entry)

    @on(CodebookTree.CodeChosen)
    async def _code_chosen(self, event: CodebookTree.CodeChosen) -> None:
        await self.apply_code(event.entry.id)

    # -- status --------------------------------------------------------------------------
    def update_status(self) -> None:
        # plain Content: names in it are shown as written, never read as markup
        self.query_one("#status", Static).update(Content(status_line(self)))

    # -- code shortcuts ------------------------------------------------------------------
    async def on_key(self, event: events.Key) -> None:
        if self.focused is not self.view or not event.character:
            return
        entry = next((e for e in self.entries if e.spec.shortcut == event.character), None)
        if entry is None:
            return
        event.stop()
        event.prevent_default()
        await self.apply_code(entry.id)

    def _warn_shadowed_shortcuts(self) -> None:
        view_keys = {
            b.key for b in (*TranscriptView.BINDINGS, *self.BINDINGS) if isinstance(b, Binding)
        }
        shadowed = [e.path for e in self.entries if e.spec.shortcut in view_keys]
        if shadowed:
            self.notify(
                "Shortcut keys of " + ", ".join(shadowed) + " override transcript keys",
                severity="warning",
            )

    # -- actions -------------------------------------------------------------------------
    async def write_service(
        self, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T | None:
        """Run a service; user mistakes and a busy project become notifications
        (``None`` then)."""
        try:
            return await self.workspace.write(action, *args, **kwargs)
        except QualcodeError as error:
            self.notify(error_message(error), severity="error", timeout=6)
            return None

    async def apply_code(self, code_id: int) -> None:
        """Code the selection with ``code_id``."""
        view = self.view
        selection = view.selection
        if self.transcript is None or selection is None:
            self.notify(
                "Select a passage first (shift+arrows, space to mark, S, T)", severity="warning"
            )
            return
        applied = await self.write_service(
            partial(coding_service.apply_code, span=Span(*selection)),
            self.workspace.project,
            self.transcript,
            code_id,
            self.workspace.coder,
        )
        coding = None if applied is None else applied[0]
        if coding is not None:
            view.anchor_offset, view.marking = None, False
            self.post_message(self.CodingsChanged(self, "apply", self.transcript, (coding,), False))
            self.update_status()

    async def action_apply_picker(self) -> None:
        if self.adjusting is not None:
            await self._finish_adjust()
            return
        if self.view.selection is None:
            self.notify(
                "Select a passage first (shift+arrows, space to mark, S, T)", severity="warning"
            )
            return
        self.app.push_screen(
            CodePicker(self.workspace, self.entries, "Code the selection with…"),
            self._picked,
        )

    async def _picked(self, code_id: int | None) -> None:
        if code_id is not None:
            self.entries = self._code_entries()
            self.codebook.show_codes(self.entries)
            self.view.set_codings(self.view.codings, self.marks())
            await self.apply_code(code_id)

    async def action_remove(self) -> None:
        await coding_actions.remove_at_cursor(self)

    async def action_recode(self) -> None:
        await coding_actions.recode_at_cursor(self)

    async def action_memo(self) -> None:
        await coding_actions.memo_at_cursor(self)

    def action_transcript_memos(self) -> None:
        memo_actions.open_transcript_memos(self)

    async def action_next_flagged(self) -> None:
        await review_actions.jump_to_next(self)

    async def action_mark_reviewed(self) -> None:
        await review_actions.mark_reviewed_at_cursor(self)

    async def action_toggle_suggestions(self) -> None:
        await suggestion_actions.toggle(self)

    async def action_accept_suggestion(self) -> None:
        await suggestion_actions.accept(self)

    async def action_dismiss_suggestion(self) -> None:
        await suggestion_actions.dismiss(self)

    async def action_adjust(self) -> None:
        await coding_actions.toggle_adjust(self)

    async def _finish_adjust(self) -> None:
        await coding_actions.finish_adjust(self)

    async def action_undo(self) -> None:
        await self._history(history.undo)

    async def action_redo(self) -> None:
        await self._history(history.redo)

    async def _history(self, move: Callable[..., HistoryStep | None]) -> None:
        step: HistoryStep | None = await self.write_service(
            move, self.workspace.project, self.workspace.coder
        )
        name = "undo" if move is history.undo else "redo"
        if step is None:
            self.notify(f"Nothing to {name}", severity="warning")
            return
        self.notify(f"{name}: {step.summary}")
        if step.action == Action.DISMISS_SUGGESTION:
            suggestion_actions.after_history(self, step)
            return
        if step.action in CODEBOOK_ACTIONS:
            self.post_message(self.CodebookChanged(self, name))
            return
        if step.action in STATUS_ACTIONS:
            self.refresh_transcript_list()
            return
        if step.action in MEMO_ACTIONS:  # the ✎ counts of transcripts and codes
            self.refresh_transcript_list()
            self.refresh_code_counts()
            self.update_status()
            return
        if step.transcript is not None and step.transcript != self.transcript:
            self.open_transcript(step.transcript, step.span)
        else:
            self.post_message(self.CodingsChanged(self, name, self.transcript))
            if step.span is not None and name == "undo" and step.action != "apply":
                self.view.select_span(*step.span)

    def action_toggle_transcripts(self) -> None:
        listing = self.query_one(TranscriptList)
        if listing.has_focus:
            self.view.focus()
        else:
            listing.display = True
            listing.focus()

    async def action_toggle_done(self) -> None:
        if self.transcript is None:
            return
        done = self._marks.get(self.transcript) != "done"
        previous = await self.write_service(
            lambda: mark_done(
                self.workspace.project, self.transcript or "", self.workspace.coder, done=done
            )
        )
        if previous is not None:
            self.refresh_transcript_list()
            self.notify(f"{self.transcript}: {'done' if done else 'not done'}")

    def action_passages(self) -> None:
        from qualcode.tui.screens.retrieval import RetrievalScreen

        here = self.view.codings_at(self.view.cursor)
        start = None
        if here:
            start = next((e.id for e in self.entries if e.path == here[0].code_path), None)
        highlighted = self.codebook.highlighted_entry
        if start is None and highlighted is not None:
            start = highlighted.id
        self.app.push_screen(RetrievalScreen(self.workspace, self.entries, start), self._jump)

    def action_matrix(self) -> None:
        from qualcode.tui.screens.matrix import MatrixScreen

        matrix = MatrixScreen(self.workspace, self.matrix_choices)

        def back(place: Place | None) -> None:
            self.matrix_choices = matrix.choices
            self._jump(place)

        self.app.push_screen(matrix, back)

    def action_agreement(self) -> None:
        from qualcode.tui.screens.agreement import open_agreement

        open_agreement(self.app, self.workspace)

    def action_reconcile(self) -> None:
        from qualcode.tui.screens.agreement import open_agreement

        open_agreement(self.app, self.workspace, reconcile=True)

    def action_search(self) -> None:
        from qualcode.tui.screens.search import SearchScreen

        searching = SearchScreen(self.workspace, self.transcript, self.entries)

        def jump(place: Place | None) -> None:
            if searching.coded:
                self.post_message(self.CodingsChanged(self, "apply_batch", None))
            self._jump(place)
            if place is not None:  # the hits stay marked in the transcript jumped to
                hits = [h for h in searching.hits if h.transcript == place.transcript]
                self.view.set_hits([(h.start, h.end) for h in hits])

        self.app.push_screen(searching, jump)

    def _jump(self, place: Place | None) -> None:
        if place is None:
            return
        self.open_transcript(place.transcript, (place.start, place.end))
        self.view.focus()

    async def set_blind(self, on: bool) -> None:
        """Set the project's ``blind_coding`` setting and follow it in this session."""

        def write() -> bool:
            set_setting(self.workspace.project, workspace.BLIND_SETTING, on)
            return True

        if await self.write_service(write) is None:
            return
        self.workspace.blind = self.workspace.chose_blind = on
        self.set_class(on, "-blind")
        self.post_message(self.CodingsChanged(self, "setting", self.transcript))
        self.update_status()
        self.notify(f"Blind coding {'required' if on else 'no longer required'} in this project")

    def shortcut_rows(self) -> Sequence[tuple[str, str, str]]:
        return [
            (e.spec.shortcut, f"apply {e.path}", "codebook shortcut")
            for e in self.entries
            if e.spec.shortcut
        ]
