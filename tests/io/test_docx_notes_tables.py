"""Word documents keep what their authors wrote: footnotes and endnotes as text after the
paragraph that refers to them, and tables read as turns only when they look like a
transcript (otherwise kept as text, with a warning in the import summary). The test
documents are made here with python-docx; the notes parts are written as raw XML."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.text_entry import name_key
from qualcode.importers.docx_text import transcript_header
from qualcode.importers.transcripts import load_transcript
from tests.conftest import Cli
from tests.hypothesis_profiles import examples

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _add_notes(document: object, kind: str, notes: dict[int, str]) -> None:
    """A footnotes or endnotes part (with Word's separator note) related to the body."""
    body = "".join(
        f'<w:{kind} w:id="{number}"><w:p><w:r><w:{kind}Ref/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:{kind}>'
        for number, text in notes.items()
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:{kind}s xmlns:w="{W}">'
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f"{body}</w:{kind}s>"
    )
    content_type = CONTENT_TYPE.WML_FOOTNOTES if kind == "footnote" else CONTENT_TYPE.WML_ENDNOTES
    relationship = RELATIONSHIP_TYPE.FOOTNOTES if kind == "footnote" else RELATIONSHIP_TYPE.ENDNOTES
    part_of_document = document.part  # type: ignore[attr-defined]
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, xml.encode(), part_of_document.package)
    part_of_document.relate_to(part, relationship)


def _refer(paragraph: object, kind: str, note_id: int, after: str = "") -> None:
    run = paragraph.add_run()  # type: ignore[attr-defined]
    reference = OxmlElement(f"w:{kind}Reference")
    reference.set(qn("w:id"), str(note_id))
    run._r.append(reference)
    if after:
        paragraph.add_run(after)  # type: ignore[attr-defined]


def _utterances(path: Path) -> list[tuple[str | None, str]]:
    draft = load_transcript(path)
    return [(t.speaker, draft.text[t.start : t.end]) for t in draft.turns]


def test_footnotes_and_endnotes_follow_their_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    # ids are not what Word shows: notes are numbered in order of first reference
    _add_notes(document, "footnote", {5: "Fra 2019 til 2020.", 3: "Kommunens brev."})
    _add_notes(document, "endnote", {2: "Interviewerens note."})
    first = document.add_paragraph("Mette: Vi ventede et år")
    _refer(first, "footnote", 5, ".")
    document.add_paragraph("I: Hvorfor?")
    second = document.add_paragraph("Mette: Brevene")
    _refer(second, "endnote", 2)
    _refer(second, "footnote", 3, " var uforståelige.")
    path = tmp_path / "noter.docx"
    document.save(str(path))

    draft = load_transcript(path)
    assert draft.text == (
        "Mette: Vi ventede et år[1].\n\n[1] Fra 2019 til 2020.\n\nI: Hvorfor?\n\n"
        "Mette: Brevene[i][2] var uforståelige.\n\n[i] Interviewerens note.\n\n"
        "[2] Kommunens brev."
    )
    assert _utterances(path) == [
        ("Mette", "Vi ventede et år[1].\n\n[1] Fra 2019 til 2020."),
        ("I", "Hvorfor?"),
        (
            "Mette",
            "Brevene[i][2] var uforståelige.\n\n[i] Interviewerens note.\n\n[2] Kommunens brev.",
        ),
    ]
    assert "2 footnotes and 1 endnote kept as text after their paragraph" in draft.notes


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # a transcript: speaker names in the first column, one of them on two rows
        ([["I", "Hvordan gik det?"], ["Mette", "Godt."], ["I", "Og så?"]], False),
        # the same under a header row
        ([["Taler", "Udsagn"], ["I", "Hvordan?"], ["Mette", "Godt."], ["I", "Og?"]], True),
        # the first speaker speaks once, in a sentence: a turn, not a header
        ([["Mette", "Jeg starter."], ["I", "Og?"], ["R", "Ja."], ["I", "Så?"]], False),
        # a form: every first cell different ("Navn: Alder" must not become speakers)
        ([["Navn", "Mette"], ["Alder", "42"], ["By", "Odense"]], None),
        # one row: nothing is repeated
        ([["I", "Og skolen?"]], None),
        # two speakers, once each
        ([["I", "Og skolen?"], ["Mette", "Fin."]], None),
        # first cells that are sentences, not names
        ([["Det var en lang og svær tid for os", "x"]] * 3, None),
        # a one-column list
        ([["æbler"], ["pærer"], ["æbler"]], None),
    ],
    ids=[
        "turns",
        "header",
        "first-once",
        "form",
        "one-row",
        "no-repeat",
        "sentences",
        "one-column",
    ],
)
def test_which_tables_are_transcripts(rows: list[list[str]], expected: bool | None) -> None:
    assert transcript_header(rows) is expected


def test_a_form_table_stays_text_with_a_warning_and_a_transcript_table_is_turns(
    tmp_path: Path, run: Cli
) -> None:
    document = docx.Document()
    document.add_paragraph("I: Velkommen.")
    form = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("Navn", "Mette"), ("Alder", "42"), ("By", "Odense")]):
        for column, text in enumerate(cells):
            form.cell(row, column).text = text
    talk = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("I", "Hvordan gik det?"), ("Mette", "Godt."), ("I", "Og så?")]):
        for column, text in enumerate(cells):
            talk.cell(row, column).text = text
    _add_notes(document, "footnote", {1: "Mødet i marts."})
    _refer(talk.cell(1, 1).paragraphs[0], "footnote", 1)
    path = tmp_path / "skema.docx"
    document.save(str(path))

    draft = load_transcript(path)
    assert "Navn\tMette\n\nAlder\t42\n\nBy\tOdense" in draft.text
    assert _utterances(path) == [
        ("I", "Velkommen."),  # the form table ends the turn before it
        ("I", "Hvordan gik det?"),
        ("Mette", "Godt.[1]\n\n[1] Mødet i marts."),
        ("I", "Og så?"),
    ]
    project = tmp_path / "p.qualcode"
    run("init", project)
    lines = run("import", project, path).stdout.splitlines()
    assert lines[1] == (
        "skema: warning: table 1 (3 rows) kept as text, not as turns: its first column "
        "is not speaker names repeated over its rows"
    )


def test_a_row_word_marks_as_header_is_a_header_even_when_it_reads_like_a_turn() -> None:
    rows = [["Hvem taler?", "Hvad blev sagt?"], ["I", "Og?"], ["Mette", "Ja."], ["I", "Så?"]]
    assert transcript_header(rows) is None  # "Hvem taler?" is no speaker name
    assert transcript_header(rows, marked_header=True) is True


def test_a_bom_at_the_start_is_stripped_and_turns_stay_on_their_text(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("\ufeffI: Hej.")
    _add_notes(document, "footnote", {1: "Note."})
    _refer(document.add_paragraph("Mette: Hej igen"), "footnote", 1, ".")
    path = tmp_path / "bom.docx"
    document.save(str(path))
    draft = load_transcript(path)
    assert draft.text == "I: Hej.\n\nMette: Hej igen[1].\n\n[1] Note."
    assert "BOM stripped" in draft.notes
    assert _utterances(path) == [("I", "Hej."), ("Mette", "Hej igen[1].\n\n[1] Note.")]


_CELL = st.text(alphabet=st.sampled_from(list("abcæøå ÆØÅ.:-12")), min_size=1, max_size=12)


@settings(max_examples=examples(60), deadline=None)
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=6))
def test_a_table_whose_first_column_never_repeats_is_never_turns(rows: list[list[str]]) -> None:
    # a form or key-value table ("Navn | Mette", "Alder | 42"): no one speaks twice
    firsts = [name_key(cells[0]) for cells in rows]
    if len(set(firsts)) == len(firsts):
        assert transcript_header(rows) is None
    found = transcript_header(rows)
    if found is not None:  # a transcript: some speaker on two rows below any header
        body = rows[1:] if found else rows
        speakers = [name_key(cells[0]) for cells in body]
        assert len(set(speakers)) < len(speakers)
        assert all(len(cells) >= 2 for cells in body)
