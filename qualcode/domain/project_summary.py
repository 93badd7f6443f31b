"""What `qualcode info` reports about a project."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Counts:
    transcripts: int
    words: int
    turns: int
    codes: int
    coders: int
    codings: int
    cases: int
    memos: int
    coding_memos: int
    events: int


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    location: str
    counts: Counts
    coders: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"location": self.location, **asdict(self.counts), "coder_names": list(self.coders)}
