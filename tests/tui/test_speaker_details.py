"""In a survey transcript, the respondent's answers to the closed questions are at hand:
the panel under the codebook shows the case values of the speaker at the cursor, follows
the cursor from turn to turn, and hides where the speaker belongs to no case."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.services.project import Project, open_project
from qualcode.tui.app import create_app
from qualcode.tui.widgets.speaker_details import SpeakerDetails
from tests.conftest import Cli, write

ROWS = [
    ["id", "Kommune", "Alder", "Hvad virker?"],
    ["R1", "Århus", "41", "Mødet hjemme."],
    ["R2", "Ærø", "38", "Hun ringede tilbage [samme dag]."],  # brackets are not markup
    ["R3", "Vejle", "", "Intet."],  # no age given: the line is left out
]


@pytest.fixture
def survey(tmp_path: Path, run: Cli) -> Iterator[Project]:
    path = tmp_path / "survey.qualcode"
    run("init", path)
    with (tmp_path / "s.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(ROWS)
    run("import-survey", path, tmp_path / "s.csv", "--case-column", "id",
        "--text-column", "Hvad virker?")  # fmt: skip
    run("import", path, write(tmp_path / "plain.txt", "I: Hej.\n\nMette: Hej selv.\n"))
    project = open_project(path)
    yield project
    project.close()


def _expected(row: list[str]) -> str:
    header = ROWS[0]
    lines = [row[0]] + [f"{header[i]}: {row[i]}" for i in (1, 2) if row[i]]
    return "\n".join(lines)


async def test_the_panel_shows_the_respondent_at_the_cursor(
    survey: Project, tmp_path: Path
) -> None:
    app = create_app(survey, "cleo", config_file=tmp_path / "c.json", transcript="Hvad virker?")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(SpeakerDetails)
        assert panel.display
        assert panel.shown == _expected(ROWS[1])  # the cursor starts on R1's label
        for row in ROWS[1:]:
            await pilot.press("right_square_bracket")  # the next turn's first character
            await pilot.pause()
            assert panel.shown == _expected(row)
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert panel.shown == _expected(ROWS[1])


async def test_the_panel_hides_where_speakers_are_no_cases(survey: Project, tmp_path: Path) -> None:
    app = create_app(survey, "cleo", config_file=tmp_path / "c.json", transcript="plain")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one(SpeakerDetails).display
