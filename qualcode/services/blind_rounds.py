"""Blind rounds enforced for every front end: while a mandatory blind round is open
(``qualcode round PROJECT start``), nothing shows one coder another's codings or memos,
and agreement and reconciliation wait for the reveal.

The services that show codings by coder call :func:`refuse_in_round` with the coders
whose work they would show; it raises :class:`~qualcode.domain.errors.BlindRoundError`
unless no round is open, or the project object belongs to a workspace whose coder is
the only one shown (:func:`set_viewer`: a workspace knows who is looking; a command
line does not, so there every such listing waits for the reveal). Comparing coders
(agreement, disagreements, reconciliation) is refused in a round whoever asks.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection

from qualcode.domain.errors import BlindRoundError
from qualcode.domain.events import Action
from qualcode.storage import status
from qualcode.storage.database import Project
from qualcode.storage.maintenance_queries import recent_events

BLIND_SETTING = "blind_coding"  # the project setting `qualcode round` turns on and off
_SETTING_HISTORY = 200  # setting events searched for the round's start

# by the project object's id (a Project compares by value, so it is no dictionary key);
# the entry goes when the object does
_viewers: dict[int, str] = {}


def set_viewer(project: Project, coder: str) -> None:
    """``project`` is open in ``coder``'s workspace: their own work may be shown to it
    during a blind round."""
    key = id(project)
    if key not in _viewers:
        weakref.finalize(project, _viewers.pop, key, None)
    _viewers[key] = coder


def open_round(project: Project) -> str | None:
    """When the open blind round started (ISO-8601 UTC), ``"earlier"`` when the log no
    longer says, or ``None`` when no round is open."""
    with project.reading() as repo:
        if not status.get_setting(repo, BLIND_SETTING, False):
            return None
        for event in recent_events(repo, (Action.SETTING,), _SETTING_HISTORY):
            payload = event.payload
            if isinstance(payload, dict) and payload.get("key") == BLIND_SETTING:
                return event.at if payload.get("after") else None
    return "earlier"


def refuse_in_round(project: Project, what: str, shown: Collection[str] | None = None) -> None:
    """Raise :class:`BlindRoundError` when a blind round is open and ``what`` (a few
    words: "agreement", "the codings") would show the work of ``shown`` (coder names;
    ``None`` or empty: everyone's) to someone who is not the only coder shown."""
    started = open_round(project)
    if started is None:
        return
    viewer = _viewers.get(id(project))
    if viewer is not None and shown and set(shown) == {viewer}:
        return
    raise BlindRoundError(
        f"{what} must wait: the blind coding round started {started} is open in "
        f"{project.location}; reveal it first with: qualcode round {project.location} reveal"
    )
