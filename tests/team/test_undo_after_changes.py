"""Undo after the transcript changed under it: a rename is followed (the event log's
entries are renamed with it), an edited text is never coded blindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.services.history import HistoryError, undo
from qualcode.services.project import Project
from tests.conftest import Cli, write


def codings_of(run: Cli, location: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(run("codings", location, "--format", "json").stdout)
    return rows


def remove_a_coding(run: Cli, location: str) -> dict[str, object]:
    run("code", location, "parent-03-da", "openness", "--span", "200:260", "--coder", "cy")
    (coding,) = [c for c in codings_of(run, location) if c["coder"] == "cy"]
    run("uncode", location, "--id", str(coding["id"]))
    return coding


def test_undoing_a_removal_after_a_rename_puts_it_back_in_the_renamed_transcript(
    coded: Project, run: Cli
) -> None:
    removed = remove_a_coding(run, coded.location)
    run("done", coded.location, "parent-03-da", "--coder", "cy")
    run("transcript", "rename", coded.location, "parent-03-da", "Family C")

    undo(coded, "cy")  # the done mark, by the transcript's new name
    step = undo(coded, "cy")  # the removal
    assert step is not None
    assert step.action == "remove"
    (back,) = [c for c in codings_of(run, coded.location) if c["coder"] == "cy"]
    assert back == {**removed, "transcript": "Family C"}


def test_undo_refuses_to_put_a_coding_back_on_text_that_changed(
    coded: Project, run: Cli, tmp_path: Path
) -> None:
    removed = remove_a_coding(run, coded.location)
    shown = run("show", coded.location, "parent-03-da").stdout
    edited = shown[:190] + "Et helt nyt afsnit, skrevet om. " + shown[190:]
    run(
        "transcript", "replace", coded.location, "parent-03-da", write(tmp_path / "new.txt", edited)
    )
    before = codings_of(run, coded.location)

    with pytest.raises(HistoryError) as refused:
        undo(coded, "cy")
    start, end = removed["start"], removed["end"]
    assert str(refused.value) == (
        f"the text of 'parent-03-da' at {start}:{end} has changed since; nothing was changed"
    )
    assert codings_of(run, coded.location) == before
