"""The event log as read back: a row with its payload (`EventRecord` for undo,
`LoggedEvent` for checks and listings, `EventSummary` for `qualcode log`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One row of the event log; ``at`` is ISO-8601 UTC ("...Z")."""

    id: int
    at: str
    action: str
    coder: str | None
    summary: str
    payload: object
    undone: bool

    @property
    def fields(self) -> dict[str, object]:
        """The payload when it is an object (as every valid one is), else empty."""
        return self.payload if isinstance(self.payload, dict) else {}


@dataclass(frozen=True, slots=True)
class UnreadablePayload:
    """An event payload as stored when it is not valid JSON."""

    stored: object


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One row of the event log."""

    id: int
    action: str
    coder: str | None
    summary: str
    payload: dict[str, object]
    undone: bool


@dataclass(frozen=True, slots=True)
class EventSummary:
    """An event as ``qualcode log`` lists it; ``at`` is ISO-8601 UTC ("...Z")."""

    id: int
    at: str
    action: str
    summary: str
    coder: str | None
