"""What `qualcode suggest` accepts and says: blind rounds, whose codings it learns from,
unknown coders, nothing to learn from, --evaluate's options, the table's lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.domain.errors import BlindRoundError, FieldError, NotFoundError
from qualcode.exporters.tables import render_table
from qualcode.services.blind_rounds import set_viewer, start_round
from qualcode.services.coding import list_codings, remove_coding
from qualcode.services.history import redo, undo
from qualcode.services.project import open_project
from qualcode.services.suggestions import dismiss_suggestion, suggest
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli
from tests.suggestions.tiny import code_of, tiny_project


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    tiny_project(tmp_path).close()
    return tmp_path / "tiny.qualcode"


@pytest.mark.parametrize(
    "args",
    [
        ["--coder", "bo", "--transcript", "t1", "--min-score", "0", "--format", "json"],  # list
        ["--coder", "bo", "--evaluate", "--train-coder", "bo"],  # bo's coded counts
        ["--coder", "anna", "--evaluate"],  # anna's own figures: still nobody known looking
    ],
    ids=["listing", "evaluate-other", "evaluate-own"],
)
def test_a_blind_round_refuses_suggest_on_the_command_line(
    tiny: Path, run: Cli, args: list[str]
) -> None:
    run("round", tiny, "start")
    before = dump(tiny)
    result = run("suggest", tiny, *args, expect=1)
    assert "must wait" in one_line_error(result.stderr)
    assert "round" in result.stderr
    assert dump(tiny) == before


def test_a_blind_round_still_serves_the_coders_own_workspace(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    start_round(project)
    with pytest.raises(BlindRoundError):  # nobody known to be looking
        suggest(project, "anna", transcripts=["t3"])
    set_viewer(project, "anna")
    found = suggest(project, "anna", transcripts=["t3"])
    assert found
    with pytest.raises(BlindRoundError):  # bo's codings would show to anna
        suggest(project, "anna", train_coders=["bo"], transcripts=["t3"])


def _copied(rows: list[dict[str, object]]) -> tuple[int, int]:
    """How many of the rows for sentences anna coded have anna's code first, of how many."""
    coded = [row for row in rows if code_of(str(row["text"])) is not None]
    same = [row for row in coded if row["codes"][0]["code"] == code_of(str(row["text"]))]  # type: ignore[index]
    return len(same), len(coded)


def test_suggestions_learn_from_the_coders_own_codings_unless_told(tiny: Path, run: Cli) -> None:
    # bo has not coded t1, anna has: learning from anna repeats anna's codes there
    common = ("suggest", tiny, "--coder", "bo", "--transcript", "t1", "--min-score", "0")
    own = run(*common, "--format", "json")
    assert own.stderr == ""
    document = json.loads(own.stdout)
    assert (document["train_coders"], document["repeats_codes_of"]) == (["bo"], [])
    team = json.loads(run(*common, "--train-coder", "anna", "bo", "--format", "json").stdout)
    assert (team["train_coders"], team["repeats_codes_of"]) == (["anna", "bo"], ["anna"])
    copied_team, coded = _copied(team["suggestions"])
    copied_own, _ = _copied(document["suggestions"])
    assert copied_team == coded > copied_own  # bo's own "money" for waiting sentences
    table = run(*common, "--train-coder", "anna", "bo")
    (note,) = table.stderr.splitlines()
    assert note.startswith("note: learning from anna's codings")
    assert "repeat" in note
    assert run(*common).stderr == ""


def test_evaluate_learns_from_the_coder_by_default(tiny: Path, run: Cli) -> None:
    own = json.loads(
        run("suggest", tiny, "--evaluate", "--coder", "anna", "--format", "json").stdout
    )
    assert own["train_coders"] == ["anna"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--coder", "Anna"], "did you mean 'anna'?"),  # a coder misspelt
        (["--coder", "nobody"], "no coder 'nobody'"),  # a coder unknown
        (["--coder", "anna", "--train-coder", "Bo"], "did you mean 'bo'?"),  # to learn from
        (["--coder", "Anna", "--evaluate"], "did you mean 'anna'?"),  # evaluated against
        (["--coder", "anna", "--evaluate", "--limit", "2"], "--limit"),  # ignored by it
        (["--coder", "anna", "--evaluate", "--transcript", "t3"], "coded nothing in 't3'"),
        (["--coder", "anna", "--evaluate", "--transcript", "t9"], "unknown transcript"),
    ],
    ids=["coder-case", "coder", "train-coder", "evaluate-coder", "limit", "uncoded", "unknown"],
)
def test_wrong_requests_are_one_line(tiny: Path, run: Cli, args: list[str], words: str) -> None:
    before = dump(tiny)
    result = run("suggest", tiny, *args, expect=1)
    assert words in one_line_error(result.stderr)
    assert dump(tiny) == before


def test_evaluate_holds_out_only_the_transcripts_named(tiny: Path, run: Cli) -> None:
    args = ("suggest", tiny, "--evaluate", "--coder", "anna", "--format", "json")
    result = json.loads(run(*args, "--transcript", "t1", "--min-score", "0.9").stdout)
    assert result["transcripts"] == ["t1"]
    assert result["model"]["units"] == 6  # t1's six coded sentences
    assert result["min_score"] == 0.9  # honoured: a weaker top code is no suggestion


def test_nothing_coded_to_learn_from_is_one_line(tmp_path: Path, run: Cli) -> None:
    project = tiny_project(tmp_path, transcripts=2)
    for coding in list_codings(project, coders=["anna"]):
        remove_coding(project, coding.id, coder="anna")
    project.close()
    path = tmp_path / "tiny.qualcode"
    result = run("suggest", path, "--coder", "anna", expect=1)
    line = one_line_error(result.stderr)
    assert "nothing to learn from: anna coded nothing yet" in line
    assert "--train-coder" in line  # what the command line can do about it
    result = run("suggest", path, "--coder", "anna", "--train-coder", "anna", expect=1)
    assert one_line_error(result.stderr).endswith(": nothing to learn from: anna coded nothing yet")
    newcomer = open_project(path)  # a new coder's workspace: known by its viewer
    set_viewer(newcomer, "chloe")
    with pytest.raises(NotFoundError, match="chloe coded nothing yet") as caught:
        suggest(newcomer, "chloe")
    assert "--train-coder" not in str(caught.value)  # no option in the workspace
    with pytest.raises(FieldError, match="no coder 'Chloe'"):
        suggest(newcomer, "Chloe")  # only the workspace's own coder may be new
    newcomer.close()


def test_the_table_shows_every_code_asked_for(tiny: Path, run: Cli) -> None:
    args = ("suggest", tiny, "--coder", "anna", "--transcript", "t3", "--min-score", "0")
    rows = json.loads(run(*args, "--limit", "3", "--format", "json").stdout)["suggestions"]
    lines = run(*args, "--limit", "3").stdout.splitlines()[2:]
    wanted = [
        (unit["transcript"], str(unit["start"]), str(unit["end"]), str(rank), code)
        for unit in rows
        for rank, code in enumerate(unit["codes"], 1)
    ]
    assert len(lines) == len(wanted) == 3 * len(rows)  # one line per code
    for line, (*where, code) in zip(lines, wanted, strict=True):
        fields = line.split()
        assert fields[:4] == where
        assert float(fields[4]) == pytest.approx(code["score"], abs=0.0051)
        assert fields[5] == code["code"]


def test_a_long_code_name_is_never_cut() -> None:
    name = "navigating the system / " * 4  # longer than any cut cell
    table = render_table(("code", "text"), [(name, name)], uncut=("code",))
    assert name.strip() in table
    assert table.count(name.strip()) == 1  # the text column is still cut


def test_no_units_left_is_one_line(tiny: Path, run: Cli) -> None:
    result = run("suggest", tiny, "--coder", "anna", "--transcript", "t0", "--min-score", "1")
    assert result.stdout.startswith("No suggestions: ")
    assert len(result.stdout.splitlines()) == 1
    json_rows = run("suggest", tiny, "--coder", "anna", "--min-score", "1", "--format", "json")
    assert json.loads(json_rows.stdout)["suggestions"] == []


def test_a_dismissal_is_one_undoable_step(tmp_path: Path) -> None:
    project = tiny_project(tmp_path)
    suggestion = suggest(project, "anna", transcripts=["t3"])[0]
    shown = {(s.start, s.codes[0][0]) for s in suggest(project, "anna", transcripts=["t3"])}
    dismiss_suggestion(project, suggestion, "anna")
    place = (suggestion.start, suggestion.codes[0][0])
    assert place not in {
        (s.start, s.codes[0][0]) for s in suggest(project, "anna", transcripts=["t3"])
    }
    step = undo(project, "anna")
    assert step is not None
    assert (step.action, step.transcript, step.span) == (
        "dismiss_suggestion",
        "t3",
        (suggestion.start, suggestion.end),
    )
    assert {(s.start, s.codes[0][0]) for s in suggest(project, "anna", transcripts=["t3"])} == shown
    assert redo(project, "anna") is not None
    assert place not in {
        (s.start, s.codes[0][0]) for s in suggest(project, "anna", transcripts=["t3"])
    }
