"""Exported workbooks read and print as report tables; CSV numbers are rounded as they
are shown; HTML pages say what they are and in which language.

Every workbook of the demo (matrix with passages, co-occurrence, agreement) is read
back with openpyxl and checked sheet by sheet: widths, wrapping and row heights,
number formats, fonts, freezing, print setup, no formulas, one heat scale."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qualcode.domain.document_info import main_language, project_label
from qualcode.exporters.csv_numbers import full_precision, rounded
from qualcode.exporters.xlsx_style import (
    FONT_NAME,
    LINE_POINTS,
    LONG_TEXT_WIDTH,
    MAX_ROW_POINTS,
    ROW_LINES,
    rows_of_parts,
    wrapped_lines,
)
from tests.conftest import Cli

EXPORTS = {
    # name -> command after PROJECT
    "matrix": ["matrix", "--measure", "all,passages"],
    "cooccurrence": ["cooccurrence", "--measure", "both"],
    "agreement": ["agreement", "--coders", "anna", "bo"],
    "findings": ["findings", "--by", "attribute:child_age_group"],
    "codings": ["codings"],
}
PAGES = ("matrix", "cooccurrence", "agreement", "findings")
"""The exports that are also written as HTML pages."""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """Every workbook and page of the demo, exported once for the module."""
    from tests.conftest import Cli

    run = Cli()
    folder = tmp_path_factory.mktemp("exports")
    project = shutil.copyfile(demo_template, folder / "demo.qualcode")  # the template stays
    for name, arguments in EXPORTS.items():
        for suffix in ("xlsx", "html") if name in PAGES else ("xlsx",):
            run(arguments[0], project, *arguments[1:], "-o", folder / f"{name}.{suffix}")
    return folder


def sheets(exported: Path) -> Iterator[tuple[str, Any]]:
    for name in EXPORTS:
        for sheet in load_workbook(exported / f"{name}.xlsx").worksheets:
            yield f"{name}/{sheet.title}", sheet


def test_sheet_names_say_what_they_hold(exported: Path) -> None:
    names = {name: load_workbook(exported / f"{name}.xlsx").sheetnames for name in EXPORTS}
    assert names["matrix"] == [
        *("references", "words", "characters", "coverage %", "presence", "transcripts"),
        *("cases", "row %", "column %", "framework", "passages", "about"),
    ]
    assert names["cooccurrence"] == ["co-occurrence counts", "co-occurrence coefficients", "about"]
    assert names["agreement"] == ["summary", "all rows", "notes"]
    assert names["findings"] == ["themes", "quotes", "negative cases", "about"]
    assert names["codings"] == ["codings"]
    # every printed page is headed by what its sheet holds
    matrix = load_workbook(exported / "matrix.xlsx")
    assert matrix["column %"].oddHeader.center.text.startswith("cases × themes: column %")
    assert matrix["framework"].oddHeader.center.text.startswith("Framework matrix, cases × themes")
    summary = load_workbook(exported / "agreement.xlsx")["summary"]
    assert summary.oddHeader.center.text.startswith("Agreement of anna, bo")


def test_every_sheet_is_laid_out_for_reading_and_printing(exported: Path) -> None:
    for where, sheet in sheets(exported):
        # print setup: landscape, one page wide, header row on every page, footer
        assert sheet.page_setup.orientation == "landscape", where
        assert sheet.page_setup.fitToWidth == 1, where
        assert sheet.page_setup.fitToHeight == 0, where
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, where
        assert sheet.print_title_rows == "$1:$1", where
        assert sheet.oddFooter.left.text == "demo.qualcode", where
        assert re.fullmatch(r"exported \d{4}-\d\d-\d\d", sheet.oddFooter.right.text), where
        assert sheet.freeze_panes is not None, where
        assert sheet.freeze_panes.endswith("2"), where
        # every used column has a width, none wider than the cap
        for index in range(1, sheet.max_column + 1):
            letter = sheet.cell(1, index).column_letter
            width = sheet.column_dimensions[letter].width
            assert width is not None, (where, letter)
            assert 4 <= width <= LONG_TEXT_WIDTH, (where, letter, width)
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.font.name == FONT_NAME, (where, cell.coordinate)
                assert cell.data_type != "f", (where, cell.coordinate)  # no formulas
                assert not isinstance(cell.value, bool), (where, cell.coordinate)
        assert all(cell.font.b for cell in sheet[1]), where


def test_wrapped_text_gets_rows_tall_enough(exported: Path) -> None:
    """A lower bound independent of how the exporter counts lines: no font fits more
    than 1.5 characters per unit of column width, and each line break starts a line."""
    checked = 0
    for where, sheet in sheets(exported):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if not isinstance(cell.value, str) or not cell.value:
                    continue
                assert cell.alignment.wrap_text, (where, cell.coordinate)
                width = sheet.column_dimensions[cell.column_letter].width
                lines = sum(
                    max(1, math.ceil(len(part) / (width * 1.5))) for part in cell.value.split("\n")
                )
                if lines < 2:
                    continue
                height = sheet.row_dimensions[cell.row].height
                needed = min(409.0, lines * LINE_POINTS)
                assert height is not None, (where, cell.coordinate)
                assert height >= needed, (where, cell.coordinate)
                checked += 1
    assert checked > 50  # the passages and framework sheets hold many long cells


def number_formats(sheet: Any, header: str) -> set[str]:
    column = [c.value for c in sheet[1]].index(header) + 1
    return {
        cell.number_format
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column)
        if isinstance(cell.value, int | float)
    }


@pytest.mark.parametrize(
    ("workbook", "sheet", "header", "expected"),
    [
        ("matrix", "references", "continuity", {"0"}),  # counts
        ("matrix", "coverage %", "continuity", {"0.0"}),  # percentages
        ("matrix", "row %", "Total", {"0.0"}),  # a percentage total
        ("matrix", "passages", "start", {"0"}),  # offsets
        ("cooccurrence", "co-occurrence counts", "continuity", {"0"}),
        ("cooccurrence", "co-occurrence coefficients", "continuity", {"0.000"}),
        ("agreement", "summary", "kappa (pooled)", {"0.000"}),  # coefficient
        ("agreement", "summary", "agreement % (pooled)", {"0.0"}),  # percentage
        ("agreement", "summary", "kappa (mean): transcripts undefined", {"0"}),
        ("agreement", "all rows", "krippendorff_alpha", {"0.000"}),
    ],
    ids=[
        "refs",
        "coverage",
        "pct-total",
        "offsets",
        "co-count",
        "co-coef",
        "kappa",
        "agree-pct",
        "undefined-count",
        "alpha-rows",
    ],
)
def test_numbers_carry_their_measures_format(
    exported: Path, workbook: str, sheet: str, header: str, expected: set[str]
) -> None:
    assert number_formats(load_workbook(exported / f"{workbook}.xlsx")[sheet], header) == expected


def test_percent_sheets_name_their_unit_and_flags_read_yes_no(exported: Path) -> None:
    matrix = load_workbook(exported / "matrix.xlsx")
    assert matrix["coverage %"]["A1"].value == "case (coverage %)"
    assert matrix["row %"]["A1"].value == "case (row %)"
    assert matrix["references"]["A1"].value == "case"
    # the column-% sheet ends with the counts its percentages divide by: whole numbers
    last = list(matrix["column %"].iter_rows())[-1]
    assert last[0].value == "references (denominator)"
    assert {c.number_format for c in last[1:]} == {"0"}
    summary = load_workbook(exported / "agreement.xlsx")["summary"]
    column = [c.value for c in summary[1]].index("kappa undefined") + 1
    flags = {row[0] for row in summary.iter_rows(min_row=2, min_col=column, max_col=column,
                                                   values_only=True)}  # fmt: skip
    assert flags <= {"yes", "no"}
    assert flags


def html_heat(page: str) -> dict[float, str]:
    """Value -> fill of the page's first table, blended over white here (not by the
    exporter's function)."""
    table = page[page.index("<table>") : page.index("</table>")]
    found: dict[float, str] = {}
    for alpha, value in re.findall(
        r'rgba\(248, 105, 107, ([\d.]+)\)">(?:<details><summary>)?([\d.]+)', table
    ):
        a = float(alpha)
        found[float(value)] = "".join(f"{round(255 + (c - 255) * a):02X}" for c in (248, 105, 107))
    return found


def test_one_heat_scale_for_the_whole_table_as_on_the_page(exported: Path) -> None:
    sheet = load_workbook(exported / "matrix.xlsx")["references"]
    fills: dict[float, set[str]] = {}
    columns: dict[float, set[int]] = {}
    body = [row for row in sheet.iter_rows(min_row=2) if row[0].value != "Total"]
    for row in body:
        for cell in row[1:-1]:  # not the Total column
            if isinstance(cell.value, int) and cell.value > 0:
                fills.setdefault(cell.value, set()).add(cell.fill.fgColor.rgb[-6:])
                columns.setdefault(cell.value, set()).add(cell.column)
    # the same value has the same fill wherever it stands ...
    assert all(len(found) == 1 for found in fills.values()), fills
    assert any(len(found) > 1 for found in columns.values())  # (values recur across columns)
    # ... and the page colours it the same
    page = html_heat((exported / "matrix.html").read_text(encoding="utf-8"))
    assert page
    assert {v: {page[v]} for v in fills} == fills


def test_agreement_csv_rounds_as_shown_and_full_precision_keeps_json(
    demo_path: Path, run: Cli
) -> None:
    base: list[str | Path] = ["agreement", demo_path, "--coders", "anna", "bo", "--format"]
    report = json.loads(run(*base, "json").stdout)
    shown = list(csv.DictReader(io.StringIO(run(*base, "csv").stdout)))
    full = list(csv.DictReader(io.StringIO(run(*base, "csv", "--full-precision").stdout)))
    assert len(shown) == len(full)
    for column, places in (("kappa", 3), ("krippendorff_alpha", 3), ("percent_agreement", 1)):
        values = [row[column] for row in shown if row[column]]
        assert values, column
        assert all(len(v.partition(".")[2]) <= places for v in values), column
        for short, long in zip(shown, full, strict=True):
            if long[column]:
                assert float(short[column]) == round(float(long[column]), places)
    first = next(r for r in full if r["level"] == "pooled")
    pooled = report["per_code"][first["code"]]["pooled"]["pairs"][0]
    assert float(first["kappa"]) == pooled["kappa"]
    assert float(first["percent_agreement"]) == pooled["percent_agreement"]
    assert any(len(r["kappa"].partition(".")[2]) > 3 for r in full)


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
       st.integers(0, 4))  # fmt: skip
def test_rounding_moves_a_number_by_at_most_half_a_last_place(value: float, places: int) -> None:
    found = rounded(value, places)
    assert isinstance(found, float)
    assert abs(found - value) <= 0.5 * 10**-places + 1e-9
    with full_precision():
        assert rounded(value, places) == value


def test_pages_are_titled_and_in_the_projects_language(exported: Path, run: Cli) -> None:
    listed = json.loads(run("transcripts", exported / "demo.qualcode", "--format", "json").stdout)
    counts: Counter[str] = Counter()
    for transcript in listed:  # the language most of the text is in (ties: alphabetical)
        if transcript["language"]:
            counts[transcript["language"]] += transcript["characters"]
    top = max(counts.values())
    language = min(lang for lang, n in counts.items() if n == top)
    titles = {
        "matrix": "Matrix: cases × themes — demo.qualcode",
        "cooccurrence": "Co-occurrence: codes — demo.qualcode",
        "agreement": "Agreement: anna, bo — demo.qualcode",
    }
    for name, title in titles.items():
        page = (exported / f"{name}.html").read_text(encoding="utf-8")
        assert f"<title>{title}</title>" in page, name
        assert f'<html lang="{language}">' in page, name


def test_agreement_page_shows_the_undefined_counts(demo_path: Path, run: Cli) -> None:
    base: list[str | Path] = ["agreement", demo_path, "--coders", "anna", "bo", "--format"]
    report = json.loads(run(*base, "json").stdout)
    page = run(*base, "html").stdout
    table = page[page.index("Per code and pair") :]
    table = table[: table.index("</table>")]
    assert "<th>undef.</th>" in table
    for code, found in report["per_code"].items():
        mean = found["mean"]
        expected = f"{mean['pairs'][0]['kappa_undefined_transcripts']}/{mean['transcripts']}"
        row = next(r for r in table.split("<tr>") if f"<td>{code}</td>" in r)
        assert f">{expected}</td>" in row, code
    assert "undef.: transcripts whose kappa was undefined" in page


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        ([("da", 10), ("da", 10), ("en", 15)], "da"),  # most of the text
        ([("da", 10), ("en", 30)], "en"),  # one long English transcript outweighs
        ([("en", 5), (None, 90), (None, 90)], "en"),  # unknown ones do not count
        ([(None, 10)], "en"),  # nothing known: the default
        ([], "en"),  # no transcripts
        ([("en", 7), ("da", 7)], "da"),  # a tie: alphabetically first, so pages do not flip
    ],
    ids=["most-text", "weighted", "unknown", "none-known", "empty", "tie"],
)
def test_main_language(languages: list[tuple[str | None, int]], expected: str) -> None:
    assert main_language(languages) == expected


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/home/r/demo.qualcode", "demo.qualcode"),  # a file
        ("C:\\study\\demo.qualcode", "demo.qualcode"),  # a Windows path
        ("postgresql://u:secret@host/study?sslmode=require", "study"),  # no password
        ("postgresql://u:secret@host", "host"),  # no database name: still no password
        ("/home/r/study.qualcode/", "study.qualcode"),  # a trailing slash
    ],
    ids=["file", "windows", "url", "url-no-name", "trailing-slash"],
)
def test_project_label(location: str, expected: str) -> None:
    assert project_label(location) == expected


def test_a_table_wider_than_a_page_turns_its_number_headers_upright(exported: Path) -> None:
    wide = load_workbook(exported / "cooccurrence.xlsx")["co-occurrence counts"]
    header = wide[1]
    assert header[0].alignment.text_rotation in (0, None)  # the label column reads across
    assert all(cell.alignment.text_rotation == 90 for cell in header[1:])
    assert all(wide.column_dimensions[c.column_letter].width <= 8 for c in header[1:])
    narrow = load_workbook(exported / "matrix.xlsx")["references"]  # fits: headers across
    assert all(cell.alignment.text_rotation in (0, None) for cell in narrow[1])


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="ab \n", max_size=300), st.floats(min_value=3, max_value=80))
def test_line_count_matches_word_wrapping(text: str, width: float) -> None:
    """The row-height estimate counts lines as :mod:`textwrap` wraps words, paragraph by
    paragraph, at the same characters per line (a paragraph's leading spaces, which
    textwrap keeps on its first line, are not counted). A word longer than a line starts
    a line of its own (as a spreadsheet breaks it), where textwrap fills the line before
    it first: then the estimate may be higher, never lower (no text is cut)."""
    per_line = max(1, int(width * 1.2) - 2)
    expected = sum(
        max(1, len(textwrap.wrap(part.lstrip(" "), per_line, break_on_hyphens=False)))
        for part in text.split("\n")
    )
    found = wrapped_lines(text, width)
    if all(len(word) <= per_line for word in text.split()):
        assert found == expected
    else:
        assert found >= expected


def test_findings_workbook_counts_are_the_matrix_presence_counts(exported: Path, run: Cli) -> None:
    """The themes sheet's counts, recomputed from `qualcode matrix --format json`
    (presence per case × theme, and the cases measure per attribute value)."""
    project = exported / "demo.qualcode"
    matrix = json.loads(run("matrix", project, "--measure", "presence", "--format", "json").stdout)
    presence = matrix["measures"]["presence"]["blocks"][0]
    by_value = json.loads(
        run(
            "matrix", project, "--rows", "attribute:child_age_group", "--measure", "cases",
            "--format", "json",
        ).stdout
    )  # fmt: skip
    cases = by_value["measures"]["cases"]["blocks"][0]["cells"]
    sheet = load_workbook(exported / "findings.xlsx")["themes"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    themes = [row for row in rows if not str(row[0]).startswith(" ")]
    assert [row[0] for row in themes] == matrix["columns"]
    m = len(matrix["rows"])
    assert [(row[2], row[3]) for row in themes] == [(n, m) for n in presence["column_totals"]]
    values = [str(h).rsplit(" (of\u00a0", 1)[0] for h in header[4:]]
    assert set(values) <= {*by_value["rows"], "(no value)"}
    listed = json.loads(run("cases", project, "--format", "json").stdout)
    having = Counter(c["attributes"].get("child_age_group", "(no value)") for c in listed)
    assert [str(h).rsplit("\u00a0", 1)[1] for h in header[4:]] == [f"{having[v]})" for v in values]
    for column, theme in enumerate(themes):
        for position, value in enumerate(values):
            if value in by_value["rows"]:
                assert theme[4 + position] == cases[by_value["rows"].index(value)][column]
    # sub-codes are indented under their theme and never bold; themes are bold
    bold = {row[0].value: row[0].font.b for row in sheet.iter_rows(min_row=2)}
    assert all(bold[t[0]] for t in themes)
    assert any(name.startswith("    ") and not b for name, b in bold.items())


def test_codings_workbook_holds_every_coding_as_the_csv(exported: Path, run: Cli) -> None:
    listed = list(csv.reader(io.StringIO(run("codings", exported / "demo.qualcode",
                                             "--format", "csv").stdout)))  # fmt: skip
    sheet = load_workbook(exported / "codings.xlsx")["codings"]
    found = list(sheet.iter_rows(values_only=True))
    assert [list(found[0])] == listed[:1]
    assert len(found) == len(listed)
    assert [str(row[0]) for row in found[1:]] == [row[0] for row in listed[1:]]
    assert number_formats(sheet, "start") == {"0"}
    text = [c.value for c in sheet[1]].index("text") + 1
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert widths[text - 1] == max(widths)  # the coded text has the most room
    assert sheet.freeze_panes == "D2"  # id, transcript and code stay in view


def test_framework_cells_taller_than_a_row_continue_on_the_next(exported: Path, run: Cli) -> None:
    """Every case × theme cell of the framework sheet, its continuation rows joined,
    is the framework cell of the wide CSV; and no cell of more than one passage is
    taller than the tallest row, even at the generous 1.5 characters per width unit."""
    text = run("matrix", exported / "demo.qualcode", "--measure", "passages", "--format", "csv")
    wide = list(csv.reader(io.StringIO(text.stdout)))
    expected = {line[0]: line[1:] for line in wide[1:-1]}
    sheet = load_workbook(exported / "matrix.xlsx")["framework"]
    found: dict[str, list[list[str]]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        label = str(row[0]).removesuffix(" (continued)")
        found.setdefault(label, []).append([str(v or "") for v in row[1:]])
    assert set(found) == set(expected)
    assert any(len(rows) > 1 for rows in found.values())  # the demo has such cases
    for label, rows in found.items():
        for column, whole in enumerate(expected[label][: len(rows[0])]):
            pieces = [r[column] for r in rows if r[column]]
            assert "\n\n".join(pieces) == whole, (label, column)
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for cell, width in zip(row[1:], widths[1:], strict=True):
            value = str(cell.value or "")
            least = sum(max(1, math.ceil(len(p) / (width * 1.5))) for p in value.split("\n"))
            assert least * LINE_POINTS <= MAX_ROW_POINTS or "\n\n[" not in value, cell.coordinate


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab \n", max_size=400), max_size=12), st.floats(8, 60))
def test_parts_are_split_into_rows_that_fit(parts: list[str], width: float) -> None:
    cells = rows_of_parts(parts, width)
    assert "\n\n".join(cells) == "\n\n".join(parts)  # every part, once, in order
    for cell in cells:
        assert wrapped_lines(cell, width) <= ROW_LINES or cell in parts
