"""A wrong value for a named field is one FieldError raised by the service, named by the
field's plain name; the command line shows it as its option and the workspace beside the
dialog's field — no front end reads the other's names."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.errors import FieldError
from qualcode.services.agreement import compare_coders
from qualcode.services.project import open_project
from tests.conftest import Cli


def test_the_service_names_the_field_not_a_flag(demo_path: Path) -> None:
    project = open_project(demo_path)
    try:
        with pytest.raises(FieldError) as raised:
            compare_coders(project, ("anna", "bo"), threshold=140)
    finally:
        project.close()
    assert raised.value.field == "threshold"
    assert str(raised.value).startswith("threshold: ")


@pytest.mark.parametrize(
    ("words", "line"),
    [
        (["agreement", "--coders", "anna"], "Error: --coders: name at least two coders"),
        (["matrix", "--rows", "planets"], "Error: --rows: expected"),
        (["reconcile", "--coders", "anna", "bo", "--min", "9"], "Error: --min: must be between"),
    ],
    ids=["coders", "rows", "min"],
)
def test_the_command_line_shows_the_option(
    run: Cli, demo_path: Path, words: list[str], line: str
) -> None:
    result = run(words[0], demo_path, *words[1:], expect=1)
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1
