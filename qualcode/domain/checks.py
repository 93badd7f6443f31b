"""What `qualcode check` finds: orphaned rows, rows that do not read as their type,
stored texts and spans to verify, codings flagged for review."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Orphans:
    """Rows of ``table`` whose ``column`` names a ``parent`` row that does not exist."""

    table: str
    column: str
    parent: str
    count: int
    sample_ids: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class StoredText:
    id: int
    name: str
    text: str
    sha256: str
    characters: int
    words: int


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """A coding, turn or case assignment: ``kind`` says which, ``key`` its id (turns:
    their 1-based position)."""

    kind: str
    key: int
    start: int
    end: int
    anchor_text: str | None = None


@dataclass(frozen=True, slots=True)
class FlaggedCoding:
    id: int
    transcript: str
    coder: str
    start: int
    end: int
    text: str
    note: str


@dataclass(frozen=True, slots=True)
class BadRows:
    """``count`` rows of ``table`` whose ``column`` is ``what`` (e.g. "NULL", "not a whole
    number"); ``sample`` holds the first few primary keys."""

    table: str
    column: str
    what: str
    count: int
    sample: tuple[object, ...]
