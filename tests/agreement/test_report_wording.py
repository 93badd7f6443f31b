"""What an agreement report says around its numbers, in every format: a 0/0 value is
named by no band and coloured by none; an interval never prints ``-0.000``; the
workbook's summary has the means of both headlines; the notes say how finished
transcripts were found; a report with nothing to compare says why; ``--pretty`` is for
JSON only; ``--per-transcript`` shows the chosen statistics, unitizing alpha too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qualcode.domain.agreement_intervals import (
    IntervalSettings,
    Resampling,
    bound_text,
    interval_rules,
    interval_text,
)
from qualcode.domain.statistics.base import UNDEFINED_BAND
from qualcode.domain.statistics.cohen_kappa import STATISTIC as KAPPA
from qualcode.domain.statistics.krippendorff_alpha import STATISTIC as ALPHA
from qualcode.exporters.agreement_documents import TONE_COLOURS
from qualcode.exporters.csv_numbers import rounded
from tests.conftest import Cli

# accessibility: nobody coded the parent code itself, so kappa and alpha are 0/0
ARGS = ("--coders", "anna", "bo", "--code", "accessibility")
UNDEFINED_CODE = "accessibility"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-0.0, "0.000"),  # negative zero
        (-0.0004, "0.000"),  # rounds to zero from below
        (0.0004, "0.000"),  # and from above
        (-0.0006, "-0.001"),  # a real negative value keeps its sign
        (0.7071, "0.707"),  # an ordinary bound
    ],
    ids=["negative-zero", "tiny-negative", "tiny-positive", "negative", "plain"],
)
def test_an_interval_end_never_prints_minus_zero(value: float, text: str) -> None:
    assert bound_text(value) == text
    assert interval_text((value, 0.5)) == f"[{text}, 0.500]"
    assert str(rounded(value, 3)) == str(float(text))  # CSV: "0.0", never "-0.0"


def test_an_undefined_value_has_no_band(demo_path: Path, run: Cli, tmp_path: Path) -> None:
    table = run("agreement", demo_path, *ARGS).stdout
    row = next(line for line in table.splitlines() if line.startswith(UNDEFINED_CODE + " "))
    assert "1.000*" in row
    assert UNDEFINED_BAND in row
    assert "almost perfect" not in row
    assert "with no band" in table  # the * note says why
    page = run("agreement", demo_path, *ARGS, "--format", "html").stdout
    cells = re.findall(rf"<tr><td>{UNDEFINED_CODE}</td>.*?</tr>", page)
    assert cells
    starred = re.findall(r"<td[^>]*>1\.000\*</td>", "".join(cells))
    assert starred
    assert all("band-" not in cell for cell in starred)  # no colour on a 0/0 value
    assert f"<td>{UNDEFINED_BAND}</td>" in cells[0]
    out = tmp_path / "agreement.xlsx"
    run("agreement", demo_path, *ARGS, "-o", out)
    sheet = load_workbook(out)["summary"]
    headers = [cell.value for cell in sheet[1]]
    (row,) = [r for r in sheet.iter_rows(min_row=2) if r[0].value == UNDEFINED_CODE]
    for name in KAPPA.name, ALPHA.name:
        value = row[headers.index(f"{name} (pooled)")]
        assert value.value == 1.0
        assert value.fill.fgColor.rgb not in {f"00{c}" for c in TONE_COLOURS}
        assert row[headers.index(f"{name} band")].value == UNDEFINED_BAND
        assert row[headers.index(f"{name} undefined")].value == "yes"
    # a defined value keeps its band and colour
    defined = next(r for r in sheet.iter_rows(min_row=2) if r[0].value != UNDEFINED_CODE)
    assert defined[headers.index(f"{KAPPA.name} band")].value != UNDEFINED_BAND
    assert defined[headers.index(f"{KAPPA.name} (pooled)")].fill.fgColor.rgb in {
        f"00{c}" for c in TONE_COLOURS
    }


def test_workbook_summary_has_both_headline_means_and_plain_notes(
    demo_path: Path, run: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "agreement.xlsx"
    run("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity", "-o", out)
    book = load_workbook(out)
    headers = [cell.value for cell in book["summary"][1]]
    assert f"{KAPPA.name} (mean)" in headers
    assert f"{ALPHA.name} (mean)" in headers
    report = json.loads(
        run("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity",
            "--format", "json").stdout
    )  # fmt: skip
    column = headers.index(f"{ALPHA.name} (mean)")
    means = [row[column].value for row in book["summary"].iter_rows(min_row=2)]
    assert means == [entry["mean"][ALPHA.key] for entry in report["per_code"].values()]
    notes = [row[0].value for row in book["notes"].iter_rows(min_row=2)]
    assert "anna: finished transcripts are those coded at all" in notes


def test_nothing_to_compare_names_the_real_reason(tmp_path: Path, run: Cli) -> None:
    path = tmp_path / "plain.qualcode"
    text = tmp_path / "plain.txt"
    text.write_text("No speaker labels here. Just one paragraph of prose.\n", encoding="utf-8")
    run("init", path)
    run("import", path, text)
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text("codes:\n  - name: theme\n", encoding="utf-8")
    run("codebook", path, "import", codebook)
    for coder in ("anna", "bo"):
        run("code", path, "plain", "theme", "--coder", coder, "--span", "0:10")
    table = run("agreement", path, "--coders", "anna", "bo", "--unit", "turn").stdout
    assert "all 1 transcript(s) were left out — no turns" in table
    assert "no code in the codebook" not in table


@pytest.mark.parametrize("output_format", ["table", "csv"])
def test_pretty_is_for_json_only(demo_path: Path, run: Cli, output_format: str) -> None:
    refused = run("agreement", demo_path, *ARGS, "--pretty", "--format", output_format, expect=1)
    assert refused.stderr == (
        f"Error: --pretty: indents JSON only; this is {output_format} (--format json)\n"
    )


def test_per_transcript_table_shows_unitizing_alpha(demo_path: Path, run: Cli) -> None:
    args = ("--coders", "anna", "bo", "--code", "continuity/holistic view")
    table = run("agreement", demo_path, *args, "--stats", "alpha-u", "--per-transcript").stdout
    report = json.loads(run("agreement", demo_path, *args, "--format", "json").stdout)
    (entry,) = report["per_code"].values()
    block = table.split("Per transcript:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert block[0].split() == ["code", "transcript", "alpha-U"]
    shown = {line.split()[-2]: line.split()[-1] for line in block[2:]}
    expected = {
        name: f"{value['unitized_alpha']:.3f}" + ("*" if value["unitized_alpha_undefined"] else "")
        for name, value in entry["per_transcript"].items()
    }
    assert shown == expected


@pytest.mark.parametrize(
    ("by", "unit", "says"),
    [
        # the default: whole transcripts, and why
        (Resampling.TRANSCRIPT, "character", "whole transcripts (their tables summed"),
        # characters drawn one by one: the rule says the interval is too narrow
        (Resampling.UNIT, "character", "characters of the pooled table, as if each were"),
        # turns: the same warning, naming turns
        (Resampling.UNIT, "turn", "turns of the pooled table, as if each were independent"),
        # transcript units: drawing units is drawing transcripts, no warning
        (Resampling.UNIT, "transcript", "units, each a whole transcript"),
    ],
    ids=["default", "characters", "turns", "transcript-units"],
)
def test_the_interval_rule_says_what_was_drawn(by: Resampling, unit: str, says: str) -> None:
    (rule, _) = interval_rules(IntervalSettings(95, 2000, 1, by), unit)
    assert says in rule
    warned = "this interval is too narrow" in rule
    assert warned == (by is Resampling.UNIT and unit != "transcript")
    assert IntervalSettings(95).by is Resampling.TRANSCRIPT  # the default everywhere
