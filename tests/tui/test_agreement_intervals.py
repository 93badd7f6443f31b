"""Bootstrap intervals on the agreement screen, driven with Pilot on the demo project:
the table shows the comparison at once and fills the intervals in from a worker; each
interval and verdict is the service's own for the same settings and seed; the settings
dialog chooses the level and resamples (or none); a chosen set of statistics is shown
whole, the ones the default table leaves to the detail line included."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from qualcode.domain.agreement_intervals import (
    DEFAULT_SEED,
    Intervals,
    IntervalSettings,
    Resampling,
    interval_text,
    verdict,
)
from qualcode.domain.agreement_report import AgreementReport
from qualcode.domain.statistics.registry import choose
from qualcode.services import agreement_intervals
from qualcode.services.agreement import compare_coders
from qualcode.services.project import Project
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.screens.agreement import AgreementScreen
from qualcode.tui.screens.agreement_dialogs import SettingsDialog
from qualcode.tui.widgets.agreement_cells import PENDING, VERDICT_NOTE
from tests.tui.test_agreement_screen import cells, intervals_in, label, open_agreement
from tests.tui.test_workflows import settle

SIZE = (80, 24)
CODERS = ("anna", "bo")


@pytest.fixture
def make_app(demo: Project, tmp_path: Path) -> Callable[..., QualcodeApp]:
    def make() -> QualcodeApp:
        return create_app(demo, "anna", config_file=tmp_path / "config.json")

    return make


def headers(table: DataTable[Any]) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


def column(table: DataTable[Any], header: str) -> list[str]:
    """The cells of the column headed ``header``, top to bottom."""
    index = headers(table).index(header)
    return [cells(table, row)[index] for row in range(table.row_count)]


def expected_cells(report: AgreementReport, key: str) -> tuple[list[str], list[str]]:
    """Each code's interval of statistic ``key`` and verdict on it, as the screen
    writes them, from the service's intervals."""
    assert report.intervals is not None
    found = [report.intervals.of(code.code, key) for code in report.codes]
    words = ["" if bounds is None else verdict(bounds[0]) for bounds in found]
    return [interval_text(bounds) for bounds in found], words


async def test_intervals_fill_in_and_are_the_services(
    demo: Project, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = IntervalSettings(95, 2000, DEFAULT_SEED)
    expected = compare_coders(demo, CODERS, intervals=settings)
    # the bootstrap is held until the table has been looked at: it runs off the UI thread
    gate = threading.Event()
    real = agreement_intervals.report_intervals

    def held(*args: Any) -> Intervals:
        gate.wait(timeout=60)
        return real(*args)

    monkeypatch.setattr(agreement_intervals, "report_intervals", held)
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+k")
            screen = app.screen
            assert isinstance(screen, AgreementScreen)
            for _ in range(400):
                await pilot.pause(0.05)
                if screen.report is not None:
                    break
            assert screen.report is not None
            assert screen.intervals is not None
            assert screen.intervals.found is None
            table = screen.table
            assert column(table, "κ 95% CI")[0] == PENDING  # shown at once, interval pending
            assert "computing" in label(pilot, "#agreement-note")
            await pilot.press("down")  # the screen answers keys meanwhile
            assert label(pilot, "#agreement-detail").startswith(expected.codes[1].code)
            gate.set()
            await intervals_in(pilot, screen)
            assert screen.intervals.found == expected.intervals
            kappas, _ = expected_cells(expected, "kappa")
            alphas, verdicts = expected_cells(expected, "krippendorff_alpha")
            assert column(table, "κ 95% CI") == kappas
            assert column(table, "α 95% CI") == alphas
            assert column(table, "verdict") == verdicts
            # a code nobody applied is 0/0 in every resample: no interval, no verdict
            assert set(verdicts) - {""} <= {"reliable", "tentative", "not reliable"}
            assert "not reliable" in verdicts
            assert "" in verdicts
            assert VERDICT_NOTE in label(pilot, "#agreement-note")  # the rule is printed
            detail = label(pilot, "#agreement-detail")  # the highlighted row: the second
            assert f"(95% CI {alphas[1]}, {verdicts[1]})" in detail
            assert f"(95% CI {kappas[1]})" in detail
    finally:
        gate.set()  # never leave the worker thread waiting


async def test_the_dialog_chooses_level_and_resamples(demo: Project, make_app: Any) -> None:
    expected = compare_coders(demo, CODERS, intervals=IntervalSettings(90, 300, DEFAULT_SEED))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        rows = [
            ("120", "2000", "#compare-level-error", "from 50 to 99.9"),  # level too high
            ("95", "2e3", "#compare-resamples-error", "a whole number from 100"),  # not whole
        ]
        for level, resamples, error, words in rows:
            await pilot.press("s")
            dialog = app.screen
            assert isinstance(dialog, SettingsDialog)
            dialog.query_one("#compare-level", Input).value = level
            dialog.query_one("#compare-resamples", Input).value = resamples
            await pilot.press("ctrl+s")
            assert words in label(pilot, error)
            assert app.screen is dialog  # a mistake keeps the dialog open
            await pilot.press("escape")
        await pilot.press("s")
        app.screen.query_one("#compare-level", Input).value = "90"
        app.screen.query_one("#compare-resamples", Input).value = "300"
        await pilot.press("ctrl+s")
        await intervals_in(pilot, screen)
        assert screen.intervals is not None
        assert screen.intervals.found == expected.intervals
        kappas, _ = expected_cells(expected, "kappa")
        assert column(screen.table, "κ 90% CI") == kappas
        assert "90% CI of 300 resamples" in label(pilot, "#agreement-note")

        await pilot.press("s")  # blank: no intervals, no columns for them
        app.screen.query_one("#compare-level", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.intervals is None
        assert not any("CI" in header or header == "verdict" for header in headers(screen.table))


async def test_the_dialog_chooses_what_is_drawn(demo: Project, make_app: Any) -> None:
    # whole transcripts by default (as --ci-by); units, as if independent, on request
    by_unit = IntervalSettings(95, 300, DEFAULT_SEED, Resampling.UNIT)
    expected = compare_coders(demo, CODERS, intervals=by_unit)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert screen.intervals is not None
        assert screen.intervals.settings.by is Resampling.TRANSCRIPT
        assert "resamples of transcripts" in label(pilot, "#agreement-note")
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, SettingsDialog)
        assert dialog.query_one("#compare-by", Select).value is Resampling.TRANSCRIPT
        dialog.query_one("#compare-resamples", Input).value = "300"
        dialog.query_one("#compare-by", Select).value = Resampling.UNIT
        await pilot.press("ctrl+s")
        await intervals_in(pilot, screen)
        assert screen.intervals.found == expected.intervals
        assert "300 resamples of units" in label(pilot, "#agreement-note")
        await pilot.press("s")  # the dialog opens on what was chosen
        assert app.screen.query_one("#compare-by", Select).value is Resampling.UNIT


async def test_a_chosen_set_is_shown_whole(demo: Project, make_app: Any) -> None:
    # unitizing alpha and all-agree stand in the detail line by default, disagreement
    # only in JSON and CSV: chosen, each has its column
    stats = ("disagree", "alpha-u", "all-agree", "alpha")
    settings = IntervalSettings(95, 2000, DEFAULT_SEED)
    expected = compare_coders(demo, CODERS, stats=stats, intervals=settings)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert "αU" not in headers(screen.table)
        await pilot.press("s")
        app.screen.query_one("#compare-stats", Input).value = ", ".join(stats)
        await pilot.press("ctrl+s")
        await intervals_in(pilot, screen)
        assert screen.report is not None
        assert screen.report.statistics == choose(stats)
        table = screen.table
        for statistic in choose(stats):
            shown = column(table, statistic.symbol)
            wanted = [
                statistic.screen_text(
                    statistic.of_pair(code.pooled.pairs[0])
                    if statistic.of_pair is not None
                    else statistic.of_coders(code.pooled.coverage)  # type: ignore[misc]
                )
                for code in expected.codes
            ]
            assert shown == wanted, statistic.key
        alphas, _ = expected_cells(expected, "krippendorff_alpha")
        assert column(table, "α 95% CI") == alphas
