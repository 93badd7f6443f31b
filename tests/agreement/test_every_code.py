"""Every code of the codebook is in every agreement format, the ones nobody applied
included (zero counts, kappa and alpha 0/0 flagged)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qualcode.services.agreement import compare_coders
from qualcode.services.codebook import list_codes
from qualcode.services.project import open_project
from tests.conftest import Cli

CODERS = ("--coders", "anna", "bo")


def codebook_and_unused(run: Cli, project: Path) -> tuple[list[str], list[str]]:
    opened = open_project(project)
    try:
        codebook = [code.path for code in list_codes(opened)]
    finally:
        opened.close()
    used = {c["code"] for c in json.loads(run("codings", project, "--format", "json").stdout)}
    unused = [code for code in codebook if code not in used]
    assert unused, "the demo is expected to have a code nobody applied"
    return codebook, unused


def test_json_lists_every_code_with_zero_counts(demo_path: Path, run: Cli) -> None:
    codebook, unused = codebook_and_unused(run, demo_path)
    report = json.loads(run("agreement", demo_path, *CODERS, "--format", "json").stdout)
    assert list(report["per_code"]) == codebook
    for code in unused:
        pooled = report["per_code"][code]["pooled"]
        (pair,) = pooled["pairs"]
        assert pair["both"] == pair["a_only"] == pair["b_only"] == 0
        assert pair["neither"] == pair["units"] > 0
        assert pair["kappa"] == 1.0
        assert pair["kappa_undefined"]
        assert pooled["krippendorff_alpha"] == 1.0
        assert pooled["alpha_undefined"]


@pytest.mark.parametrize(
    "fmt",
    [
        "table",  # the terminal table
        "csv",  # one row per code × level × pair
        "html",  # the page's tables
        "xlsx",  # the workbook's summary sheet
    ],
)
def test_every_format_lists_the_unused_code(
    demo_path: Path, run: Cli, tmp_path: Path, fmt: str
) -> None:
    codebook, unused = codebook_and_unused(run, demo_path)
    if fmt == "xlsx":
        out = tmp_path / "agreement.xlsx"
        run("agreement", demo_path, *CODERS, "-o", out)
        sheet = load_workbook(out, read_only=True)["summary"]
        listed = {row[0] for row in sheet.iter_rows(values_only=True)}
    elif fmt == "csv":
        text = run("agreement", demo_path, *CODERS, "--format", "csv").stdout
        listed = {row["code"] for row in csv.DictReader(io.StringIO(text))}
    else:
        text = run("agreement", demo_path, *CODERS, "--format", fmt).stdout
        listed = {code for code in codebook if code in text}
    assert set(unused) <= listed
    assert set(codebook) <= listed


def test_named_codes_bring_every_sub_code(demo_path: Path, run: Cli) -> None:
    codebook, unused = codebook_and_unused(run, demo_path)
    parent = unused[0].split("/")[0]
    family = [code for code in codebook if code == parent or code.startswith(parent + "/")]
    project = open_project(demo_path)
    try:
        report = compare_coders(project, ("anna", "bo"), codes=[parent])
    finally:
        project.close()
    assert [code.code for code in report.codes] == family
