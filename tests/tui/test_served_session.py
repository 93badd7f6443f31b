"""A browser session of `qualcode serve` without --coder: the workspace asks whose it is
first, checks the name at the name entrance, then opens as that coder."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.errors import InputError
from qualcode.domain.text_entry import enter_coder
from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from qualcode.services.transcripts import get_transcript
from qualcode.tui.app import create_app
from qualcode.tui.screens.coder_prompt import CoderPrompt
from qualcode.tui.screens.coding import CodingScreen

SIZE = (100, 30)
FIRST = "focus-group-01-en"  # the first transcript a new coder has not finished


async def test_the_named_coder_gets_the_workspace_and_codes_as_themselves(
    demo: Project, tmp_path: Path
) -> None:
    app = create_app(demo, "", ask_coder=True, config_file=tmp_path / "config.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CoderPrompt)
        await pilot.press(*" zoë ", "enter")  # spaces around the name are dropped
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert (app.workspace.coder, screen.transcript) == ("zoë", FIRST)
        assert app.sub_title.endswith("— zoë")
        code = next(c for c in list_codes(demo) if c.spec.shortcut)
        await pilot.press("right_square_bracket", "T", code.spec.shortcut or "")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    turn = get_transcript(demo, FIRST).turns[0]
    (coding,) = list_codings(demo, coders=["zoë"])
    assert (coding.code_path, coding.start, coding.end) == (code.path, turn.start, turn.end)


@pytest.mark.parametrize(
    "typed",
    [
        "",  # enter on an empty field
        "  ",  # only spaces
        "bo\u0007",  # a control character: refused, never stripped
        "x" * 300,  # longer than a name may be
    ],
    ids=["empty", "spaces", "control", "long"],
)
async def test_a_refused_name_keeps_the_question_open_beside_the_field(
    demo: Project, tmp_path: Path, typed: str
) -> None:
    with pytest.raises(InputError) as refused:  # what the name entrance says of it
        enter_coder(typed)
    app = create_app(demo, "", ask_coder=True, config_file=tmp_path / "config.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, CoderPrompt)
        prompt.submit(typed)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is prompt
        assert isinstance(prompt, CoderPrompt)
        shown = prompt.errors_shown()
        assert list(shown) == ["coder-name-error"]
        assert shown["coder-name-error"] == str(refused.value)
        await pilot.press("escape")  # no workspace without a coder: the question stays
        await pilot.pause()
        assert isinstance(app.screen, CoderPrompt)
        assert app.workspace.coder == ""
