"""Memos as stored (on the project, a transcript or a code) and framework summaries
(one text per case and code)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredMemo:
    """A memo row: ``target_type`` is ``project``, ``transcript`` or ``code`` (other
    types may come from older tools); ``target_id`` is ``None`` on the project;
    ``created`` is ISO-8601 UTC to the second ("2026-11-22T18:04:05Z")."""

    id: int
    target_type: str
    target_id: int | None
    author: str | None
    created: str
    text: str


@dataclass(frozen=True, slots=True)
class StoredSummary:
    case_id: int
    code_id: int
    text: str
    author: str | None
    updated_at: str


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """A framework summary with its row id, exactly as stored (``updated_at`` ISO-8601 UTC
    to the second, "...Z"): what a code merge moves and its undo puts back."""

    id: int
    case_id: int
    code_id: int
    text: str
    author: str | None
    updated_at: str
