"""Codings read by id in parts when there are many ids (bound-value limits), with the
same result as in one query."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.services.project import Project, open_project
from qualcode.storage import codings


def test_many_ids_are_read_in_parts_with_the_same_result(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project: Project = open_project(demo_path)
    try:
        with project.reading() as uow:
            everything = uow.codings.find()
            ids = [coding.id for coding in everything][::2]
            whole = uow.codings.find(ids=ids, coders=["anna"])
            monkeypatch.setattr(codings, "IDS_PER_QUERY", 7)
            parted = uow.codings.find(ids=reversed(ids), coders=["anna"])
    finally:
        project.close()
    assert len(ids) > 7 * 3
    assert whole
    assert {coding.coder for coding in whole} == {"anna"}
    assert parted == whole
