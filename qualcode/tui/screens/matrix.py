"""The matrix screen: rows (cases, transcripts, speakers or an attribute's values) ×
themes or codes as a heat map of one measure, for all coders' union or one coder.

Enter on a cell lists its passages (enter on one jumps there in the coding screen), ``e``
writes the framework summary of a case × code cell, ``ctrl+s`` exports the matrix as
``qualcode matrix`` would. Counting runs in a thread (:func:`build_matrix`); the counted
matrix arrives as :class:`MatrixScreen.Counted`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Label, Select, Static

from qualcode.domain.errors import FileAccessError, QualcodeError
from qualcode.domain.matrices import (
    MEASURE_DESCRIPTIONS,
    NUMERIC_MEASURES,
    FrameworkSummary,
    Matrix,
    Measure,
    Passage,
)
from qualcode.services.cases import list_attributes
from qualcode.services.matrices import MatrixRequest, build_matrix
from qualcode.services.project import project_summary
from qualcode.tui.findings_files import FindingsExport
from qualcode.tui.matrix_files import MatrixExport, command_line, write_export
from qualcode.tui.screens.matrix_cell import CellPassagesScreen, MatrixCell, edit_summary
from qualcode.tui.screens.matrix_export import ExportMatrixDialog
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.coding_list import Place
from qualcode.tui.widgets.heat_table import HeatGrid, HeatTable, format_value
from qualcode.tui.widgets.keys_footer import KeysFooter

ALL_CODERS = ""  # the coder choice meaning every coder's codings, merged
MEASURE_LABELS = {
    Measure.COVERAGE: "coverage %",
    Measure.ROW_PCT: "row %",
    Measure.COL_PCT: "column %",
}


@dataclass(frozen=True, slots=True)
class MatrixChoices:
    """What the screen shows; kept by the coding screen so the matrix reopens as left.
    ``coder`` is one coder's name or :data:`ALL_CODERS`; ``cursor`` is (row, column)."""

    rows: str = "cases"
    columns: str = "themes"
    measure: Measure = Measure.REFERENCES
    coder: str = ALL_CODERS
    cursor: tuple[int, int] = (0, 0)


def _binding(
    key: str, action: str, description: str, binding_id: str, tooltip: str, show: bool = True
) -> Binding:
    return Binding(key, action, description, show=show, id=binding_id, tooltip=tooltip)


class MatrixScreen(Screen[Place | None]):
    """Returns the passage to jump to, or ``None`` (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("escape", "dismiss(None)", "Back", "matrix.back", "Back to coding"),
        _binding("enter", "passages", "Passages", "matrix.passages",
                 "List the cell's passages (enter on one jumps there)"),
        _binding("e", "summary", "Summary…", "matrix.summary",
                 "Write the framework summary of the case × code cell"),
        _binding("ctrl+s", "export", "Export…", "matrix.export",
                 "Export the matrix to a file (xlsx, csv, html, md, json)"),
        _binding("f", "findings", "Findings…", "matrix.findings",
                 "Write the findings chapter (docx, html, md, xlsx) for these coders and rows",
                 show=False),
        _binding("m", "cycle('measure')", "Measure", "matrix.measure", "Show the next measure"),
        _binding("r", "cycle('rows')", "Rows", "matrix.rows",
                 "Next choice of rows: cases, transcripts, speakers, attributes", show=False),
        _binding("c", "cycle('columns')", "Columns", "matrix.columns",
                 "Next choice of columns: themes (sub-codes rolled up) or codes", show=False),
        _binding("w", "cycle('coder')", "Coders", "matrix.coder",
                 "Next choice of coders: all coders' union or one coder", show=False),
    ]  # fmt: skip

    @classmethod
    def key_owners(cls) -> tuple[type, ...]:
        """Whose keys the help screen and the palette list while this screen shows."""
        return (cls,)

    @dataclass
    class Counted(Message, bubble=False):
        """A matrix was counted for ``request`` (in a thread)."""

        screen: MatrixScreen
        request: MatrixRequest
        matrix: Matrix

    @dataclass
    class CountFailed(Message, bubble=False):
        """Counting ``request`` stopped with a one-line ``error``."""

        screen: MatrixScreen
        request: MatrixRequest
        error: str

    @dataclass
    class SummaryChanged(Message, bubble=False):
        """The framework summary of ``case`` × ``code`` is now ``summary`` (``None``:
        removed)."""

        screen: MatrixScreen
        case: str
        code: str
        summary: FrameworkSummary | None

    @dataclass
    class Exported(Message, bubble=False):
        """The matrix was written to ``path``; ``command`` writes the same file."""

        screen: MatrixScreen
        path: str
        command: str

    def __init__(self, workspace: Workspace, choices: MatrixChoices | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.choices = choices or MatrixChoices()
        if workspace.blind:
            self.choices = replace(self.choices, coder=workspace.coder)
        self.matrix: Matrix | None = None
        self.summaries: dict[tuple[int, int], FrameworkSummary] = {}
        self.last_export: MatrixExport | None = None
        self.options: dict[str, list[str]] = {}  # each control's values, in order
        self._requested: MatrixRequest | None = None  # the last count started
        self._shown: MatrixRequest | None = None  # the count on screen
        self._open_when_counted = False  # enter was pressed before the passages arrived
        self._keep_scroll: tuple[float, float] | None = None  # (x, y) to restore after a recount

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        project = self.workspace.project
        rows = [("cases", "cases"), ("transcripts", "transcripts"), ("speakers", "speakers")]
        rows += [(f"{a.name} (attribute)", f"attribute:{a.name}") for a in list_attributes(project)]
        if self.workspace.blind:
            coders = [(f"{self.workspace.coder} (blind)", self.workspace.coder)]
        else:
            names = project_summary(project).coders
            coders = [("all coders", ALL_CODERS), *((name, name) for name in names)]
        measures = [(MEASURE_LABELS.get(m, m.value), m.value) for m in NUMERIC_MEASURES]
        choices = self.choices
        known_rows = {value for _, value in rows}
        known_coders = {value for _, value in coders}
        with Horizontal(id="matrix-controls"):
            yield self._select(
                "rows", rows, choices.rows if choices.rows in known_rows else "cases"
            )
            yield self._select(
                "columns", [("themes", "themes"), ("codes", "codes")], choices.columns
            )
            yield self._select("measure", measures, choices.measure.value)
            coder = choices.coder if choices.coder in known_coders else coders[0][1]
            yield self._select("coder", coders, coder)
        yield Label("", id="matrix-about")
        yield HeatTable(id="matrix-table")
        yield Static("counting…", id="matrix-status")
        yield KeysFooter()

    def _select(self, name: str, options: list[tuple[str, str]], value: str) -> Select[str]:
        self.options[name] = [v for _, v in options]
        return Select(options, value=value, allow_blank=False, id=f"matrix-{name}")

    def on_mount(self) -> None:
        self.query_one(HeatTable).focus()
        self.count()

    @property
    def table(self) -> HeatTable:
        return self.query_one(HeatTable)

    def _choice(self, name: str) -> str:
        return str(self.query_one(f"#matrix-{name}", Select).value)

    @property
    def measure(self) -> Measure:
        return Measure(self._choice("measure"))

    def request(self) -> MatrixRequest:
        """The matrix the controls ask for, with words and passages (for drilling down)."""
        coder = self._choice("coder")
        return MatrixRequest(
            rows=self._choice("rows"),
            columns=self._choice("columns"),
            coders=(coder,) if coder != ALL_CODERS else (),
            passages=True,
        )

    # -- counting ------------------------------------------------------------------------
    def count(self) -> None:
        """Count the matrix the controls ask for, in a thread (the last request wins)."""
        request = self.request()
        if request == self._requested:
            return
        self._requested = request
        self._open_when_counted = False
        self.query_one("#matrix-status", Static).update("counting…")
        self.run_worker(lambda: self._count(request), thread=True, exclusive=True, group="matrix")

    def refresh_from_live(self) -> None:
        """Count again with the same controls (another coder's codings arrived, tui/live.py),
        in a thread; the highlighted cell and the scroll position stay."""
        self.choices = self.choices_now()
        table = self.table
        self._keep_scroll = (table.scroll_x, table.scroll_y)
        self._requested = self._shown = None
        self.count()

    def _count(self, request: MatrixRequest) -> None:
        """The numbers first, then the same matrix with its passages (which takes about
        three times as long on a large project), each posted as it is ready."""
        try:
            numbers = build_matrix(self.workspace.project, replace(request, passages=False))
            self.post_message(self.Counted(self, request, numbers))
            with_passages = build_matrix(self.workspace.project, request)
        except QualcodeError as error:
            self.post_message(self.CountFailed(self, request, str(error)))
            return
        self.post_message(self.Counted(self, request, with_passages))

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        if event.request != self.request():
            return  # the controls changed while counting; a newer count follows
        passages_arrived = self.matrix is not None and self._shown == event.request
        self.matrix = event.matrix
        if passages_arrived:  # the same numbers: nothing to redraw
            self.update_status()
            if self._open_when_counted:
                self._open_when_counted = False
                self.action_passages()
            return
        self._shown = event.request
        self.summaries = dict(event.matrix.summaries)
        self.show_matrix()
        row, column = self.choices.cursor
        table = self.table
        if row < table.row_count and column < len(table.columns):
            table.cursor_coordinate = Coordinate(row, column)
        if self._keep_scroll is not None:  # a live recount: the view stays where it was
            table.scroll_to(*self._keep_scroll, animate=False, immediate=True)
            self._keep_scroll = None
        self.update_status()

    @on(CountFailed)
    def _count_failed(self, event: CountFailed) -> None:
        if event.request != self.request():
            return
        self.matrix = self._shown = None
        self.table.show(HeatGrid((), (), ()))
        self.query_one("#matrix-status", Static).update(Text(event.error, style="bold"))

    def show_matrix(self) -> None:
        """Show the counted matrix in the chosen measure (no recount)."""
        matrix, measure = self.matrix, self.measure
        if matrix is None:
            return
        values = tuple(
            tuple(
                matrix.value(measure, 0, row, column) for column in range(len(matrix.columns) + 1)
            )
            for row in range(len(matrix.rows) + 1)
        )
        self.table.show(HeatGrid(matrix.rows, matrix.columns, values))
        coders = ", ".join(matrix.settings.coders) or "no coders"
        union = " (union)" if len(matrix.settings.coders) > 1 else ""
        self.query_one("#matrix-about", Label).update(
            f"{MEASURE_DESCRIPTIONS[measure]} · coders: {coders}{union}"
        )

    # -- the highlighted cell ------------------------------------------------------------
    def cell_at(self, row: int, column: int) -> MatrixCell | None:
        """The cell at table coordinates (the totals included), or ``None`` when nothing
        is counted. A Total cell holds the passages of the cells it adds up."""
        matrix = self.matrix
        if matrix is None:
            return None
        n_rows, n_columns = len(matrix.rows), len(matrix.columns)
        rows = [row] if row < n_rows else range(n_rows)
        columns = [column] if column < n_columns else range(n_columns)
        passages: list[Passage] = [
            p for r in rows for c in columns for p in matrix.cell_passages(0, r, c)
        ]
        passages.sort(key=lambda p: (p.transcript, p.start, p.end))
        is_case_cell = self.choices_now().rows == "cases" and row < n_rows and column < n_columns
        return MatrixCell(
            row=matrix.rows[row] if row < n_rows else "Total",
            column=matrix.columns[column] if column < n_columns else "Total",
            value=format_value(matrix.value(self.measure, 0, row, column)),
            measure=MEASURE_LABELS.get(self.measure, self.measure.value),
            passages=tuple(passages),
            case=matrix.rows[row] if is_case_cell else None,
            summary=self.summaries.get((row, column)) if is_case_cell else None,
        )

    def highlighted_cell(self) -> MatrixCell | None:
        coordinate = self.table.cursor_coordinate
        return self.cell_at(coordinate.row, coordinate.column)

    def update_status(self) -> None:
        cell = self.highlighted_cell()
        status = self.query_one("#matrix-status", Static)
        if cell is None:
            return
        count = len(cell.passages)
        text = Text(f"{cell.row} × {cell.column}: ", style="bold")
        text.append(f"{cell.measure} {cell.value} · ")
        if self.passages_ready:
            text.append(f"{count} passage{'s' if count != 1 else ''}")
        else:
            text.append("collecting passages…", style="dim")
        if cell.summary is not None:
            text.append(" · summary: ", style="bold")
            text.append(" ".join(cell.summary.text.split()))
        elif cell.case is not None:
            text.append(" · no summary (e writes one)", style="dim")
        status.update(text)

    def choices_now(self) -> MatrixChoices:
        coordinate = self.table.cursor_coordinate
        return MatrixChoices(
            self._choice("rows"),
            self._choice("columns"),
            self.measure,
            self._choice("coder"),
            (coordinate.row, coordinate.column),
        )

    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        if self.matrix is not None:  # before the first count the cursor is not placed yet
            self.choices = self.choices_now()
        self.update_status()

    @on(Select.Changed)
    def _control_changed(self, event: Select.Changed) -> None:
        self.choices = replace(self.choices_now(), cursor=self.choices.cursor)
        if event.select.id == "matrix-measure":
            self.show_matrix()
            self.update_status()
        else:
            self.count()

    def action_cycle(self, control: str) -> None:
        """Choose the next option of one of the controls (rows, columns, measure, coder)."""
        select = self.query_one(f"#matrix-{control}", Select)
        values = self.options[control]
        position = values.index(select.value) if select.value in values else -1
        select.value = values[(position + 1) % len(values)]

    # -- actions -------------------------------------------------------------------------
    @on(DataTable.CellSelected)
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_passages()

    @property
    def passages_ready(self) -> bool:
        return self.matrix is not None and self.matrix.passages is not None

    def action_passages(self) -> None:
        cell = self.highlighted_cell()
        if cell is None:
            return
        if not self.passages_ready:  # they follow the numbers shortly
            self._open_when_counted = True
            self.notify("Collecting the passages…", timeout=2)
            return
        opened = CellPassagesScreen(self.workspace, cell)
        coordinate = self.table.cursor_coordinate

        def closed(place: Place | None) -> None:
            if cell.case is not None and opened.summary != cell.summary:
                self._summary_saved(coordinate.row, coordinate.column, opened.summary)
            if place is not None:
                self.dismiss(place)

        self.app.push_screen(opened, closed)

    def action_summary(self) -> None:
        cell = self.highlighted_cell()
        if cell is None:
            return
        if cell.case is None:
            self.notify(
                "Summaries belong to case × code cells: choose rows: cases and a cell "
                "inside the totals",
                severity="warning",
            )
            return
        coordinate = self.table.cursor_coordinate
        edit_summary(
            self,
            self.workspace,
            cell.case,
            cell.column,
            cell.summary,
            lambda stored: self._summary_saved(coordinate.row, coordinate.column, stored),
        )

    def _summary_saved(self, row: int, column: int, stored: FrameworkSummary | None) -> None:
        if stored is None:
            self.summaries.pop((row, column), None)
        else:
            self.summaries[(row, column)] = stored
        matrix = self.matrix
        if matrix is not None:
            self.post_message(
                self.SummaryChanged(self, matrix.rows[row], matrix.columns[column], stored)
            )
        self.update_status()

    def action_export(self) -> None:
        if self.matrix is None:
            self.notify("Nothing counted to export yet", severity="warning")
            return
        request, shown = self.request(), self.measure
        location = self.workspace.project.location

        async def save(export: MatrixExport) -> MatrixExport:
            self.last_export = export  # the dialog opens with it again
            self.notify(f"Writing {export.path}…", timeout=3)
            path = await asyncio.to_thread(self._export, request, shown, export)
            self.post_message(
                self.Exported(self, str(path), command_line(location, request, shown, export))
            )
            return export

        self.app.push_screen(ExportMatrixDialog(location, request, shown, save, self.last_export))

    def action_findings(self) -> None:
        """The draft findings chapter for the screen's coders (and attribute rows)."""
        from qualcode.tui.findings_files import (
            findings_command_line,
            findings_request,
            write_findings,
        )
        from qualcode.tui.screens.findings_export import FindingsDialog

        request = findings_request(self.request())
        project = self.workspace.project

        async def save(export: FindingsExport) -> FindingsExport:
            self.notify(f"Writing {export.path}…", timeout=3)
            try:
                path = await asyncio.to_thread(write_findings, project, request, export)
            except OSError as error:
                raise FileAccessError(f"{export.path}: {error.strerror or error}") from None
            command = findings_command_line(project.location, request, export)
            self.post_message(self.Exported(self, str(path), command))
            return export

        self.app.push_screen(FindingsDialog(project.location, request, save))

    def _export(self, request: MatrixRequest, shown: Measure, export: MatrixExport) -> Path:
        """Write the export (in a thread); a failed write of the file is a one-line
        :class:`FileAccessError` for the dialog to show beside the path."""
        try:
            return write_export(self.workspace.project, request, shown, export)
        except OSError as error:
            raise FileAccessError(f"{export.path}: {error.strerror or error}") from None

    @on(Exported)
    def _exported(self, event: Exported) -> None:
        self.notify(f"wrote {event.path}", timeout=6)
