"""``--set NAME`` on matrix, findings and agreement: a set imported from REFI-QDA selects
the same as naming its members by hand (the existing --cols/--code/--transcript
filters are the independent computation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.refi.helpers import write_qdpx
from tests.refi.test_sets_and_variables import PEER


@pytest.fixture
def project(tmp_path: Path, run: Cli) -> Path:
    target = tmp_path / "p.qualcode"
    run("import-project", target, write_qdpx(tmp_path / "peer.qdpx", PEER))
    # a second coder, so agreement has two to compare
    for transcript, code, span in (
        ("familie-1", "tillid", "0:19"),
        ("familie-1", "mistillid", "25:42"),
        ("familie-2", "andet", "0:20"),
    ):
        run("code", target, transcript, code, "--coder", "bo", "--span", span)
    return target


# fmt: off
SAME = [
    # a code set as the matrix's columns
    (["matrix", "--set", "Tillid", "--rows", "transcripts"],
     ["matrix", "--cols", "tillid,mistillid", "--rows", "transcripts"]),
    # a document set as the matrix's transcripts
    (["matrix", "--set", "Hjemme", "--rows", "transcripts"],
     ["matrix", "--transcript", "familie-1", "--rows", "transcripts"]),
    # both sets at once
    (["matrix", "--set", "Tillid", "--set", "Hjemme"],
     ["matrix", "--cols", "tillid,mistillid", "--transcript", "familie-1"]),
    # findings about a code set
    (["findings", "--set", "Tillid"], ["findings", "--code", "tillid", "--code", "mistillid"]),
    # agreement on a code set and a document set
    (["agreement", "--coders", "anna", "bo", "--set", "Tillid", "--set", "Hjemme"],
     ["agreement", "--coders", "anna", "bo", "--code", "tillid", "mistillid",
      "--transcript", "familie-1"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("with_set", "by_hand"), SAME, ids=["cols", "transcripts", "both", "findings", "agreement"]
)
def test_a_set_selects_what_its_members_select(
    project: Path, run: Cli, with_set: list[str], by_hand: list[str]
) -> None:
    chosen = run(with_set[0], project, *with_set[1:]).stdout
    assert chosen == run(by_hand[0], project, *by_hand[1:]).stdout


def test_the_set_narrows_the_result(project: Path, run: Cli) -> None:
    everything = run("matrix", project, "--rows", "transcripts").stdout
    narrowed = run("matrix", project, "--rows", "transcripts", "--set", "Hjemme").stdout
    assert "familie-2" in everything
    assert "familie-2" not in narrowed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # no such set: the known ones are listed
        (["--set", "Ukendt"], "no set named 'Ukendt' (sets: Hjemme, Tillid)"),
        # codes given twice over
        (["--set", "Tillid", "--cols", "andet"], "--set: give the codes either with --cols"),
        # a transcript outside the set
        (["--set", "Hjemme", "--transcript", "familie-2"], "--set: none of the set's"),
    ],
    ids=["unknown", "cols-and-set", "disjoint"],
)
def test_a_wrong_set_is_one_line(project: Path, run: Cli, args: list[str], message: str) -> None:
    error = run("matrix", project, *args, expect=1).stderr
    assert message in error
    assert error.count("\n") == 1
