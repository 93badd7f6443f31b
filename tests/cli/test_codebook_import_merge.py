"""`codebook import` merges: a field an entry leaves out keeps what is stored, a field it
writes replaces it, a field written empty clears it — and the counts say so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from qualcode.domain.codebook import DEFINITION_FIELDS, Codebook, CodeSpec, walk
from qualcode.importers.codebook_yaml import parse_codebook
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import CODEBOOKS, Cli, write

# One code with every definition field set, and a child, so each field has a stored
# value to keep, replace or clear.
BASE = """\
name: Base
description: The base codebook.
codes:
  - name: theme
    label_da: tema
    description: What the theme is about.
    inclusion: When to code it.
    exclusion: When not to.
    example: "We always start over."
    colour: "#2E86AB"
    shortcut: "4"
    keywords: [again, forfra]
    children:
      - name: sub
        shortcut: "l"
      - name: sub two
"""

# A file that names `theme` only to hold a new child.
ADD_CHILD = """\
codes:
  - name: theme
    children:
      - name: new sub
"""


def make_project(tmp_path: Path, run: Cli) -> Path:
    project = tmp_path / "p.qualcode"
    run("init", project)
    run("codebook", project, "import", write(tmp_path / "base.yaml", BASE))
    return project


def exported(run: Cli, project: Path) -> Codebook:
    return parse_codebook(run("codebook", project, "export").stdout, "export")


def definitions(run: Cli, project: Path) -> dict[str, CodeSpec]:
    """Each exported code by path, without its children."""
    return {path: replace(spec, children=()) for path, spec in walk(exported(run, project).codes)}


def stored(run: Cli, project: Path, path: str) -> CodeSpec:
    return definitions(run, project)[path]


def import_file(run: Cli, project: Path, tmp_path: Path, text: str) -> str:
    file = write(tmp_path / "part.yaml", text)
    out: str = run("codebook", project, "import", file).stdout
    return out.removeprefix(f"{file}: ").rstrip("\n")


def theme_entry(line: str) -> str:
    return f"codes:\n  - name: theme\n    {line}\n"


BASE_THEME = replace(parse_codebook(BASE, "base").codes[0], children=())

# field, the line giving it a new value, that value as read back
NEW_VALUES = [
    pytest.param("label_da", 'label_da: "nyt tema"', "nyt tema", id="label_da"),
    pytest.param("description", "description: Another text.", "Another text.", id="description"),
    pytest.param("inclusion", "inclusion: Another rule.", "Another rule.", id="inclusion"),
    pytest.param("exclusion", "exclusion: Not this.", "Not this.", id="exclusion"),
    pytest.param("example", "example: |-\n      two\n      lines", "two\nlines", id="example"),
    pytest.param("colour", 'colour: "#123456"', "#123456", id="colour"),
    pytest.param("shortcut", 'shortcut: "z"', "z", id="shortcut"),
    pytest.param("keywords", "keywords: [x, y z]", ("x", "y z"), id="keywords"),
]

# field, the line writing it empty, the empty value as read back
EMPTY_VALUES = [
    pytest.param("label_da", 'label_da: ""', None, id="label_da-quotes"),
    pytest.param("description", "description:", None, id="description-nothing"),
    pytest.param("inclusion", "inclusion: ~", None, id="inclusion-tilde"),
    pytest.param("exclusion", "exclusion: null", None, id="exclusion-null"),
    pytest.param("example", 'example: "   "', None, id="example-blank"),
    pytest.param("colour", 'colour: ""', None, id="colour-quotes"),
    pytest.param("shortcut", 'shortcut: ""', None, id="shortcut-quotes"),
    pytest.param("keywords", "keywords: []", (), id="keywords-list"),
    pytest.param("keywords", "keywords:", (), id="keywords-nothing"),
]


def test_every_definition_field_has_a_row() -> None:
    # The tables above must grow with the codebook's fields.
    assert {p.values[0] for p in NEW_VALUES} == set(DEFINITION_FIELDS)
    assert {p.values[0] for p in EMPTY_VALUES} == set(DEFINITION_FIELDS)
    assert all(getattr(BASE_THEME, field) for field in DEFINITION_FIELDS)


def test_a_parent_named_only_to_hold_a_child_keeps_every_field(tmp_path: Path, run: Cli) -> None:
    project = make_project(tmp_path, run)
    before = stored(run, project, "theme")
    assert import_file(run, project, tmp_path, ADD_CHILD) == (
        "1 codes created, 0 updated, 1 unchanged"
    )
    assert stored(run, project, "theme") == before == BASE_THEME
    # The new child comes after the stored ones, which the file does not list.
    listing = run("codebook", project).stdout.splitlines()
    assert listing == ["[4] theme", "  [l] sub", "  sub two", "  new sub"]
    assert stored(run, project, "theme/new sub") == CodeSpec(name="new sub")


@pytest.mark.parametrize(("field", "line", "value"), NEW_VALUES + EMPTY_VALUES)
def test_a_field_the_file_writes_replaces_only_that_field(
    tmp_path: Path, run: Cli, field: str, line: str, value: object
) -> None:
    # A new value replaces the stored one; a value written empty clears it.
    project = make_project(tmp_path, run)
    assert import_file(run, project, tmp_path, theme_entry(line)) == (
        "0 codes created, 1 updated, 0 unchanged"
    )
    after = stored(run, project, "theme")
    for name in DEFINITION_FIELDS:
        expected = value if name == field else getattr(BASE_THEME, name)
        assert getattr(after, name) == expected, name
    # The same file again changes nothing.
    assert import_file(run, project, tmp_path, theme_entry(line)) == (
        "0 codes created, 0 updated, 1 unchanged"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, getattr(BASE_THEME, field)) for field in DEFINITION_FIELDS],
    ids=list(DEFINITION_FIELDS),
)
def test_a_field_given_as_stored_is_unchanged(
    tmp_path: Path, run: Cli, field: str, value: object
) -> None:
    project = make_project(tmp_path, run)
    text = "codes:\n  - name: theme\n" + _yaml_field(field, value)
    assert import_file(run, project, tmp_path, text) == "0 codes created, 0 updated, 1 unchanged"


def _yaml_field(field: str, value: object) -> str:
    if isinstance(value, tuple):
        return f"    {field}: [{', '.join(value)}]\n"
    return f'    {field}: "{value}"\n'


def test_an_edited_export_changes_exactly_what_was_edited(tmp_path: Path, run: Cli) -> None:
    project = tmp_path / "p.qualcode"
    run("init", project)
    run("codebook", project, "import", CODEBOOKS / "family-collaboration.yaml")
    import_file(run, project, tmp_path, ADD_CHILD.replace("theme", "openness"))
    text = run("codebook", project, "export").stdout
    count = len(run("codebook", project).stdout.splitlines())
    assert (
        import_file(run, project, tmp_path, text)
        == f"0 codes created, 0 updated, {count} unchanged"
    )
    assert run("codebook", project, "export").stdout == text
    # Edit one field of one code in the full file: only that code is updated.
    before = definitions(run, project)
    target = "recognition/not judged"
    assert before[target].label_da not in (None, "x")
    edited = _replace_field(text, "not judged", "label_da", "x")
    assert import_file(run, project, tmp_path, edited) == (
        f"0 codes created, 1 updated, {count - 1} unchanged"
    )
    after = definitions(run, project)
    assert after[target].label_da == "x"
    assert {path for path in after if after[path] != before[path]} == {target}


def _replace_field(text: str, code: str, field: str, value: str) -> str:
    """``text`` with the first ``field:`` line after sub-code ``code`` set to ``value``."""
    lines = text.split("\n")
    start = lines.index(f"      - name: {code}")
    index = next(
        i for i in range(start + 1, len(lines)) if lines[i].startswith(f"        {field}:")
    )
    lines[index] = f"        {field}: {value}"
    return "\n".join(lines)


def test_a_shortcut_kept_by_a_parent_is_not_given_twice(tmp_path: Path, run: Cli) -> None:
    project = make_project(tmp_path, run)
    before = dump(project)
    clash = ADD_CHILD + '        shortcut: "4"\n'
    error = one_line_error(
        run("codebook", project, "import", write(tmp_path / "c.yaml", clash), expect=1).stderr
    )
    assert "shortcut '4' of 'theme/new sub' is already used by code 'theme'" in error
    assert dump(project) == before
    # Freeing it in the same file moves it.
    moved = (
        'codes:\n  - name: theme\n    shortcut: ""\n' + clash.split("codes:\n  - name: theme\n")[1]
    )
    assert import_file(run, project, tmp_path, moved) == "1 codes created, 1 updated, 0 unchanged"
    assert run("codebook", project).stdout.splitlines()[:2] == ["theme", "  [l] sub"]
    assert stored(run, project, "theme/new sub").shortcut == "4"


def test_the_codebook_description_is_kept_replaced_or_cleared(tmp_path: Path, run: Cli) -> None:
    project = make_project(tmp_path, run)
    import_file(run, project, tmp_path, ADD_CHILD)
    assert exported(run, project).description == "The base codebook."
    out = import_file(run, project, tmp_path, 'description: ""\n' + ADD_CHILD)
    assert out == "0 codes created, 0 updated, 2 unchanged; codebook description changed"
    cleared = exported(run, project)
    assert (cleared.name, cleared.description) == ("Base", None)


# A .qdc from another program: REFI-QDA's own fields only (no qualcode labelled lines).
VENDOR_QDC = """<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Tool">
<Codes>
  <Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="theme" isCodable="true"
      color="#00FF00">
    <Description>Said in another program.</Description>
  </Code>
</Codes>
</CodeBook>
"""


def test_a_qdc_from_another_program_keeps_the_qualcode_only_fields(
    tmp_path: Path, run: Cli
) -> None:
    project = make_project(tmp_path, run)
    qdc = write(tmp_path / "vendor.qdc", VENDOR_QDC)
    out = run("codebook", project, "import", qdc).stdout
    assert out == f"{qdc}: 0 codes created, 1 updated, 0 unchanged\n"
    after = stored(run, project, "theme")
    refi_fields = {"description": "Said in another program.", "colour": "#00FF00"}
    for name in DEFINITION_FIELDS:
        assert getattr(after, name) == refi_fields.get(name, getattr(BASE_THEME, name)), name


def test_a_qdc_from_qualcode_replaces_every_field(tmp_path: Path, run: Cli) -> None:
    source = make_project(tmp_path, run)
    run("codebook", source, "import", write(tmp_path / "e.yaml", theme_entry('shortcut: ""')))
    run("codebook", source, "import", write(tmp_path / "k.yaml", theme_entry("keywords: [k]")))
    qdc = tmp_path / "source.qdc"
    run("export", source, "--format", "qdc", "-o", qdc)
    target = tmp_path / "target"
    target.mkdir()
    project = make_project(target, run)
    assert run("codebook", project, "import", qdc).stdout.endswith(
        ": 0 codes created, 1 updated, 2 unchanged\n"
    )
    assert stored(run, project, "theme") == stored(run, source, "theme")
    assert stored(run, project, "theme").shortcut is None
