"""Accepted suggestions are told apart from hand-made codings: `qualcode agreement
--origin human|suggested` and the count under `qualcode log`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.domain.spans import Span
from qualcode.services.coding import apply_code
from qualcode.services.status import mark_done
from qualcode.services.suggestions import accept_suggestion, suggest
from tests.conftest import Cli
from tests.suggestions.tiny import tiny_project


@pytest.fixture
def accepted(tmp_path: Path) -> tuple[Path, str]:
    """t3: anna accepted one suggestion and coded another sentence by hand; bo coded the
    accepted sentence by hand with the same code. Both marked t3 done."""
    project = tiny_project(tmp_path)
    found = suggest(project, "anna", transcripts=["t3"], blind=True)
    coding = accept_suggestion(project, found[0], "anna")
    apply_code(project, "t3", coding.code_path, "bo", span=Span(coding.start, coding.end))
    other = next(s for s in found if s.codes[0][0] != coding.code_path)
    apply_code(project, "t3", other.codes[0][0], "anna", span=Span(other.start, other.end))
    for coder in ("anna", "bo"):
        mark_done(project, "t3", coder)
    project.close()
    return tmp_path / "tiny.qualcode", coding.code_path


@pytest.mark.parametrize(
    ("origin", "both", "a_only", "b_only"),
    [
        ([], 1, 0, 0),  # every coding: anna's accepted suggestion matches bo's
        (["--origin", "suggested"], 0, 1, 0),  # only accepted suggestions: bo has none
        (["--origin", "human"], 0, 0, 1),  # only hand-made: anna's suggestion is left out
    ],
    ids=["all", "suggested", "human"],
)
def test_agreement_separates_origins(
    accepted: tuple[Path, str], run: Cli, origin: list[str], both: int, a_only: int, b_only: int
) -> None:
    path, code = accepted
    result = run(
        "agreement",
        path,
        "--coders",
        "anna",
        "bo",
        "--transcript",
        "t3",
        "--unit",
        "sentence",
        "--format",
        "json",
        *origin,
    )
    (pair,) = json.loads(result.stdout)["per_code"][code]["pooled"]["pairs"]
    assert (pair["both"], pair["a_only"], pair["b_only"]) == (both, a_only, b_only)


def test_the_log_counts_accepted_suggestions(accepted: tuple[Path, str], run: Cli) -> None:
    output = run("log", accepted[0]).stdout
    assert output.splitlines()[-1] == "1 coding is an accepted suggestion (qualcode suggest)"
    assert "(suggested)" in output  # the apply event says where the coding came from
