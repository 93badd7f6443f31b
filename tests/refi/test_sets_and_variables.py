# ruff: noqa: E501  (the peer XML is kept one element a line)
"""The rest of REFI-QDA 1.5: Sets (code sets and document sets) in and out, sources' own
variables, project and variable descriptions, dangling references warned with counts,
Links and Graphs skipped with a warning; every export valid against the XSD and a round
trip through our own reader and writer giving the same project."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli
from tests.refi.helpers import (
    Q,
    assert_valid,
    comparable_qde,
    project_schema,
    qde_bytes,
    write_qdpx,
)

U = "11111111-0000-4000-8000-000000000001"
C1, C2, C3 = (f"c0de0000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3))
S1, S2 = (f"50000000-0000-4000-8000-00000000000{i}" for i in (1, 2))
AGE, KIND = "9a000000-0000-4000-8000-000000000001", "9a000000-0000-4000-8000-000000000002"
MISSING = "deadbeef-0000-4000-8000-000000000000"


def coding(n: int, start: int, end: int, code: str) -> str:
    return f"""<PlainTextSelection guid="a0000000-0000-4000-8000-00000000000{n}" startPosition="{start}" endPosition="{end}" creatingUser="{U}">
      <Coding guid="b0000000-0000-4000-8000-00000000000{n}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>"""


PEER = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="sets" origin="SomeTool 2">
  <Users><User guid="{U}" name="anna"/></Users>
  <CodeBook><Codes>
    <Code guid="{C1}" name="tillid" isCodable="true"/>
    <Code guid="{C2}" name="mistillid" isCodable="true"/>
    <Code guid="{C3}" name="andet" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{AGE}" name="alder" typeOfVariable="Integer"><Description>Alder ved interviewet</Description></Variable>
    <Variable guid="{KIND}" name="slags" typeOfVariable="Text"><Description>Hvilken slags interview</Description></Variable>
  </Variables>
  <Cases>
    <Case guid="ca000000-0000-4000-8000-000000000001" name="Familie 1">
      <VariableValue><VariableRef targetGUID="{AGE}"/><IntegerValue>41</IntegerValue></VariableValue>
      <SourceRef targetGUID="{S1}"/>
      <SourceRef targetGUID="{MISSING}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{S1}" name="familie-1">
      <PlainTextContent>Vi stolede på hende. Men ikke på kontoret.</PlainTextContent>
      {coding(1, 0, 19, C1)}
      {coding(2, 21, 42, C2)}
      <NoteRef targetGUID="{MISSING}"/>
      <VariableValue><VariableRef targetGUID="{KIND}"/><TextValue>hjemmebesøg</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{MISSING}"/><TextValue>?</TextValue></VariableValue>
    </TextSource>
    <TextSource guid="{S2}" name="familie-2">
      <PlainTextContent>Det var noget andet.</PlainTextContent>
      {coding(3, 0, 20, C3)}
      <VariableValue><VariableRef targetGUID="{KIND}"/><TextValue>telefon</TextValue></VariableValue>
    </TextSource>
  </Sources>
  <Links><Link guid="1ee00000-0000-4000-8000-000000000001" originGUID="{C1}" targetGUID="{C2}"/></Links>
  <Sets>
    <Set guid="5e000000-0000-4000-8000-000000000001" name="Tillid">
      <Description>Koder om tillid</Description>
      <MemberCode targetGUID="{C1}"/><MemberCode targetGUID="{C2}"/><MemberCode targetGUID="{MISSING}"/>
    </Set>
    <Set guid="5e000000-0000-4000-8000-000000000002" name="Hjemme">
      <MemberSource targetGUID="{S1}"/>
    </Set>
  </Sets>
  <Graphs><Graph guid="6a000000-0000-4000-8000-000000000001"/></Graphs>
  <Description>Et projekt om tillid.</Description>
</Project>"""


def test_sets_variables_and_descriptions_come_in_and_go_out(tmp_path: Path, run: Cli) -> None:
    first = tmp_path / "first.qualcode"
    out = run("import-project", first, write_qdpx(tmp_path / "peer.qdpx", PEER)).stdout
    assert "sets: 0 matched, 2 added (added Tillid, Hjemme)" in out
    assert (
        "warning: dropped 4 reference(s) to things the file does not hold "
        "(1 case -> source, 1 note reference -> note, 1 set -> code, 1 value -> variable)" in out
    )
    assert "warning: skipped 1 graphs (not supported by qualcode)" in out
    assert "warning: skipped 1 links (not supported by qualcode)" in out

    exported = tmp_path / "first.qdpx"
    run("export", first, "--format", "qdpx", "-o", exported)
    tree = assert_valid(project_schema(), qde_bytes(exported))
    names = {c.get("guid"): c.get("name") for c in tree.iter(f"{Q}Code")}
    sources = {s.get("guid"): s for s in tree.iter(f"{Q}TextSource")}
    sets = {
        s.get("name"): (
            s.findtext(f"{Q}Description"),
            sorted(names[m.get("targetGUID")] for m in s.iter(f"{Q}MemberCode")),
            sorted(sources[m.get("targetGUID")].get("name") for m in s.iter(f"{Q}MemberSource")),
        )
        for s in tree.iter(f"{Q}Set")
    }
    assert sets == {
        "Tillid": ("Koder om tillid", ["mistillid", "tillid"], []),
        "Hjemme": (None, [], ["familie-1"]),
    }
    variables = {v.get("guid"): v for v in tree.iter(f"{Q}Variable")}
    described = {v.get("name"): v.findtext(f"{Q}Description") for v in variables.values()}
    assert described == {"alder": "Alder ved interviewet", "slags": "Hvilken slags interview"}
    own = {
        s.get("name"): [
            (variables[v.find(f"{Q}VariableRef").get("targetGUID")].get("name"), v[1].text)
            for v in s.iter(f"{Q}VariableValue")
        ]
        for s in sources.values()
    }
    assert own == {"familie-1": [("slags", "hjemmebesøg")], "familie-2": [("slags", "telefon")]}
    assert tree.findtext(f"{Q}Description") == "Et projekt om tillid."

    second = tmp_path / "second.qualcode"
    run("import-project", second, exported)
    again = tmp_path / "second.qdpx"
    run("export", second, "--format", "qdpx", "-o", again)
    assert comparable_qde(again) == comparable_qde(exported)


def test_sets_headings_and_source_values_on_each_backend(
    location: str, tmp_path: Path, run: Cli
) -> None:
    heading = PEER.replace(
        f'<Code guid="{C3}" name="andet" isCodable="true"/>',
        f'<Code guid="{C3}" name="andet/mere" isCodable="false"/>',
    )
    run("init", location)  # a PostgreSQL database is made a project first
    out = run("import-project", location, write_qdpx(tmp_path / "peer.qdpx", heading)).stdout
    assert "sets: 0 matched, 2 added (added Tillid, Hjemme)" in out
    exported = tmp_path / "back.qdpx"
    run("export", location, "--format", "qdpx", "-o", exported)
    tree = assert_valid(project_schema(), qde_bytes(exported))
    assert [s.get("name") for s in tree.iter(f"{Q}Set")] == ["Hjemme", "Tillid"]
    codes = {c.get("name"): c.get("isCodable") for c in tree.iter(f"{Q}Code")}
    assert codes["andet/mere"] == "false"
    values = [
        v.findtext(f"{Q}TextValue")
        for s in tree.iter(f"{Q}TextSource")
        for v in s.iter(f"{Q}VariableValue")
    ]
    assert sorted(values) == ["hjemmebesøg", "telefon"]
    matrix = run("matrix", location, "--set", "Hjemme", "--rows", "transcripts").stdout
    assert "familie-2" not in matrix
