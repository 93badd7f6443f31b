"""Following a project live: what other coders committed since a workspace last looked.

A workspace keeps a :class:`LiveFeed`: ``poll()`` is cheap enough to call a few times a
second (SQLite: ``PRAGMA data_version``; PostgreSQL: ``LISTEN/NOTIFY``; see
``storage/live_watch.py``) and returns the new events only when something was committed.
Events this workspace's own project object wrote are left out (it applied them when it
wrote them). In blind mode other coders' events are filtered in the query
(:func:`events_since`): only :data:`BLIND_SHARED_ACTIONS` — the codebook, the transcripts
and who marked what done, never codings or memos — arrive.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from qualcode.domain.codings import HUMAN, Coding
from qualcode.domain.events import Action, CodingPayload, action_of
from qualcode.services.project import Project
from qualcode.storage.live_watch import ChangeWatch, OwnEvents, open_watch, track_own_events
from qualcode.storage.unit_of_work import UnitOfWork

BLIND_SHARED_ACTIONS = frozenset(
    {
        Action.CODE_ADD,
        Action.CODE_EDIT,
        Action.CODE_MERGE,
        Action.IMPORT_CODEBOOK,
        Action.IMPORT_TRANSCRIPTS,
        Action.TRANSCRIPT_EDIT,
        Action.RENAME_TRANSCRIPT,
        Action.IMPORT_CASES,
        Action.IMPORT_SURVEY,
        Action.SETTING,
        Action.DONE,  # progress may be shown in blind mode, content may not
        Action.UNDONE,
    }
)
"""What a blind workspace receives of other coders' events: structure and progress."""

BATCH = 1000  # events read per query; a longer backlog is read in several polls


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """A committed event: ``action`` is ``None`` for one a newer qualcode wrote."""

    id: int
    action: Action | None
    coder: str | None
    payload: Mapping[str, object]


def latest_event_id(project: Project) -> int:
    """The newest event's id (0 for an empty log): where a new workspace starts."""
    with project.reading() as uow:
        return uow.live.latest_event_id()


def events_since(
    project: Project, after_id: int, coder: str, *, blind: bool, limit: int = BATCH
) -> list[LiveEvent]:
    """Events after ``after_id`` (oldest first, at most ``limit``). ``blind``: only
    ``coder``'s own and :data:`BLIND_SHARED_ACTIONS` of others, filtered by the database."""
    with project.reading() as uow:
        stored = uow.live.events_after(
            after_id,
            only_coder=coder if blind else None,
            shared_actions=BLIND_SHARED_ACTIONS,
            limit=limit,
        )
    return [LiveEvent(e.id, action_of(e.action), e.coder, e.payload) for e in stored]


def coding_of(payload: object) -> Coding | None:
    """The coding a :class:`~qualcode.domain.events.CodingPayload` describes (``None``
    for anything else, e.g. a log entry written by an older qualcode without one)."""
    if not isinstance(payload, dict):
        return None
    try:
        shaped: CodingPayload = payload  # type: ignore[assignment]
        return Coding(
            id=int(shaped["id"]),
            transcript=str(shaped["transcript"]),
            code_path=str(shaped["code_path"]),
            coder=str(shaped["coder"]),
            start=int(shaped["start"]),
            end=int(shaped["end"]),
            text=str(shaped["text"]),
            memo=None if shaped.get("memo") is None else str(shaped["memo"]),
            created_at=str(shaped["created_at"]),
            origin=str(shaped.get("origin", HUMAN)),
        )
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class LiveFeed:
    """One workspace's view of the log: where it is, and how it notices commits."""

    project: Project
    coder: str
    blind: bool
    last_id: int
    watch: ChangeWatch
    own: OwnEvents
    backlog: bool = field(default=False)  # the last read hit the batch limit

    def poll(self) -> list[LiveEvent]:
        """New events of others since the last poll (empty when nothing was committed)."""
        if not (self.watch.changed() or self.backlog):
            return []
        events = events_since(self.project, self.last_id, self.coder, blind=self.blind)
        self.backlog = len(events) >= BATCH
        if events:
            self.last_id = events[-1].id
        return [e for e in events if e.id not in self.own]

    def close(self) -> None:
        self.watch.close()


def follow(project: Project, coder: str, *, blind: bool) -> LiveFeed:
    """Start following ``project`` from its newest event. Call before loading what the
    workspace shows, so nothing committed in between is missed."""
    own = track_own_events(project)
    watch = open_watch(project)
    return LiveFeed(project, coder, blind, latest_event_id(project), watch, own)


# -- presence: who else has the project open ----------------------------------------------

HEARTBEAT_SECONDS = 5.0  # how often an open workspace renews its presence row
PRESENCE_TIMEOUT = dt.timedelta(seconds=15)  # a row older than this is someone who left


@dataclass(frozen=True, slots=True)
class Presence:
    """Someone with the project open, and the transcript they are in (if any)."""

    coder: str
    transcript: str | None


def new_workspace_id() -> str:
    """A random id for one open workspace."""
    return str(uuid.uuid4())


def heartbeat(
    project: Project,
    workspace_id: str,
    coder: str,
    transcript: str | None,
    *,
    now: dt.datetime | None = None,
) -> list[Presence]:
    """Renew workspace ``workspace_id``'s presence and return the others present (seen within
    :data:`PRESENCE_TIMEOUT` of ``now``, UTC; default: the clock). One short write that
    logs no event and only shares the write lock on PostgreSQL (it touches its own row)."""
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def renew(uow: UnitOfWork) -> list[tuple[str, str | None]]:
        uow.live.beat(workspace_id, coder, transcript, moment)
        return uow.live.present(moment - PRESENCE_TIMEOUT, besides=workspace_id)

    found = project.run_unit_of_work(renew, adds_only=True)
    return [Presence(c, t) for c, t in found]


def who(project: Project, *, now: dt.datetime | None = None) -> list[Presence]:
    """Everyone with the project open now (seen within :data:`PRESENCE_TIMEOUT`)."""
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with project.reading() as uow:
        found = uow.live.present(moment - PRESENCE_TIMEOUT)
    return [Presence(c, t) for c, t in found]


def leave(project: Project, workspace_id: str) -> None:
    """Workspace ``workspace_id`` closed: its row goes at once (not after the timeout)."""
    project.run_unit_of_work(lambda uow: uow.live.leave(workspace_id), adds_only=True)


def presence_line(others: list[Presence]) -> str | None:
    """``also here: bo (parent-03-da), chloé`` — ``None`` when nobody else is here."""
    if not others:
        return None
    seen = dict.fromkeys(f"{p.coder} ({p.transcript})" if p.transcript else p.coder for p in others)
    return "also here: " + ", ".join(seen)
