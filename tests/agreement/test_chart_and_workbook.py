"""The agreement page's inline SVG chart (Landis–Koch bands, no script) and the
workbook's summary with intervals, as a reader and a printer get them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from openpyxl import load_workbook

from qualcode.domain.statistics.bands import LANDIS_KOCH
from tests.conftest import Cli

SVG = "{http://www.w3.org/2000/svg}"
ARGS = ("--coders", "anna", "bo", "--code", "continuity", "accessibility")


def chart(page: str) -> ET.Element:
    (found,) = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    return ET.fromstring(found)


def test_page_chart_has_bands_a_row_per_code_and_no_script(demo_path: Path, run: Cli) -> None:
    page = run("agreement", demo_path, *ARGS, "--format", "html").stdout
    assert "<script" not in page.lower()
    svg = chart(page)
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert {band.label for band in LANDIS_KOCH.bands} <= set(texts)
    report_codes = re.findall(r"<tr><td>([^<]+)</td><td>anna–bo</td>", page)
    assert report_codes
    for code in report_codes:  # every code has its row, named in full on hover
        assert any(code == "".join(t.itertext()) for t in svg.iter(f"{SVG}title"))
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 2 * len(report_codes)  # kappa anna–bo and alpha per code
    # a code nobody applied is 0/0: drawn hollow and marked
    hollow = [r for r in bars if r.get("fill") == "none"]
    assert hollow
    assert all("*" in "".join(r.itertext()) for r in hollow)


def test_intervals_draw_whiskers(demo_path: Path, run: Cli) -> None:
    plain = chart(run("agreement", demo_path, *ARGS, "--format", "html").stdout)
    page = run(
        "agreement", demo_path, *ARGS, "--ci", "95", "--bootstrap", "200", "--format", "html"
    )
    with_ci = chart(page.stdout)
    whiskers = len(list(with_ci.iter(f"{SVG}line"))) - len(list(plain.iter(f"{SVG}line")))
    codes = len(re.findall(r"<tr><td>([^<]+)</td><td>anna–bo</td>", page.stdout))
    undefined = sum(1 for r in with_ci.iter(f"{SVG}rect") if r.get("fill") == "none")
    assert whiskers == 2 * codes - undefined  # every defined bar has its interval


def test_workbook_summary_with_intervals_prints_as_a_report(
    demo_path: Path, run: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "agreement.xlsx"
    run("agreement", demo_path, *ARGS, "--ci", "95", "--bootstrap", "200", "-o", out)
    sheet = load_workbook(out)["summary"]
    headers = [cell.value for cell in sheet[1]]
    for name in ("kappa 95% CI low", "kappa 95% CI high", "alpha 95% CI low", "verdict"):
        assert name in headers
    low = headers.index("alpha 95% CI low") + 1
    cells = [sheet.cell(row, low) for row in range(2, sheet.max_row + 1)]
    assert {cell.number_format for cell in cells if cell.value is not None} == {"0.000"}
    flags = {sheet.cell(row, headers.index("kappa undefined") + 1).value for row in range(2, 5)}
    assert flags <= {"yes", "no"}
    verdicts = {sheet.cell(row, headers.index("verdict") + 1).value for row in range(2, 9)}
    assert verdicts <= {"reliable", "tentative", "not reliable", None}
    assert sheet.freeze_panes is not None
    assert sheet.page_setup.orientation == "landscape"
    assert "scott pi (pooled)" in headers  # every statistic's pooled value
    assert "scott pi undefined" not in headers  # its flag is on the all rows sheet
