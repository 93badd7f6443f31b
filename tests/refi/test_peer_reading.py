# ruff: noqa: E501  (the peer XML is kept one element a line)
"""What peers read in our export: a coding's memo in its selection's Description (and as a
note), speaker cases as SourceRefs with their turns in the case's description (no
coding-less selections), headings (isCodable="false") kept and refused when applied, and
names with a slash kept exactly. Each round-trips through our own reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qualcode.domain.errors import NotCodableError
from qualcode.domain.spans import Span
from qualcode.services import coding as coding_service
from qualcode.services.project import open_project
from tests.conftest import Cli
from tests.refi.helpers import Q, assert_valid, project_schema, qde_bytes, snapshot, write_qdpx


@pytest.fixture(scope="module")
def exported(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("peer")
    demo = folder / "demo.qualcode"
    shutil.copyfile(demo_template, demo)
    out = folder / "demo.qdpx"
    Cli()("export", demo, "--format", "qdpx", "-o", out)
    return demo, out


def test_a_coding_memo_is_the_selection_description_and_a_note(
    exported: tuple[Path, Path],
) -> None:
    tree = assert_valid(project_schema(), qde_bytes(exported[1]))
    notes = {n.get("guid"): n.findtext(f"{Q}PlainTextContent") for n in tree.iter(f"{Q}Note")}
    with_memo = [
        s for s in tree.iter(f"{Q}PlainTextSelection") if s.find(f"{Q}NoteRef") is not None
    ]
    assert len(with_memo) == 22
    for selection in with_memo:
        note = notes[selection.find(f"{Q}NoteRef").get("targetGUID")]
        assert selection.findtext(f"{Q}Description") == note


def test_speaker_cases_are_source_refs_not_empty_selections(
    exported: tuple[Path, Path], tmp_path: Path, run: Cli
) -> None:
    demo, qdpx = exported
    tree = assert_valid(project_schema(), qde_bytes(qdpx))
    selections = list(tree.iter(f"{Q}PlainTextSelection"))
    assert all(s.find(f"{Q}Coding") is not None for s in selections)
    assert not list(tree.iter(f"{Q}SelectionRef"))
    sources = {s.get("guid"): s.get("name") for s in tree.iter(f"{Q}TextSource")}
    speakers = [c for c in tree.iter(f"{Q}Case") if c.findtext(f"{Q}Description")]
    assert speakers, "the demo's focus group assigns speakers to cases"
    for case in speakers:
        refs = {r.get("targetGUID") for r in case.iter(f"{Q}SourceRef")}
        described = case.findtext(f"{Q}Description")
        assert all(f"Turns in source {guid}:" in described for guid in refs if guid in sources)
    back = tmp_path / "back.qualcode"
    run("import-project", back, qdpx)
    restored = snapshot(back)["cases"]
    assert restored == snapshot(demo)["cases"]
    assert any(a.speaker for case in restored for a in case.assignments)


HEADINGS = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="steder" origin="SomeTool 2">
  <Users><User guid="11111111-0000-4000-8000-000000000001" name="anna"/></Users>
  <CodeBook><Codes>
    <Code guid="c0de0000-0000-4000-8000-000000000001" name="Steder" isCodable="false">
      <Code guid="c0de0000-0000-4000-8000-000000000002" name="Sted/Ærø" isCodable="true"/>
      <Code guid="c0de0000-0000-4000-8000-000000000003" name="back\\slash" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources><TextSource guid="50000000-0000-4000-8000-000000000001" name="tur">
    <PlainTextContent>Vi tog færgen til Ærø om sommeren.</PlainTextContent>
    <PlainTextSelection guid="a0000000-0000-4000-8000-000000000001" startPosition="18" endPosition="21" creatingUser="11111111-0000-4000-8000-000000000001">
      <Coding guid="b0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0de0000-0000-4000-8000-000000000002"/></Coding>
    </PlainTextSelection>
  </TextSource></Sources>
</Project>"""


def test_headings_and_slash_names_round_trip_exactly(tmp_path: Path, run: Cli) -> None:
    qdpx = write_qdpx(tmp_path / "steder.qdpx", HEADINGS)
    first = tmp_path / "first.qualcode"
    run("import-project", first, qdpx)
    codings = json.loads(run("codings", first, "--format", "json").stdout)
    assert [(c["code"], c["text"]) for c in codings] == [("Steder/Sted\\/Ærø", "Ærø")]
    assert run("codebook", first).stdout == "Steder\n  Sted/Ærø\n  back\\slash\n"
    # a path with the escaped slash reaches the code; the heading cannot be applied
    run("code", first, "tur", "Steder/Sted\\/Ærø", "--coder", "bo", "--span", "0:2")
    error = run("code", first, "tur", "Steder", "--coder", "bo", "--span", "0:2", expect=1).stderr
    assert (
        error
        == "Error: code 'Steder': is a heading that groups codes; apply one of the codes under it\n"
    )
    out = tmp_path / "out.qdpx"
    run("export", first, "--format", "qdpx", "-o", out)
    tree = assert_valid(project_schema(), qde_bytes(out))
    codes = {c.get("name"): c.get("isCodable") for c in tree.iter(f"{Q}Code")}
    assert codes == {"Steder": "false", "Sted/Ærø": "true", "back\\slash": "true"}
    second = tmp_path / "second.qualcode"
    run("import-project", second, out)
    assert snapshot(second) == snapshot(first)


def test_applying_a_heading_is_a_typed_error(tmp_path: Path, run: Cli) -> None:
    target = tmp_path / "p.qualcode"
    run("import-project", target, write_qdpx(tmp_path / "s.qdpx", HEADINGS))
    project = open_project(target)
    try:
        with pytest.raises(NotCodableError) as caught:
            coding_service.apply_code(project, "tur", "Steder", "anna", span=Span(0, 2))
        assert caught.value.path == "Steder"
    finally:
        project.close()


def test_a_heading_stays_one_through_a_yaml_codebook_import(tmp_path: Path, run: Cli) -> None:
    target = tmp_path / "p.qualcode"
    run("import-project", target, write_qdpx(tmp_path / "s.qdpx", HEADINGS))
    yaml = tmp_path / "codebook.yaml"
    yaml.write_text(
        "name: Steder\ncodes:\n  - name: Steder\n    description: Stednavne\n", encoding="utf-8"
    )
    assert "1 updated" in run("codebook", target, "import", yaml).stdout
    error = run("code", target, "tur", "Steder", "--coder", "bo", "--span", "0:2", expect=1).stderr
    assert "is a heading" in error


OLD_SPEAKER_CASES = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="old" origin="qualcode 0.1.0">
  <Cases>
    <Case guid="ca000000-0000-4000-8000-000000000001" name="Anne">
      <SelectionRef targetGUID="a0000000-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources><TextSource guid="50000000-0000-4000-8000-000000000001" name="gruppe">
    <PlainTextContent>Anne: Ja.
Bo: Nej.
Anne: Måske.</PlainTextContent>
    <PlainTextSelection guid="a0000000-0000-4000-8000-000000000001" startPosition="6" endPosition="9"/>
    <PlainTextSelection guid="a0000000-0000-4000-8000-000000000002" startPosition="25" endPosition="31"/>
  </TextSource></Sources>
</Project>"""


def test_speaker_cases_from_earlier_exports_still_come_in(tmp_path: Path, run: Cli) -> None:
    # before this version, a speaker case referred to coding-less selections
    old = OLD_SPEAKER_CASES.replace(
        '<SelectionRef targetGUID="a0000000-0000-4000-8000-000000000001"/>',
        '<SelectionRef targetGUID="a0000000-0000-4000-8000-000000000001"/>'
        '<SelectionRef targetGUID="a0000000-0000-4000-8000-000000000002"/>',
    )
    target = tmp_path / "p.qualcode"
    run("import-project", target, write_qdpx(tmp_path / "old.qdpx", old))
    project = open_project(target)
    try:
        with project.reading() as uow:
            (case,) = uow.cases.all()
    finally:
        project.close()
    # the two selections are exactly Anne's utterances: assigned as her speaker turns
    assert [(a.transcript, a.start, a.end, a.speaker) for a in case.assignments] == [
        ("gruppe", 6, 9, "Anne"),
        ("gruppe", 25, 31, "Anne"),
    ]
