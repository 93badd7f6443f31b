"""`qualcode findings` end to end: its numbers are the matrix engine's (recomputed through
`qualcode matrix --format json`), quotes spread across cases, Word structure read back
with python-docx, HTML escaping, Danish phrasing, one-line mistakes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qualcode.services.findings import FindingsRequest, build_findings
from qualcode.services.project import open_project
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli, write
from tests.storage.test_damaged_projects import invalid_utf8, truncate

HOSTILE = "<script>alert(1)</script>"

# Danish interview text: more than three Danish function words, so the project is Danish.
MOR_1 = (
    "Vi har haft den samme rådgiver i flere år, og det er rart. Hun kender os, og vi skal "
    "ikke forklare alting forfra hver gang. Men det er ikke altid nemt.\n"
)
MOR_2 = (
    "Det var svært i starten, og vi fik en ny sagsbehandler hvert halve år. Nu er det "
    "bedre, og jeg har tillid til hende.\n"
)
CODEBOOK = f"""\
name: lille
codes:
  - name: kontinuitet
    description: "{HOSTILE} samme mennesker over tid"
    children:
      - name: samme rådgiver
  - name: tilgængelighed
"""
CASES = """\
case,transcript,speaker,alder
Familie <b>1</b>,mor-1,,0-5
Familie 2,mor-2,,6-11
"""


@pytest.fixture
def danish(tmp_path: Path, run: Cli) -> Path:
    """Two Danish interviews, two cases (one named with markup), a theme with a hostile
    description coded in both and a theme coded in neither."""
    path = tmp_path / "lille.qualcode"
    run("init", path)
    run("import", path, write(tmp_path / "mor-1.txt", MOR_1), write(tmp_path / "mor-2.txt", MOR_2))
    run("codebook", path, "import", write(tmp_path / "lille.yaml", CODEBOOK))
    run("cases", path, "import", write(tmp_path / "cases.csv", CASES))
    first = MOR_1.index(" Men")
    run("code", path, "mor-1", "kontinuitet/samme rådgiver", "--coder", "a", "--span", f"0:{first}")
    run("code", path, "mor-2", "kontinuitet", "--coder", "a", "--span", f"5:{len(MOR_2) - 1}")
    run("summary", path, "Familie <b>1</b>", "kontinuitet", f"{HOSTILE} samme rådgiver")
    return path


def matrix_json(run: Cli, project: Path, *args: str) -> dict[str, Any]:
    result = run("matrix", project, "--format", "json", *args)
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def measure_block(matrix: dict[str, Any], measure: str) -> dict[str, Any]:
    block: dict[str, Any] = matrix["measures"][measure]["blocks"][0]
    return block


FILTERS = [
    [],  # every case, every coder
    ["--coder", "anna"],  # one coder's layer
    ["--where", "interview_type=parent interview"],  # a subset of cases
    ["--where", "municipality_size=large", "--coder", "bo"],  # both
]
FILTER_IDS = ["all", "coder", "where", "where-and-coder"]


@pytest.mark.parametrize("filters", FILTERS, ids=FILTER_IDS)
def test_theme_counts_are_the_matrix_presence_counts(
    demo_path: Path, run: Cli, filters: list[str]
) -> None:
    matrix = matrix_json(run, demo_path, "--rows", "cases", "--measure", "presence", *filters)
    presence = measure_block(matrix, "presence")
    chapter = run("findings", demo_path, *filters).stdout
    headings = re.findall(r"^## (.+)$", chapter, flags=re.MULTILINE)
    assert headings == matrix["columns"]
    m = len(matrix["rows"])
    sections = chapter.split("\n## ")[1:]
    for column, (theme, section) in enumerate(zip(matrix["columns"], sections, strict=True)):
        n = presence["column_totals"][column]
        assert f"{n} of {m} cases raised this theme." in section, theme
        negative = [
            r for r, row in zip(matrix["rows"], presence["cells"], strict=True) if not row[column]
        ]
        listed = section.split("did not raise this theme\n\n", 1)[1].split("\n", 1)[0]
        assert listed == (
            ", ".join(negative) + "." if negative else "Every case raised this theme."
        )


def test_counts_by_attribute_value_are_the_matrix_cases_counts(demo_path: Path, run: Cli) -> None:
    """Per value: raised = the cases measure of `--rows attribute:...`; of = the cases
    holding that value (from `qualcode cases --format json`)."""
    matrix = matrix_json(
        run, demo_path, "--rows", "attribute:child_age_group", "--measure", "cases"
    )
    cells = measure_block(matrix, "cases")["cells"]
    cases = json.loads(run("cases", demo_path, "--format", "json").stdout)
    chapter = build_findings(
        open_project(str(demo_path)), FindingsRequest(by="attribute:child_age_group")
    )
    for column, theme in enumerate(chapter.themes):
        assert theme.theme.path == matrix["columns"][column]
        assert [v.value for v in theme.theme.by_value] == matrix["rows"]
        assert [v.n for v in theme.theme.by_value] == [row[column] for row in cells]
        holding = [
            sum(
                1
                for c in cases
                if (c["attributes"].get("child_age_group") or "(no value)") == value
            )
            for value in matrix["rows"]
        ]
        assert [v.m for v in theme.theme.by_value] == holding


def test_subcode_counts_are_the_matrix_counts_of_each_listed_code(
    demo_path: Path, run: Cli
) -> None:
    chapter = build_findings(open_project(str(demo_path)), FindingsRequest())
    subcodes = [s for theme in chapter.themes for s in theme.subcodes]
    matrix = matrix_json(
        run, demo_path, "--cols", ",".join(s.path for s in subcodes), "--measure", "presence"
    )
    totals = measure_block(matrix, "presence")["column_totals"]
    assert [(s.path, s.n) for s in subcodes] == list(zip(matrix["columns"], totals, strict=True))
    assert {s.m for s in subcodes} == {len(matrix["rows"])}


@pytest.mark.parametrize("wanted", [1, 3, 5, 20], ids=["one", "default", "five", "more-than-cases"])
def test_quotes_come_from_as_many_cases_as_possible(demo_path: Path, wanted: int) -> None:
    chapter = build_findings(open_project(str(demo_path)), FindingsRequest(quotes=wanted))
    for theme in chapter.themes:
        assert theme.passage_cases > 1  # the demo's themes are raised in several cases
        assert theme.quote_cases == min(theme.passage_cases, wanted)
        for quote in theme.quotes:
            assert quote.label == quote.case
            assert quote.case not in theme.negative


def test_the_word_document_has_real_styles(demo_path: Path, run: Cli, tmp_path: Path) -> None:
    from docx import Document

    target = tmp_path / "findings.docx"
    run("findings", demo_path, "--by", "attribute:child_age_group", "-o", target)
    document = Document(str(target))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    matrix = matrix_json(run, demo_path, "--measure", "presence")
    totals = measure_block(matrix, "presence")["column_totals"]
    assert [t for s, t in paragraphs if s == "Heading 1"] == matrix["columns"]
    assert {t for s, t in paragraphs if s == "Heading 2"} >= {"Sub-codes", "Quotes"}
    counts = [t for s, t in paragraphs if t.endswith("raised this theme.") and "of" in t]
    m = len(matrix["rows"])
    assert counts == [f"{n} of {m} cases raised this theme." for n in totals]
    quotes = [t for s, t in paragraphs if s == "Quote"]
    assert quotes
    for quote in quotes:
        label = re.search(r"\(([^()]+)\)$", quote)
        assert label is not None
        assert label[1] in matrix["rows"]
    assert len(document.tables) == len(matrix["columns"])
    assert {table.style.name for table in document.tables if table.style} == {"Table Grid"}
    assert document.tables[0].rows[0].cells[0].text == "child_age_group"


def test_a_danish_project_gets_a_danish_chapter(danish: Path, run: Cli) -> None:
    chapter = run("findings", danish).stdout
    assert "# Resultater:" in chapter
    assert "2 ud af 2 cases nævner dette tema." in chapter
    assert "0 ud af 2 cases nævner dette tema." in chapter
    assert "- samme rådgiver: 1 ud af 2 cases" in chapter
    noun = run("findings", danish, "--case-noun", "familie/familier").stdout
    assert "2 ud af 2 familier nævner dette tema." in noun
    assert "Familier, der ikke nævner temaet" in noun
    english = run("findings", danish, "--language", "en").stdout
    assert "2 of 2 cases raised this theme." in english


def test_a_cut_passage_is_marked(danish: Path, run: Cli) -> None:
    """The second coding starts mid-sentence: the fragment is left out and marked."""
    chapter = run("findings", danish).stdout
    assert "> “(…) Nu er det bedre, og jeg har tillid til hende.” (Familie 2)" in chapter
    assert "“Vi har haft den samme rådgiver i flere år, og det er rart." in chapter


def test_html_escapes_what_the_project_holds(danish: Path, run: Cli) -> None:
    page = run("findings", danish, "--format", "html").stdout
    assert '<html lang="da">' in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>1</b>" not in page
    assert "(Familie &lt;b&gt;1&lt;/b&gt;)" in page
    markdown = run("findings", danish).stdout
    assert "<script" not in markdown
    assert "<b>" not in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "attribute:age"], "Error: {p}: unknown attribute 'age' (attributes: alder)"),
        (["--by", "alder"], "Error: --by: expected attribute:NAME, got 'alder'"),
        (["--code", "openness"], "Error: {p}: unknown code 'openness'"),
        (["--coder", "zed"], "Error: {p}: unknown coder 'zed' (coders: a)"),
        (["--where", "alder=99"], "Error: {p}: no case has alder = '99' (values: 0-5, 6-11)"),
        (["--label", "{case} {x}"], "Error: --label: unknown field {x} (fields: case, alder)"),
        (["--case-noun", "a/b/c"], "Error: --case-noun: expected SINGULAR/PLURAL, got 'a/b/c'"),
        (["--format", "docx"], "Error: -o: docx is a binary format: give a file, e.g. -o "),
    ],
    ids=["attribute", "by-form", "code", "coder", "value", "label", "noun", "docx-stdout"],
)
def test_a_mistake_is_one_line_and_changes_nothing(
    danish: Path, run: Cli, args: list[str], message: str
) -> None:
    before = dump(danish)
    result = run("findings", danish, *args, expect=1)
    assert one_line_error(result.stderr).startswith(message.replace("{p}", str(danish)))
    assert result.stdout == ""
    assert dump(danish) == before


def test_html_draws_a_chart_per_theme_from_the_counts(danish: Path, run: Cli) -> None:
    """One inline SVG per theme with --by: a bar per value labelled n/m; nothing that
    runs or loads (no script, no link to elsewhere)."""
    page = run("findings", danish, "--by", "attribute:alder", "--format", "html").stdout
    charts = re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)
    assert len(charts) == 2
    assert [re.findall(r">(\d+/\d+)</text>", c) for c in charts] == [["1/1", "1/1"], ["0/1", "0/1"]]
    assert "<script" not in page
    assert "href" not in page
    assert "http://www.w3.org/2000/svg" in page  # the SVG namespace, not a download


def test_no_quotes_asked_for_means_no_quotes_section(danish: Path, run: Cli) -> None:
    assert "### Citater" in run("findings", danish).stdout
    assert "Citater" not in run("findings", danish, "--quotes", "0").stdout


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (truncate, "database disk image is malformed"),  # a file cut in half
        (invalid_utf8, "text that is not valid UTF-8"),  # transcript text that cannot be read
    ],
    ids=["cut-in-half", "undecodable-text"],
)
def test_a_damaged_project_is_one_line_pointing_to_a_backup(
    run: Cli, demo_path: Path, tmp_path: Path, spoil: Callable[[Path], None], reason: str
) -> None:
    spoil(demo_path)
    before = demo_path.read_bytes()
    target = tmp_path / "findings.docx"
    result = run("findings", demo_path, "-o", target, expect=1)
    assert result.stderr.startswith(f"Error: {demo_path}: the project file is damaged ({reason})")
    assert one_line_error(result.stderr)
    assert demo_path.read_bytes() == before
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "tag"),
    [
        ([], "da-DK"),  # the chapter's own language: Danish text
        (["--language", "en"], "en-GB"),  # an English chapter of the same project
    ],
    ids=["danish", "english"],
)
def test_the_word_document_spells_in_its_language_and_aligns_counts(
    danish: Path, run: Cli, tmp_path: Path, args: list[str], tag: str
) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    target = tmp_path / "kapitel.docx"
    run("findings", danish, "--by", "attribute:alder", *args, "-o", target)
    document = Document(str(target))
    language = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert language is not None
    assert language.get(qn("w:val")) == tag
    table = document.tables[0]
    header = table.rows[0]._tr.trPr
    assert header is not None
    assert header.find(qn("w:tblHeader")) is not None  # repeats on every page
    for row in table.rows:
        first, *counts = row.cells
        assert first.paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT
        assert all(c.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT for c in counts)


def test_a_danish_workbook_heads_its_columns_in_danish(
    danish: Path, run: Cli, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "resultater.xlsx"
    run("findings", danish, "--by", "attribute:alder", "--case-noun", "familie/familier",
        "-o", target)  # fmt: skip
    themes = load_workbook(target)["themes"]
    header = [cell.value for cell in themes[1]]
    assert header[:4] == ["tema", "definition", "nævner det", "familier"]
    rows = [[cell.value for cell in row] for row in themes.iter_rows(min_row=2)]
    assert [row[0] for row in rows] == ["kontinuitet", "    samme rådgiver", "tilgængelighed"]
    chapter = run("findings", danish, "--case-noun", "familie/familier").stdout
    themes_said = re.findall(r"^(\d+) ud af (\d+) familier nævner", chapter, flags=re.M)
    (sub_said,) = re.findall(r"^- samme rådgiver: (\d+) ud af (\d+)", chapter, flags=re.M)
    said = [themes_said[0], sub_said, themes_said[1]]
    assert [row[2:4] for row in rows] == [[int(n), int(m)] for n, m in said]
    assert themes.oddHeader.center.text == (
        "Resultater: Familier, der nævner hvert tema. Fordelt på alder"
    )
