"""Reconciliation progress for the agreement screen: which disagreements of two coders
are settled in a consensus layer, read from the event log.

A disagreement is settled by :func:`qualcode.services.reconcile.resolve_disagreement`,
which logs one ``reconcile`` event under the layer's name naming the transcript, code,
region and choice. An undone event no longer counts (undo it with
``history.undo(project, layer)``); a redone one counts again. Bulk runs (no region in
their payload) are not counted as settling any one region. Offsets are half-open code
points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.services.reconcile import DEFAULT_LAYER
from qualcode.storage.database import Project

RegionKey = tuple[str, str, int, int]
"""(transcript, code path, start, end) of a region as listed by
:func:`qualcode.services.reconcile.list_disagreements`."""

SWAPPED = {"a": "b", "b": "a"}


@dataclass(frozen=True, slots=True)
class Settlement:
    """How a region was settled: ``choice`` (a, b, both, neither, edit; a and b in the
    order of the coders asked about), the consensus spans written, and the event."""

    choice: str
    spans: tuple[tuple[int, int], ...]
    event_id: int


def settlements(
    project: Project, coders: Sequence[str], into: str = DEFAULT_LAYER
) -> dict[RegionKey, Settlement]:
    """The regions of ``coders`` (two names, in either order) settled into ``into`` and
    not undone; the latest choice per region wins."""
    a, b = coders
    with project.reading() as uow:
        events = uow.events.active_events(into, ("reconcile",))
    found: dict[RegionKey, Settlement] = {}
    for event in events:
        payload = event.payload
        logged = payload.get("coders")
        region = payload.get("region")
        transcript, code, choice = (payload.get(k) for k in ("transcript", "code", "choice"))
        if not (
            isinstance(logged, list)
            and sorted(logged) == sorted((a, b))
            and payload.get("into", into) == into
            and isinstance(region, list)
            and len(region) == 2
            and all(isinstance(x, int) for x in region)
            and isinstance(transcript, str)
            and isinstance(code, str)
            and isinstance(choice, str)
        ):
            continue
        if logged != [a, b]:
            choice = SWAPPED.get(choice, choice)
        codings = payload.get("codings")
        spans = tuple(
            (int(c["start"]), int(c["end"]))
            for c in (codings if isinstance(codings, list) else [])
            if isinstance(c, dict)
        )
        found[(transcript, code, region[0], region[1])] = Settlement(choice, spans, event.id)
    return found
