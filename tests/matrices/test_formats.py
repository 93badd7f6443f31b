"""Every output format of the fixture project, through the CLI, against golden files in
tests/matrices/golden/ (LF pinned by .gitattributes). Rewrite them after an intended change
with QUALCODE_UPDATE_GOLDEN=1. XLSX and DOCX are read back and compared by content."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from pathlib import Path

import pytest

from qualcode.domain.matrices import COUNTING_RULES, NUMERIC_MEASURES, Measure
from qualcode.exporters.matrix_xlsx import measure_sheet
from tests.conftest import Cli
from tests.matrices.fixture import SUMMARY, build_fixture

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("QUALCODE_UPDATE_GOLDEN") == "1"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

# golden file -> the command's arguments after PROJECT
CASES = {
    "matrix-references.csv": ["matrix", "--format", "csv"],
    "matrix-coverage-transcripts.csv": [
        "matrix", "--rows", "transcripts", "--measure", "coverage", "--format", "csv",
    ],
    "matrix-row-pct-separate.csv": [
        "matrix", "--measure", "row-pct", "--separate-coders", "--format", "csv",
    ],
    "matrix-col-pct.csv": ["matrix", "--measure", "col-pct", "--format", "csv"],
    "matrix-passages.csv": ["matrix", "--measure", "passages", "--format", "csv"],
    "matrix-long.csv": ["matrix", "--long"],
    "matrix-crossed.md": [
        "matrix", "--rows", "attribute:group,attribute:years", "--measure", "references,words",
    ],
    "matrix.md": ["matrix", "--measure", "all", "--format", "md"],
    "matrix.html": ["matrix", "--format", "html"],
    "matrix.json": ["matrix", "--format", "json"],
    "cooccurrence.csv": ["cooccurrence", "--format", "csv"],
    "cooccurrence-coefficient.csv": [
        "cooccurrence", "--measure", "coefficient", "--format", "csv",
    ],
    "cooccurrence.md": ["cooccurrence", "--cols", "themes", "--separate-coders"],
    "cooccurrence.json": ["cooccurrence", "--format", "json"],
    "cooccurrence.html": ["cooccurrence", "--format", "html"],
    "report.md": ["report", "--code", "T"],
    "report.html": ["report", "--code", "T", "--format", "html"],
}  # fmt: skip


@pytest.fixture(scope="module")
def project_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    build_fixture(folder).close()
    return folder / "fixture.qualcode"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {name}: run with QUALCODE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(CASES))
def test_golden(name: str, project_file: Path, run: Cli) -> None:
    output = run(*CASES[name][:1], project_file, *CASES[name][1:]).stdout
    check_golden(name, TIMESTAMP.sub("<time>", output))


def same_table(found: list[list[object]], expected: list[list[object]]) -> bool:
    """Equal, numbers to the 15 significant digits a spreadsheet keeps."""

    def same(a: object, b: object) -> bool:
        if isinstance(a, int | float) and isinstance(b, int | float):
            return math.isclose(a, b, rel_tol=1e-13)
        return a == b

    return len(found) == len(expected) and all(
        len(f) == len(e) and all(same(a, b) for a, b in zip(f, e, strict=True))
        for f, e in zip(found, expected, strict=True)
    )


def parse(value: str) -> object:
    """A CSV cell as the number it shows, or the text."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value if value != "" else None


def test_golden_files_are_all_used() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES)


def test_xlsx_cells_equal_the_csv(project_file: Path, run: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "matrix.xlsx"
    result = run("matrix", project_file, "-o", target, "--separate-coders")
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    workbook = load_workbook(target)
    names = [measure_sheet(m) for m in NUMERIC_MEASURES]
    assert workbook.sheetnames == [*names, "framework", "passages", "about"]
    for measure in NUMERIC_MEASURES:
        text = run(
            "matrix", project_file, "--separate-coders", "--measure", measure.value,
            "--format", "csv", "--full-precision",
        ).stdout  # fmt: skip
        expected = [[parse(v) for v in row] for row in csv.reader(io.StringIO(text))]
        sheet = workbook[measure_sheet(measure)]
        found = [list(row) for row in sheet.iter_rows(values_only=True)]
        # the corner header names a percentage's unit ("case (row %)")
        assert found[0][0].startswith(expected[0][0]), measure
        # a workbook keeps 15 significant digits, as spreadsheets compute with
        found_table, expected_table = [found[0][1:], *found[1:]], [expected[0][1:], *expected[1:]]
        assert same_table(found_table, expected_table), measure
        assert sheet.freeze_panes == "B2"
        filled = [c for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb != "00000000"]
        assert filled or measure is Measure.PRESENCE, "heat map missing"
    framework = [list(r) for r in workbook["framework"].iter_rows(values_only=True)]
    assert framework[0][:3] == ["case", "T [c1]", "U [c1]"]
    assert framework[2][1].startswith(f"Summary: {SUMMARY}")  # Case P × T
    passages = [list(r) for r in workbook["passages"].iter_rows(values_only=True)]
    assert passages[0][:4] == ["row", "column", "coders", "transcript"]
    assert ["Case P", "T", "c2", "focus-1", 53, 60, "P", "T/a", "c2", "epsilon"] in passages
    about = [r[1] for r in workbook["about"].iter_rows(values_only=True)]
    assert all(rule in about for rule in COUNTING_RULES)


def test_cooccurrence_xlsx(project_file: Path, run: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "co.xlsx"
    run("cooccurrence", project_file, "-o", target)
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["co-occurrence counts", "co-occurrence coefficients", "about"]
    for measure, sheet in (
        ("count", "co-occurrence counts"),
        ("coefficient", "co-occurrence coefficients"),
    ):
        text = run(
            "cooccurrence",
            project_file,
            "--measure",
            measure,
            "--format",
            "csv",
            "--full-precision",
        ).stdout
        expected = [[parse(v) for v in row] for row in csv.reader(io.StringIO(text))]
        found = [list(r) for r in workbook[sheet].iter_rows(values_only=True)]
        assert same_table(found, expected)


def test_docx_report_holds_every_passage(project_file: Path, run: Cli, tmp_path: Path) -> None:
    from docx import Document

    target = tmp_path / "report.docx"
    run("report", project_file, "--code", "T", "-o", target)
    paragraphs = [p.text for p in Document(str(target)).paragraphs]
    assert paragraphs[0] == "T"
    for heading in ("Case A", "Case P", "Case Q", "Outside any case"):
        assert heading in paragraphs
    for text in ("beta", "delta", "epsilon", "one two three\nR: four five-six seven"):
        assert text in paragraphs
    assert "group: parent · years: 3" in paragraphs
    assert f"Summary: {SUMMARY}" in paragraphs
    assert "— focus-1 53–60, P · T/a" in paragraphs


def test_formats_agree_on_every_number(project_file: Path, run: Cli) -> None:
    """JSON and CSV with --full-precision hold the same unrounded numbers."""
    document = json.loads(run("matrix", project_file, "--format", "json").stdout)
    long_text = run("matrix", project_file, "--long", "--full-precision").stdout
    long_rows = list(csv.DictReader(io.StringIO(long_text)))
    for measure in NUMERIC_MEASURES:
        text = run(
            "matrix", project_file, "--measure", measure.value, "--format", "csv",
            "--full-precision",
        ).stdout  # fmt: skip
        wide = list(csv.reader(io.StringIO(text)))
        block = document["measures"][measure.value]["blocks"][0]
        for r, row in enumerate(document["rows"]):
            line = wide[1 + r]
            assert line[0] == row
            for c, column in enumerate(document["columns"]):
                value = block["cells"][r][c]
                assert parse(line[1 + c]) == value
                match = [
                    x
                    for x in long_rows
                    if (x["row"], x["column"], x["measure"]) == (row, column, measure.value)
                ]
                assert len(match) == 1
                assert parse(match[0]["value"]) == value
            assert parse(line[1 + len(document["columns"])]) == block["row_totals"][r]
        assert [parse(v) for v in wide[1 + len(document["rows"])][1:3]] == block["column_totals"]
    assert Measure.PASSAGES.value not in document["measures"]
    assert len(document["passages"]) == document["measures"]["references"]["blocks"][0]["total"]


# (command after PROJECT, decimals of a rounded float in its CSV)
ROUNDED = [
    (["matrix", "--measure", "col-pct"], 1),  # percentages: one decimal, as the workbook
    (["matrix", "--measure", "coverage", "--rows", "transcripts"], 1),  # coverage %
    (["matrix", "--long"], 1),  # every measure, one column of values
    (["cooccurrence", "--measure", "coefficient"], 3),  # coefficients: three decimals
]


@pytest.mark.parametrize(
    ("words", "places"), ROUNDED, ids=["col-pct", "coverage", "long", "coefficient"]
)
def test_csv_rounds_once_and_full_precision_keeps_every_digit(
    project_file: Path, run: Cli, words: list[str], places: int
) -> None:
    def table(*extra: str) -> list[list[object]]:
        text = run(words[0], project_file, *words[1:], "--format", "csv", *extra).stdout
        return [[parse(v) for v in row] for row in csv.reader(io.StringIO(text))]

    shown, full = table(), table("--full-precision")
    assert len(shown) == len(full)
    floats = 0
    for short_row, long_row in zip(shown, full, strict=True):
        for short, long in zip(short_row, long_row, strict=True):
            if isinstance(long, float):
                floats += 1
                assert short == round(long, places)  # rounded from the unrounded value
            else:
                assert short == long  # counts and text untouched
    assert floats
    assert any(isinstance(v, float) and v != round(v, places) for row in full for v in row)
