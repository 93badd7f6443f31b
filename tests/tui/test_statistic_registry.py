"""Adding an agreement statistic touches one module: this one.

A toy statistic — how many units only one of two coders coded, straight from the 2×2
table — is defined here and registered for the length of a ``with`` block through the
registry's public API. Every output must then show it: the terminal table, JSON, CSV,
the workbook, the HTML page and the workspace's agreement screen (driven with Pilot).
Nothing else in the code base names it. Outside the block it is gone again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from textual.widgets import Label

from qualcode.domain.agreement import PairAgreement
from qualcode.domain.statistics import Measure, Statistic, active, registered
from qualcode.services.project import Project
from qualcode.tui.app import create_app
from qualcode.tui.screens.agreement import AgreementScreen
from qualcode.tui.screens.agreement_transcripts import AgreementTranscriptsScreen
from tests.conftest import Cli
from tests.tui.test_workflows import settle

SIZE = (80, 24)


def _units_in_dispute(pair: PairAgreement) -> Measure:
    return Measure(pair.counts.a_only + pair.counts.b_only)


TOY = Statistic(
    key="units_in_dispute",
    name="units in dispute",
    label="dispute",
    symbol="disp.",
    word="in dispute",
    of_pair=_units_in_dispute,
    text=lambda measure: f"{measure.value:.0f}",
    width=5,
)


def columns(line: str) -> list[str]:
    """A table line's cells: they are two or more spaces apart."""
    return re.split(r"\s{2,}", line.strip())


def agreement(run: Cli, project: Path, *args: str | Path) -> str:
    return str(run("agreement", project, "--coders", "anna", "bo", *args).stdout)


def test_a_registered_statistic_reaches_every_file_format(
    demo_path: Path, run: Cli, tmp_path: Path
) -> None:
    with registered(TOY):
        report = json.loads(agreement(run, demo_path, "--format", "json"))
        table = agreement(run, demo_path, "--per-transcript")
        rows = list(csv.DictReader(io.StringIO(agreement(run, demo_path, "--format", "csv"))))
        page = tmp_path / "agreement.html"
        agreement(run, demo_path, "--format", "html", "-o", page)
        book = tmp_path / "agreement.xlsx"
        agreement(run, demo_path, "--format", "xlsx", "-o", book)

    # JSON: every pair at every level, counted from the 2×2 table printed beside it
    transcripts = 0
    for code in report["per_code"].values():
        for entry in [code["pooled"], *code["per_transcript"].values()]:
            (pair,) = entry["pairs"]
            assert pair["units_in_dispute"] == pair["a_only"] + pair["b_only"]
            transcripts += 1
        (mean,) = code["mean"]["pairs"]
        assert mean["units_in_dispute"] == mean["a_only"] + mean["b_only"]
    assert transcripts > 50

    # CSV: one column, on pooled, mean and transcript rows alike
    assert rows
    assert all(
        float(r["units_in_dispute"]) == float(r["a_only"]) + float(r["b_only"]) for r in rows
    )

    # the terminal table: a column of the pooled table, and of the per-transcript one
    expected = {
        name: code["pooled"]["pairs"][0]["a_only"] + code["pooled"]["pairs"][0]["b_only"]
        for name, code in report["per_code"].items()
    }
    lines = table.splitlines()
    start = lines.index("Pooled over transcripts, per pair of coders:") + 1
    header, _, *body = lines[start : start + 2 + len(expected)]
    index = columns(header).index("dispute")
    assert {columns(row)[0]: int(columns(row)[index]) for row in body} == expected
    per_transcript = lines[lines.index("Per transcript:") + 1]
    assert "dispute" in columns(per_transcript)

    # the HTML page and the workbook (summary and all rows)
    html = page.read_text(encoding="utf-8")
    assert "<th>dispute</th>" in html
    workbook = load_workbook(book)
    summary = list(workbook["summary"].iter_rows(values_only=True))
    column = summary[0].index("units in dispute (pooled)")
    assert [row[column] for row in summary[1:]] == list(expected.values())
    assert "units_in_dispute" in next(workbook["all rows"].iter_rows(values_only=True))

    # outside the block the default registry is back
    assert TOY not in active()
    assert "units_in_dispute" not in agreement(run, demo_path, "--format", "json")


async def test_a_registered_statistic_reaches_the_agreement_screen(
    demo: Project, tmp_path: Path
) -> None:
    app = create_app(demo, "anna", config_file=tmp_path / "config.json")
    with registered(TOY):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+k")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, AgreementScreen)
            report = screen.report
            assert report is not None
            assert TOY in report.statistics
            table = screen.table
            headers = [str(column.label) for column in table.columns.values()]
            index = headers.index("disp.")
            for row, code in enumerate(report.codes):
                counts = code.pooled.pairs[0].counts
                shown: Any = table.get_row_at(row)[index]
                assert str(shown) == str(counts.a_only + counts.b_only)
            await pilot.press("down")
            detail = str(screen.query_one("#agreement-detail", Label).render())
            counts = report.codes[1].pooled.pairs[0].counts
            assert f" · in dispute {counts.a_only + counts.b_only}" in detail

            await pilot.press("enter")  # the code per transcript: a column there too
            await settle(pilot)
            drill = app.screen
            assert isinstance(drill, AgreementTranscriptsScreen)
            table = drill.table
            headers = [str(column.label) for column in table.columns.values()]
            index = headers.index("disp.")
            for row, (_, comparison) in enumerate(report.codes[1].per_transcript):
                counts = comparison.pairs[0].counts
                assert str(table.get_row_at(row)[index]) == str(counts.a_only + counts.b_only)
