"""The codebook file's own name and description survive import -> export."""

from __future__ import annotations

from pathlib import Path

import yaml

from qualcode.importers.codebook_yaml import load_codebook, parse_codebook
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import CODEBOOKS, Cli, write

FAMILY = CODEBOOKS / "family-collaboration.yaml"


def fresh(tmp_path: Path, run: Cli, *codebooks: Path) -> Path:
    project = tmp_path / "p.qualcode"
    run("init", project)
    for codebook in codebooks:
        run("codebook", project, "import", codebook)
    return project


def top_level(text: str) -> dict[str, object]:
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return {key: value for key, value in document.items() if key != "codes"}


def test_import_then_export_round_trips_the_whole_file(tmp_path: Path, run: Cli) -> None:
    original = load_codebook(FAMILY)
    assert original.name
    assert original.description
    project = fresh(tmp_path, run, FAMILY)
    exported = run("codebook", project, "export").stdout
    assert parse_codebook(exported, "export") == original
    again = write(tmp_path / "again.yaml", exported)
    count = len(run("codebook", project).stdout.splitlines())
    assert (
        run("codebook", project, "import", again).stdout
        == f"{again}: 0 codes created, 0 updated, {count} unchanged\n"
    )
    assert run("codebook", project, "export").stdout == exported


def test_an_explicit_name_wins_and_the_description_stays(tmp_path: Path, run: Cli) -> None:
    project = fresh(tmp_path, run, FAMILY)
    exported = run("codebook", project, "export", "--name", "Pilot codebook").stdout
    assert top_level(exported) == {
        "name": "Pilot codebook",
        "description": load_codebook(FAMILY).description,
    }
    # The stored name is not replaced by an export option.
    assert (
        top_level(run("codebook", project, "export").stdout)["name"] == load_codebook(FAMILY).name
    )


def test_a_later_file_replaces_what_it_gives_and_keeps_what_it_leaves_out(
    tmp_path: Path, run: Cli
) -> None:
    minimal = load_codebook(CODEBOOKS / "minimal.yaml")
    assert minimal.name
    assert minimal.description is None
    project = fresh(tmp_path, run, FAMILY)
    out = run("codebook", project, "import", CODEBOOKS / "minimal.yaml").stdout
    assert out.endswith("0 unchanged; codebook name changed\n")
    assert top_level(run("codebook", project, "export").stdout) == {
        "name": minimal.name,
        "description": load_codebook(FAMILY).description,
    }
    changed = write(
        tmp_path / "changed.yaml",
        (CODEBOOKS / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace("codes:", "description: Only for the pilot.\ncodes:", 1),
    )
    out = run("codebook", project, "import", changed).stdout
    assert out.endswith(" unchanged; codebook description changed\n")
    assert top_level(run("codebook", project, "export").stdout) == {
        "name": minimal.name,
        "description": "Only for the pilot.",
    }


def test_a_codebook_without_name_or_description_exports_codes_only(
    tmp_path: Path, run: Cli
) -> None:
    bare = write(tmp_path / "bare.yaml", "codes:\n  - name: positive\n")
    project = fresh(tmp_path, run, bare)
    assert run("codebook", project, "export").stdout == "codes:\n  - name: positive\n"


def test_a_refused_file_stores_no_name_either(tmp_path: Path, run: Cli) -> None:
    project = fresh(tmp_path, run)
    bad = write(
        tmp_path / "bad.yaml",
        "name: Never stored\ndescription: Nor this\ncodes:\n  - name: a\n  - name: a\n",
    )
    before = dump(project)
    error = one_line_error(run("codebook", project, "import", bad, expect=1).stderr)
    assert "duplicate code name 'a'" in error
    assert dump(project) == before
    assert "Never stored" not in run("codebook", project, "export").stdout
