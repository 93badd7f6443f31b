"""Creating, opening and summarising projects."""

from __future__ import annotations

from pathlib import Path

from qualcode.domain.events import Action
from qualcode.domain.project_summary import ProjectSummary
from qualcode.storage.database import Project, open_project

__all__ = ["Project", "ProjectSummary", "init_project", "open_project", "project_summary"]


def init_project(location: str | Path) -> Project:
    """Create a new, empty project (SQLite file path or SQLAlchemy URL)."""
    project = open_project(location, create=True)
    with project.unit_of_work() as uow:
        uow.events.log(Action.INIT, f"created project {project.location}", {})
    return project


def project_summary(project: Project) -> ProjectSummary:
    with project.reading() as uow:
        return ProjectSummary(
            project.location, uow.settings.counts(), tuple(sorted(uow.coders.ids()))
        )
