"""On the demo project: every format agrees, and the numbers equal the brute-force
per-character computation from the codings, texts and cases as the other commands list
them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.domain.matrices import NUMERIC_MEASURES, Matrix, Measure
from qualcode.exporters.matrix_xlsx import measure_sheet
from qualcode.services.cases import list_cases
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.matrices import MatrixRequest, build_matrix
from qualcode.services.project import Project, open_project
from qualcode.services.transcripts import get_transcript, list_transcripts
from tests.conftest import Cli
from tests.matrices.brute_force import BruteRow, brute_matrix
from tests.matrices.test_formats import same_table


@pytest.fixture(scope="module")
def demo(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Project, Path]]:
    path = tmp_path_factory.mktemp("demo") / "demo.qualcode"
    shutil.copyfile(demo_template, path)  # the session's demo, built once
    project = open_project(path)
    yield project, path
    project.close()


def brute_force_cases_by_themes(
    project: Project, matrix: Matrix
) -> dict[tuple[int, int, int], dict[str, int | float | None]]:
    names = [t.name for t in list_transcripts(project)]
    tid = {name: i for i, name in enumerate(names)}
    texts = {tid[name]: get_transcript(project, name).text for name in names}
    cases = list_cases(project)
    case_spans: dict[int, dict[int, list[tuple[int, int]]]] = {}
    for number, case in enumerate(cases):
        for a in case.assignments:
            case_spans.setdefault(number, {}).setdefault(tid[a.transcript], []).append(
                (a.start, a.end)
            )
        case_spans.setdefault(number, {})
    codes = {c.path: i for i, c in enumerate(list_codes(project))}
    coders = {"anna": 1, "bo": 2}
    codings = [
        (tid[c.transcript], codes[c.code_path], coders[c.coder], c.start, c.end)
        for c in list_codings(project)
    ]
    themes = [path for path in codes if "/" not in path]
    columns = [
        frozenset(i for path, i in codes.items() if path == t or path.startswith(t + "/"))
        for t in themes
    ]
    assert tuple(themes) == matrix.columns
    assert tuple(c.name for c in cases) == matrix.rows
    rows = [BruteRow(case_spans[n], frozenset({n})) for n in range(len(cases))]
    return brute_matrix(texts, case_spans, codings, rows, columns, [frozenset({1, 2})])


def test_demo_matrix_equals_brute_force(demo: tuple[Project, Path]) -> None:
    project, _ = demo
    matrix = build_matrix(project, MatrixRequest())
    expected = brute_force_cases_by_themes(project, matrix)
    names = {
        "references": Measure.REFERENCES,
        "characters": Measure.CHARACTERS,
        "words": Measure.WORDS,
        "transcripts": Measure.TRANSCRIPTS,
        "cases": Measure.CASES,
        "presence": Measure.PRESENCE,
    }
    for (group, row, column), values in expected.items():
        for name, measure in names.items():
            assert matrix.value(measure, group, row, column) == values[name], (name, row, column)
        coverage = values["coverage"]
        assert matrix.value(Measure.COVERAGE, group, row, column) == (
            None if coverage is None else round(float(coverage), 2)
        )
    total = matrix.value(Measure.REFERENCES, 0, len(matrix.rows), len(matrix.columns))
    assert isinstance(total, int)
    assert total > 50


def numbers(text: str) -> list[list[object]]:
    def parse(value: str) -> object:
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
        return None if value == "" else value

    return [[parse(v) for v in row] for row in csv.reader(io.StringIO(text))]


def test_every_format_agrees_on_the_demo(
    demo: tuple[Project, Path], run: Cli, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    _, path = demo
    document = json.loads(run("matrix", path, "--format", "json").stdout)
    workbook_path = tmp_path / "demo.xlsx"
    run("matrix", path, "-o", workbook_path)
    workbook = load_workbook(workbook_path)
    html = run("matrix", path, "--format", "html").stdout
    for measure in NUMERIC_MEASURES:
        wide = numbers(
            run(
                "matrix", path, "--measure", measure.value, "--format", "csv", "--full-precision"
            ).stdout
        )  # fmt: skip
        block = document["measures"][measure.value]["blocks"][0]
        body = [
            line[1 : 1 + len(document["columns"])] for line in wide[1 : 1 + len(document["rows"])]
        ]
        assert body == block["cells"], measure
        sheet = [list(r) for r in workbook[measure_sheet(measure)].iter_rows(values_only=True)]
        # the workbook's corner header names a percentage's unit: "case (row %)"
        assert sheet[0][0].startswith(wide[0][0]), measure
        assert same_table([sheet[0][1:], *sheet[1:]], [wide[0][1:], *wide[1:]])
        markdown = run("matrix", path, "--measure", measure.value).stdout
        table = [
            [cell.strip() for cell in line.strip("|").split("|")]
            for line in markdown.splitlines()
            if line.startswith("| ")
        ]
        shown = [  # Markdown shows percentages with one decimal, as the workbook
            [round(v, 1) if isinstance(v, float) else v for v in line] for line in wide
        ]
        assert numbers("\n".join(",".join(r) for r in table)) == shown
    for row in document["rows"]:
        assert f'<th scope="row">{row}</th>' in html
    assert len(document["passages"]) == document["measures"]["references"]["blocks"][0]["total"]


def test_demo_report_and_cooccurrence(demo: tuple[Project, Path], run: Cli, tmp_path: Path) -> None:
    _, path = demo
    report = run("report", path, "--code", "continuity").stdout
    matrix = json.loads(run("matrix", path, "--format", "json", "--measure", "references").stdout)
    column = matrix["columns"].index("continuity")
    total = matrix["measures"]["references"]["blocks"][0]["column_totals"][column]
    assert report.count("\n> — ") == total  # every case's passages (nothing outside cases)
    assert "## Family 03" in report
    assert "*child_age_group: 6-11 · cost_level: high" in report
    run("report", path, "--code", "openness", "-o", tmp_path / "openness.docx")
    run("report", path, "--code", "openness", "-o", tmp_path / "openness.html")
    assert (tmp_path / "openness.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    co = json.loads(run("cooccurrence", path, "--cols", "themes", "--format", "json").stdout)
    counts = co["blocks"][0]["count"]
    by_transcript = run(
        "matrix", path, "--rows", "transcripts", "--format", "json", "--measure", "references"
    ).stdout
    refs = json.loads(by_transcript)["measures"]["references"]["blocks"][0]["column_totals"]
    assert [counts[i][i] for i in range(len(refs))] == refs  # diagonal = references
    assert all(counts[i][j] == counts[j][i] for i in range(4) for j in range(4))
