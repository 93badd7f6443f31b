"""Cases files (CSV and YAML): typed attributes, assignments, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.cases import AttributeDef, AttributeType
from qualcode.domain.errors import InputError
from qualcode.importers.cases_file import CaseRow, CasesFile, load_cases_file

REPO = Path(__file__).resolve().parents[2]

ORDINAL = AttributeType.ORDINAL

CSV = """\
case,transcript,speaker,child_age_group:ordinal(0-5<6-11<12-17),cost_level:ordinal(low<medium<high),visits:number,first_contact:date,interview_type,siblings
Family 01,parent-01-en,,6-11,high,3.0,2023-05-01,parent interview,2
Family 01,parent-01-da,,,high,,,parent interview,
Caseworker Anne,focus-group-01-en,Anne,,,,,"caseworker, focus group",
"Family 02",parent-02-en,,12-17,low,"4,5",2024-01-05,parent interview,0
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_csv_happy_path(tmp_path: Path) -> None:
    cases = load_cases_file(write(tmp_path, "cases.csv", CSV))

    assert cases.attributes == (
        AttributeDef("child_age_group", ORDINAL, ("0-5", "6-11", "12-17")),
        AttributeDef("cost_level", ORDINAL, ("low", "medium", "high")),
        AttributeDef("visits", AttributeType.NUMBER),
        AttributeDef("first_contact", AttributeType.DATE),
        AttributeDef("interview_type", AttributeType.TEXT),  # untyped, inferred as text
        AttributeDef("siblings", AttributeType.NUMBER),  # untyped, inferred from 2 and 0
    )
    assert cases.rows == (
        CaseRow(
            line=2,
            case="Family 01",
            transcript="parent-01-en",
            speaker=None,
            values=(
                ("child_age_group", "6-11"),
                ("cost_level", "high"),
                ("visits", "3"),  # normalised: no trailing .0
                ("first_contact", "2023-05-01"),
                ("interview_type", "parent interview"),
                ("siblings", "2"),
            ),
        ),
        # the same case on a second transcript: empty cells agree with anything
        CaseRow(
            3,
            "Family 01",
            "parent-01-da",
            None,
            (("cost_level", "high"), ("interview_type", "parent interview")),
        ),
        CaseRow(
            4,
            "Caseworker Anne",
            "focus-group-01-en",
            "Anne",
            (("interview_type", "caseworker, focus group"),),
        ),
        CaseRow(
            5,
            "Family 02",
            "parent-02-en",
            None,
            (
                ("child_age_group", "12-17"),
                ("cost_level", "low"),
                ("visits", "4.5"),  # decimal comma
                ("first_contact", "2024-01-05"),
                ("interview_type", "parent interview"),
                ("siblings", "0"),
            ),
        ),
    )


def test_csv_without_transcript_or_speaker_columns(tmp_path: Path) -> None:
    cases = load_cases_file(write(tmp_path, "cases.csv", "Case,region\nA,north\n\nB,\n"))
    assert cases == CasesFile(
        attributes=(AttributeDef("region", AttributeType.TEXT),),
        rows=(CaseRow(2, "A", None, None, (("region", "north"),)), CaseRow(4, "B", None, None, ())),
    )


def test_csv_with_bom_crlf_and_semicolons(tmp_path: Path) -> None:
    text = '\ufeffcase;transcript;note\r\nFamilie Ø;parent-03-da;"to\r\nlinjer"\r\nB;x;\r\n'
    cases = load_cases_file(write(tmp_path, "cases.csv", text))
    assert [attribute.name for attribute in cases.attributes] == ["note"]
    assert [(row.line, row.case) for row in cases.rows] == [(2, "Familie Ø"), (4, "B")]
    assert cases.rows[0].values == (("note", "to\nlinjer"),)  # stored with LF (text_entry)


def test_csv_windows_1252_fallback(tmp_path: Path) -> None:
    data = "case,kommune\nFamilie Æbelø,Århus\n".encode("cp1252")
    cases = load_cases_file(write(tmp_path, "cases.csv", data))
    assert cases.rows[0].case == "Familie Æbelø"
    assert cases.rows[0].values == (("kommune", "Århus"),)


def test_csv_utf16_with_bom(tmp_path: Path) -> None:
    data = "case\tregion\nA\tsyd\n".encode("utf-16")
    assert load_cases_file(write(tmp_path, "cases.txt", data)).rows[0].values == (
        ("region", "syd"),
    )


def test_trailing_empty_cells_are_ignored(tmp_path: Path) -> None:
    cases = load_cases_file(write(tmp_path, "cases.csv", "case,n\nA,1,,\n"))
    assert cases.rows == (CaseRow(2, "A", None, None, (("n", "1"),)),)


CSV_ERRORS = [
    # (file text, line, column, phrase of the reason)
    pytest.param("", 1, None, "empty", id="empty"),
    pytest.param("\n \n", 1, None, "empty", id="blank-lines"),
    pytest.param("name,age\nA,1\n", 1, 1, "first column must be 'case'", id="no-case-column"),
    pytest.param("transcript,case\n", 1, 1, "first column must be 'case'", id="case-not-first"),
    pytest.param("case,,age\n", 1, 2, "column 2 has no header", id="empty-header"),
    pytest.param("case,age,Age\n", 1, 3, "duplicate attribute 'Age'", id="dup-attribute"),
    pytest.param("case,age:number,age\n", 1, 3, "first in column 2", id="dup-typed-attr"),
    pytest.param("case,speaker,speaker\n", 1, 3, "duplicate column 'speaker'", id="dup-speaker"),
    pytest.param("case,x,case\n", 1, 3, "duplicate column 'case'", id="dup-case"),
    pytest.param("case,transcript:text\n", 1, 2, "reserved", id="reserved-name"),
    pytest.param("case,age:numbr\n", 1, 2, "unknown attribute type 'numbr'", id="bad-type"),
    pytest.param("case,size:ordinal\n", 1, 2, "needs its levels", id="ordinal-no-levels"),
    pytest.param("case,age\nA,1\n,2\n", 3, 1, "case name is empty", id="empty-case"),
    pytest.param("case,age\nA\n", 2, None, "1 cell but the header has 2", id="too-few"),
    pytest.param("case,age\nA,1,x\n", 2, 3, "3 cells but the header has 2", id="too-many"),
    pytest.param("case,age:number\nA,1\nB,old\n", 3, 2, "'old' is not a number", id="number"),
    pytest.param("case,d:date\nA,5/1/2024\n", 2, 2, "is not a date", id="date"),
    pytest.param(
        "case,cost:ordinal(low<high)\nA,hgh\n", 2, 2, "not one of low < high", id="ordinal"
    ),
    pytest.param(
        "case,transcript,speaker\nA,,Anne\n", 2, 3, "without a transcript", id="speaker-alone"
    ),
    pytest.param(
        "case,transcript,cost:ordinal(low<high)\nA,t1,low\nB,t2,high\nA,t3,high\n",
        4,
        3,
        "case 'A' has cost 'high' here but 'low' on line 2",
        id="conflict",
    ),
    pytest.param(
        'case,note\nA,"never closed\nB,x\n', 2, None, "a quote is never closed", id="open-quote"
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "phrase"), CSV_ERRORS)
def test_csv_errors_are_located(
    tmp_path: Path, text: str, line: int, column: int | None, phrase: str
) -> None:
    path = write(tmp_path, "cases.csv", text)
    with pytest.raises(InputError) as caught:
        load_cases_file(path)
    error = caught.value
    assert error.source == str(path)
    assert (error.line, error.column) == (line, column), error.reason
    assert phrase in error.reason


def test_undecodable_bytes(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252 and invalid as UTF-8.
    with pytest.raises(InputError, match="cannot decode") as caught:
        load_cases_file(write(tmp_path, "cases.csv", b"case\nA\x81\n"))
    assert caught.value.offset == 6


YAML = """\
attributes:
  child_age_group: {type: ordinal, levels: ["0-5", "6-11", "12-17"]}
  cost_level: {type: ordinal, levels: [low, medium, high]}
  municipality_size: text
  visits: number
  first_contact:            # no type: inferred (a date)
  region: ordinal(north<south)
cases:
  - case: Family 01
    transcript: parent-01-en
    values: {child_age_group: "6-11", cost_level: high, visits: 2.0, first_contact: 2023-05-01}
  - case: Family 01
    transcript: parent-01-da
    values: {cost_level: high, visits: ~}
  - case: Caseworker Anne
    transcripts: [focus-group-01-en, focus-group-02-da]
    speaker: Anne
    values:
      municipality_size: large
      region: south
  - case: Family 02
"""


def test_yaml_happy_path(tmp_path: Path) -> None:
    cases = load_cases_file(write(tmp_path, "cases.yaml", YAML))

    assert cases.attributes == (
        AttributeDef("child_age_group", ORDINAL, ("0-5", "6-11", "12-17")),
        AttributeDef("cost_level", ORDINAL, ("low", "medium", "high")),
        AttributeDef("municipality_size", AttributeType.TEXT),
        AttributeDef("visits", AttributeType.NUMBER),
        AttributeDef("first_contact", AttributeType.DATE),
        AttributeDef("region", ORDINAL, ("north", "south")),
    )
    anne = (("municipality_size", "large"), ("region", "south"))
    assert cases.rows == (
        CaseRow(
            9,
            "Family 01",
            "parent-01-en",
            None,
            (
                ("child_age_group", "6-11"),
                ("cost_level", "high"),
                ("visits", "2"),
                ("first_contact", "2023-05-01"),
            ),
        ),
        CaseRow(12, "Family 01", "parent-01-da", None, (("cost_level", "high"),)),
        # one entry with two transcripts gives one row per transcript
        CaseRow(15, "Caseworker Anne", "focus-group-01-en", "Anne", anne),
        CaseRow(15, "Caseworker Anne", "focus-group-02-da", "Anne", anne),
        CaseRow(21, "Family 02", None, None, ()),
    )


def test_yaml_without_attributes_infers_them(tmp_path: Path) -> None:
    text = (
        "cases:\n"
        "  - case: A\n    values: {age: 7, town: Odense}\n"
        "  - case: B\n    values: {age: 9}\n"
    )
    cases = load_cases_file(write(tmp_path, "cases.yml", text))
    assert cases.attributes == (
        AttributeDef("age", AttributeType.NUMBER),
        AttributeDef("town", AttributeType.TEXT),
    )
    assert cases.rows[1] == CaseRow(4, "B", None, None, (("age", "9"),))


YAML_ERRORS = [
    # (file text, line, column, phrase of the reason)
    pytest.param("", 1, 1, "empty", id="empty"),
    pytest.param("cases: [\n", 2, 1, "expected", id="syntax"),
    pytest.param("- case: A\n", 1, 1, "must be a mapping", id="top-level-list"),
    pytest.param("attributes: {}\n", 1, 1, "missing field 'cases'", id="no-cases"),
    pytest.param("cases: []\npeople: []\n", 2, 1, "unknown field 'people'", id="unknown-top"),
    pytest.param("cases: A\n", 1, 8, "cases must be a list", id="cases-scalar"),
    pytest.param("cases:\n  - A\n", 2, 5, "a case must be a mapping", id="case-scalar"),
    pytest.param("cases:\n  - transcript: t\n", 2, 5, "missing its 'case'", id="no-case"),
    pytest.param("cases:\n  - case: ' '\n", 2, 11, "case name is empty", id="blank-case"),
    pytest.param("cases:\n  - case: A\n    case: B\n", 3, 5, "duplicate key 'case'", id="dup-key"),
    pytest.param(
        "cases:\n  - case: A\n    trnscript: t\n", 3, 5, "did you mean 'transcript'", id="typo"
    ),
    pytest.param(
        "cases:\n  - case: A\n    transcript: t\n    transcripts: [u]\n",
        4,
        5,
        "not both",
        id="transcript-twice",
    ),
    pytest.param(
        "cases:\n  - case: A\n    transcripts: t\n", 3, 18, "must be a list", id="transcripts-str"
    ),
    pytest.param(
        "cases:\n  - case: A\n    speaker: Anne\n", 3, 14, "without a transcript", id="speaker"
    ),
    pytest.param(
        "cases:\n  - case: A\n    values: [1]\n", 3, 13, "values must be a mapping", id="values"
    ),
    pytest.param(
        "cases:\n  - case: A\n    values: {a: [1]}\n", 3, 17, "must be text", id="value-list"
    ),
    pytest.param(
        "attributes: {age: number}\ncases:\n  - case: A\n    values: {agee: 1}\n",
        4,
        14,
        "unknown attribute 'agee' in values; did you mean 'age'?",
        id="undeclared",
    ),
    pytest.param(
        "attributes: {age: number}\ncases:\n  - case: A\n    values: {age: old}\n",
        4,
        19,
        "'old' is not a number",
        id="bad-number",
    ),
    pytest.param("attributes: {age: ordinal}\ncases: []\n", 1, 19, "levels", id="ordinal-scalar"),
    pytest.param(
        "attributes:\n  size: {type: ordinal}\ncases: []\n", 2, 9, "needs its 'levels'", id="lvls"
    ),
    pytest.param(
        "attributes:\n  size: {type: ordinal, levels: [a, a]}\ncases: []\n",
        2,
        33,
        "distinct",
        id="dup-levels",
    ),
    pytest.param(
        "attributes:\n  age: {type: number, levels: [a]}\ncases: []\n",
        2,
        23,
        "only ordinal",
        id="levels-on-number",
    ),
    pytest.param(
        "attributes:\n  age: {type: numbr}\ncases: []\n", 2, 15, "unknown type", id="type-typo"
    ),
    pytest.param("attributes:\n  age: numbr\ncases: []\n", 2, 8, "numbr", id="type-typo-scalar"),
    pytest.param(
        "attributes:\n  age: {levels: [a]}\ncases: []\n", 2, 8, "missing its 'type'", id="no-type"
    ),
    pytest.param(
        "attributes:\n  speaker: text\ncases: []\n", 2, 3, "cannot be an attribute", id="reserved"
    ),
    pytest.param(
        "attributes:\n  Age: number\n  age: number\ncases: []\n",
        3,
        3,
        "duplicate attribute",
        id="dup-attribute",
    ),
    pytest.param(
        "cases:\n  - case: A\n    values: {cost: low}\n  - case: A\n    values: {cost: high}\n",
        5,
        20,
        "'high' here but 'low' on line 2",
        id="conflict",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "phrase"), YAML_ERRORS)
def test_yaml_errors_are_located(
    tmp_path: Path, text: str, line: int, column: int, phrase: str
) -> None:
    path = write(tmp_path, "cases.yaml", text)
    with pytest.raises(InputError) as caught:
        load_cases_file(path)
    error = caught.value
    assert error.source == str(path)
    assert (error.line, error.column) == (line, column), error.reason
    assert phrase in error.reason


def test_sample_cases_file_loads() -> None:
    cases = load_cases_file(REPO / "transcripts" / "cases.csv")
    assert [attribute.name for attribute in cases.attributes] == [
        "child_age_group",
        "cost_level",
        "municipality_size",
        "interview_type",
    ]
    assert cases.attributes[0] == AttributeDef("child_age_group", ORDINAL, ("0-5", "6-11", "12-17"))
    focus_group = [row for row in cases.rows if row.speaker is not None]
    assert focus_group
    assert all(row.transcript for row in focus_group)
