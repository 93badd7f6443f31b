"""The matrix screen, driven with Pilot on the demo project: the numbers shown are
``build_matrix``'s, Enter drills down to a cell's passages and on to the coding screen,
framework summaries are stored, and an export is the file ``qualcode matrix`` writes.
Snapshots at 80×24 close the file (``--snapshot-update`` after a deliberate change)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.app import App
from textual.coordinate import Coordinate
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, Select

from qualcode.domain.matrices import NUMERIC_MEASURES, Matrix, Measure
from qualcode.services.matrices import (
    MatrixRequest,
    build_matrix,
    get_framework_summary,
    set_framework_summary,
)
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.config import CONFIG_ENV
from qualcode.tui.matrix_files import MatrixExport, command_line
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import HelpScreen, MemoEditor
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.screens.matrix_cell import CellPassageList, CellPassagesScreen
from qualcode.tui.screens.matrix_export import ExportMatrixDialog
from qualcode.tui.widgets.coding_list import CodingList
from qualcode.tui.widgets.heat_table import (
    EMPTY_STYLE,
    TOTAL_STYLE,
    HeatTable,
    format_value,
    heat_level,
    heat_styles,
    short_label,
)
from tests.conftest import Cli

SIZE = (100, 30)
M = TypeVar("M", bound=Message)
Compare = Callable[..., bool]


class Recorder:
    """Collects every message the app processes (``run_test(message_hook=...)``)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.messages if isinstance(m, kind)]

    def notes(self) -> list[str]:
        return [str(m.notification.message) for m in self.of(Notify)]


@pytest.fixture
def make_app(demo: Project, tmp_path: Path) -> Callable[..., QualcodeApp]:
    def make(coder: str = "cleo", **options: Any) -> QualcodeApp:
        return create_app(demo, coder, config_file=tmp_path / "config.json", **options)

    return make


async def settle(pilot: Pilot[None]) -> None:
    """Let counting threads finish and their messages arrive."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def confirm_export(pilot: Pilot[None], record: Recorder, field: str, path: str) -> None:
    """Enter in an export dialog whose path field shows `path`: the matrix screen is back
    and one more export is recorded."""
    before = len(record.of(MatrixScreen.Exported))
    assert pilot.app.screen.query_one(field, Input).value == path
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, MatrixScreen)
    assert len(record.of(MatrixScreen.Exported)) == before + 1


def matrix_screen(app: App[Any]) -> MatrixScreen:
    screen = app.screen
    assert isinstance(screen, MatrixScreen)
    return screen


def shown_grid(screen: MatrixScreen) -> list[list[str]]:
    table = screen.table
    return [[table.shown(r, c) for c in range(len(table.columns))] for r in range(table.row_count)]


def expected_grid(matrix: Matrix, measure: Measure) -> list[list[str]]:
    return [
        [format_value(matrix.value(measure, 0, r, c)) for c in range(len(matrix.columns) + 1)]
        for r in range(len(matrix.rows) + 1)
    ]


def assert_shows(screen: MatrixScreen, expected: Matrix, measure: Measure) -> None:
    assert screen.matrix is not None
    assert screen.matrix.rows == expected.rows
    assert screen.matrix.columns == expected.columns
    assert screen.table.grid.rows == expected.rows
    assert shown_grid(screen) == expected_grid(expected, measure)


def cell_of(matrix: Matrix, row: str, column: str) -> tuple[int, int]:
    return matrix.rows.index(row), matrix.columns.index(column)


# -- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "highest", "level"),
    [
        (0, 7, 0),  # nothing coded: no tint
        (None, 7, 0),  # no value (a row without text)
        (1, 7, 1),  # a little: the palest tint
        (7, 7, 5),  # the largest body value: the strongest tint
        (3.5, 7, 3),  # half way, rounded up
        (9, 7, 5),  # above the body's largest (a total): capped
        (5, 0, 0),  # an empty matrix has no scale
    ],
)
def test_heat_level(value: float | None, highest: float, level: int) -> None:
    assert heat_level(value, highest) == level


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),  # counts as they are
        (11.5, "11.50"),  # percentages with two decimals
        (None, "–"),  # no value
        (0, "0"),  # zero is printed, never blank
    ],
)
def test_format_value(value: int | float | None, text: str) -> None:
    assert format_value(value) == text


def test_short_label() -> None:
    assert short_label("continuity") == "continuity"
    assert short_label("continuity/handover and follow-up") == "handover and foll…"


def test_command_line_quotes_every_word() -> None:
    request = MatrixRequest(rows="attribute:cost_level", coders=("anna b",))
    export = MatrixExport(Path("exports/m x.csv"), "csv", all_measures=True)
    assert shlex.split(command_line("my study.qualcode", request, Measure.WORDS, export)) == [
        "qualcode", "matrix", "my study.qualcode", "--rows", "attribute:cost_level",
        "--cols", "themes", "--measure", "all", "--coder", "anna b", "--format", "csv",
        "--long", "-o", "exports/m x.csv",
    ]  # fmt: skip


# -- the screen -----------------------------------------------------------------------------


async def test_every_measure_shows_build_matrix_values(demo: Project, make_app: Any) -> None:
    expected = build_matrix(demo, MatrixRequest())
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x")
        screen = matrix_screen(app)
        assert isinstance(app.focused, HeatTable)
        for index, measure in enumerate(NUMERIC_MEASURES):
            assert screen.measure is measure
            assert_shows(screen, expected, measure)
            if index < len(NUMERIC_MEASURES) - 1:
                await press(pilot, "m")
        # one count in all (the numbers, then the passages): a measure shows it again
        numbers, with_passages = record.of(MatrixScreen.Counted)
        assert numbers.matrix.passages is None
        assert with_passages.matrix.passages is not None
        assert numbers.request == with_passages.request == screen.request()
        await press(pilot, "m")
        assert screen.measure is NUMERIC_MEASURES[0]
    # the README's table: Family 02 × continuity is 7 and the grand total 106
    assert expected.value(Measure.REFERENCES, 0, *cell_of(expected, "Family 02", "continuity")) == 7
    assert expected.value(Measure.REFERENCES, 0, len(expected.rows), len(expected.columns)) == 106


async def test_the_heat_map_follows_the_theme(demo: Project, make_app: Any) -> None:
    expected = build_matrix(demo, MatrixRequest())
    hottest = cell_of(expected, "Family 02", "continuity")  # the largest body value, 7
    empty = cell_of(expected, "Caseworker Anne", "recognition")  # 0
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+x")
        table = matrix_screen(app).table

        def style(cell: tuple[int, int]) -> Any:
            return table.get_cell_at(Coordinate(*cell)).style

        dark = heat_styles(app.theme_variables)
        assert style(hottest) == dark[-1]
        assert style(empty) == EMPTY_STYLE  # nothing coded: no tint
        total = (len(expected.rows), len(expected.columns))
        assert style(total) == TOTAL_STYLE
        app.theme = "textual-light"
        await settle(pilot)
        light = heat_styles(app.theme_variables)
        assert light[-1].bgcolor != dark[-1].bgcolor
        assert style(hottest) == light[-1]


async def test_rows_columns_and_coder_controls(demo: Project, make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+x")
        screen = matrix_screen(app)
        await press(pilot, "r")
        assert_shows(
            screen, build_matrix(demo, MatrixRequest(rows="transcripts")), Measure.REFERENCES
        )
        await press(pilot, "r", "r", "c", "w")  # the first attribute, every code, anna alone
        wanted = MatrixRequest(rows="attribute:child_age_group", columns="codes", coders=("anna",))
        assert screen.request() == MatrixRequest(
            rows=wanted.rows, columns=wanted.columns, coders=wanted.coders, passages=True
        )
        assert_shows(screen, build_matrix(demo, wanted), Measure.REFERENCES)
        screen.query_one("#matrix-coder", Select).value = "bo"
        await press(pilot, "m", "m", "m")  # coverage %
        bo = build_matrix(demo, MatrixRequest(wanted.rows, wanted.columns, coders=("bo",)))
        assert_shows(screen, bo, Measure.COVERAGE)


async def test_enter_lists_a_cells_passages_and_jumps_to_one(demo: Project, make_app: Any) -> None:
    expected = build_matrix(demo, MatrixRequest(passages=True))
    row, column = cell_of(expected, "Family 03", "continuity")
    passages = expected.cell_passages(0, row, column)
    assert len(passages) == expected.value(Measure.REFERENCES, 0, row, column)
    assert len(passages) > 2
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x", *["down"] * row, *["right"] * column, "enter")
        opened = app.screen
        assert isinstance(opened, CellPassagesScreen)
        assert (opened.cell.row, opened.cell.column) == ("Family 03", "continuity")
        listing = opened.query_one(CellPassageList)
        assert [(p.transcript, p.start, p.end) for p in listing.places] == [
            (p.transcript, p.start, p.end) for p in passages
        ]
        first = str(listing.get_option_at_index(0).prompt)
        assert f"{passages[0].transcript} {passages[0].start}:{passages[0].end}" in first
        assert passages[0].speakers[0] in first
        assert passages[0].text[:40] in first

        await press(pilot, "down", "down", "enter")
        chosen = record.of(CodingList.PlaceChosen)[-1].place
        assert (chosen.transcript, chosen.start, chosen.end) == (
            passages[2].transcript,
            passages[2].start,
            passages[2].end,
        )
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        assert coding.transcript == passages[2].transcript
        assert coding.view.selection == (passages[2].start, passages[2].end)

        await press(pilot, "ctrl+x")  # the matrix reopens as it was left
        table = matrix_screen(app).table
        assert table.cursor_coordinate == Coordinate(row, column)
        await press(pilot, "escape")
        assert app.screen is coding


async def test_enter_before_the_passages_are_counted_opens_when_they_are(
    demo: Project, make_app: Any
) -> None:
    full = build_matrix(demo, MatrixRequest(passages=True))
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x")
        screen = matrix_screen(app)
        assert screen.matrix is not None
        screen.matrix = replace(screen.matrix, passages=None)  # as between the two counts
        screen.update_status()
        assert "collecting passages" in str(screen.query_one("#matrix-status").render())
        await press(pilot, "enter")
        assert app.screen is screen
        assert "Collecting the passages…" in record.notes()
        screen.post_message(MatrixScreen.Counted(screen, screen.request(), full))
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, CellPassagesScreen)
        assert [(p.transcript, p.start) for p in opened.cell.passages] == [
            (p.transcript, p.start) for p in full.cell_passages(0, 0, 0)
        ]


async def test_a_total_cell_lists_the_passages_it_adds_up(demo: Project, make_app: Any) -> None:
    expected = build_matrix(demo, MatrixRequest(passages=True))
    row = expected.rows.index("Family 01")
    in_row = sorted(
        (p.transcript, p.start, p.end)
        for column in range(len(expected.columns))
        for p in expected.cell_passages(0, row, column)
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+x", *["down"] * row, "end", "enter")
        opened = app.screen
        assert isinstance(opened, CellPassagesScreen)
        assert opened.cell.column == "Total"
        places = opened.query_one(CellPassageList).places
        assert [(p.transcript, p.start, p.end) for p in places] == in_row
        assert len(in_row) == expected.value(Measure.REFERENCES, 0, row, len(expected.columns))


async def test_framework_summaries_are_written_and_edited(demo: Project, make_app: Any) -> None:
    expected = build_matrix(demo, MatrixRequest())
    row, column = cell_of(expected, "Family 03", "continuity")
    app, record = make_app("anna"), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x", *["down"] * row, *["right"] * column, "e")
        assert isinstance(app.screen, MemoEditor)
        screen = app.screen_stack[-2]
        assert isinstance(screen, MatrixScreen)
        await pilot.press(*"Home visit set the tone.")
        await press(pilot, "ctrl+s")
        stored = get_framework_summary(demo, "Family 03", "continuity")
        assert stored is not None
        assert (stored.text, stored.author) == ("Home visit set the tone.", "anna")
        (changed,) = record.of(MatrixScreen.SummaryChanged)
        assert (changed.case, changed.code, changed.summary) == ("Family 03", "continuity", stored)
        assert matrix_screen(app) is screen
        assert "summary: Home visit set the tone." in str(
            screen.query_one("#matrix-status").render()
        )

        await press(pilot, "enter")  # the passages screen shows it and edits it too
        opened = app.screen
        assert isinstance(opened, CellPassagesScreen)
        assert "Home visit set the tone." in str(opened.query_one("#cell-summary").render())
        await press(pilot, "e", "end")
        await pilot.press(*" Two changes since.")
        await press(pilot, "ctrl+s", "escape")
        assert matrix_screen(app) is screen
        assert screen.summaries[(row, column)].text == "Home visit set the tone. Two changes since."

        await press(pilot, "e", "f7", "backspace", "ctrl+s")  # empty text removes it
        assert (row, column) not in screen.summaries
        assert get_framework_summary(demo, "Family 03", "continuity") is None

        # a summary is a case × code cell's: other rows say so and write nothing
        refusal = "Summaries belong to case × code cells"
        assert not any(refusal in note for note in record.notes())
        await press(pilot, "r", "e")  # cases -> transcripts as rows
        assert matrix_screen(app) is screen
        assert screen.request().rows != "cases"
        assert any(refusal in note for note in record.notes())
    assert get_framework_summary(demo, "Family 03", "continuity") is None


async def test_summaries_written_elsewhere_show_in_the_matrix(demo: Project, make_app: Any) -> None:
    set_framework_summary(demo, "Family 01", "openness", "Open about the waiting list.", "bo")
    expected = build_matrix(demo, MatrixRequest())
    row, column = cell_of(expected, "Family 01", "openness")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+x", *["down"] * row, *["right"] * column)
        status = str(matrix_screen(app).query_one("#matrix-status").render())
    assert "summary: Open about the waiting list." in status


EXPORTS = [
    ("csv", False),  # the shown measure as a wide CSV
    ("csv", True),  # every measure: the tidy long CSV
    ("md", False),
    ("json", True),
    ("html", True),
]


async def test_export_writes_what_the_command_line_writes(
    demo: Project,
    demo_path: Path,
    make_app: Any,
    run: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # one session exports every row of EXPORTS in turn: a start-up each cost more than the
    # exports; each written file is kept aside for the command line's copy to be compared
    monkeypatch.chdir(tmp_path)
    app, record = make_app(), Recorder()
    kept: list[Path] = []
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x", "r", "m")  # transcripts × themes, words
        for number, (output_format, every_measure) in enumerate(EXPORTS):
            await press(pilot, "ctrl+s")
            dialog = app.screen
            assert isinstance(dialog, ExportMatrixDialog)
            dialog.query_one("#export-format", Select).value = output_format
            await settle(pilot)  # a format brings the command line's default measures along
            measures = "all" if every_measure else "shown"
            dialog.query_one("#export-measures", Select).value = measures
            await settle(pilot)
            path = f"exports/matrix.{output_format}"
            await confirm_export(pilot, record, "#export-path", path)
            kept.append((tmp_path / path).rename(tmp_path / f"tui-{number}.{output_format}"))
    exports = record.of(MatrixScreen.Exported)
    for number, ((output_format, every_measure), exported, written) in enumerate(
        zip(EXPORTS, exports, kept, strict=True)
    ):
        assert Path(exported.path) == Path("exports", f"matrix.{output_format}")
        assert f"wrote {exported.path}" in record.notes()
        words = shlex.split(exported.command)
        measure = "all" if every_measure else "words"
        assert words[:9] == [
            "qualcode", "matrix", str(demo_path), "--rows", "transcripts", "--cols", "themes",
            "--measure", measure,
        ]  # fmt: skip
        again = tmp_path / f"again-{number}.{output_format}"
        run(*words[1:-1], str(again))  # the same command, written elsewhere
        assert written.read_bytes() == again.read_bytes()
        if output_format == "json":
            rows = build_matrix(demo, MatrixRequest(rows="transcripts")).rows
            assert json.loads(written.read_text())["rows"] == list(rows)


async def test_export_as_xlsx_holds_the_command_lines_cells(
    make_app: Any, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook

    monkeypatch.chdir(tmp_path)
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await press(pilot, "ctrl+x", "ctrl+s")
        await pilot.press("ctrl+u", *"out/m.xlsx", "enter")  # no such folder: refused
        await settle(pilot)
        dialog = app.screen  # still open, the path as typed, the reason under it
        assert isinstance(dialog, ExportMatrixDialog)
        assert dialog.query_one("#export-path", Input).value == "out/m.xlsx"
        assert "folder out does not exist" in dialog.errors_shown()["export-path-error"]
        assert record.of(MatrixScreen.Exported) == []
        await pilot.press("ctrl+u", *"exports/matrix.xlsx", "enter")
        await settle(pilot)
    (exported,) = record.of(MatrixScreen.Exported)
    run(*shlex.split(exported.command)[1:-1], str(tmp_path / "cli.xlsx"))

    def cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
        book = load_workbook(path, read_only=True)
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}

    ours, theirs = cells(tmp_path / "exports" / "matrix.xlsx"), cells(tmp_path / "cli.xlsx")
    assert ours == theirs
    assert {"references", "coverage %", "about"} <= set(ours)


async def test_blind_coding_shows_only_the_coders_own_matrix(demo: Project, make_app: Any) -> None:
    app = make_app("anna", blind=True)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+x", "w")  # there is no other coder to choose
        screen = matrix_screen(app)
        assert screen.request().coders == ("anna",)
        assert_shows(
            screen, build_matrix(demo, MatrixRequest(coders=("anna",))), Measure.REFERENCES
        )


async def test_palette_help_and_a_rebound_key(make_app: Any, tmp_path: Path) -> None:
    keymap = {"matrix.open": "f5", "matrix.export": "ctrl+o", "matrix.measure": "n"}
    (tmp_path / "config.json").write_text(json.dumps({"keymap": keymap}))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "matrix: Open matrix" in titles
        await titles["matrix: Open matrix"].callback()
        await settle(pilot)
        screen = matrix_screen(app)
        titles = {c.title: c for c in app.get_system_commands(screen)}
        assert "matrix: Export the matrix to a file (xlsx, csv, html, md, json)" in titles
        await titles["matrix: Show the next measure"].callback()
        await settle(pilot)
        assert screen.measure is Measure.WORDS
        await press(pilot, "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert {"matrix.back", "matrix.summary", "matrix.export"} <= {
            r[2] for r in help_screen.rows
        }
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, CodingScreen)
        await press(pilot, "f5")
        again = matrix_screen(app)
        await press(pilot, "n")
        assert again.measure is Measure.CHARACTERS  # words, then the next one
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, ExportMatrixDialog)


async def test_an_empty_project_has_an_empty_matrix(tmp_path: Path) -> None:
    from qualcode.services.project import init_project

    project = init_project(tmp_path / "empty.qualcode")
    app = create_app(project, "cleo", config_file=tmp_path / "config.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "ctrl+x")
        screen = matrix_screen(app)
        assert shown_grid(screen) == [["0"]]  # Total × Total
        await press(pilot, "enter")
        opened = app.screen
        assert isinstance(opened, CellPassagesScreen)
        assert opened.query_one(CellPassageList).places == []
    project.close()


# -- snapshots ------------------------------------------------------------------------------


@pytest.fixture
def fixed_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, "/home/coder/.config/qualcode/config.json")


async def _open_matrix(pilot: Pilot[Any], *keys: str) -> None:
    await press(pilot, "ctrl+x")
    # a DataTable measures its rows and row labels when idle: wait for that (a condition,
    # not a time), or a busy machine can take the picture before the labels are there
    table = matrix_screen(pilot.app).table
    for _ in range(100):
        measured = table.virtual_size.height == table.row_count + table.header_height
        if measured and table._row_label_column_width > 0:  # the case names measured too
            break
        await pilot.pause()
    await pilot.pause()  # and painted
    await press(pilot, *keys)


@pytest.mark.usefixtures("fixed_config")
class TestMatrixSnapshots:
    def test_heat_map_at_80_by_24(self, snap_compare: Compare, demo: Project) -> None:
        app = create_app(demo, "anna")
        assert snap_compare(app, terminal_size=(80, 24), run_before=_open_matrix)

    def test_cell_passages(self, snap_compare: Compare, demo: Project) -> None:
        app = create_app(demo, "anna")

        async def open_cell(pilot: Pilot[Any]) -> None:
            await _open_matrix(pilot, *["down"] * 9, "enter")  # Family 03 × continuity

        assert snap_compare(app, terminal_size=(80, 24), run_before=open_cell)
