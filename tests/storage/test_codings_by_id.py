"""Codings read by id in parts when there are many ids (bound-value limits), with the
same result as in one query."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services.project import Project, open_project
from qualcode.storage import repositories


def test_many_ids_are_read_in_parts_with_the_same_result(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = open_project(demo_path)
    try:
        with project.reading() as repo:
            everything = repo.codings()
            ids = [coding.id for coding in everything][::2]
            whole = repo.codings(ids=ids, coders=["anna"])
            monkeypatch.setattr(repositories, "IDS_PER_QUERY", 7)
            parted = repo.codings(ids=reversed(ids), coders=["anna"])
    finally:
        project.close()
    assert len(ids) > 7 * 3
    assert whole
    assert {coding.coder for coding in whole} == {"anna"}
    assert parted == whole
