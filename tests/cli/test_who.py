"""`qualcode who` (the workspaces open on a project, from their presence rows) and
`qualcode round` (a blind coding round)."""

from __future__ import annotations

import json
from pathlib import Path

from qualcode.services import live
from qualcode.services.project import init_project
from qualcode.services.workspace import blind_by_setting
from tests.conftest import Cli


def test_who_lists_open_workspaces_and_forgets_closed_ones(project_path: Path, run: Cli) -> None:
    project = init_project(project_path)
    assert run("who", project_path).stdout == "nobody has the project open in a workspace\n"
    live.heartbeat(project, "one", "bo", "parent-03-da")
    live.heartbeat(project, "two", "chloé", None)
    listed = json.loads(run("who", project_path, "--format", "json").stdout)
    assert listed == [
        {"coder": "bo", "transcript": "parent-03-da"},
        {"coder": "chloé", "transcript": None},
    ]
    assert "bo" in run("who", project_path).stdout
    live.leave(project, "one")
    live.leave(project, "two")
    project.close()
    assert run("who", project_path).stdout == "nobody has the project open in a workspace\n"


def test_a_blind_round_is_the_blind_coding_setting(project_path: Path, run: Cli) -> None:
    project = init_project(project_path)
    assert run("round", project_path, "start").stdout.startswith("blind round started")
    assert blind_by_setting(project)
    assert run("round", project_path, "reveal").stdout.startswith("blind round revealed")
    assert not blind_by_setting(project)
    project.close()
    run("round", project_path, "peek", expect=2)  # not a step: click's usage error
