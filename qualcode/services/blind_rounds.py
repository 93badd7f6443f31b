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

from collections.abc import Collection

from qualcode.domain.errors import BlindRoundError
from qualcode.domain.events import Action
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

BLIND_SETTING = "blind_coding"  # the project setting `qualcode round` turns on and off
_SETTING_HISTORY = 200  # setting events searched for the round's start


def set_viewer(project: Project, coder: str) -> None:
    """``project`` is open in ``coder``'s workspace: their own work may be shown to it
    during a blind round."""
    project.viewer = coder


def round_open(uow: UnitOfWork) -> bool:
    """Whether a blind round is open (the project's ``blind_coding`` setting)."""
    return bool(uow.settings.get(BLIND_SETTING, False))


def open_round(project: Project) -> str | None:
    """When the open blind round started (ISO-8601 UTC), ``"earlier"`` when the log no
    longer says, or ``None`` when no round is open."""
    with project.reading() as uow:
        return _started(uow) if round_open(uow) else None


def start_round(project: Project) -> None:
    """Open a blind round (the ``blind_coding`` setting on, logged as a ``setting``
    event). Raises :class:`BlindRoundError` naming when the open round started when one
    is already open; nothing is changed then."""
    with project.unit_of_work() as uow:  # checked and set under the write lock
        if round_open(uow):
            started = _started(uow)
            raise BlindRoundError(
                f"a blind round is already open in {project.location} since {started}; "
                f"reveal it with: qualcode round {project.location} reveal"
            )
        uow.settings.change(BLIND_SETTING, True)


def reveal_round(project: Project) -> None:
    """Close the open blind round (the ``blind_coding`` setting off). Raises
    :class:`BlindRoundError` when no round is open; nothing is changed then."""
    with project.unit_of_work() as uow:
        if not round_open(uow):
            raise BlindRoundError(
                f"no blind round is open in {project.location}; "
                f"start one with: qualcode round {project.location} start"
            )
        uow.settings.change(BLIND_SETTING, False)


def _started(uow: UnitOfWork) -> str:
    """When the open round started (ISO-8601 UTC), or ``"earlier"`` when the log no
    longer says."""
    for event in uow.events.recent((Action.SETTING,), _SETTING_HISTORY):
        payload = event.payload
        if isinstance(payload, dict) and payload.get("key") == BLIND_SETTING:
            return event.at if payload.get("after") else "earlier"
    return "earlier"


def refuse_in_round(project: Project, what: str, shown: Collection[str] | None = None) -> None:
    """Raise :class:`BlindRoundError` when a blind round is open and ``what`` (a few
    words: "agreement", "the codings") would show the work of ``shown`` (coder names;
    ``None`` or empty: everyone's) to someone who is not the only coder shown."""
    viewer = project.viewer
    if viewer is not None and shown and set(shown) == {viewer}:
        return  # a workspace shown only its own coder's work: no read needed
    with project.reading() as uow:
        if round_open(uow):
            raise _refusal(project, uow, f"{what} must wait")


def refuse_others_in_round(
    project: Project, uow: UnitOfWork, what: str, acting: str | None, owner: str | None
) -> None:
    """During an open blind round, let ``acting`` (the coder named by ``--coder`` or
    ``--author``, or the workspace's coder) read or change only their own work: raise
    :class:`BlindRoundError` when nobody is named, or when ``owner`` (the author or coder
    of what ``what`` names, e.g. "coding 5"; ``None``: nobody's yet, e.g. a summary not
    yet written, or nothing found) is someone else. The line never says whose it is, so
    a refusal confirms nothing of another coder's work. Outside a round nothing is
    checked. ``uow`` is the action's own unit of work: the check and the change see the
    same state."""
    if not round_open(uow):
        return
    if acting is None:
        raise _refusal(project, uow, f"{what} needs your coder name (--coder or --author)")
    viewer = project.viewer
    if (viewer is not None and acting != viewer) or (owner is not None and owner != acting):
        raise _refusal(project, uow, f"{what} is not {acting}'s own")


def _refusal(project: Project, uow: UnitOfWork, what: str) -> BlindRoundError:
    """The one line of every blind-round refusal: what waits, the round, the reveal."""
    started = _started(uow)
    return BlindRoundError(
        f"{what}: the blind coding round started {started} is open in "
        f"{project.location}; reveal it first with: qualcode round {project.location} reveal"
    )
