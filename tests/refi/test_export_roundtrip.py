"""Export to REFI-QDA (validated against the XSD) and the round trip through import."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.refi.helpers import (
    Q,
    assert_valid,
    codebook_schema,
    comparable_qde,
    project_schema,
    qde_bytes,
    snapshot,
    source_files,
)


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.qualcode"
    shutil.copyfile(demo_template, path)  # the session's demo, built once
    return path


@pytest.fixture(scope="module")
def demo_qdpx(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "demo.qdpx"
    result = Cli()("export", demo, "--format", "qdpx", "-o", out)
    assert result.stdout.startswith(f"wrote {out}: 8 sources, 185 codings")
    return out


def test_demo_export_validates_against_the_project_schema(demo_qdpx: Path) -> None:
    tree = assert_valid(project_schema(), qde_bytes(demo_qdpx))
    assert [child.tag.removeprefix(Q) for child in tree] == [
        "Users",
        "CodeBook",
        "Variables",
        "Cases",
        "Sources",
        "Notes",
    ]
    assert sorted(user.get("name") for user in tree.iter(f"{Q}User")) == ["anna", "bo"]


def test_codebook_export_validates_against_the_codebook_types(demo: Path, run: Cli) -> None:
    result = run("export", demo, "--format", "qdc")
    tree = assert_valid(codebook_schema(), result.stdout_bytes)
    codes = list(tree.iter("{urn:QDA-XML:codebook:1.0}Code"))
    assert len(codes) == 19
    assert all(code.get("color", "#000000").startswith("#") for code in codes)


def test_selections_are_code_points_into_the_source_files(demo: Path, demo_qdpx: Path) -> None:
    tree = assert_valid(project_schema(), qde_bytes(demo_qdpx))
    files = source_files(demo_qdpx)
    users = {u.get("guid"): u.get("name") for u in tree.iter(f"{Q}User")}
    stored = snapshot(demo)
    exported = []
    for source in tree.iter(f"{Q}TextSource"):
        text = files["sources/" + source.get("plainTextPath").removeprefix("internal://")]
        assert text == stored["texts"][source.get("name")]
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            for coding in selection.iter(f"{Q}Coding"):
                exported.append(
                    (
                        source.get("name"),
                        users[coding.get("creatingUser")],
                        start,
                        end,
                        text[start:end],
                    )
                )
    assert sorted(exported) == sorted((c[0], c[2], c[3], c[4], c[5]) for c in stored["codings"])
    danish = [e for e in exported if e[0] == "parent-03-da"]
    assert any(letter in e[4] for e in danish for letter in "æøå")


def test_cases_carry_typed_variable_values(demo_qdpx: Path) -> None:
    tree = assert_valid(project_schema(), qde_bytes(demo_qdpx))
    variables = {v.get("guid"): v for v in tree.iter(f"{Q}Variable")}
    ordinal = next(v for v in variables.values() if v.get("name") == "cost_level")
    assert ordinal.get("typeOfVariable") == "Text"
    assert ordinal.findtext(f"{Q}Description") == "ordinal: low < medium < high"
    case = next(c for c in tree.iter(f"{Q}Case") if c.get("name") == "Family 01")
    values = {
        variables[v.find(f"{Q}VariableRef").get("targetGUID")].get("name"): v[1].text
        for v in case.iter(f"{Q}VariableValue")
    }
    assert values["cost_level"] == "high"
    assert case.find(f"{Q}SourceRef") is not None


def test_coding_memos_become_notes(demo_qdpx: Path) -> None:
    tree = assert_valid(project_schema(), qde_bytes(demo_qdpx))
    notes = {n.get("guid"): n.findtext(f"{Q}PlainTextContent") for n in tree.iter(f"{Q}Note")}
    refs = [
        r.get("targetGUID")
        for s in tree.iter(f"{Q}PlainTextSelection")
        for r in s.iter(f"{Q}NoteRef")
    ]
    assert len(refs) == len(notes) == 22
    assert set(refs) == set(notes)
    assert "Fear of being assessed as parents before any contact." in notes.values()


def test_exporting_twice_gives_the_same_file(
    demo: Path, demo_qdpx: Path, tmp_path: Path, run: Cli
) -> None:
    again = tmp_path / "again.qdpx"
    run("export", demo, "--format", "qdpx", "-o", again)
    assert comparable_qde(again) == comparable_qde(demo_qdpx)
    assert source_files(again) == source_files(demo_qdpx)
    # No clock in the archive: its entries carry the ZIP format's first day, so the
    # bytes are the same too.
    with zipfile.ZipFile(again) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert again.read_bytes() == demo_qdpx.read_bytes()


def test_round_trip_of_the_demo_project(
    demo: Path, demo_qdpx: Path, tmp_path: Path, run: Cli
) -> None:
    back = tmp_path / "back.qualcode"
    result = run("import-project", back, demo_qdpx)
    assert "codings: 185 added, 0 already present, 0 cannot be placed" in result.stdout
    assert snapshot(back) == snapshot(demo)
    second = tmp_path / "back.qdpx"
    run("export", back, "--format", "qdpx", "-o", second)
    assert comparable_qde(second) == comparable_qde(demo_qdpx)
    assert source_files(second) == source_files(demo_qdpx)


def test_codebook_round_trip_through_qdc(demo: Path, tmp_path: Path, run: Cli) -> None:
    qdc = tmp_path / "codebook.qdc"
    run("export", demo, "--format", "qdc", "-o", qdc)
    fresh = tmp_path / "fresh.qualcode"
    run("init", fresh)
    assert (
        run("codebook", fresh, "import", qdc).stdout
        == f"{qdc}: 19 codes created, 0 updated, 0 unchanged\n"
    )
    assert snapshot(fresh)["codes"] == snapshot(demo)["codes"]
    assert run("codebook", fresh, "import", qdc).stdout.endswith(
        "0 codes created, 0 updated, 19 unchanged\n"
    )
    again = tmp_path / "again.qdc"
    run("export", fresh, "--format", "qdc", "-o", again)
    assert again.read_bytes() == qdc.read_bytes()


def test_qdpx_needs_an_output_file_and_an_existing_folder(
    demo: Path, tmp_path: Path, run: Cli
) -> None:
    assert "give a file, e.g. -o exports/project.qdpx" in run("export", demo, expect=1).stderr
    missing = tmp_path / "nowhere" / "x.qdpx"
    error = run("export", demo, "--format", "qdpx", "-o", missing, expect=1).stderr
    assert error.count("\n") == 1
    assert "does not exist" in error
    assert not missing.parent.exists()


def test_empty_codebook_cannot_be_a_qdc(project_path: Path, run: Cli) -> None:
    run("init", project_path)
    error = run("export", project_path, "--format", "qdc", expect=1).stderr
    assert error == f"Error: {project_path}: the project has no codes to export\n"


def test_the_archive_holds_project_qde_and_flat_sources(demo_qdpx: Path) -> None:
    with zipfile.ZipFile(demo_qdpx) as archive:
        names = archive.namelist()
    assert "project.qde" in names
    assert all(
        n == "project.qde" or (n.startswith("sources/") and n.count("/") == 1) for n in names
    )
    assert len(names) == 9
