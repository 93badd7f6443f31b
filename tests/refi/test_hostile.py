"""Untrusted .qdpx files: each hostile file is refused with one line, and nothing is
written (no new project file; an existing project unchanged)."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from qualcode.domain.errors import InputError
from qualcode.importers.refi_xml import read_qde
from tests.conftest import Cli
from tests.refi.helpers import write_qdpx

TEXT = "Interviewer: How was it?\nMette: Good, mostly.\n"
SOURCE_GUID = "11111111-2222-4333-8444-555555555555"


def qde(selection: tuple[int, int] = (25, 30), prolog: str = "", name: str = "Interview") -> str:
    start, end = selection
    return f"""<?xml version="1.0" encoding="utf-8"?>{prolog}
<Project xmlns="urn:QDA-XML:project:1.0" name="hostile">
  <Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" name="anna"/></Users>
  <CodeBook><Codes>
    <Code guid="cccccccc-0000-4000-8000-000000000001" name="tone" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{SOURCE_GUID}" name="{name}" plainTextPath="internal://{SOURCE_GUID}.txt">
      <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000001"
          startPosition="{start}" endPosition="{end}">
        <Coding guid="eeeeeeee-0000-4000-8000-000000000001"
            creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
          <CodeRef targetGUID="cccccccc-0000-4000-8000-000000000001"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def good_sources() -> dict[str, str | bytes]:
    return {f"sources/{SOURCE_GUID}.txt": TEXT}


def refused(run: Cli, tmp_path: Path, qdpx: Path, *options: str) -> str:
    """Import into a new project and into an existing empty one; both must fail alike."""
    target = tmp_path / "new.qualcode"
    error: str = run("import-project", target, qdpx, *options, expect=1).stderr
    assert error.startswith("Error: ")
    assert error.count("\n") == 1, error
    assert not target.exists()
    assert not Path(f"{target}-wal").exists()
    existing = tmp_path / "existing.qualcode"
    run("init", existing)
    before = run("log", existing, "--format", "json").stdout
    assert run("import-project", existing, qdpx, *options, expect=1).stderr == error.replace(
        str(target), str(existing)
    )
    assert run("log", existing, "--format", "json").stdout == before
    merge_error = run("merge", existing, qdpx, *options, expect=1).stderr
    assert merge_error.count("\n") == 1
    assert run("info", existing, "--format", "json").stdout.count('"codings": 0') == 1
    return error


def test_a_good_file_imports(tmp_path: Path, run: Cli) -> None:
    qdpx = write_qdpx(tmp_path / "good.qdpx", qde(), good_sources())
    run("import-project", tmp_path / "p.qualcode", qdpx)
    listed = run("codings", tmp_path / "p.qualcode", "--format", "csv").stdout
    assert "Interview,tone,anna,25,30,Mette," in listed


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../evil.txt", "path leaves the archive"),  # zip slip
        ("sources/../../evil.txt", "path leaves the archive"),
        ("/etc/evil.txt", "absolute path"),
        ("C:/Windows/evil.txt", "drive letter"),
        ("..\\evil.txt", "path leaves the archive"),  # Windows separators
    ],
)
def test_entries_leaving_the_archive_are_refused(
    tmp_path: Path, run: Cli, entry: str, reason: str
) -> None:
    sources = {**good_sources(), entry: "gotcha"}
    qdpx = write_qdpx(tmp_path / "slip.qdpx", qde(), sources)
    assert reason in refused(run, tmp_path, qdpx)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_symbolic_links_are_refused(tmp_path: Path, run: Cli) -> None:
    qdpx = write_qdpx(tmp_path / "link.qdpx", qde(), good_sources())
    with zipfile.ZipFile(qdpx, "a") as archive:
        link = zipfile.ZipInfo("sources/passwd.txt")
        link.create_system = 3
        link.external_attr = (0o120777 << 16) | 0x20
        archive.writestr(link, "/etc/passwd")
    assert "symbolic link" in refused(run, tmp_path, qdpx)


def test_a_zip_bomb_by_ratio_is_refused(tmp_path: Path, run: Cli) -> None:
    bomb = {**good_sources(), "sources/bomb.txt": b"\0" * (20 * 1024 * 1024)}
    qdpx = write_qdpx(tmp_path / "bomb.qdpx", qde(), bomb)
    assert qdpx.stat().st_size < 200_000
    error = refused(run, tmp_path, qdpx)
    assert "compression ratio" in error
    assert "zip bomb" in error


def test_a_zip_bomb_by_total_size_is_refused(tmp_path: Path, run: Cli) -> None:
    # Incompressible padding: small entries now count for the ratio too, so a repeated
    # pattern would be refused by ratio before the total size is reached.
    noise = random.Random(11)
    padding = {f"sources/pad{i}.bin": noise.randbytes(600_000) for i in range(3)}
    qdpx = write_qdpx(tmp_path / "big.qdpx", qde(), {**good_sources(), **padding})
    error = refused(run, tmp_path, qdpx, "--max-size", "1")
    assert "expand to more than 1 MB" in error


BILLION_LAUGHS = """
<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>"""
XXE = '\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("prolog", "name", "caught_in_prolog"),
    [
        (BILLION_LAUGHS, "&lol4;", True),  # billion laughs
        (XXE, "&xxe;", True),  # external entity
        ('\n<!DOCTYPE Project SYSTEM "http://example.invalid/x.dtd">', "Interview", True),
        # past the prolog scan: whether lxml reports the DTD as a parse event or a syntax
        # error depends on its version, so only our error class is asserted
        ("\n<!-- " + "x" * 70_000 + " -->" + XXE, "&xxe;", False),
    ],
    ids=["billion-laughs", "external-entity", "external-dtd", "dtd-past-prolog-scan"],
)
def test_dtds_and_entities_are_refused(
    tmp_path: Path, run: Cli, prolog: str, name: str, caught_in_prolog: bool
) -> None:
    document = qde(prolog=prolog, name=name)
    with pytest.raises(InputError):
        read_qde(io.BytesIO(document.encode("utf-8")), "project.qde")
    qdpx = write_qdpx(tmp_path / "dtd.qdpx", document, good_sources())
    error = refused(run, tmp_path, qdpx)  # one line, nothing written
    if caught_in_prolog:
        assert "refused: XML with a DTD" in error


def test_an_undeclared_entity_is_not_well_formed(tmp_path: Path, run: Cli) -> None:
    qdpx = write_qdpx(tmp_path / "entity.qdpx", qde(name="&xxe;"), good_sources())
    assert "not well-formed XML" in refused(run, tmp_path, qdpx)


@pytest.mark.parametrize("selection", [(25, 999), (500, 501)])
def test_positions_outside_the_text_are_refused(
    tmp_path: Path, run: Cli, selection: tuple[int, int]
) -> None:
    qdpx = write_qdpx(tmp_path / "far.qdpx", qde(selection), good_sources())
    error = refused(run, tmp_path, qdpx)
    assert f"selection {selection[0]}:{selection[1]} is outside the source text" in error
    assert f"({len(TEXT)} characters)" in error


def test_a_project_qde_that_is_not_well_formed_is_refused(tmp_path: Path, run: Cli) -> None:
    broken = qde().replace("</Sources>", "</Source>")
    qdpx = write_qdpx(tmp_path / "broken.qdpx", broken, good_sources())
    error = refused(run, tmp_path, qdpx)
    assert "broken.qdpx:project.qde:" in error
    assert "not well-formed XML" in error


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04 not really a zip", "not a .qdpx (zip) file"),
        (b"", "not a .qdpx (zip) file"),
    ],
)
def test_files_that_are_not_zips_are_refused(
    tmp_path: Path, run: Cli, content: bytes, expected: str
) -> None:
    qdpx = tmp_path / "fake.qdpx"
    qdpx.write_bytes(content)
    assert expected in refused(run, tmp_path, qdpx)


def test_a_zip_without_project_qde_is_refused(tmp_path: Path, run: Cli) -> None:
    qdpx = write_qdpx(tmp_path / "empty.qdpx", "<x/>", qde_name="readme.txt")
    assert "no project.qde inside" in refused(run, tmp_path, qdpx)


def test_a_source_that_is_not_utf8_is_refused(tmp_path: Path, run: Cli) -> None:
    latin = {f"sources/{SOURCE_GUID}.txt": TEXT.replace("Good", "Gød").encode("latin-1")}
    qdpx = write_qdpx(tmp_path / "latin.qdpx", qde(), latin)
    assert "source text is not UTF-8" in refused(run, tmp_path, qdpx)
