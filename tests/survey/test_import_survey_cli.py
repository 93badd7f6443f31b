"""`qualcode import-survey` end to end: respondents become cases with typed attributes,
open questions codable transcripts that matrices and findings count like any other; bad
rows are one line with nothing stored; a second import changes nothing."""

from __future__ import annotations

import csv
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import CODEBOOKS, REPO, Cli, write

SAMPLES = REPO / "samples" / "surveys"
DANISH = SAMPLES / "foraeldre-survey-da.csv"
ENGLISH = SAMPLES / "parent-survey-en.csv"
GOOD = "Hvad har fungeret godt i samarbejdet med kommunen?"
BETTER = "Hvad kunne kommunen gøre bedre?"
DANISH_ARGS = ["--case-column", "Respondent", "--text-column", GOOD, "--text-column", BETTER]


@pytest.fixture
def project(tmp_path: Path, run: Cli) -> Path:
    path = tmp_path / "survey.qualcode"
    run("init", path)
    return path


def _sample_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        delimiter = ";" if path is DANISH else ","
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_danish_sample_becomes_cases_attributes_and_turns(project: Path, run: Cli) -> None:
    result = run("import-survey", project, DANISH, *DANISH_ARGS, "--format", "json")
    outcome = json.loads(result.stdout)
    rows = _sample_rows(DANISH)
    assert outcome["status"] == "imported"
    assert outcome["respondents"] == len(rows)
    assert outcome["attributes"] == {
        "Kommune": "text",
        "Barnets alder": "number",
        "Tilfredshed": "number",
        "Ventetid i uger": "number",
        "Udfyldt": "date",
    }
    cases = json.loads(run("cases", project, "--format", "json").stdout)
    by_name = {case["case"]: case for case in cases}
    assert sorted(by_name) == sorted(row["Respondent"] for row in rows)
    for row in rows:
        # decimal commas are stored as numbers with a point
        assert by_name[row["Respondent"]]["attributes"]["Ventetid i uger"] == str(
            float(row["Ventetid i uger"].replace(",", "."))
        ).removesuffix(".0")
    for question in (GOOD, BETTER):
        shown = run("show", project, question, "--turns").stdout
        answered = [row["Respondent"] for row in rows if row[question].strip()]
        speakers = [line.split()[3] for line in shown.splitlines()[2:]]
        assert speakers == answered


def test_reimport_is_a_no_op_and_says_so(project: Path, run: Cli) -> None:
    run("import-survey", project, DANISH, *DANISH_ARGS)
    before = dump(project)
    again = run("import-survey", project, DANISH, *DANISH_ARGS)
    assert "nothing to do" in again.stdout
    assert dump(project) == before


def test_matrix_by_attribute_and_findings_count_respondents(project: Path, run: Cli) -> None:
    run("import-survey", project, ENGLISH, "--case-column", "respondent_id", *_english_texts())
    run("codebook", project, "import", CODEBOOKS / "minimal.yaml")
    rows = _sample_rows(ENGLISH)
    question = "What should the municipality do differently?"
    turns = run("show", project, question, "--turns").stdout.splitlines()[2:]
    coded: set[str] = set()
    for line in turns[::2]:  # every other answer gets coded
        _, start, end, speaker = line.split()[:4]
        run("code", project, question, "negative", "--coder", "ann", "--span", f"{start}:{end}")
        coded.add(speaker)
    expected: dict[str, int] = defaultdict(int)
    for row in rows:
        expected[row["municipality"]] += row["respondent_id"] in coded
    matrix = run(
        "matrix",
        project,
        "--rows",
        "attribute:municipality",
        "--measure",
        "cases",
        "--format",
        "json",
    ).stdout
    data = json.loads(matrix)
    got = _cases_by_row(data, "negative")
    assert got == expected
    assert sum(got.values()) == len(coded)
    chapter = run("findings", project, "--by", "attribute:municipality").stdout
    assert f"{len(coded)} of {len(rows)} cases" in chapter


def _english_texts() -> list[str]:
    return [
        "--text-column",
        "What has worked well in your contact with the municipality?",
        "--text-column",
        "What should the municipality do differently?",
    ]


def _cases_by_row(data: object, code: str) -> dict[str, int]:
    """Cases with a reference to ``code`` per matrix row, from the JSON matrix."""
    assert isinstance(data, dict)
    column = data["columns"].index(code)
    cells = data["measures"]["cases"]["blocks"][0]["cells"]
    return {row: cells[index][column] for index, row in enumerate(data["rows"])}


LONG = "Hvor enig er du i: " + "Kommunen lytter til os. " * 10  # 259 characters


def test_columns_left_out_may_have_any_header(project: Path, run: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", f"id,alder,{LONG},,svar\nA,4,enig,z,Fint\n")
    options = ["--case-column", "id", "--text-column", "svar", "--attribute-column", "alder"]
    run("import-survey", project, path, *options)
    cases = json.loads(run("cases", project, "--format", "json").stdout)
    assert cases[0]["attributes"] == {"alder": "4"}


BAD = (
    "id;alder;svar\n"
    "A;41;Fint\n"
    ";38;Uden respondent\n"  # row 3: respondent missing
    "B;40;Godt\n"
    "B;39;Igen\n"  # row 5: respondent twice
    "C;37;Ok;ekstra\n"  # row 6: a value beyond the last column
)


def test_bad_rows_are_one_line_naming_each_and_nothing_is_stored(
    project: Path, run: Cli, tmp_path: Path
) -> None:
    path = write(tmp_path / "bad.csv", BAD)
    before = dump(project)
    result = run(
        "import-survey", project, path, "--case-column", "id", "--text-column", "svar", expect=1
    )
    line = one_line_error(result.stderr)
    assert "3 bad rows" in line
    for where in (f"{path}:3:1", f"{path}:5:1", f"{path}:6:4"):
        assert where in line
    assert dump(project) == before


def test_values_must_fit_an_attribute_the_project_already_has(
    project: Path, run: Cli, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.csv", "id,alder,svar\nA,41,Fint\n")
    run("import-survey", project, first, "--case-column", "id", "--text-column", "svar")
    second = write(tmp_path / "second.csv", "id,alder,svar2\nB,fyrre,Godt\n")
    before = dump(project)
    result = run(
        "import-survey",
        project,
        second,
        "--case-column",
        "id",
        "--text-column",
        "svar2",
        expect=1,
    )
    assert f"{second}:2:2 alder: 'fyrre' is not a number" in one_line_error(result.stderr)
    assert dump(project) == before


@pytest.mark.parametrize(
    ("content", "options", "phrase"),
    [
        # the case column is not in the header
        ("id,svar\nA,x\n", ["--case-column", "nr", "--text-column", "svar"], "no such column"),
        # one column given two parts
        ("id,svar\nA,x\n", ["--case-column", "id", "--text-column", "id"], "case column and as"),
        # two columns with one name
        ("id,svar,Svar\nA,x,y\n", ["--case-column", "id", "--text-column", "svar"], "twice"),
        # a quote that never closes
        ('id,svar\nA,"x\n', ["--case-column", "id", "--text-column", "svar"], "never closed"),
        # a question text too long for a name, taken as an attribute by default
        (
            f"id,svar,{LONG}\nA,x,y\n",
            ["--case-column", "id", "--text-column", "svar"],
            "at most 200)" + "; to leave the column out, name the attribute columns",
        ),
        # answers under no header, taken as an attribute by default
        (
            "id,svar,\nA,x,y\n",
            ["--case-column", "id", "--text-column", "svar"],
            "column 3 has answers but no header; to leave the column out",
        ),
    ],
    ids=["unknown-column", "two-parts", "duplicate-header", "open-quote", "long", "unnamed"],
)
def test_header_problems_are_one_line(
    project: Path, run: Cli, tmp_path: Path, content: str, options: list[str], phrase: str
) -> None:
    path = write(tmp_path / "s.csv", content)
    before = dump(project)
    result = run("import-survey", project, path, *options, expect=1)
    assert phrase in one_line_error(result.stderr)
    assert dump(project) == before


def test_changed_answers_under_an_imported_question_are_refused(
    project: Path, run: Cli, tmp_path: Path
) -> None:
    run(
        "import-survey",
        project,
        write(tmp_path / "a.csv", "id,svar\nA,x\n"),
        "--case-column",
        "id",
        "--text-column",
        "svar",
    )
    before = dump(project)
    result = run(
        "import-survey",
        project,
        write(tmp_path / "b.csv", "id,svar\nA,y\n"),
        "--case-column",
        "id",
        "--text-column",
        "svar",
        expect=1,
    )
    assert "already in the project with other text" in one_line_error(result.stderr)
    assert dump(project) == before


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _bomb(path: Path) -> Path:
    """A good workbook with a 2 MB part of zeros: small on disk, but 1,000:1."""
    _xlsx(path, [["id", "svar"], ["A", "x"]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(2 * 1024**2))
    return path


def _zip_named_csv(path: Path) -> Path:
    return _xlsx(path.with_suffix(".xlsx"), [["id", "svar"]]).rename(path)


@pytest.mark.parametrize(
    ("name", "make", "options", "phrase"),
    [
        # a zip bomb dressed as a workbook
        ("bomb.xlsx", _bomb, [], "compression ratio"),
        # a text file saved as .xlsx
        ("text.xlsx", lambda p: write(p, "id,svar\nA,x\n"), [], "not a ZIP package"),
        # a workbook saved as .csv
        ("book.csv", _zip_named_csv, [], "ZIP archive"),
        # --sheet means nothing for a CSV file
        ("plain.csv", lambda p: write(p, "id,svar\nA,x\n"), ["--sheet", "S"], "only for .xlsx"),
        # an unknown suffix
        ("survey.sav", lambda p: write(p, "x"), [], "unsupported survey file type"),
    ],
    ids=["xlsx-bomb", "text-as-xlsx", "xlsx-as-csv", "sheet-for-csv", "suffix"],
)
def test_files_that_are_not_surveys_are_one_line(
    project: Path,
    run: Cli,
    tmp_path: Path,
    name: str,
    make: Callable[[Path], Path],
    options: list[str],
    phrase: str,
) -> None:
    path = make(tmp_path / name)
    before = dump(project)
    arguments = ["--case-column", "id", "--text-column", "svar", *options]
    line = one_line_error(run("import-survey", project, path, *arguments, expect=1).stderr)
    assert name in line
    assert phrase in line
    assert dump(project) == before


def test_xlsx_bad_rows_name_the_sheet_row_and_many_are_counted(
    project: Path, run: Cli, tmp_path: Path
) -> None:
    blank: list[list[object]] = [[None, f"svar {n}"] for n in range(12)]
    rows: list[list[object]] = [["id", "svar"], *blank]
    path = _xlsx(tmp_path / "s.xlsx", rows)
    line = one_line_error(
        run(
            "import-survey", project, path, "--case-column", "id", "--text-column", "svar", expect=1
        ).stderr
    )
    assert "12 bad rows" in line
    assert f"{path}:2:1 the respondent is empty" in line
    assert f"{path}:11:1" in line  # the tenth listed
    assert f"{path}:12:1" not in line
    assert "and 2 more" in line


def test_agreement_compares_coders_on_survey_answers(project: Path, run: Cli) -> None:
    run("import-survey", project, DANISH, *DANISH_ARGS)
    run("codebook", project, "import", CODEBOOKS / "minimal.yaml")
    turns = run("show", project, BETTER, "--turns").stdout.splitlines()[2:]
    for number in range(1, len(turns) + 1):
        coders = ["ann", "bo"] if number % 2 else ["ann"]
        for coder in coders:
            run("code", project, BETTER, "negative", "--coder", coder, "--turn", str(number))
    result = run(
        "agreement", project, "--coders", "ann", "bo", "--unit", "turn", "--format", "json"
    )
    pair = json.loads(result.stdout)["per_code"]["negative"]["pooled"]["pairs"][0]
    # ann coded every answer, bo every other: each answer is one unit
    odd = (len(turns) + 1) // 2
    assert (pair["units"], pair["both"], pair["a_only"], pair["b_only"]) == (
        len(turns),
        odd,
        len(turns) - odd,
        0,
    )


def test_attribute_type_makes_an_ordinal_and_checks_its_values(
    project: Path, run: Cli, tmp_path: Path
) -> None:
    scale = "Tilfredshed=ordinal(1<2<3<4<5)"
    result = run(
        "import-survey", project, DANISH, *DANISH_ARGS, "--attribute-type", scale,
        "--format", "json",
    )  # fmt: skip
    assert json.loads(result.stdout)["attributes"]["Tilfredshed"] == "ordinal"
    matrix = json.loads(
        run("matrix", project, "--rows", "attribute:Tilfredshed", "--format", "json").stdout
    )
    answered = sorted({row["Tilfredshed"] for row in _sample_rows(DANISH)}, key=int)
    assert matrix["rows"] == answered  # in the scale's order
    bad = write(tmp_path / "bad.csv", "id;Tilfredshed;svar\nA;6;x\n")
    before = dump(project)
    line = one_line_error(
        run(
            "import-survey", project, bad, "--case-column", "id", "--text-column", "svar", expect=1
        ).stderr
    )
    assert f"{bad}:2:2 Tilfredshed: '6' is not one of 1 < 2 < 3 < 4 < 5" in line
    assert dump(project) == before


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("Alder", "give COLUMN=TYPE"),  # no '='
        ("Alder=age", "unknown attribute type 'age'"),  # not a type
        ("Alder=ordinal", "needs its levels"),  # an ordinal without levels
        ("Nope=number", "--attribute-type 'Nope': no such column"),  # not a column
        ("svar=number", "not an attribute column"),  # a text column
    ],
    ids=["no-equals", "unknown-type", "no-levels", "no-column", "text-column"],
)
def test_bad_attribute_types_are_one_line(
    project: Path, run: Cli, tmp_path: Path, value: str, phrase: str
) -> None:
    path = write(tmp_path / "s.csv", "id,Alder,svar\nA,4,x\n")
    options = ["--case-column", "id", "--text-column", "svar", "--attribute-type", value]
    line = one_line_error(run("import-survey", project, path, *options, expect=1).stderr)
    assert phrase in line


def test_a_later_export_with_corrected_values_updates_only_those(
    project: Path, run: Cli, tmp_path: Path
) -> None:
    first = write(tmp_path / "v1.csv", "id,by,alder,svar\nA,Ry,4,Fint\nB,Ry,5,Godt\n")
    options = ["--case-column", "id", "--text-column", "svar"]
    run("import-survey", project, first, *options)
    second = write(tmp_path / "v2.csv", "id,by,alder,svar\nA,Ry,4,Fint\nB,Skørping,5,Godt\n")
    result = run("import-survey", project, second, *options)
    assert "1 attribute value set" in result.stdout
    assert "svar: already imported with identical answers" in result.stdout
    cases = json.loads(run("cases", project, "--format", "json").stdout)
    assert {c["case"]: c["attributes"] for c in cases} == {
        "A": {"by": "Ry", "alder": "4"},
        "B": {"by": "Skørping", "alder": "5"},
    }


def test_a_question_imported_before_is_no_attribute_when_importing_another(
    project: Path, run: Cli
) -> None:
    run("import-survey", project, DANISH, "--case-column", "Respondent", "--text-column", GOOD)
    result = run(
        "import-survey", project, DANISH, "--case-column", "Respondent", "--text-column", BETTER
    )
    assert f"column {GOOD!r} is a question already imported: no attribute" in result.stdout
    cases = json.loads(run("cases", project, "--format", "json").stdout)
    assert all(GOOD not in case["attributes"] for case in cases)
    names = {line.split("  ")[0] for line in run("transcripts", project).stdout.splitlines()[2:]}
    assert len(names) == 2
