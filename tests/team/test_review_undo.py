"""Marking a flagged coding reviewed is undone and redone like any other action of the
coder, on each backend (the flag comes from a real ``transcript replace``)."""

from __future__ import annotations

from pathlib import Path

from qualcode.services import history
from qualcode.services.coding import list_codings
from qualcode.services.maintenance import flagged_codings, mark_reviewed
from qualcode.services.project import Project
from qualcode.services.transcripts import get_transcript
from tests.conftest import Cli, write
from tests.team.conftest import TRANSCRIPT


def test_review_undo_and_redo(coded: Project, run: Cli, tmp_path: Path) -> None:
    text = get_transcript(coded, TRANSCRIPT).text
    target = next(c for c in list_codings(coded, transcripts=[TRANSCRIPT]) if c.start == 900)
    new_file = write(tmp_path / "v2.txt", text[:900] + "Nothing of the sort." + text[1010:])
    run("transcript", "replace", coded.location, TRANSCRIPT, new_file)
    (flag,) = flagged_codings(coded)
    assert flag.id == target.id

    assert mark_reviewed(coded, [flag.id], "bo") == 1
    assert flagged_codings(coded) == []
    assert history.undo(coded, "cleo") is None  # bo's review is not cleo's to undo
    step = history.undo(coded, "bo")
    assert step is not None
    assert (step.action, step.transcript) == ("review_done", None)
    assert flagged_codings(coded) == [flag]
    assert history.redo(coded, "bo") is not None
    assert flagged_codings(coded) == []
    assert "no problems" in run("check", coded.location).stdout  # the log stays consistent
