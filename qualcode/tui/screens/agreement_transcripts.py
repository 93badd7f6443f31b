"""One code's agreement per transcript, with each compared coder's done mark, the
transcripts left out of the comparison and why, and how many disagreements are still to
settle. Enter opens a transcript's disagreements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Label

from qualcode.domain.agreement import Comparison
from qualcode.domain.agreement_report import (
    AgreementReport,
    CodeAgreement,
    ExcludedTranscript,
    measure_of,
)
from qualcode.domain.errors import QualcodeError
from qualcode.domain.statistics import Scope
from qualcode.services.reconcile import DEFAULT_LAYER, list_disagreements
from qualcode.services.reconcile_review import settlements
from qualcode.services.status import done_marks
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.agreement_cells import describe, screen_columns, screen_statistics
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.measured_table import MeasuredTable

DONE, NOT_DONE = "✓", "·"


def done_text(coders: tuple[str, ...], marked: Set[str]) -> str:
    """``✓anna ·bo``: each coder's done mark on one transcript."""
    return " ".join(f"{DONE if c in marked else NOT_DONE}{c}" for c in coders)


class AgreementTranscriptsScreen(Screen[bool]):
    """Returns whether the consensus layer was changed from here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="agreement-transcripts.back",
                tooltip="Back to the codes"),
        Binding("enter", "open_transcript", "Disagreements",
                id="agreement-transcripts.open",
                tooltip="Where the coders differ in the highlighted transcript"),
        Binding("r", "reconcile", "Reconcile all", id="agreement-transcripts.reconcile",
                tooltip="Reconcile this code's disagreements in every transcript"),
    ]  # fmt: skip

    @classmethod
    def key_owners(cls) -> tuple[type, ...]:
        """Whose keys the help screen and the palette list while this screen shows."""
        return (cls,)

    def __init__(
        self, workspace: Workspace, report: AgreementReport, code: CodeAgreement, pair: int
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.report = report
        self.code = code
        self.pair_index = pair
        first = code.pooled.pairs[pair]
        self.coders = (first.a, first.b)
        self.rows: list[str] = []  # table row -> transcript
        self.changed = False
        self.counts: Counter[str] = Counter()  # disagreements per transcript
        self.settled: Counter[str] = Counter()
        self.marks: dict[str, set[str]] = {}

    def compose(self) -> ComposeResult:
        a, b = self.coders
        yield Label(
            f"{self.code.code} · {a}–{b} · per transcript · done marks: ✓ done, · not · "
            "enter: the transcript's disagreements",
            id="agreement-transcripts-header",
        )
        yield MeasuredTable(id="agreement-transcripts", cursor_type="row", zebra_stripes=True)
        yield Label("", id="agreement-transcripts-detail")
        yield Label(excluded_text(self.report.excluded), id="agreement-excluded")
        yield KeysFooter()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#agreement-transcripts", DataTable)

    def on_mount(self) -> None:
        self.marks = done_marks(self.workspace.project)
        if not self._count_disagreements():  # refused (a blind round): nothing is shown
            self.call_after_refresh(self.dismiss, False)
            return
        self._show()
        self.table.focus()

    def on_screen_resume(self) -> None:
        if self.rows:  # back from the disagreements: their settled counts changed
            self._count_disagreements()
            self._show()

    def _count_disagreements(self) -> bool:
        """Count each transcript's disagreements; False (after saying why) when refused."""
        try:
            found, _ = list_disagreements(
                self.workspace.project, self.coders, codes=[self.code.code]
            )
        except QualcodeError as error:
            self.notify(str(error), severity="error", timeout=6, markup=False)
            return False
        mine = [d for d in found if d.code == self.code.code]
        self.counts = Counter(d.transcript for d in mine)
        settled = settlements(self.workspace.project, self.coders, DEFAULT_LAYER)
        self.settled = Counter(
            d.transcript
            for d in mine
            if (d.transcript, d.code, d.region.start, d.region.end) in settled
        )
        return True

    def _show(self) -> None:
        table = self.table
        row = table.cursor_row
        table.clear(columns=True)
        # this pair's statistics only: the all-coder ones are in the detail line
        columns = screen_columns(self.report, means=False, coders=False)
        for header in ("transcript", "done", *(c.header for c in columns), "settled"):
            table.add_column(header)
        variables = self.app.get_css_variables()
        self.rows = []
        for name, comparison in self.code.per_transcript:
            table.add_row(
                Text(name),
                Text(done_text(self.report.coders, self.marks.get(name, set()))),
                *(column.cell(comparison, None, self.pair_index, variables) for column in columns),
                Text(f"{self.settled[name]}/{self.counts[name]}", justify="right"),
                key=name,
            )
            self.rows.append(name)
        for excluded in self.report.excluded:
            name = excluded.transcript
            left_out = [Text("—", justify="right"), Text("left out", style="italic")]
            left_out += [Text("") for _ in columns]
            table.add_row(
                Text(name, style="dim"),
                Text(done_text(self.report.coders, self.marks.get(name, set()))),
                *left_out[: len(columns)],
                Text(""),
                key=name,
            )
            self.rows.append(name)
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))

    def highlighted(self) -> str | None:
        row = self.table.cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        name = self.highlighted()
        if name is not None:
            self.query_one("#agreement-transcripts-detail", Label).update(self.detail(name))

    def detail(self, name: str) -> str:
        """The highlighted transcript: who marked it done, why it was left out or its
        statistics, and its disagreements."""
        marked = self.marks.get(name, set())
        done = ", ".join(
            f"{c} {'done' if c in marked else 'not marked done'}" for c in self.report.coders
        )
        excluded = next((e for e in self.report.excluded if e.transcript == name), None)
        if excluded is not None:
            return f"{name}: {done}\nleft out of the comparison: {excluded.reason}"
        comparison = dict(self.code.per_transcript)[name]
        return f"{name}: {done}\n{comparison_text(self.report, comparison, self.pair_index)} · " + (
            f"{self.counts[name]} disagreement(s), {self.settled[name]} settled"
        )

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open_transcript()

    def action_open_transcript(self) -> None:
        name = self.highlighted()
        if name is None:
            return
        excluded = next((e for e in self.report.excluded if e.transcript == name), None)
        if excluded is not None:
            self.notify(f"{name} was left out: {excluded.reason}", severity="warning")
            return
        self._open(name)

    def action_reconcile(self) -> None:
        self._open(None)

    def _open(self, transcript: str | None) -> None:
        from qualcode.tui.screens.disagreements import DisagreementScreen

        screen = DisagreementScreen(
            self.workspace, self.coders, code=self.code.code, transcript=transcript
        )
        self.app.push_screen(screen, self._returned)

    def _returned(self, changed: bool | None) -> None:
        self.changed = self.changed or bool(changed)

    def action_back(self) -> None:
        self.dismiss(self.changed)


def comparison_text(report: AgreementReport, comparison: Comparison, pair_index: int) -> str:
    """One transcript's values for a pair, briefly: the pair's headlines with their band,
    the all-coder headlines, then the pair's other statistics."""
    return " · ".join(
        describe(s, measure_of(s, comparison, pair_index), brief=True, band=s.scope is Scope.PAIR)
        for s in screen_statistics(report)
    )


def excluded_text(excluded: tuple[ExcludedTranscript, ...]) -> str:
    if not excluded:
        return "No transcript was left out: every compared coder finished all of them."
    listed = "; ".join(f"{e.transcript} ({e.reason})" for e in excluded)
    return f"Left out ({len(excluded)}): {listed}"
