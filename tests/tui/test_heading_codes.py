"""A heading (REFI-QDA isCodable="false") in the workspace: applying it to a selection is
one notification line and adds no coding; a code under it applies."""

from __future__ import annotations

from pathlib import Path

from textual.notifications import Notify

from qualcode.services.project import open_project
from qualcode.tui.app import create_app
from qualcode.tui.screens.coding import CodingScreen
from tests.conftest import Cli
from tests.refi.helpers import write_qdpx
from tests.refi.test_peer_reading import HEADINGS


async def test_a_heading_cannot_be_applied_in_the_workspace(tmp_path: Path) -> None:
    location = tmp_path / "steder.qualcode"
    Cli()("import-project", location, write_qdpx(tmp_path / "steder.qdpx", HEADINGS))
    project = open_project(location)
    with project.reading() as uow:
        ids = {code.path: code.id for code in uow.codebook.codes()}
        before = len(uow.codings.find())
    notes: list[str] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            notes.append(str(message.notification.message))

    app = create_app(project, "bo", config_file=tmp_path / "config.json")
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.transcript == "tur"
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert screen.view.selection is not None
        await screen.apply_code(ids["Steder"])
        await pilot.pause()
        assert notes == [
            "code 'Steder': is a heading that groups codes; apply one of the codes under it"
        ]
        await screen.apply_code(ids["Steder/Sted\\/Ærø"])
        await pilot.pause()
    with project.reading() as uow:
        added = [c for c in uow.codings.find() if c.coder == "bo"]
    project.close()
    assert [c.code_path for c in added] == ["Steder/Sted\\/Ærø"]
    assert before == 1
