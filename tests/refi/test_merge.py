"""Merging coders' copies: another coder's project (qualcode or .qdpx) comes in as its own
layer; copies that differ slightly are matched fuzzily and codings re-mapped."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest

from qualcode.services.cases import import_cases
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.project import init_project
from qualcode.services.status import mark_done
from qualcode.services.transcripts import import_transcripts
from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli
from tests.refi.helpers import coding_order, snapshot, write_qdpx

SAMPLES = sorted(
    p for p in TRANSCRIPTS.iterdir() if p.suffix in {".txt", ".md", ".docx", ".vtt", ".srt"}
)


def coder_project(folder: Path, coder: str) -> Path:
    """The demo material with only one coder's codings, built independently (so every
    identity differs from another coder's copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (TRANSCRIPTS / "demo-codings.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["coder"] == coder]
    codings = folder / f"{coder}.csv"
    with codings.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    path = folder / f"{coder}.qualcode"
    project = init_project(path)
    import_codebook(project, CODEBOOKS / "family-collaboration.yaml")
    import_transcripts(project, SAMPLES)
    import_cases(project, TRANSCRIPTS / "cases.csv")
    import_codings(project, codings)
    project.close()
    return path


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("copies")
    return coder_project(root / "a", "anna"), coder_project(root / "b", "bo")


@pytest.fixture
def anna(copies: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "anna.qualcode"
    target.write_bytes(copies[0].read_bytes())
    return target


def test_a_second_coders_copy_merges_in_as_a_separate_layer(
    anna: Path, copies: tuple[Path, Path], run: Cli
) -> None:
    bo = copies[1]
    before_anna, before_bo = snapshot(anna), snapshot(bo)
    out = run("merge", anna, bo).stdout
    assert "coders: 0 matched, 1 added (added bo)" in out
    assert "codes: 19 matched, 0 added" in out
    assert "transcripts: 8 matched by text, 0 matched fuzzily, 0 added" in out
    assert f"codings: {len(before_bo['codings'])} added, 0 already present" in out
    after = snapshot(anna)
    assert after["coders"] == ["anna", "bo"]
    combined = before_anna["codings"] + before_bo["codings"]
    assert sorted(after["codings"], key=coding_order) == sorted(combined, key=coding_order)
    assert after["cases"] == before_anna["cases"]
    again = run("merge", anna, bo).stdout
    assert f"codings: 0 added, {len(before_bo['codings'])} already present" in again

    opened = init_project.__globals__["open_project"](anna)  # the services' open_project
    for name in after["texts"]:
        for coder in ("anna", "bo"):
            mark_done(opened, name, coder)
    opened.close()
    report = json.loads(run("agreement", anna, "--coders", "anna", "bo", "--format", "json").stdout)
    assert report  # kappa and friends computed over the two merged layers


def test_a_qdpx_copy_merges_the_same_way_and_dry_run_changes_nothing(
    anna: Path, copies: tuple[Path, Path], tmp_path: Path, run: Cli
) -> None:
    qdpx = tmp_path / "bo.qdpx"
    run("export", copies[1], "--format", "qdpx", "-o", qdpx)
    log_before = run("log", anna, "--format", "json").stdout
    dry = run("merge", anna, qdpx, "--dry-run").stdout
    assert dry.startswith("dry run (nothing written): from ")
    assert run("log", anna, "--format", "json").stdout == log_before
    assert snapshot(anna)["coders"] == ["anna"]
    real = run("merge", anna, qdpx).stdout
    assert real.splitlines()[1:] == dry.splitlines()[1:]
    assert snapshot(anna)["coders"] == ["anna", "bo"]


def test_a_coder_clash_needs_an_explicit_rename(anna: Path, tmp_path: Path, run: Cli) -> None:
    other = tmp_path / "other-anna.qualcode"
    other.write_bytes(anna.read_bytes())
    # Both copies get (different) identities on export: now "anna" is two people.
    run("export", anna, "--format", "qdpx", "-o", tmp_path / "x.qdpx")
    renamed = tmp_path / "other.qdpx"
    fresh = tmp_path / "fresh"
    coder_project(fresh, "anna")
    run("export", fresh / "anna.qualcode", "--format", "qdpx", "-o", renamed)
    error = run("merge", anna, renamed, expect=1).stderr
    assert "coder 'anna' is a different person here" in error
    assert "--rename-coder anna=NEW_NAME" in error
    out = run("merge", anna, renamed, "--rename-coder", "anna=anna2").stdout
    assert "added anna as anna2" in out
    assert snapshot(anna)["coders"] == ["anna", "anna2"]
    same = tmp_path / "same.qualcode"
    same.write_bytes(other.read_bytes())
    run("export", same, "--format", "qdpx", "-o", tmp_path / "y.qdpx")
    out = run("merge", same, renamed, "--rename-coder", "anna=anna").stdout
    assert "coders: 1 matched, 0 added (matched anna)" in out
    assert run("merge", anna, renamed, "--rename-coder", "nobody=x", expect=1).stderr == (
        f"Error: --rename-coder: no coder named 'nobody' in {renamed}\n"
    )


def _single_source_qdpx(
    path: Path, text: str, codings: list[tuple[int, int, str]], codes: dict[str, str]
) -> Path:
    """A .qdpx with one source and coder "bo"; ``codings`` are (start, end, code guid)."""
    guid = "51000000-0000-4000-8000-000000000001"
    code_xml = "".join(
        f'<Code guid="{g}" name="{name}" isCodable="true"/>' for name, g in codes.items()
    )
    selections = "".join(
        f'<PlainTextSelection guid="5e000000-0000-4000-8000-{i:012d}" startPosition="{s}" '
        f'endPosition="{e}"><Coding guid="c0000000-0000-4000-8000-{i:012d}" '
        f'creatingUser="b0000000-0000-4000-8000-000000000001"><CodeRef targetGUID="{code}"/>'
        "</Coding></PlainTextSelection>"
        for i, (s, e, code) in enumerate(codings)
    )
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="bo copy">
<Users><User guid="b0000000-0000-4000-8000-000000000001" name="bo"/></Users>
<CodeBook><Codes>{code_xml}</Codes></CodeBook>
<Sources><TextSource guid="{guid}" name="parent-01-en" plainTextPath="internal://{guid}.txt">
{selections}</TextSource></Sources></Project>"""
    return write_qdpx(path, qde, {f"sources/{guid}.txt": text})


def test_a_slightly_different_copy_is_matched_fuzzily_and_codings_remapped(
    anna: Path, tmp_path: Path, run: Cli
) -> None:
    original = snapshot(anna)["texts"]["parent-01-en"]
    inserted = "(pause) "
    cut = original.index("So the first contact")
    word = re.search(r"\bcaseworkers\b", original[cut + 500 :])
    assert word is not None
    w_start = cut + 500 + word.start()
    edited = (
        original[:cut] + inserted + original[cut:w_start] + "12345678901" + original[w_start + 11 :]
    )
    shift = len(inserted)
    kept = (cut, cut + 40)  # before the replaced word: placed, shifted back
    broken = (w_start + 3, w_start + 40)  # starts inside the replaced word
    codings = [
        (kept[0] + shift, kept[1] + shift, "ac000000-0000-4000-8000-000000000001"),
        (broken[0] + shift, broken[1] + shift, "ac000000-0000-4000-8000-000000000001"),
    ]
    qdpx = _single_source_qdpx(
        tmp_path / "edited.qdpx",
        edited,
        codings,
        {"recognition": "ac000000-0000-4000-8000-000000000001"},
    )
    out = run("merge", anna, qdpx).stdout
    assert "transcripts: 0 matched by text, 1 matched fuzzily, 0 added" in out
    assert "fuzzy: parent-01-en ~ parent-01-en (" in out
    assert (
        "codings: 1 added, 0 already present, 1 re-mapped to edited text, 1 cannot be placed" in out
    )
    assert "cannot place: parent-01-en" in out
    assert "(text changed)" in out
    bo = [c for c in snapshot(anna)["codings"] if c[2] == "bo"]
    assert bo == [("parent-01-en", "recognition", "bo", *kept, original[kept[0] : kept[1]], None)]


def test_near_duplicate_code_names_are_suggested_not_merged(
    anna: Path, tmp_path: Path, run: Cli
) -> None:
    text = snapshot(anna)["texts"]["parent-01-en"]
    qdpx = _single_source_qdpx(
        tmp_path / "typo.qdpx",
        text,
        [(0, 20, "ac000000-0000-4000-8000-000000000002")],
        {"Accesibility": "ac000000-0000-4000-8000-000000000002"},
    )
    out = run("merge", anna, qdpx).stdout
    assert "codes: 0 matched, 1 added" in out
    assert "suggestion: new code 'Accesibility' looks like existing 'accessibility' (96%)" in out
    assert "Accesibility" in run("codebook", anna).stdout


def test_merge_refuses_a_missing_other_project(anna: Path, tmp_path: Path, run: Cli) -> None:
    error = run("merge", anna, tmp_path / "missing.qualcode", expect=1).stderr
    assert "no such project" in error
    with zipfile.ZipFile(tmp_path / "x.zip", "w"):
        pass
    assert "no project.qde inside" in run("merge", anna, tmp_path / "x.zip", expect=1).stderr
