"""Codings flagged "needs review" the way a researcher gets them: a transcript's passages
rewritten and the new text brought in with ``qualcode transcript replace`` (or ``edit``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from qualcode.services.coding import list_codings
from qualcode.services.project import open_project
from qualcode.services.transcripts import get_transcript

REWRITE = "Nothing of the sort was said here at all."
PICKS: Mapping[str, Sequence[int]] = {"focus-group-01-en": (3, 8), "parent-03-da": (2,)}
"""Transcript -> which of its codings (by position in start order) to rewrite."""


def rewritten_texts(location: Path, picks: Mapping[str, Sequence[int]] = PICKS) -> dict[str, str]:
    """Each transcript's text with the passages of the picked codings replaced by
    :data:`REWRITE` (the codings' anchors then no longer match)."""
    project = open_project(location)
    try:
        texts: dict[str, str] = {}
        for name, indexes in picks.items():
            text = get_transcript(project, name).text
            ordered = sorted(list_codings(project, transcripts=[name]), key=lambda c: c.start)
            for coding in sorted((ordered[i] for i in indexes), key=lambda c: -c.start):
                text = text[: coding.start] + REWRITE + text[coding.end :]
            texts[name] = text
        return texts
    finally:
        project.close()
