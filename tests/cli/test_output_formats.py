"""Every command with -o takes its format from the file's suffix (one registry,
qualcode.exporters.formats), and a suffix that names another format than --format, or a
format the command cannot write, is one line with nothing written."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli


def _is_xlsx(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return "xl/workbook.xml" in archive.namelist()


def _is_csv_with(path: Path, first: str) -> bool:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0][0] == first


def _is_json(path: Path) -> bool:
    json.loads(path.read_text(encoding="utf-8"))
    return True


# (command words after PROJECT, file name, check of the written file)
INFERRED = [
    (["agreement", "--coders", "anna", "bo"], "agreement.xlsx", _is_xlsx),  # was a text table
    (["agreement", "--coders", "anna", "bo"], "agreement.json", _is_json),
    (["codings"], "codings.csv", lambda p: _is_csv_with(p, "id")),  # was a text table
    (["codings"], "codings.xlsx", _is_xlsx),
    (["findings"], "findings.xlsx", _is_xlsx),
    (["memos", "--all"], "memos.csv", lambda p: _is_csv_with(p, "id")),
    (["matrix"], "matrix.xlsx", _is_xlsx),
    (["cooccurrence"], "co.json", _is_json),
    (["codebook", "export"], "codebook.yml", lambda p: "codes:" in p.read_text("utf-8")),
    # .txt is the plain table's suffix
    (
        ["agreement", "--coders", "anna", "bo"],
        "agreement.txt",
        lambda p: p.read_text("utf-8").startswith("Agreement of anna, bo"),
    ),
    (["memos", "--all"], "memos.TXT", lambda p: p.read_text("utf-8").startswith("id")),
    # no suffix, but --format names the format
    (["codings", "--format", "json"], "codings", _is_json),
]


@pytest.mark.parametrize(
    ("words", "name", "check"),
    INFERRED,
    ids=[f"{w[0]}-{n}" for w, _, n in [(w, c, n) for w, n, c in INFERRED]],
)
def test_the_suffix_names_the_format(
    run: Cli, demo_path: Path, tmp_path: Path, words: list[str], name: str, check: object
) -> None:
    target = tmp_path / name
    if words[0] == "codebook":
        run("codebook", demo_path, "export", "-o", target)
    else:
        run(words[0], demo_path, *words[1:], "-o", target)
    assert callable(check)
    assert check(target)


# (command words after PROJECT, -o file, words the one-line error holds)
REFUSED = [
    (
        ["codings", "--format", "json"],
        "codings.csv",
        "the file name says csv but the format chosen is json",
    ),
    (["codings"], "codings.docx", "this command writes table, csv, json, xlsx, not Word document"),
    (["memos"], "memos.docx", "this command writes table, json, csv, not Word document"),
    (
        ["matrix", "--format", "md"],
        "matrix.html",
        "the file name says html but the format chosen is md",
    ),
    (["report", "--code", "openness"], "report.xlsx", "writes md, html, docx"),
    (["export"], "project.yaml", "writes qdpx, qdc"),
    # a suffix no format has, or none: refused alike by every command with -o
    (
        ["agreement", "--coders", "anna", "bo"],
        "r.table",
        "no format has the suffix .table: this command writes .txt (table), .json, .csv, .xlsx, "
        ".html/.htm",
    ),
    # --format does not make an unknown suffix right
    (
        ["agreement", "--coders", "anna", "bo", "--format", "json"],
        "r.jsno",
        "no format has the suffix .jsno: this command writes .txt (table), .json",
    ),
    (
        ["codings"],
        "codings",
        "the file has no suffix to name its format: this command writes .txt (table), .csv",
    ),
    (["memos"], "memos.table", "no format has the suffix .table: this command writes .txt"),
    (["matrix"], "matrix.tab", "no format has the suffix .tab: this command writes .xlsx, .csv"),
    (["cooccurrence"], "co", "no suffix to name its format: this command writes .xlsx"),
    (["findings"], "findings.table", "this command writes .md/.markdown, .html/.htm, .docx"),
    (["report", "--code", "openness"], "report", "this command writes .md/.markdown"),
    (["codebook", "export"], "codebook.txt", "writes yaml, not plain-text table"),
    (["codebook", "export"], "codebook", "no suffix to name its format: this command writes .yaml"),
    (["export"], "project", "no suffix to name its format: this command writes .qdpx, .qdc"),
]


@pytest.mark.parametrize(
    ("words", "name", "message"), REFUSED, ids=[f"{' '.join(w[:2])}-{n}" for w, n, _ in REFUSED]
)
def test_a_suffix_that_disagrees_is_one_line_and_writes_nothing(
    run: Cli, demo_path: Path, tmp_path: Path, words: list[str], name: str, message: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / name
    result = run(words[0], demo_path, *words[1:], "-o", target, expect=1)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {target}: ")
    assert message in result.stderr
    assert list(folder.iterdir()) == []


def test_the_workspace_export_refuses_a_suffix_that_disagrees(
    demo_path: Path, tmp_path: Path
) -> None:
    from qualcode.domain.errors import InputError
    from qualcode.domain.matrices import Measure
    from qualcode.services.matrices import MatrixRequest
    from qualcode.services.project import open_project
    from qualcode.tui.matrix_files import EXPORT_FORMATS, MatrixExport, write_export

    assert set(EXPORT_FORMATS) == {"xlsx", "csv", "html", "md", "json"}
    target = tmp_path / "matrix.xlsx"
    project = open_project(demo_path)
    try:
        request = MatrixRequest(rows="cases", columns="themes")
        with pytest.raises(
            InputError, match="the file name says xlsx but the format chosen is csv"
        ):
            write_export(project, request, Measure.REFERENCES, MatrixExport(target, "csv", False))
        assert not target.exists()
        written = write_export(
            project, request, Measure.REFERENCES, MatrixExport(target, "xlsx", False)
        )
        assert _is_xlsx(written)
    finally:
        project.close()
