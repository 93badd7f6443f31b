"""A small coded project on either backend, built through the services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qualcode.domain.spans import Span
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import apply_code
from qualcode.services.project import Project, init_project
from qualcode.services.transcripts import import_transcripts
from tests.conftest import CODEBOOKS, TRANSCRIPTS

TRANSCRIPT = "parent-01-en"


@pytest.fixture
def coded(location: str) -> Iterator[Project]:
    """parent-01-en and parent-03-da with the sample codebook and six codings by two
    coders (one with a memo); ``location`` decides the backend."""
    project = init_project(location)
    import_transcripts(
        project, [TRANSCRIPTS / "parent-01-en.txt", TRANSCRIPTS / "parent-03-da.txt"]
    )
    import_codebook(project, CODEBOOKS / "family-collaboration.yaml")
    for coder, code, span in [
        ("anna", "continuity", (100, 180)),
        ("anna", "continuity/meeting the child", (400, 520)),
        ("bo", "continuity", (110, 175)),
        ("bo", "accessibility", (900, 1010)),
        ("anna", "accessibility", (1500, 1620)),
    ]:
        apply_code(project, TRANSCRIPT, code, coder, span=Span(*span))
    apply_code(project, "parent-03-da", "continuity", "bo", span=Span(726, 1360), memo="Hanne")
    yield project
    project.close()
