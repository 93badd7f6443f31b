"""Offset conventions detected per source: each peer's way of counting (BOM counted or
not, CRLF as one or two, code points or UTF-16 units) written into a small .qdpx at test
time, imported, and every coding found on exactly the characters its author coded.

Expected positions are computed here independently of the importer: the prefix before a
span is counted the producer's way (``str`` length, or UTF-16 code units by encoding)."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.domain.errors import InputError
from qualcode.importers.refi_offsets import map_source_text
from tests.conftest import Cli
from tests.refi.helpers import write_qdpx

TEXT = (
    "Interviewer: Hvordan gik mødet på Ærø?\n"
    "Mette: Det gik godt 😀, hun lyttede.\n"
    "Interviewer: Og så?\n"
    "Mette: Så skete der ingenting 🙂 overhovedet.\n"
)
WORDS = ["hun lyttede", "Og så?", "Så skete der ingenting", "overhovedet"]
SOURCE = "50000000-0000-4000-8000-000000000001"
CODE = "c0de0000-0000-4000-8000-000000000001"


@dataclass(frozen=True)
class Way:
    """One producer's way of writing a source and counting its positions."""

    bom_written: bool
    bom_counted: bool
    crlf_written: bool
    crlf_as_two: bool
    utf16: bool

    def raw(self, text: str) -> str:
        body = text.replace("\n", "\r\n") if self.crlf_written else text
        return ("\ufeff" if self.bom_written else "") + body

    def units(self, text: str, position: int) -> int:
        """The producer's position for code point ``position`` of the clean text."""
        prefix = text[:position]
        if self.crlf_written and self.crlf_as_two:
            prefix = prefix.replace("\n", "\r\n")
        count = len(prefix.encode("utf-16-le")) // 2 if self.utf16 else len(prefix)
        return count + (1 if self.bom_written and self.bom_counted else 0)


def project_qde(way: Way, *, origin: str, names: str, text: str = TEXT) -> str:
    """A project with one source and one coding per word of WORDS; ``names`` is what the
    selection's name holds: ``"text"`` (the coded text), ``"line"`` (qc's ``line:N``) or
    ``"none"``."""
    selections = []
    for number, word in enumerate(WORDS):
        start = text.index(word)
        end = start + len(word)
        if names == "line":  # qc codes whole lines and names them line:N (from 0)
            start = text.rfind("\n", 0, start) + 1
            end = text.index("\n", start) + 1
            word = f"line:{text[:start].count(chr(10))}"
        name = f' name="{word}"' if names != "none" else ""
        selections.append(
            f'<PlainTextSelection guid="a0000000-0000-4000-8000-00000000000{number}"{name} '
            f'startPosition="{way.units(text, start)}" endPosition="{way.units(text, end)}">'
            f'<Coding guid="b0000000-0000-4000-8000-00000000000{number}">'
            f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="peer" origin="{origin}">
  <CodeBook><Codes><Code guid="{CODE}" name="tema" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{SOURCE}" name="interview.txt" plainTextPath="internal://{SOURCE}.txt">
  {"".join(selections)}
  </TextSource></Sources>
</Project>"""


def expected_texts(names: str, text: str = TEXT) -> list[str]:
    found = []
    for word in WORDS:
        if names == "line":
            start = text.rfind("\n", 0, text.index(word)) + 1
            word = text[start : text.index("\n", start) + 1]
        found.append(word)
    return sorted(found)


# fmt: off
PEERS = [
    # qc 1.7.8: keeps the BOM as a character, reads CRLF in text mode (one), lines named line:N
    pytest.param(Way(True, True, True, False, False), "qc 1.7.8", "line",
                 "BOM counted, CRLF as one, code points", id="qc"),
    # qc without names to go on: its origin decides
    pytest.param(Way(True, True, True, False, False), "qc 1.7.8", "none",
                 "BOM counted, CRLF as one, code points (by producer: qc)", id="qc-origin"),
    # QualCoder: writes a BOM it does not count; LF text
    pytest.param(Way(True, False, False, False, False), "QualCoder 3.5", "text",
                 "BOM not counted, code points", id="qualcoder"),
    # QualCoder's "MAXQDA" mode: BOM, CRLF text, LF positions
    pytest.param(Way(True, False, True, False, False), "QualCoder 3.5", "text",
                 "BOM not counted, CRLF as one, code points", id="qualcoder-maxqda"),
    # QualCoder's "MAXQDA" mode without names to go on: its origin decides
    pytest.param(Way(True, False, True, False, False), "QualCoder 3.5", "none",
                 "BOM not counted, CRLF as one, code points (by producer: QualCoder)",
                 id="qualcoder-maxqda-origin"),
    # a .NET tool: UTF-16 units, CRLF as two (the spec's reading), no BOM
    pytest.param(Way(False, False, True, True, True), "NVivo 14", "text",
                 "CRLF as two characters, UTF-16 units", id="utf16-crlf2"),
    # an unknown tool counting UTF-16 units, decided by the selection names alone
    pytest.param(Way(True, True, False, False, True), "SomeTool", "text",
                 "BOM counted, UTF-16 units (by selection names", id="unknown-utf16"),
]
# fmt: on


@pytest.mark.parametrize(("way", "origin", "names", "reported"), PEERS)
def test_each_peer_lands_exactly(
    tmp_path: Path, run: Cli, way: Way, origin: str, names: str, reported: str
) -> None:
    sources = {f"sources/{SOURCE}.txt": way.raw(TEXT)}
    qdpx = write_qdpx(tmp_path / "peer.qdpx", project_qde(way, origin=origin, names=names), sources)
    target = tmp_path / "p.qualcode"
    out = run("import-project", target, qdpx).stdout
    assert f"positions: interview: {reported}" in out
    assert "evidence thin" not in out
    codings = json.loads(run("codings", target, "--format", "json").stdout)
    assert sorted(c["text"] for c in codings) == expected_texts(names)
    assert run("show", target, "interview").stdout == TEXT


def test_thin_evidence_is_warned(tmp_path: Path, run: Cli) -> None:
    # no names, an unknown tool: only word boundaries tell the readings apart
    way = Way(True, True, True, False, False)
    qde = project_qde(way, origin="SomeTool", names="none")
    qdpx = write_qdpx(tmp_path / "thin.qdpx", qde, {f"sources/{SOURCE}.txt": way.raw(TEXT)})
    out = run("import-project", tmp_path / "p.qualcode", qdpx).stdout
    assert "warning: source 'interview.txt': positions read as" in out
    assert "evidence thin); check its codings" in out


@pytest.mark.parametrize(
    ("selections", "reason"),
    [
        # past the end however counted
        ([(0, 9, None)], "selection 0:9 is outside the source text (4 characters, however"),
        # 1:1 splits the emoji in UTF-16 units; 4:4 is past the end in code points
        ([(1, 1, None), (4, 4, None)], "no one way of counting positions places every"),
        # ends before it starts
        ([(2, 1, None)], "selection 2:1 ends before it starts"),
    ],
    ids=["too-far", "two-ways", "reversed"],
)
def test_no_convention_fits_is_refused(
    selections: list[tuple[int, int, str | None]], reason: str
) -> None:
    with pytest.raises(InputError) as caught:
        map_source_text("😀ab", selections, where="f.qdpx: source 's'")
    assert reason in str(caught.value)
    assert str(caught.value).startswith("f.qdpx: source 's'")


def test_a_source_no_convention_fits_refuses_the_file(tmp_path: Path, run: Cli) -> None:
    qde = project_qde(Way(False, False, False, False, False), origin="x", names="none")
    qde = qde.replace('endPosition="', 'endPosition="9', 1)
    qdpx = write_qdpx(tmp_path / "bad.qdpx", qde, {f"sources/{SOURCE}.txt": TEXT})
    error = run("import-project", tmp_path / "p.qualcode", qdpx, expect=1).stderr
    assert error.count("\n") == 1
    assert "bad.qdpx" in error
    assert "interview.txt" in error
    assert not (tmp_path / "p.qualcode").exists()


# --- every convention, random texts ------------------------------------------------------

_LETTERS = string.ascii_letters + "æøåÆØÅ"
_WORD = st.text(alphabet=_LETTERS, min_size=3, max_size=8)
_ASTRAL = st.sampled_from(["😀", "🙂", "𝔸", "🎉"])
_PIECE = st.one_of(_WORD, _WORD, _WORD, _ASTRAL, st.just("\n"), st.just(" "))


@st.composite
def _cases(draw: st.DrawFn) -> tuple[str, Way, list[tuple[int, int]]]:
    pieces = draw(st.lists(_PIECE, min_size=6, max_size=40))
    text = " ".join(pieces)
    way = Way(
        bom_written=draw(st.booleans()),
        bom_counted=draw(st.booleans()),
        crlf_written=draw(st.booleans()),
        crlf_as_two=draw(st.booleans()),
        utf16=draw(st.booleans()),
    )
    starts = [i for i, ch in enumerate(text) if ch.isalpha() and (i == 0 or text[i - 1] == " ")]
    chosen = draw(st.lists(st.sampled_from(starts), min_size=1, max_size=6)) if starts else []
    spans = []
    for start in chosen:
        end = start
        while end < len(text) and text[end] != " ":
            end += 1
        spans.append((start, end))
    return text, way, spans


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_every_convention_recovers_positions_exactly(
    case: tuple[str, Way, list[tuple[int, int]]],
) -> None:
    text, way, spans = case
    selections = [(way.units(text, s), way.units(text, e), text[s:e]) for s, e in spans]
    mapped = map_source_text(way.raw(text), selections)
    assert mapped.text == text
    recovered = [(mapped.start(s), mapped.end(e)) for s, e, _ in selections]
    if recovered != spans:
        # only when the names cannot tell the readings apart, and then it is said
        assert mapped.thin, (mapped.summary(), recovered, spans)
