"""The agreement screen: codes × statistics for two or more coders (Cohen's kappa pooled
and mean, Krippendorff's alpha, percent and segment agreement), each coloured and
named by its Landis–Koch band. Enter drills down to a code's transcripts, and from
there to the disagreements themselves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label

from qualcode.domain.agreement import landis_koch_band
from qualcode.domain.agreement_report import AgreementReport, CodeAgreement
from qualcode.domain.errors import QualcodeError
from qualcode.exporters.agreement import statistic_text
from qualcode.services.agreement import compare_coders
from qualcode.services.project import project_summary
from qualcode.services.reconcile import DEFAULT_LAYER
from qualcode.tui.screens.agreement_dialogs import ComparisonSettings, SettingsDialog
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.agreement_cells import (
    BANDS_NOTE,
    band_cell,
    percent_cell,
    statistic_cell,
)
from qualcode.tui.widgets.keys_footer import KeysFooter
from qualcode.tui.widgets.measured_table import MeasuredTable

if TYPE_CHECKING:
    from textual.app import App

STATISTIC_COLUMNS = ("κ pool", "band", "κ mean", "α", "agree%", "seg%")
FIXED_WIDTH = 58  # columns other than the code's, all cell padding and the scroll bar


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

    def __init__(self, workspace: Workspace, settings: ComparisonSettings | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings or default_settings(workspace)
        self.report: AgreementReport | None = None
        self.rows: list[tuple[int, int]] = []  # table row -> (code index, pair index)

    def compose(self) -> ComposeResult:
        yield Label("", id="agreement-header")
        yield MeasuredTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="agreement-detail")
        yield Label(BANDS_NOTE, id="agreement-note")
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

    async def _compare(self, settings: ComparisonSettings) -> None:
        try:
            report = await asyncio.to_thread(
                compare_coders,
                self.workspace.project,
                settings.coders,
                unit=settings.unit,
                threshold=settings.threshold,
            )
        except QualcodeError as error:
            self.query_one("#agreement-header", Label).update(str(error))
            self.notify(str(error), severity="error", timeout=6)
            return
        self.report = report
        self._show(report)
        self.post_message(self.Compared(self, report))

    def _show(self, report: AgreementReport) -> None:
        self.query_one("#agreement-header", Label).update(header_text(report))
        table = self.table
        row = table.cursor_row
        table.clear(columns=True)
        many = len(report.coders) > 2
        pairs = [f"{p.a}–{p.b}" for p in report.codes[0].pooled.pairs] if report.codes else []
        pair_width = max(map(len, pairs)) + 2 if many else 0
        width = max(10, self.app.size.width - FIXED_WIDTH - pair_width)
        table.add_column("code", width=width)
        if many:
            table.add_column("pair")
        for column in STATISTIC_COLUMNS:
            table.add_column(column)
        variables = self.app.get_css_variables()
        self.rows = []
        listed = {code.code for code in report.codes}
        for ci, code in enumerate(report.codes):
            alpha = code.pooled.coverage.krippendorff_alpha
            for pi, pair in enumerate(code.pooled.pairs):
                kappa, mean = pair.counts.kappa, code.mean.pairs[pi]
                n = code.mean.transcripts
                cells = [Text(code_label(code.code, width, listed) if pi == 0 else "")]
                if many:
                    cells.append(Text(f"{pair.a}–{pair.b}"))
                cells += [
                    statistic_cell(kappa.value, kappa.undefined, variables),
                    band_cell(kappa.value, variables),
                    statistic_cell(mean.kappa, n > 0 and mean.kappa_undefined == n, variables),
                    statistic_cell(alpha.value, alpha.undefined, variables)
                    if pi == 0
                    else Text(""),
                    percent_cell(pair.counts.percent_agreement),
                    percent_cell(pair.segment.percent, 0),
                ]
                table.add_row(*cells, key=f"{ci}:{pi}")
                self.rows.append((ci, pi))
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1))
        else:
            self.query_one("#agreement-detail", Label).update(
                "Nothing to compare: no code was used in a compared transcript"
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
            self.query_one("#agreement-detail", Label).update(detail_text(*found))

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
        f"segment threshold {report.threshold}%",
        f"{len(report.transcripts)} transcript(s) compared",
    ]
    basis: dict[str, list[str]] = {}
    for coder, how in report.basis:
        basis.setdefault(how, []).append(coder)
    parts += [f"finished = {how}: {', '.join(coders)}" for how, coders in basis.items()]
    if report.excluded:
        parts.append(f"{len(report.excluded)} left out (enter: which and why)")
    if report.skipped:
        parts.append(f"{len(report.skipped)} invalid coding(s) skipped")
    return " · ".join(parts)


def detail_text(code: CodeAgreement, pair_index: int) -> str:
    """Every statistic of one code and pair, each band named."""
    pair, mean = code.pooled.pairs[pair_index], code.mean.pairs[pair_index]
    n = code.mean.transcripts
    kappa = pair.counts.kappa
    coverage = code.pooled.coverage
    alpha = coverage.krippendorff_alpha
    segment = pair.segment
    parts = [
        f"κ {statistic_text(kappa.value, kappa.undefined)} {landis_koch_band(kappa.value)}"
        f" (mean {statistic_text(mean.kappa)}, {mean.kappa_undefined}/{n} undefined)",
        f"α {statistic_text(alpha.value, alpha.undefined)} {landis_koch_band(alpha.value)}"
        f" (mean {statistic_text(code.mean.krippendorff_alpha)})",
    ]
    fleiss = coverage.fleiss_kappa
    if fleiss is not None:
        parts.append(f"Fleiss {statistic_text(fleiss.value, fleiss.undefined)}")
    parts += [
        f"agree {pair.counts.percent_agreement:.1f}%",
        f"segments {segment.agreed}/{segment.total} ({segment.percent:.0f}%)",
    ]
    return f"{code.code} · {pair.a}–{pair.b} (enter: per transcript)\n" + " · ".join(parts)
