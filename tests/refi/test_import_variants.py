# ruff: noqa: E501  (vendor XML is kept as the tools write it, one element a line)
"""What other tools really write: braces and upper-case GUIDs, missing optional
attributes, category codes (isCodable="false"), #RGB colours, BOM and CRLF source files
(CRLF counted as one character or as two), PlainTextContent, non-text sources, unknown
elements, notes on selections."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli
from tests.refi.helpers import write_qdpx

LINES = [
    "Interviewer: Hvordan gik mødet?",
    "Mette: Det gik godt, hun lyttede.",
    "Interviewer: Og så?",
    "Mette: Så skete der ingenting.",
]
TEXT = "\n".join(LINES) + "\n"
CRLF = "\ufeff" + TEXT.replace("\n", "\r\n")


def spans(word: str, *, crlf_as_two: bool) -> tuple[int, int]:
    """Where ``word`` sits in the CRLF file, counted one way or the other (BOM not
    counted)."""
    body = CRLF[1:] if crlf_as_two else CRLF[1:].replace("\r\n", "\n")
    start = body.index(word)
    return start, start + len(word)


def selection(guid: str, word: str, *, crlf_as_two: bool, code: str, user: str | None) -> str:
    start, end = spans(word, crlf_as_two=crlf_as_two)
    creator = f' creatingUser="{user}"' if user else ""
    return f"""<PlainTextSelection guid="{guid}" name="{word}" startPosition="{start}" endPosition="{end}"{creator}>
        <Description>Selection comment {guid[-2:]}</Description>
        <Coding guid="{guid[:-3]}f{guid[-2:]}"><CodeRef targetGUID="{code}"/></Coding>
      </PlainTextSelection>"""


def vendor_qde() -> str:
    listening = "{0F8A1907-7E42-4739-8610-A676B4D1B69F}"
    nothing = "85d17f60-7bb0-481e-b742-b4861dd669df"
    return f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="SomeTool 8" name="Vendor project"
    creatingUserGUID="AD68FBE7-E1EE-4A82-A279-23CC698C89EB">
  <Users>
    <User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Friedrich"/>
    <User guid="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B"/>
  </Users>
  <CodeBook><Codes>
    <Code guid="{{5215cc69-b628-4e02-afb9-9beeaee55808}}" name="Topics" isCodable="false">
      <Code guid="{listening}" name="listening" isCodable="true" color="#f08">
        <Description>caseworker listens</Description>
        <Fancy/>
      </Code>
      <Code guid="{nothing}" name="nothing/happened" isCodable="1"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="9a000000-0000-4000-8000-000000000001" name="age" typeOfVariable="Integer"/>
    <Variable guid="9a000000-0000-4000-8000-000000000002" name="consent" typeOfVariable="Boolean"/>
    <Variable guid="9a000000-0000-4000-8000-000000000003" name="interviewed" typeOfVariable="Date"/>
  </Variables>
  <Cases>
    <Case guid="ca000000-0000-4000-8000-000000000001" name="Mette">
      <VariableValue><VariableRef targetGUID="9a000000-0000-4000-8000-000000000001"/><IntegerValue>41</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="9a000000-0000-4000-8000-000000000002"/><BooleanValue>1</BooleanValue></VariableValue>
      <VariableValue><VariableRef targetGUID="9a000000-0000-4000-8000-000000000003"/><DateValue>2024-03-01</DateValue></VariableValue>
      <SourceRef targetGUID="50000000-0000-4000-8000-000000000002"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="50000000-0000-4000-8000-000000000001" name="two-char.txt"
        plainTextPath="internal://50000000-0000-4000-8000-000000000001.txt">
      {selection("a0000000-0000-4000-8000-0000000000a1", "hun lyttede", crlf_as_two=True, code=listening, user=None)}
      {selection("a0000000-0000-4000-8000-0000000000a2", "Så skete der ingenting", crlf_as_two=True, code=nothing, user="C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B")}
    </TextSource>
    <TextSource guid="50000000-0000-4000-8000-000000000002" name="one-char.docx"
        plainTextPath="internal://50000000-0000-4000-8000-000000000002.txt"
        richTextPath="internal://50000000-0000-4000-8000-000000000002.docx">
      {selection("b0000000-0000-4000-8000-0000000000b1", "hun lyttede", crlf_as_two=False, code=listening, user=None)}
      <NoteRef targetGUID="f0000000-0000-4000-8000-000000000002"/>
    </TextSource>
    <TextSource guid="50000000-0000-4000-8000-000000000003" name="inline">
      <PlainTextContent>Mette: inline text here</PlainTextContent>
      <Coding guid="c0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{nothing}"/></Coding>
    </TextSource>
    <PDFSource guid="70000000-0000-4000-8000-000000000001" name="report.pdf" path="internal://70000000-0000-4000-8000-000000000001.pdf">
      <PDFSelection guid="71000000-0000-4000-8000-000000000001" page="1" firstX="1" firstY="1" secondX="5" secondY="5"/>
      <PDFSelection guid="71000000-0000-4000-8000-000000000002" page="2" firstX="1" firstY="1" secondX="5" secondY="5"/>
    </PDFSource>
    <PictureSource guid="72000000-0000-4000-8000-000000000001" name="photo.jpg" path="relative:///photo.jpg"/>
  </Sources>
  <Notes>
    <Note guid="f0000000-0000-4000-8000-000000000001" name="Research plan">
      <PlainTextContent>Day to day log.</PlainTextContent>
    </Note>
    <Note guid="f0000000-0000-4000-8000-000000000002" name="About one-char">
      <PlainTextContent>Transcribed by hand.</PlainTextContent>
    </Note>
  </Notes>
  <Sets><Set guid="5e000000-0000-4000-8000-000000000001" name="all"/></Sets>
  <Mystery/>
  <Description>A project from another tool.</Description>
</Project>
"""


def test_a_vendor_project_imports_with_warnings(tmp_path: Path, run: Cli) -> None:
    sources: dict[str, str | bytes] = {
        "Sources/50000000-0000-4000-8000-000000000001.txt": CRLF.encode("utf-8"),
        "Sources/50000000-0000-4000-8000-000000000002.txt": CRLF.encode("utf-8"),
    }
    qdpx = write_qdpx(tmp_path / "vendor.qdpx", vendor_qde(), sources, qde_name="Project.qde")
    target = tmp_path / "p.qualcode"
    out = run("import-project", target, qdpx).stdout
    assert "coders: 0 matched, 2 added (added Friedrich, user-c32a2bd5)" in out
    assert "transcripts: 0 matched by text, 0 matched fuzzily, 3 added" in out
    assert "codings: 4 added" in out
    assert (
        "warning: skipped 2 non-text source(s) (1 PDFSource, 1 PictureSource) and their 2 selection(s)"
        in out
    )
    assert "sets: 0 matched, 1 added (added all)" in out
    assert "warning: ignored unknown elements: Fancy (1), Mystery (1)" in out

    codings = json.loads(run("codings", target, "--format", "json").stdout)
    found = {(c["transcript"], c["text"], c["code"], c["coder"], c["memo"]) for c in codings}
    assert found == {
        ("two-char", "hun lyttede", "Topics/listening", "Friedrich", "Selection comment a1"),
        (
            "two-char",
            "Så skete der ingenting",
            "Topics/nothing\\/happened",
            "user-c32a2bd5",
            "Selection comment a2",
        ),
        ("one-char", "hun lyttede", "Topics/listening", "Friedrich", "Selection comment b1"),
        ("inline", "Mette: inline text here", "Topics/nothing\\/happened", "Friedrich", None),
    }
    assert run("show", target, "two-char").stdout == TEXT  # BOM gone, LF line ends
    codebook = run("codebook", target).stdout
    assert codebook == "Topics\n  listening\n  nothing/happened\n"
    exported = run("codebook", target, "export").stdout
    assert "#ff0088" in exported  # #RGB widened to #RRGGBB
    cases = json.loads(run("cases", target, "--format", "json").stdout)
    mette = next(c for c in cases if c["case"] == "Mette")
    assert [a["transcript"] for a in mette["assignments"]] == ["one-char"]
    assert mette["attributes"] == {"age": "41", "consent": "true", "interviewed": "2024-03-01"}


def test_crlf_counting_is_detected_per_source(tmp_path: Path, run: Cli) -> None:
    sources: dict[str, str | bytes] = {
        "sources/50000000-0000-4000-8000-000000000001.txt": CRLF,
        "sources/50000000-0000-4000-8000-000000000002.txt": CRLF,
    }
    qdpx = write_qdpx(tmp_path / "vendor.qdpx", vendor_qde(), sources)
    target = tmp_path / "p.qualcode"
    run("import-project", target, qdpx, "--format", "json")
    texts = {
        (c["transcript"], c["text"])
        for c in json.loads(run("codings", target, "--format", "json").stdout)
    }
    assert ("two-char", "hun lyttede") in texts
    assert ("one-char", "hun lyttede") in texts


def test_notes_become_memos_and_description_is_kept(tmp_path: Path, run: Cli) -> None:
    sources: dict[str, str | bytes] = {
        "sources/50000000-0000-4000-8000-000000000001.txt": CRLF,
        "sources/50000000-0000-4000-8000-000000000002.txt": CRLF,
    }
    qdpx = write_qdpx(tmp_path / "vendor.qdpx", vendor_qde(), sources)
    target = tmp_path / "p.qualcode"
    run("import-project", target, qdpx)
    info = json.loads(run("info", target, "--format", "json").stdout)
    assert info["memos"] == 2  # the unreferenced note on the project, one on a transcript
    again = tmp_path / "again.qdpx"
    run("export", target, "--format", "qdpx", "-o", again)
    from tests.refi.helpers import qde_bytes

    assert b"<Description>A project from another tool.</Description>" in qde_bytes(again)


def test_importing_into_a_project_with_content_points_to_merge(tmp_path: Path, run: Cli) -> None:
    sources: dict[str, str | bytes] = {
        "sources/50000000-0000-4000-8000-000000000001.txt": CRLF,
        "sources/50000000-0000-4000-8000-000000000002.txt": CRLF,
    }
    qdpx = write_qdpx(tmp_path / "vendor.qdpx", vendor_qde(), sources)
    target = tmp_path / "p.qualcode"
    run("import-project", target, qdpx)
    error = run("import-project", target, qdpx, expect=1).stderr
    assert "already has 3 transcript(s)" in error
    assert f"qualcode merge {target} {qdpx}" in error


def test_a_qdc_given_to_import_project_is_pointed_to_codebook_import(
    tmp_path: Path, run: Cli
) -> None:
    qdc = tmp_path / "codes.qdc"
    qdc.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', encoding="utf-8")
    error = run("import-project", tmp_path / "p.qualcode", qdc, expect=1).stderr
    assert "use qualcode codebook PROJECT import FILE.qdc" in error
    assert not (tmp_path / "p.qualcode").exists()


def test_codebook_import_of_a_vendor_qdc(tmp_path: Path, run: Cli) -> None:
    qdc = tmp_path / "vendor.qdc"
    qdc.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Tool">
<Codes>
<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">
  <Code guid="{d7aa29da-519b-4946-9b90-253b6db8fd0a}" name="Economy" isCodable="true" color="#ffff00">
    <Description>Anything about jobs or taxes or business</Description>
  </Code>
</Code>
<Code guid="9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520" name="Values" isCodable="false"/>
</Codes>
<Sets><Set guid="9fa9bcb7-5b59-47a9-8c3e-f65cffdc7521" name="s"/></Sets>
</CodeBook>
""",
        encoding="utf-8",
    )
    project = tmp_path / "p.qualcode"
    run("init", project)
    out = run("codebook", project, "import", qdc).stdout
    assert out == f"{qdc}: 3 codes created, 0 updated, 0 unchanged\n"
    assert run("codebook", project).stdout == "Topics\n  Economy\nValues\n"
    bad = tmp_path / "bad.qdc"
    bad.write_text("<CodeBook><Codes>", encoding="utf-8")
    error = run("codebook", project, "import", bad, expect=1).stderr
    assert error.startswith(f"Error: {bad}:1:")
    assert "not well-formed XML" in error
