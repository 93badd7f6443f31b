"""While a blind round is open, no command shows one coder another's work.

Each row is a command that compares coders or lists codings or memos by coder: during
the round it is one line naming the round and how to reveal it, exit 1, nothing written;
after ``qualcode round PROJECT reveal`` the same command runs. The refusal comes from the
services (domain/errors.BlindRoundError), so the workspace meets the same rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualcode.domain.errors import BlindRoundError
from qualcode.services.blind_rounds import open_round, refuse_in_round, set_viewer
from qualcode.services.cases import import_cases
from qualcode.services.matrices import MatrixRequest, build_matrix, set_framework_summary
from qualcode.services.memos import add_memo
from qualcode.services.project import Project, open_project
from qualcode.storage.dump import read_project_file
from tests.conftest import Cli, write
from tests.team.conftest import TRANSCRIPT

pytestmark = pytest.mark.parametrize("location", ["sqlite"], indirect=True)

COMMANDS = [
    ["agreement", "--coders", "anna", "bo"],  # compares coders
    ["reconcile", "--coders", "anna", "bo", "--strategy", "union", "--into", "both"],  # consensus
    ["disagreements", "--coders", "anna", "bo"],  # where two coders differ
    ["codings"],  # everyone's codings
    ["codings", "--coder", "bo"],  # one coder's codings (the caller may be anyone)
    ["memos"],  # memos of every author
    ["matrix", "--coder", "anna"],  # one coder's counts
    ["findings", "--coder", "anna"],  # the chapter from one coder's codings
    ["cooccurrence"],  # counts from everyone's codings
    ["report", "--code", "continuity"],  # quotes by theme
    ["export", "--format", "qdpx", "-o", "{tmp}/all.qdpx"],  # the whole project
    ["log"],  # the event log names who coded what
    ["log", "--format", "json"],  # the same as JSON
]
IDS = [
    "agreement", "reconcile", "disagreements", "codings", "codings-one", "memos", "matrix",
    "findings", "cooccurrence", "report", "export", "log", "log-json",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_open_round_refuses_then_reveal_opens(
    coded: Project, tmp_path: Path, run: Cli, command: list[str]
) -> None:
    location = coded.location
    args = [part.format(tmp=tmp_path) for part in command]
    run("round", location, "start")
    before = read_project_file(Path(location))
    refused = run(args[0], location, *args[1:], expect=1)
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert "blind coding round started" in lines[0]
    assert f"qualcode round {location} reveal" in lines[0]
    assert refused.stdout == ""
    assert read_project_file(Path(location)) == before
    assert not (tmp_path / "all.qdpx").exists()
    run("round", location, "reveal")
    run(args[0], location, *args[1:])


def test_a_workspace_sees_only_its_coders_own_work_in_a_round(coded: Project, run: Cli) -> None:
    """The rule the workspace meets: its coder's own matrix is shown, anyone else's (or
    everyone's) is refused, and comparing coders waits for the reveal."""
    run("round", coded.location, "start")
    mine = MatrixRequest(rows="transcripts", coders=("anna",))
    with pytest.raises(BlindRoundError):  # no workspace: nobody known to be looking
        build_matrix(coded, mine)
    workspace = open_project(coded.location)
    set_viewer(workspace, "anna")
    try:
        assert tuple(build_matrix(workspace, mine).settings.coders) == ("anna",)
        for others in [("bo",), (), ("anna", "bo")]:
            with pytest.raises(BlindRoundError):
                build_matrix(workspace, MatrixRequest(rows="transcripts", coders=others))
        with pytest.raises(BlindRoundError):
            refuse_in_round(workspace, "comparing coders")
    finally:
        workspace.close()


@pytest.mark.parametrize("command", ["findings", "report"])
def test_a_refusal_names_the_command_run(coded: Project, run: Cli, command: str) -> None:
    """findings and report build a matrix underneath; the line names what the user ran."""
    run("round", coded.location, "start")
    extra = ["--code", "continuity"] if command == "report" else []
    refused = run(command, coded.location, *extra, expect=1)
    assert refused.stderr.startswith(f"Error: {command} must wait"), refused.stderr


def test_a_round_is_started_once_and_revealed_once(coded: Project, run: Cli) -> None:
    """Starting an open round keeps its start; revealing none says so; both exit 1 and
    change nothing."""
    location = coded.location
    refused = run("round", location, "reveal", expect=1)
    assert "no blind round is open" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    run("round", location, "start")
    started = open_round(coded)
    before = read_project_file(Path(location))
    again = run("round", location, "start", expect=1)
    assert f"a blind round is already open in {location} since {started}" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert read_project_file(Path(location)) == before
    run("round", location, "reveal")
    assert open_round(coded) is None


@pytest.fixture
def others(coded: Project, tmp_path: Path) -> dict[str, str]:
    """Besides the codings: a case per transcript, a project memo by each coder and bo's
    framework summary of Family 03 × continuity; ids by name to fill the rows below."""
    rows = "case,transcript\nFamily 01,parent-01-en\nFamily 03,parent-03-da\n"
    import_cases(coded, write(tmp_path / "cases.csv", rows))
    bo_memo = add_memo(coded, "bo's own thought", author="bo").split()[0]
    anna_memo = add_memo(coded, "anna's own thought", author="anna").split()[0]
    set_framework_summary(coded, "Family 03", "continuity", "bo sums it up", "bo")
    with coded.reading() as uow:
        bo = uow.codings.find(coders=["bo"])[0].id
        anna = uow.codings.find(coders=["anna"])[0].id
    return {"bo": str(bo), "anna": str(anna), "bo_memo": bo_memo, "anna_memo": anna_memo}


# (command, exit code after the reveal): during the round each is one line, exit 1,
# nothing changed, and the line does not say whose the work is
OTHERS_WORK = [
    (["uncode", "--id", "{bo}"], 0),  # removing by id names no coder
    (["uncode", "--id", "{bo}", "--coder", "anna"], 1),  # anna removing bo's (after: not hers)
    (["uncode", TRANSCRIPT, "continuity", "--coder", "anna", "--span", "110:175"], 1),  # no such
    (["memo", "x", "--coding", "{bo}"], 0),  # a coding memo without an author
    (["memo", "x", "--coding", "{bo}", "--author", "anna"], 1),  # on bo's coding (after: not hers)
    (["memos", "edit", "{bo_memo}", "x"], 0),  # editing without a name
    (["memos", "edit", "{bo_memo}", "x", "--author", "anna"], 0),  # anna editing bo's memo
    (["memos", "delete", "{bo_memo}"], 0),  # deleting without a name
    (["memos", "delete", "{bo_memo}", "--author", "anna"], 0),  # anna deleting bo's memo
    (["summary", "Family 03", "continuity"], 0),  # reading a summary without a name
    (["summary", "Family 03", "continuity", "--author", "anna"], 0),  # anna reading bo's
    (["summary", "Family 03", "continuity", "mine", "--author", "anna"], 0),  # overwriting bo's
]
OTHERS_IDS = [
    "uncode-id", "uncode-id-other", "uncode-span-other", "coding-memo", "coding-memo-other",
    "memo-edit", "memo-edit-other", "memo-delete", "memo-delete-other", "summary",
    "summary-other", "summary-overwrite",
]  # fmt: skip


@pytest.mark.parametrize(("command", "after"), OTHERS_WORK, ids=OTHERS_IDS)
def test_another_coders_work_is_neither_shown_nor_changed_in_a_round(
    coded: Project, others: dict[str, str], run: Cli, command: list[str], after: int
) -> None:
    location = coded.location
    args = [part.format(**others) for part in command]
    run("round", location, "start")
    before = read_project_file(Path(location))
    refused = run(args[0], location, *args[1:], expect=1)
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert re.search(r"\bbo\b", lines[0]) is None, lines[0]  # whose it is stays unsaid
    assert refused.stdout == ""
    assert read_project_file(Path(location)) == before
    run("round", location, "reveal")
    run(args[0], location, *args[1:], expect=after)


# a coder's own work stays theirs to see and change during the round
OWN_WORK = [
    ["uncode", "--id", "{anna}", "--coder", "anna"],  # removing her own coding
    ["uncode", TRANSCRIPT, "continuity", "--coder", "anna", "--span", "100:180"],  # by its span
    ["memo", "x", "--coding", "{anna}", "--author", "anna"],  # a memo on her own coding
    ["memos", "edit", "{anna_memo}", "better", "--author", "anna"],  # her own memo
    ["memos", "delete", "{anna_memo}", "--author", "anna"],  # deleting her own memo
    ["summary", "Family 01", "continuity", "new", "--author", "anna"],  # a summary nobody wrote
    ["summary", "Family 03", "continuity", "--author", "bo"],  # bo reading his own
]
OWN_IDS = [
    "uncode-id", "uncode-span", "coding-memo", "memo-edit", "memo-delete", "summary-new",
    "summary-own",
]  # fmt: skip


@pytest.mark.parametrize("command", OWN_WORK, ids=OWN_IDS)
def test_a_coders_own_work_stays_theirs_in_a_round(
    coded: Project, others: dict[str, str], run: Cli, command: list[str]
) -> None:
    location = coded.location
    args = [part.format(**others) for part in command]
    run("round", location, "start")
    before = read_project_file(Path(location))
    done = run(args[0], location, *args[1:])
    assert done.stderr == ""
    if command[-1] == "bo":  # the one reading row: bo sees his own summary
        assert "bo sums it up" in done.stdout
    else:
        assert read_project_file(Path(location)) != before
