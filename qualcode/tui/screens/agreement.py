"""The agreement screen: codes × statistics for two or more coders (the statistics
registry's: Cohen's kappa pooled and mean, Krippendorff's alpha, percent and segment
agreement by default; every statistic of a chosen set), banded values coloured and named
by their band, and beside each pooled kappa and alpha its bootstrap confidence interval
(alpha's with Krippendorff's verdict on its lower bound). The comparison and then the
intervals are computed in workers: the screen opens at once and fills them in. Enter
drills down to a code's transcripts, and from there to the disagreements themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label

from qualcode.domain.agreement_intervals import MIN_CLUSTERS, Intervals, IntervalSettings
from qualcode.domain.agreement_origin import origin_text
from qualcode.domain.agreement_report import (
    AgreementReport,
    CodeAgreement,
    mean_of,
    measure_of,
    threshold_text,
)
from qualcode.domain.errors import FieldError, QualcodeError
from qualcode.domain.statistics import Scope, active
from qualcode.domain.statistics.registry import display_order
from qualcode.services.agreement import compare_coders
from qualcode.services.project import project_summary
from qualcode.services.reconcile import DEFAULT_LAYER
from qualcode.tui.screens.agreement_dialogs import ComparisonSettings, SettingsDialog
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.agreement_cells import (
    IntervalView,
    ScreenColumn,
    bands_note,
    describe,
    describe_interval,
    describe_mean,
    screen_columns,
)
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.measured_table import MeasuredTable

if TYPE_CHECKING:
    from textual.app import App


def fixed_width(columns: Sequence[ScreenColumn]) -> int:
    """Cells taken by the statistic columns, every column's padding (two cells, the
    code's too) and the scroll bar: what the code column cannot have."""
    return sum(column.width for column in columns) + 2 * (len(columns) + 1) + 2


def _binding(
    key: str, action: str, description: str, binding_id: str, tooltip: str, show: bool = True
) -> Binding:
    return Binding(key, action, description, show=show, id=binding_id, tooltip=tooltip)


def default_settings(workspace: Workspace) -> ComparisonSettings:
    """The project's coders other than the consensus layer, with the default unit and
    threshold (fewer than two coders leaves nothing to compare)."""
    coders = project_summary(workspace.project).coders
    return ComparisonSettings(tuple(c for c in coders if c != DEFAULT_LAYER))


def open_agreement(app: App[None], workspace: Workspace, *, reconcile: bool = False) -> None:
    """Show the agreement screen (with ``reconcile``, straight on to every disagreement
    of the first two coders). Blind coding keeps other coders' codings hidden, so the
    screen is refused while it is on."""
    if workspace.blind:
        app.notify(
            "Blind coding is on: agreement shows every coder's codings (turn blind coding "
            "off first)",
            severity="warning",
        )
        return
    screen = AgreementScreen(workspace)
    app.push_screen(screen)
    if reconcile:
        screen.call_after_refresh(screen.action_reconcile, everything=True)


def code_label(path: str, width: int, listed: set[str]) -> str:
    """A code cut to ``width``: a sub-code whose parent is ``listed`` (shown above it) is
    indented by its own name; any other code is shown by its path."""
    parent, _, name = path.rpartition("/")
    label = "  " * path.count("/") + name if parent in listed else path
    return label if len(label) <= width else label[: width - 1] + "…"


class AgreementScreen(Screen[None]):
    """Agreement per code; enter opens a code's transcripts, ``r`` reconciles it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("escape", "back", "Back", "agreement.back", "Back to coding"),
        _binding("enter", "open_code", "Transcripts", "agreement.open",
                 "The highlighted code per transcript, with done marks"),
        _binding("s", "settings", "Coders…", "agreement.settings",
                 "Choose the coders, unit and segment threshold"),
        _binding("r", "reconcile", "Reconcile", "agreement.reconcile-code",
                 "Reconcile the highlighted code's disagreements into the consensus layer"),
    ]  # fmt: skip

    @classmethod
    def key_owners(cls) -> tuple[type, ...]:
        """Whose keys the help screen and the palette list while this screen shows."""
        return (cls,)

    @dataclass
    class Compared(Message, bubble=False):
        """A comparison finished and is shown; ``report`` is what
        :func:`~qualcode.services.agreement.compare_coders` returned."""

        screen: AgreementScreen
        report: AgreementReport

    @dataclass
    class IntervalsFound(Message, bubble=False):
        """The bootstrap intervals of the report shown are in and shown; ``intervals``
        is what :func:`~qualcode.services.agreement_intervals.report_intervals`
        returned for it."""

        screen: AgreementScreen
        intervals: Intervals

    def __init__(self, workspace: Workspace, settings: ComparisonSettings | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings or default_settings(workspace)
        self.report: AgreementReport | None = None
        self.intervals: IntervalView | None = None
        """The intervals of :attr:`report` (their ``found`` is ``None`` while the
        bootstrap runs); ``None`` when none are asked for."""
        self.rows: list[tuple[int, int]] = []  # table row -> (code index, pair index)

    def compose(self) -> ComposeResult:
        yield Label("", id="agreement-header")
        yield MeasuredTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="agreement-detail")
        yield Label(bands_note(active()), id="agreement-note")
        yield KeysFooter()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#agreement-table", DataTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.app.theme_changed_signal.subscribe(self, self._recolour)
        self.compare()

    def _recolour(self, _theme: object) -> None:
        """Band colours come from the theme: paint them again in the new one."""
        if self.report is not None:
            self._show(self.report)

    # -- comparing -----------------------------------------------------------------------
    def compare(self) -> None:
        """Compare with :attr:`settings` in the background and show the result."""
        settings = self.settings
        if len(settings.coders) < 2:
            self.query_one("#agreement-header", Label).update(
                "Two coders are needed to compare: press s to choose them"
            )
            return
        self.query_one("#agreement-header", Label).update(
            f"Comparing {', '.join(settings.coders)} …"
        )
        self.run_worker(self._compare(settings), exclusive=True, group="compare")

    def refresh_from_live(self) -> None:
        """Compare again (another coder's codings arrived, tui/live.py); the highlighted
        row stays (``_show`` keeps it)."""
        self.compare()

    async def _compare(self, settings: ComparisonSettings) -> None:
        try:
            report = await asyncio.to_thread(
                compare_coders,
                self.workspace.project,
                settings.coders,
                unit=settings.unit,
                threshold=settings.threshold,
                stats=settings.stats,
            )
        except QualcodeError as error:
            self.query_one("#agreement-header", Label).update(str(error))
            self.notify(str(error), severity="error", timeout=6)
            return
        self.report = report
        wanted = settings.intervals
        self.intervals = None if wanted is None else IntervalView(wanted)
        self._show(report)
        self.post_message(self.Compared(self, report))
        if wanted is not None:
            self.run_worker(self._find_intervals(report, wanted), exclusive=True, group="ci")

    async def _find_intervals(self, report: AgreementReport, wanted: IntervalSettings) -> None:
        """The bootstrap of ``report`` (numpy; a second or so on a large project) off
        the UI thread; shown unless another comparison has replaced the report."""
        from qualcode.services.agreement_intervals import report_intervals

        try:
            found = await asyncio.to_thread(report_intervals, report, wanted)
        except FieldError:  # too few transcripts to draw whole ones: say so, no interval
            if self.report is report:
                problem = (
                    f"drawing whole transcripts needs {MIN_CLUSTERS}; "
                    f"{len(report.transcripts)} compared"
                )
                self.intervals = IntervalView(wanted, problem=problem)
                self._show(report)
            return
        if self.report is not report:
            return
        self.intervals = IntervalView(wanted, found)
        self._show(report)
        self._row_highlighted()  # the detail line names the intervals too
        self.post_message(self.IntervalsFound(self, found))

    def _show(self, report: AgreementReport) -> None:
        self.query_one("#agreement-header", Label).update(header_text(report))
        note = bands_note(report.applicable(), self.intervals)
        self.query_one("#agreement-note", Label).update(note)
        table = self.table
        row = table.cursor_row
        table.clear(columns=True)
        many = len(report.coders) > 2
        pairs = [f"{p.a}–{p.b}" for p in report.codes[0].pooled.pairs] if report.codes else []
        pair_width = max(map(len, pairs)) + 2 if many else 0
        columns = screen_columns(report, every=bool(self.settings.stats), intervals=self.intervals)
        width = max(10, self.app.size.width - fixed_width(columns) - pair_width)
        table.add_column("code", width=width)
        if many:
            table.add_column("pair")
        for column in columns:
            table.add_column(column.header)
        variables = self.app.get_css_variables()
        self.rows = []
        listed = {code.code for code in report.codes}
        for ci, code in enumerate(report.codes):
            for pi, pair in enumerate(code.pooled.pairs):
                cells = [Text(code_label(code.code, width, listed) if pi == 0 else "")]
                if many:
                    cells.append(Text(f"{pair.a}–{pair.b}"))
                cells += [column.cell(code.pooled, code.mean, pi, variables) for column in columns]
                table.add_row(*cells, key=f"{ci}:{pi}")
                self.rows.append((ci, pi))
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))
        else:
            self.query_one("#agreement-detail", Label).update(
                "Nothing to compare: the codebook has no code"
            )

    # -- the highlighted row -------------------------------------------------------------
    def highlighted(self) -> tuple[CodeAgreement, int] | None:
        """The highlighted code and pair index."""
        row = self.table.cursor_row
        if self.report is None or not 0 <= row < len(self.rows):
            return None
        ci, pi = self.rows[row]
        return self.report.codes[ci], pi

    @on(DataTable.RowHighlighted, "#agreement-table")
    def _row_highlighted(self) -> None:
        found = self.highlighted()
        if found is not None:
            assert self.report is not None
            intervals = None if self.intervals is None else self.intervals.found
            detail = detail_text(*found, self.report, intervals)
            self.query_one("#agreement-detail", Label).update(detail)

    @on(DataTable.RowSelected, "#agreement-table")
    def _row_selected(self) -> None:
        self.action_open_code()

    def action_open_code(self) -> None:
        from qualcode.tui.screens.agreement_transcripts import AgreementTranscriptsScreen

        found = self.highlighted()
        if found is None or self.report is None:
            return
        code, pair = found
        screen = AgreementTranscriptsScreen(self.workspace, self.report, code, pair)
        self.app.push_screen(screen, self._returned)

    def action_reconcile(self, everything: bool = False) -> None:
        """The disagreements of the highlighted code and pair (``everything``: of all
        codes, for the first two coders)."""
        from qualcode.tui.screens.disagreements import DisagreementScreen

        found = self.highlighted()
        if everything or found is None:
            if len(self.settings.coders) < 2:
                self.notify("Choose two coders first (s)", severity="warning")
                return
            a, b = self.settings.coders[:2]
            screen = DisagreementScreen(self.workspace, (a, b))
        else:
            code, pi = found
            pair = code.pooled.pairs[pi]
            screen = DisagreementScreen(self.workspace, (pair.a, pair.b), code=code.code)
        self.app.push_screen(screen, self._returned)

    def _returned(self, changed: bool | None) -> None:
        """Back from a drill-down: compare again when the consensus layer, which the
        drill-down writes, is one of the coders compared."""
        if changed and DEFAULT_LAYER in self.settings.coders:
            self.compare()

    def action_settings(self) -> None:
        coders = project_summary(self.workspace.project).coders

        def chosen(settings: ComparisonSettings | None) -> None:
            if settings is not None:
                self.settings = settings
                self.compare()

        self.app.push_screen(SettingsDialog(coders, self.settings), chosen)

    def action_back(self) -> None:
        self.dismiss(None)


def header_text(report: AgreementReport) -> str:
    """Who is compared how, how each coder's finished transcripts were found, and what
    was left out."""
    parts = [
        f"{', '.join(report.coders)} · unit {report.unit.value} · "
        f"segment threshold {threshold_text(report.threshold)}%",
        f"{len(report.transcripts)} transcript(s) compared",
    ]
    if report.origins:
        parts.append(origin_text(report.origins))
    basis: dict[str, list[str]] = {}
    for coder, how in report.basis:
        basis.setdefault(how, []).append(coder)
    parts += [f"finished = {how}: {', '.join(coders)}" for how, coders in basis.items()]
    if report.excluded:
        parts.append(f"{len(report.excluded)} left out (enter: which and why)")
    if report.skipped:
        parts.append(f"{len(report.skipped)} invalid coding(s) skipped")
    return " · ".join(parts)


def detail_text(
    code: CodeAgreement,
    pair_index: int,
    report: AgreementReport,
    intervals: Intervals | None = None,
) -> str:
    """Every statistic of one code and pair, headlines with their band and mean, and
    the pooled values' intervals when there are any."""
    pair = code.pooled.pairs[pair_index]
    shown = [s for s in report.applicable() if s.shown]
    pair_statistics = display_order([s for s in shown if s.scope is Scope.PAIR])
    ordered = [
        *(s for s in pair_statistics if s.headline),
        *display_order([s for s in shown if s.scope is Scope.CODERS]),
        *(s for s in pair_statistics if not s.headline),
    ]
    parts = []
    for statistic in ordered:
        words = describe(statistic, measure_of(statistic, code.pooled, pair_index))
        mean = mean_of(statistic, code.mean, pair_index)
        if statistic.headline and mean is not None:
            words += describe_mean(statistic, mean)
        if intervals is not None and statistic.interval_key is not None:
            index = pair_index if statistic.scope is Scope.PAIR else 0
            bounds = intervals.of(code.code, statistic.key, index)
            words += describe_interval(statistic, bounds, intervals.settings.level)
        parts.append(words)
    return f"{code.code} · {pair.a}–{pair.b} (enter: per transcript)\n" + " · ".join(parts)
