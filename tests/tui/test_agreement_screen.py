"""The agreement screens driven from the keyboard with Pilot on the demo project: the
numbers shown are compare_coders' own, the drill-down reaches the disagreements, and
each reconciliation choice lands in the consensus layer (and only there)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, OptionList, Static

from qualcode.domain.agreement import landis_koch_band
from qualcode.domain.agreement_intervals import DEFAULT_SEED, IntervalSettings, verdict
from qualcode.domain.agreement_report import AgreementReport
from qualcode.domain.codings import Coding
from qualcode.domain.spans import Span
from qualcode.domain.statistics.base import coefficient_text
from qualcode.domain.statistics.brennan_prediger import brennan_prediger
from qualcode.domain.statistics.gwet_ac1 import gwet_ac1
from qualcode.domain.statistics.scott_pi import scott_pi
from qualcode.exporters.agreement import statistic_text
from qualcode.services import history
from qualcode.services.agreement import compare_coders
from qualcode.services.agreement_intervals import report_intervals
from qualcode.services.codebook import list_codes
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.project import Project
from qualcode.services.reconcile import DEFAULT_LAYER, Disagreement, list_disagreements
from qualcode.services.status import mark_done
from qualcode.tui import commands
from qualcode.tui.app import QualcodeApp, create_app
from qualcode.tui.screens.agreement import AgreementScreen
from qualcode.tui.screens.agreement_dialogs import SettingsDialog, SpanEditor
from qualcode.tui.screens.agreement_transcripts import AgreementTranscriptsScreen
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import HelpScreen
from qualcode.tui.screens.disagreements import DisagreementScreen
from tests.tui.test_workflows import Recorder, settle

SIZE = (80, 24)  # the smallest terminal the workspace is made for
CODERS = ("anna", "bo")


@pytest.fixture
def make_app(demo: Project, tmp_path: Path) -> Callable[..., QualcodeApp]:
    def make(coder: str = "anna", **options: Any) -> QualcodeApp:
        return create_app(demo, coder, config_file=tmp_path / "config.json", **options)

    return make


def cells(table: DataTable[Any], row: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(row)]


def label(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Label).render())


def current(app: QualcodeApp) -> Screen[Any]:
    """The screen on top (a call, so an earlier ``isinstance`` does not narrow it)."""
    return app.screen


def own_codings(project: Project) -> list[Coding]:
    return list_codings(project, coders=list(CODERS))


def layer_spans(project: Project, found: Disagreement) -> list[tuple[int, int]]:
    """The consensus layer's spans of the disagreement's code inside its region."""
    region = found.region
    return sorted(
        (c.start, c.end)
        for c in list_codings(project, coders=[DEFAULT_LAYER], transcripts=[found.transcript])
        if c.code_path == found.code and c.start < region.end and c.end > region.start
    )


def expected_rows(report: AgreementReport) -> list[list[str]]:
    """The statistics columns of each code's row, computed from the report; the
    intervals beside kappa and alpha are the service's for the screen's settings (95 %,
    2,000 resamples, the command line's default seed)."""
    intervals = report_intervals(report, IntervalSettings(95, 2000, DEFAULT_SEED))
    rows = []
    for code in report.codes:
        (pair,), (mean,) = code.pooled.pairs, code.mean.pairs
        kappa, alpha = pair.counts.kappa, code.pooled.coverage.krippendorff_alpha
        n = code.mean.transcripts
        kappa_ci = intervals.of(code.code, "kappa")
        alpha_ci = intervals.of(code.code, "krippendorff_alpha")
        rows.append(
            [
                statistic_text(kappa.value, kappa.undefined),
                "undefined" if kappa.undefined else landis_koch_band(kappa.value),
                "" if kappa_ci is None else f"[{kappa_ci[0]:.3f}, {kappa_ci[1]:.3f}]",
                statistic_text(mean.kappa, n > 0 and mean.kappa_undefined == n),
                statistic_text(alpha.value, alpha.undefined),
                "" if alpha_ci is None else f"[{alpha_ci[0]:.3f}, {alpha_ci[1]:.3f}]",
                "" if alpha_ci is None else verdict(alpha_ci[0]),
                f"{pair.counts.percent_agreement:.1f}",
                *(coefficient_text(f(pair.counts)) for f in (scott_pi, brennan_prediger, gwet_ac1)),
                f"{pair.segment.percent:.0f}",
            ]
        )
    return rows


async def open_agreement(pilot: Pilot[None]) -> AgreementScreen:
    await pilot.press("ctrl+k")
    screen = pilot.app.screen
    assert isinstance(screen, AgreementScreen)
    await intervals_in(pilot, screen)
    return screen


async def intervals_in(pilot: Pilot[None], screen: AgreementScreen) -> None:
    """Wait for the comparison and then the bootstrap (a worker the comparison starts)."""
    for _ in range(50):
        await settle(pilot)
        if screen.intervals is None or not screen.intervals.pending:
            return
    raise AssertionError("the intervals never came")


async def test_the_numbers_shown_are_compare_coders_values(demo: Project, make_app: Any) -> None:
    app, record = make_app(), Recorder()
    expected = compare_coders(demo, CODERS)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = await open_agreement(pilot)
        (compared,) = record.of(AgreementScreen.Compared)
        assert compared.report == expected
        table = screen.table
        assert table.row_count == len(expected.codes) == 19  # the whole codebook
        assert [cells(table, row)[1:] for row in range(table.row_count)] == expected_rows(expected)
        header = label(pilot, "#agreement-header")
        assert "anna, bo · unit character · segment threshold 90%" in header
        assert f"{len(expected.transcripts)} transcript(s) compared" in header

        await pilot.press("down", "down")  # the highlighted row is described in full
        code = expected.codes[2]
        detail = label(pilot, "#agreement-detail")
        kappa = code.pooled.pairs[0].counts.kappa
        assert detail.startswith(f"{code.code} · anna–bo (enter: per transcript)\n")
        assert f"κ {statistic_text(kappa.value)} {landis_koch_band(kappa.value)}" in detail


async def test_three_coders_show_each_pair_and_reconcile_the_pair_chosen(
    demo: Project, make_app: Any
) -> None:
    # cleo codes every other passage anna coded, exactly as anna did
    ids = {c.path: c.id for c in list_codes(demo)}
    for coding in list_codings(demo, coders=["anna"])[::2]:
        apply_code(
            demo,
            coding.transcript,
            ids[coding.code_path],
            "cleo",
            span=Span(coding.start, coding.end),
        )[0]
    expected = compare_coders(demo, ("anna", "bo", "cleo"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert screen.report == expected  # every coder is compared at first
        table = screen.table
        assert table.row_count == 3 * len(expected.codes)
        first = expected.codes[0]
        alpha = first.pooled.coverage.krippendorff_alpha
        for row, (pair, mean) in enumerate(zip(first.pooled.pairs, first.mean.pairs, strict=True)):
            shown = cells(table, row)
            assert shown[1] == f"{pair.a}–{pair.b}"
            assert shown[2] == statistic_text(pair.counts.kappa.value, pair.counts.kappa.undefined)
            assert shown[5] == statistic_text(
                mean.kappa, mean.kappa_undefined == first.mean.transcripts
            )
            assert shown[6] == (statistic_text(alpha.value, alpha.undefined) if row == 0 else "")
        fleiss = first.pooled.coverage.fleiss_kappa
        assert fleiss is not None
        await pilot.press("down")  # anna–cleo
        assert f"Fleiss {statistic_text(fleiss.value)}" in label(pilot, "#agreement-detail")
        await pilot.press("r")
        await settle(pilot)
        shown_screen = current(app)
        assert isinstance(shown_screen, DisagreementScreen)
        assert (shown_screen.coders, shown_screen.code) == (("anna", "cleo"), first.code)


async def test_coders_unit_and_threshold_are_chosen_in_a_dialog(
    demo: Project, make_app: Any
) -> None:
    app, record = make_app(), Recorder()
    expected = compare_coders(demo, CODERS, unit="turn", threshold=50)
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        screen = await open_agreement(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, SettingsDialog)
        await pilot.press("tab", "enter", "down", "enter")  # the unit: character -> turn
        await pilot.press("tab", "ctrl+a", "backspace", *"5000", "ctrl+s")
        assert "from 0 to 100, not 5000" in label(pilot, "#compare-threshold-error")
        assert isinstance(app.screen, SettingsDialog)  # a mistake keeps the dialog open
        app.screen.query_one("#compare-threshold", Input).value = "50"
        await pilot.press("ctrl+s")
        await intervals_in(pilot, screen)
        assert current(app) is screen
        assert record.of(AgreementScreen.Compared)[-1].report == expected
        table = screen.table
        assert [cells(table, row)[1:] for row in range(table.row_count)] == expected_rows(expected)
        assert "unit turn · segment threshold 50%" in label(pilot, "#agreement-header")

        await pilot.press("s", "space", "ctrl+s")  # anna unticked: one coder is not enough
        assert "tick two or more coders" in label(pilot, "#compare-coders-error")


async def test_drill_down_shows_done_marks_exclusions_and_disagreements(
    demo: Project, make_app: Any
) -> None:
    # anna has marked two transcripts done, bo one of them: only that one is compared
    mark_done(demo, "parent-01-en", "anna")
    mark_done(demo, "parent-02-en", "anna")
    mark_done(demo, "parent-01-en", "bo")
    report = compare_coders(demo, CODERS)
    assert report.transcripts == ("parent-01-en",)
    found, _ = list_disagreements(demo, CODERS)
    target = found[0]  # the first code with a disagreement in parent-01-en
    row = next(i for i, c in enumerate(report.codes) if c.code == target.code)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert f"{len(report.excluded)} left out" in label(pilot, "#agreement-header")
        # one transcript cannot be drawn whole: no interval, and the note says why
        assert screen.intervals is not None
        assert screen.intervals.found is None
        assert "no CI: drawing whole transcripts needs 5; 1 compared" in label(
            pilot, "#agreement-note"
        )
        await pilot.press(*["down"] * row, "enter")
        await settle(pilot)
        drill = app.screen
        assert isinstance(drill, AgreementTranscriptsScreen)
        assert drill.code.code == target.code
        table = drill.table
        by_name = {cells(table, i)[0]: cells(table, i) for i in range(table.row_count)}
        assert set(by_name) == {"parent-01-en", *(e.transcript for e in report.excluded)}
        compared = by_name["parent-01-en"]
        assert compared[1] == "✓anna ✓bo"
        mine = [d for d in found if d.code == target.code and d.transcript == "parent-01-en"]
        assert compared[-1] == f"0/{len(mine)}"
        assert by_name["parent-02-en"][1:4] == ["✓anna ·bo", "—", "left out"]
        assert by_name["parent-05-en"][1] == "·anna ·bo"
        excluded = label(pilot, "#agreement-excluded")
        for left_out in report.excluded:
            assert f"{left_out.transcript} ({left_out.reason})" in excluded
        assert "parent-02-en (not marked done by bo)" in excluded

        await pilot.press("down", "enter")  # a left-out transcript has no disagreements
        assert app.screen is drill
        await pilot.press("up", "enter")
        await settle(pilot)
        shown = app.screen
        assert isinstance(shown, DisagreementScreen)
        assert shown.found == mine
        text = shown._text(target.transcript).text
        region = target.region
        for side, spans in (("a", region.a), ("b", region.b)):
            content = str(shown.query_one(f"#side-{side}", Static).render())
            for span in spans:
                assert f"⟦{text[span.start : span.end]}⟧" in content
        assert label(pilot, "#side-a-title").startswith("A · anna: ")
        assert f"0 of {len(mine)} settled" in label(pilot, "#disagreement-progress-text")


async def test_each_choice_writes_the_consensus_layer_only(demo: Project, make_app: Any) -> None:
    own = own_codings(demo)
    found, _ = list_disagreements(demo, CODERS)
    first = found[:5]
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("f6")  # every disagreement of anna and bo
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        assert screen.found == found
        await pilot.press("a", "b", "u", "n")
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, SpanEditor)
        await pilot.press("shift+left", "shift+left", "shift+left", "enter")
        await settle(pilot)
        assert isinstance(current(app), DisagreementScreen)  # back from the editor
        changed = record.of(DisagreementScreen.ConsensusChanged)
        assert [(c.action, c.key) for c in changed] == [
            (choice, (d.transcript, d.code, d.region.start, d.region.end))
            for choice, d in zip(("a", "b", "both", "neither", "edit"), first, strict=True)
        ]
        assert f"5 of {len(found)} settled" in label(pilot, "#disagreement-progress-text")
        assert screen.listing.highlighted == 5  # on to the next unsettled one
        prompt = screen.listing.get_option_at_index(2).prompt
        assert isinstance(prompt, Text)
        assert prompt.plain.startswith("✓ both")

    a, b, both, neither, edit = first
    assert layer_spans(demo, a) == [(s.start, s.end) for s in a.region.a]
    assert layer_spans(demo, b) == [(s.start, s.end) for s in b.region.b]
    assert layer_spans(demo, both) == [(both.region.start, both.region.end)]
    assert layer_spans(demo, neither) == []
    assert layer_spans(demo, edit) == [(edit.region.start, edit.region.end - 3)]
    assert own_codings(demo) == own  # anna's and bo's codings are untouched


async def test_an_edited_span_must_stay_inside_the_disagreement(
    demo: Project, make_app: Any
) -> None:
    found, _ = list_disagreements(demo, CODERS)
    first = found[0]
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("e", "shift+right", "enter")  # one character past its end
        await pilot.pause()
        editor = current(app)
        assert isinstance(editor, SpanEditor)  # refused, the editor stays open
        region = f"{first.region.start}:{first.region.end}"
        assert f"inside the disagreement {region}" in editor.errors_shown()["form-error"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(current(app), DisagreementScreen)
        assert record.of(DisagreementScreen.ConsensusChanged) == []
    assert list_codings(demo, coders=[DEFAULT_LAYER]) == []


async def test_undo_and_redo_of_a_reconcile_choice(demo: Project, make_app: Any) -> None:
    own = own_codings(demo)
    found, _ = list_disagreements(demo, CODERS)
    first, second = found[:2]
    app, record = make_app(), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DisagreementScreen)
        await pilot.press("b", "u")
        await settle(pilot)
        assert layer_spans(demo, second) == [(second.region.start, second.region.end)]

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert layer_spans(demo, second) == []
        assert layer_spans(demo, first) == [(s.start, s.end) for s in first.region.b]
        assert screen.listing.highlighted == 1  # the region the undo was about
        assert f"1 of {len(found)} settled" in label(pilot, "#disagreement-progress-text")
        assert "not settled yet" in label(pilot, "#disagreement-outcome")

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert layer_spans(demo, first) == []
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert layer_spans(demo, first) == [(s.start, s.end) for s in first.region.b]
        actions = [c.action for c in record.of(DisagreementScreen.ConsensusChanged)]
        assert actions == ["b", "both", "undo", "undo", "redo"]

        await pilot.press("escape")  # back where it was opened from
        await settle(pilot)
        assert isinstance(app.screen, AgreementScreen)
    assert history.undo(demo, "anna") is None  # the consensus layer's, not anna's, stack
    assert own_codings(demo) == own


async def test_the_palette_opens_agreement_and_reconciliation(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        entries = {c.title: c for c in commands.workspace_commands(app, app.screen)}
        await entries["agreement: Compare coders"].callback()
        await settle(pilot)
        assert isinstance(current(app), AgreementScreen)
        await pilot.press("escape")
        await entries["agreement: Reconcile disagreements"].callback()
        await settle(pilot)
        assert isinstance(current(app), DisagreementScreen)


async def test_help_and_palette_list_the_agreement_keys(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        shown = cast("Screen[object]", screen)
        titles = [c.title for c in commands.workspace_commands(app, shown)]
        assert "agreement: Choose the coders, unit and segment threshold" in titles
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {row[2] for row in help_screen.rows}
        assert {"agreement.settings", "agreement.open", "agreement.reconcile-code"} <= ids


async def test_keys_are_rebound_by_binding_id(demo: Project, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"keymap": {"agreement.compare": "f7", "reconcile.both": "o"}}')
    found, _ = list_disagreements(demo, CODERS)
    app = create_app(demo, "anna", config_file=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(current(app), AgreementScreen)
        await pilot.press("escape", "f6", "o")
        await settle(pilot)
        assert isinstance(current(app), DisagreementScreen)
    assert layer_spans(demo, found[0]) == [(found[0].region.start, found[0].region.end)]


async def test_blind_coding_keeps_the_agreement_screen_closed(make_app: Any) -> None:
    app, record = make_app(blind=True), Recorder()
    async with app.run_test(size=SIZE, message_hook=record) as pilot:
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert any("Blind coding is on" in note for note in record.notes())


async def test_reconciliation_list_reaches_the_end_without_a_mouse(
    demo: Project, make_app: Any
) -> None:
    found, _ = list_disagreements(demo, CODERS, codes=["openness/open about limits"])
    mine = [d for d in found if d.code == "openness/open about limits"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        report = screen.report
        assert report is not None
        row = next(i for i, c in enumerate(report.codes) if c.code == mine[0].code)
        await pilot.press(*["down"] * row, "r")  # this code's disagreements everywhere
        await settle(pilot)
        shown = app.screen
        assert isinstance(shown, DisagreementScreen)
        assert shown.found == mine
        await pilot.press(*["n"] * len(mine))
        await settle(pilot)
        count = len(mine)
        assert f"{count} of {count} settled" in label(pilot, "#disagreement-progress-text")
        options = shown.query_one(OptionList)
        assert all(
            str(options.get_option_at_index(i).prompt).startswith("✓ neither") for i in range(count)
        )


async def test_chosen_statistics_are_what_the_screen_shows(demo: Project, make_app: Any) -> None:
    app = make_app()
    expected = compare_coders(demo, CODERS, stats=("kappa", "ac1"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(pilot)
        assert screen.report is not None
        assert any(s.key == "scott_pi" for s in screen.report.statistics)  # all, at first
        await pilot.press("s")
        assert isinstance(app.screen, SettingsDialog)
        field = app.screen.query_one("#compare-stats", Input)
        field.value = "kappa, cronbach"
        await pilot.press("ctrl+s")
        assert "unknown statistic 'cronbach'" in label(pilot, "#compare-stats-error")
        field.value = "kappa, ac1"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert current(app) is screen
        assert screen.report is not None
        assert [s.key for s in screen.report.statistics] == [s.key for s in expected.statistics]
        headers = [str(column.label) for column in screen.table.columns.values()]
        assert any("AC1" in header for header in headers)
        assert not any(header.strip() == "π" for header in headers)
