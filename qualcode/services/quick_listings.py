"""Listings that a SQLite project can answer without loading SQLAlchemy.

Each function returns ``None`` when the project needs the full storage layer (a URL, a
schema to migrate, a file that is not a project); the command then opens the project
the usual way and lists through :mod:`qualcode.services.transcripts` and its peers.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.domain.cases import AttributeDef, Case
from qualcode.domain.codebook import StoredCode
from qualcode.domain.project_summary import ProjectSummary
from qualcode.domain.transcripts import Transcript, TranscriptSummary
from qualcode.storage import quick_reads


def transcript_summaries(location: str) -> list[TranscriptSummary] | None:
    with quick_reads.quick_reader(location) as reader:
        return None if reader is None else reader.transcript_summaries()


def transcript(location: str, name: str) -> Transcript | None:
    """The named transcript; also ``None`` when there is none (the full path then says
    so and suggests the closest names)."""
    with quick_reads.quick_reader(location) as reader:
        return None if reader is None else reader.transcript(name)


def project_summary(location: str) -> ProjectSummary | None:
    with quick_reads.quick_reader(location) as reader:
        if reader is None:
            return None
        counts = reader.counts()
        coders = tuple(sorted(reader.coder_names()))
    return ProjectSummary(str(Path(location)), counts, coders)


def codes(location: str) -> list[StoredCode] | None:
    with quick_reads.quick_reader(location) as reader:
        return None if reader is None else reader.codes()


def cases(location: str) -> tuple[list[Case], list[AttributeDef]] | None:
    """The cases and the attribute definitions (in the order they were first imported)."""
    with quick_reads.quick_reader(location) as reader:
        if reader is None:
            return None
        return reader.cases(), reader.attribute_defs()
