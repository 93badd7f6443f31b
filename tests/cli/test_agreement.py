"""`qualcode agreement` on the demo project, checked against sklearn and krippendorff
applied to per-character arrays rebuilt from `qualcode codings` output."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import numpy.typing as npt
import pytest
from openpyxl import load_workbook

from qualcode.cli.agreement_commands import GREEDY_OPTIONS, spread_values
from qualcode.services.codebook import list_codes
from qualcode.services.project import open_project
from tests.conftest import Cli

TOLERANCE = 1e-9


def as_json(run: Cli, *args: str | Path) -> Any:
    return json.loads(run(*args).stdout)


def character_arrays(run: Cli, project: Path) -> dict[tuple[str, str, str], npt.NDArray[Any]]:
    """(transcript, code, coder) -> 0/1 per character, from the CLI's own listings."""
    lengths = {
        t["name"]: t["characters"] for t in as_json(run, "transcripts", project, "--format", "json")
    }
    arrays: dict[tuple[str, str, str], npt.NDArray[Any]] = {}
    for coding in as_json(run, "codings", project, "--format", "json"):
        key = (coding["transcript"], coding["code"], coding["coder"])
        array = arrays.setdefault(key, np.zeros(lengths[coding["transcript"]], dtype=int))
        array[coding["start"] : coding["end"]] = 1
    return arrays


def expected_kappa(x: npt.NDArray[Any], y: npt.NDArray[Any]) -> float:
    # imported here, not at collection: sklearn costs ~0.65 s a process
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(x, y))


def test_demo_agreement_equals_independent_packages(demo_path: Path, run: Cli) -> None:
    report = as_json(run, "agreement", demo_path, "--coders", "anna", "bo", "--format", "json")
    arrays = character_arrays(run, demo_path)
    lengths = {
        t["name"]: t["characters"]
        for t in as_json(run, "transcripts", demo_path, "--format", "json")
    }
    assert report["coders"] == ["anna", "bo"]
    assert sorted(report["compared_transcripts"]) == sorted(lengths)
    used = {code for _, code, _ in arrays}
    project = open_project(demo_path)
    try:
        codebook = [code.path for code in list_codes(project)]
    finally:
        project.close()
    # every code of the codebook, in codebook order, used or not
    assert list(report["per_code"]) == codebook
    assert used <= set(codebook)
    checked = 0
    for code, result in report["per_code"].items():
        pooled_x, pooled_y = [], []
        for transcript, entry in result["per_transcript"].items():
            zeros = np.zeros(lengths[transcript], dtype=int)
            x = arrays.get((transcript, code, "anna"), zeros)
            y = arrays.get((transcript, code, "bo"), zeros)
            pooled_x.append(x)
            pooled_y.append(y)
            (pair,) = entry["pairs"]
            assert pair["both"] == int(np.sum(x & y))
            assert pair["neither"] == int(np.sum((1 - x) & (1 - y)))
            assert pair["percent_agreement"] == pytest.approx(100 * np.mean(x == y), abs=TOLERANCE)
            if x.any() or y.any():
                assert not pair["kappa_undefined"]
                assert abs(pair["kappa"] - expected_kappa(x, y)) < TOLERANCE
                alpha = krippendorff.alpha(
                    reliability_data=np.array([x, y]), level_of_measurement="nominal",
                    value_domain=[0, 1],
                )  # fmt: skip
                assert abs(entry["krippendorff_alpha"] - alpha) < TOLERANCE
                checked += 1
            else:
                assert pair["kappa_undefined"]
                assert pair["kappa"] == 1.0
        x, y = np.concatenate(pooled_x), np.concatenate(pooled_y)
        (pooled,) = result["pooled"]["pairs"]
        if x.any() or y.any():
            assert abs(pooled["kappa"] - expected_kappa(x, y)) < TOLERANCE
        else:  # a code nobody applied: agreement on absence, 0/0
            assert pooled["kappa_undefined"]
            assert pooled["kappa"] == 1.0
            assert pooled["both"] == pooled["a_only"] == pooled["b_only"] == 0
        per_kappas = [e["pairs"][0]["kappa"] for e in result["per_transcript"].values()]
        assert result["mean"]["pairs"][0]["kappa"] == pytest.approx(np.mean(per_kappas))
        assert result["pooled"]["fleiss_kappa"] is None
    assert checked > 50  # most transcript × code cells hold real codings


def test_every_format_prints(demo_path: Path, run: Cli, tmp_path: Path) -> None:
    table = run("agreement", demo_path, "--coders", "anna", "bo").stdout
    assert "continuity/meeting the child" in table
    assert "anna–bo" in table
    assert any(band in table for band in ("moderate", "substantial", "almost perfect"))
    assert "Rules:" in table
    report = as_json(run, "agreement", demo_path, "--coders", "anna", "bo", "--format", "json")
    # --full-precision: the CSV holds JSON's numbers exactly
    csv_text = run(
        "agreement", demo_path, "--coders", "anna", "bo", "--format", "csv", "--full-precision"
    ).stdout
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    transcripts = len(report["compared_transcripts"])
    assert len(rows) == len(report["per_code"]) * (2 + transcripts)
    first = next(r for r in rows if r["level"] == "pooled")
    assert float(first["kappa"]) == report["per_code"][first["code"]]["pooled"]["pairs"][0]["kappa"]
    html_path = tmp_path / "agreement.html"
    run("agreement", demo_path, "--coders", "anna", "bo", "--format", "html", "-o", html_path)
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "continuity/meeting the child" in page
    assert 'class="number band-' in page
    xlsx_path = tmp_path / "agreement.xlsx"
    run("agreement", demo_path, "--coders", "anna", "bo", "--format", "xlsx", "-o", xlsx_path)
    workbook = load_workbook(xlsx_path)
    assert workbook.sheetnames == ["summary", "all rows", "notes"]
    sheet_rows = list(workbook["all rows"].iter_rows(min_row=2, values_only=True))
    assert len(sheet_rows) == len(rows)
    for sheet_row, csv_row in zip(sheet_rows, rows, strict=True):
        assert sheet_row[0] == csv_row["code"]
        assert sheet_row[12] == pytest.approx(float(csv_row["kappa"]), rel=1e-14)  # 15 digits


def test_per_transcript_table_and_three_coders(demo_path: Path, run: Cli) -> None:
    run("reconcile", demo_path, "--coders", "anna", "bo", "--strategy", "union")
    table = run(
        "agreement", demo_path, "--coders", "anna", "bo", "consensus",
        "--code", "continuity/holistic view", "--per-transcript",
    ).stdout  # fmt: skip
    assert "Per transcript:" in table
    assert "fleiss" in table
    for pair in ("anna–bo", "anna–consensus", "bo–consensus"):
        assert pair in table
    report = as_json(
        run, "agreement", demo_path, "--coders", "anna", "bo", "consensus", "--format", "json",
        "--code", "continuity/holistic view",
    )  # fmt: skip
    pooled = report["per_code"]["continuity/holistic view"]["pooled"]
    assert len(pooled["pairs"]) == 3
    assert isinstance(pooled["fleiss_kappa"], float)


def test_only_finished_transcripts_are_compared(demo_path: Path, run: Cli) -> None:
    run("done", demo_path, "parent-01-en", "--coder", "anna")
    run("done", demo_path, "parent-02-en", "--coder", "anna")
    run("done", demo_path, "parent-01-en", "--coder", "bo")
    report = as_json(run, "agreement", demo_path, "--coders", "anna", "bo", "--format", "json")
    assert report["compared_transcripts"] == ["parent-01-en"]
    excluded = {e["transcript"]: e["reason"] for e in report["excluded_transcripts"]}
    assert excluded["parent-02-en"] == "not marked done by bo"
    assert excluded["parent-03-da"] == "not marked done by anna; not marked done by bo"
    assert report["finished_by"] == {"anna": "marked done", "bo": "marked done"}
    assert (
        "parent-02-en: not marked done by bo"
        in run("agreement", demo_path, "--coders", "anna", "bo").stdout
    )


def test_a_coding_outside_its_text_is_refused_pointing_to_check(demo_path: Path, run: Cli) -> None:
    # a coding whose end lies past its transcript (as after an outside edit of the file):
    # agreement computed without it would be wrong, so the project is refused and
    # `qualcode check` names the coding
    with sqlite3.connect(demo_path) as connection:
        (coding_id,) = connection.execute(
            "SELECT coding.id FROM coding JOIN coder ON coder.id = coding.coder_id "
            "WHERE coder.name = 'anna' ORDER BY coding.id LIMIT 1"
        ).fetchone()
        connection.execute("UPDATE coding SET end_offset = 10000000 WHERE id = ?", (coding_id,))
    result = run("agreement", demo_path, "--coders", "anna", "bo", expect=1)
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {demo_path}: the project is damaged (1 coding row(s) with a span outside "
        f"its transcript's text or reversed (ids {coding_id})); nothing was computed — run "
        f"`qualcode check {demo_path}` for the full list\n"
    )
    assert f"coding {coding_id} in " in run("check", demo_path, expect=1).stdout


@pytest.mark.parametrize("unit", ["turn", "sentence", "transcript"])
def test_other_units_report_unit_counts(demo_path: Path, run: Cli, unit: str) -> None:
    report = as_json(
        run, "agreement", demo_path, "--coders", "anna", "bo", "--unit", unit, "--format", "json"
    )
    assert report["unit"] == unit
    entry = report["per_code"]["continuity/meeting the child"]
    units = {name: e["units"] for name, e in entry["per_transcript"].items()}
    if unit == "transcript":
        assert set(units.values()) == {1}
    elif unit == "turn":
        turns = {
            t["name"]: t["turns"]
            for t in as_json(run, "transcripts", demo_path, "--format", "json")
        }
        assert units == {name: turns[name] for name in units}
    else:
        assert all(n > 50 for n in units.values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--coders", "anna", "zoe"],
            "Error: {p}: unknown coder 'zoe'; coders in this project: anna, bo",
        ),
        (["--coders", "anna"], "Error: --coders: name at least two coders to compare"),
        (["--coders", "anna", "anna"], "Error: --coders: coder 'anna' is named twice"),
        (
            ["--coders", "anna", "bo", "--code", "continuity/meting"],
            "Error: {p}: unknown code 'continuity/meting'",
        ),
        (
            ["--coders", "anna", "bo", "--transcript", "parent-99"],
            "Error: {p}: unknown transcript 'parent-99'",
        ),
        (
            ["--coders", "anna", "bo", "--format", "xlsx"],
            "Error: -o: xlsx is a binary format",
        ),
        # interval options without --ci would be silently ignored
        (["--coders", "anna", "bo", "--bootstrap", "500"], "Error: --bootstrap: needs --ci"),
        # the default value given explicitly is still a given option
        (["--coders", "anna", "bo", "--seed", "1"], "Error: --seed: needs --ci"),
        (["--coders", "anna", "bo", "--ci-by", "transcript"], "Error: --ci-by: needs --ci"),
        # one transcript resampled: a zero-width interval and a false "reliable"
        (
            ["--coders", "anna", "bo", "--ci", "95", "--ci-by", "transcript", "--transcript",
             "parent-01-en", "parent-02-en"],
            "Error: --ci-by: resampling transcripts needs at least 5 compared transcripts; "
            "this comparison has 2",
        ),
        # nothing chosen applies to two coders
        (
            ["--coders", "anna", "bo", "--stats", "fleiss"],
            "Error: --stats: fleiss needs 3 or more coders, and 2 are compared",
        ),
    ],
    ids=["unknown-coder", "one-coder", "coder-twice", "unknown-code", "unknown-transcript",
         "binary-to-stdout", "bootstrap-no-ci", "seed-no-ci", "ci-by-no-ci",
         "too-few-clusters", "fleiss-two-coders"],
)  # fmt: skip
def test_mistakes_give_one_line(demo_path: Path, run: Cli, args: list[str], message: str) -> None:
    result = run("agreement", demo_path, *args, expect=1)
    assert result.stderr.startswith(message.format(p=demo_path))
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("stats", "empty", "full"),
    [
        # a pair statistic only: the all-coder table has no column
        ("kappa", "All coders:", "Pooled over transcripts, per pair of coders:"),
        # an all-coder statistic only: the pair table has no column
        ("alpha", "Pooled over transcripts, per pair of coders:", "All coders:"),
    ],
    ids=["pair-only", "coders-only"],
)
def test_a_table_without_a_chosen_statistic_is_one_line(
    demo_path: Path, run: Cli, stats: str, empty: str, full: str
) -> None:
    output = run("agreement", demo_path, "--coders", "anna", "bo", "--stats", stats).stdout
    lines = output.splitlines()
    assert f"{empty} nothing to show: none of the chosen statistics is computed here" in lines
    assert stats in lines[lines.index(full) + 1].split()  # the other table has its column
    page = run(
        "agreement", demo_path, "--coders", "anna", "bo", "--stats", stats, "--format", "html"
    ).stdout
    title = "All coders" if empty == "All coders:" else "Per code and pair"
    assert f"<h2>{title}</h2><p>nothing to show: none of the chosen" in page  # HTML alike


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # values run on until the next option
        (["P", "--coders", "a", "b", "c", "--unit", "turn"],
         ["P", "--coders", "a", "--coders", "b", "--coders", "c", "--unit", "turn"]),
        # other options' values are left alone
        (["P", "--unit", "turn", "x"], ["P", "--unit", "turn", "x"]),
        # --coders=a form, then more values
        (["P", "--coders=a", "b"], ["P", "--coders=a", "--coders", "b"]),
        # repeated options still work
        (["P", "--code", "x", "--code", "y"], ["P", "--code", "x", "--code", "y"]),
        # after --, nothing is rewritten
        (["P", "--coders", "a", "--", "b"], ["P", "--coders", "a", "--", "b"]),
    ],
)  # fmt: skip
def test_spread_values(args: list[str], expected: list[str]) -> None:
    assert spread_values(args, GREEDY_OPTIONS) == expected
