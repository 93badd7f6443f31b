"""Survey files in every dialect read the same: each canonical table is written with
Python's own csv writer (or openpyxl) in one dialect, read back by qualcode, and every
question's turns must be exactly the canonical answers and every respondent's values the
canonical ones typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.cases import AttributeType
from qualcode.domain.errors import InputError
from qualcode.domain.survey import SurveyColumns, build_survey
from qualcode.importers.survey_table import read_survey_table
from tests.hypothesis_profiles import examples

HEADER = ["Respondent", "Kommune", "Alder", "Ventetid", "Udfyldt", "Hvad virker?", "Ønsker"]
ROWS = [
    ["R1", "Århus", "7", "3,5", "2026-03-02", "Sagsbehandleren, især; hun ringede", "Færre breve"],
    ["R2", "Ærø", "12", "11", "2026-03-03", "", 'Hun sagde: "nej".\nOg så skete der intet.'],
    ["R3", "Vejle", "4", "1,25", "2026-03-04", "Mødet hjemme, tab\there", ""],
]
COLUMNS = SurveyColumns("Respondent", ("Hvad virker?", "Ønsker"))


def _csv_bytes(delimiter: str, encoding: str, line_end: str, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding)


def _answers(question: str, rows: list[list[str]]) -> list[tuple[str, str]]:
    index = HEADER.index(question)
    return [(row[0], row[index].strip()) for row in rows if row[index].strip()]


def _read(path: Path, columns: SurveyColumns = COLUMNS, sheet: str | None = None) -> object:
    return build_survey(read_survey_table(path, sheet=sheet), columns, {})


DIALECTS = [
    (",", "utf-8", "\n"),  # comma, UTF-8, LF
    (";", "utf-8-sig", "\r\n"),  # Danish Excel: semicolon, BOM, CRLF
    ("\t", "utf-8", "\n"),  # tab-separated
    (";", "cp1252", "\r\n"),  # an older Excel on Windows: Windows-1252
    (",", "utf-16", "\r\n"),  # UTF-16 with its BOM
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "line_end"),
    DIALECTS,
    ids=["comma-utf8", "semicolon-bom-crlf", "tab", "cp1252", "utf16"],
)
def test_every_dialect_reads_the_same_answers_and_values(
    tmp_path: Path, delimiter: str, encoding: str, line_end: str
) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(_csv_bytes(delimiter, encoding, line_end, ROWS))
    survey = build_survey(read_survey_table(path), COLUMNS, {})
    for question in survey.questions:
        draft = question.draft
        got = [(t.speaker, draft.text[t.start : t.end]) for t in draft.turns]
        assert got == _answers(draft.name, ROWS)
    types = {a.name: a.type for a in survey.attributes}
    assert types == {
        "Kommune": AttributeType.TEXT,
        "Alder": AttributeType.NUMBER,
        "Ventetid": AttributeType.NUMBER,
        "Udfyldt": AttributeType.DATE,
    }
    values = {r.name: dict(r.values) for r in survey.respondents}
    for row in ROWS:
        assert values[row[0]]["Ventetid"] == repr(float(row[3].replace(",", "."))).removesuffix(
            ".0"
        )
        assert values[row[0]]["Kommune"] == row[1]


def test_xlsx_first_sheet_or_the_named_one(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Forside"
    first.append(["Respondent", "Note"])
    first.append(["X", "not the survey"])
    data = workbook.create_sheet("Svar")
    data.append(HEADER)
    for row in ROWS:
        # native cells: numbers as numbers, dates as dates, empty answers as None
        data.append(
            [
                row[0],
                row[1],
                int(row[2]),
                float(row[3].replace(",", ".")),
                dt.datetime.fromisoformat(row[4]),
                row[5] or None,
                row[6] or None,
            ]
        )
    path = tmp_path / "survey.xlsx"
    workbook.save(path)
    survey = build_survey(read_survey_table(path, sheet="Svar"), COLUMNS, {})
    for question in survey.questions:
        draft = question.draft
        assert [(t.speaker, draft.text[t.start : t.end]) for t in draft.turns] == _answers(
            draft.name, ROWS
        )
    values = {r.name: dict(r.values) for r in survey.respondents}
    assert values["R1"] == {
        "Kommune": "Århus",
        "Alder": "7",
        "Ventetid": "3.5",
        "Udfyldt": "2026-03-02",
    }
    with pytest.raises(InputError, match="no such column"):
        build_survey(read_survey_table(path), SurveyColumns("Respondent", ("Ønsker",)), {})
    with pytest.raises(InputError, match="no sheet named 'Nope'"):
        read_survey_table(path, sheet="Nope")


# Answers a respondent might type: Danish letters, delimiters, quotes, line breaks.
_ANSWER = st.text(alphabet=st.sampled_from([*"abcæøåÆØÅ ,;\t\"'\n.:-é", "\u0301"]), max_size=40)


@settings(max_examples=examples(60), deadline=None)
@given(
    answers=st.lists(_ANSWER, min_size=1, max_size=6),
    dialect=st.sampled_from(DIALECTS[:4]),
)
def test_any_answers_come_back_as_their_turns(
    tmp_path_factory: pytest.TempPathFactory,
    answers: list[str],
    dialect: tuple[str, str, str],
) -> None:
    import unicodedata

    delimiter, encoding, line_end = dialect
    rows = [
        [f"R{n}", "Vejle", "1", "2", "2026-01-01", answer, "x"]
        for n, answer in enumerate(answers, start=1)
    ]
    path = tmp_path_factory.mktemp("survey") / "survey.csv"
    try:
        path.write_bytes(_csv_bytes(delimiter, encoding, line_end, rows))
    except UnicodeEncodeError:
        return  # cp1252 cannot hold the answer: not a file anyone could have written
    survey = build_survey(read_survey_table(path), COLUMNS, {})
    expected = [
        (row[0], unicodedata.normalize("NFC", row[5]).strip())
        for row in rows
        if unicodedata.normalize("NFC", row[5]).strip()
    ]
    found = [q for q in survey.questions if q.draft.name == "Hvad virker?"]
    if not expected:  # nobody answered: the question makes no transcript
        assert found == []
        return
    got = [(t.speaker, found[0].draft.text[t.start : t.end]) for t in found[0].draft.turns]
    assert got == expected


def test_excels_sep_line_names_the_delimiter_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    # commas in every answer would make a sniffer choose the comma
    text = "sep=;\nid;svar\nA;en, to, tre\n;uden id\n"
    path = tmp_path / "excel.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        build_survey(read_survey_table(path), SurveyColumns("id", ("svar",)), {})
    assert f"{path}:4:1 the respondent is empty" in str(refused.value)
    path.write_text(text.replace(";uden id\n", ""), encoding="utf-8")
    survey = build_survey(read_survey_table(path), SurveyColumns("id", ("svar",)), {})
    draft = survey.questions[0].draft
    assert [draft.text[t.start : t.end] for t in draft.turns] == ["en, to, tre"]


def test_a_header_alone_is_no_survey(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,svar\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no respondents"):
        build_survey(read_survey_table(path), SurveyColumns("id", ("svar",)), {})
