"""Reading the event log as it grows, for workspaces that follow other coders live.

Events are read in id order after the last one a workspace has seen. In blind mode the
query itself keeps other coders' events out (only the actions a caller names as shared
pass), so their codings, counts and memos never leave the database. On PostgreSQL each
logged event also sends a notification carrying its id in the same transaction
(:func:`notify_event`), delivered only when that transaction commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qualcode.storage.tables import EventRow

if TYPE_CHECKING:
    from qualcode.storage.repositories import Repository

CHANNEL = "qualcode_events"  # the LISTEN/NOTIFY channel of a PostgreSQL project


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as logged: ``action`` as stored (a newer qualcode may store one this
    version does not know), ``payload`` as decoded from JSON."""

    id: int
    action: str
    coder: str | None
    payload: dict[str, object]
    undone: bool


def notify_event(session: Session, event_id: int) -> None:
    """On PostgreSQL, tell listening workspaces about event ``event_id`` (sent when the
    transaction commits, never for one rolled back); nothing on SQLite, where workspaces
    watch ``PRAGMA data_version`` instead."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, str(event_id))))


OWN_EVENTS_KEY = "qualcode_events"  # session.info: ids of the events this transaction wrote


def note_own_event(session: Session, event_id: int) -> None:
    """Record that this transaction wrote event ``event_id`` without the ORM (an insert
    statement of its own), so ``live_watch.track_own_events`` knows it as this project's."""
    session.info.setdefault(OWN_EVENTS_KEY, []).append(event_id)


def latest_event_id(repo: Repository) -> int:
    """The id of the newest event (0 for an empty log)."""
    return repo.session.scalar(select(func.max(EventRow.id))) or 0


def events_after(
    repo: Repository,
    after_id: int,
    *,
    only_coder: str | None = None,
    shared_actions: Collection[str] = (),
    limit: int = 1000,
) -> list[StoredEvent]:
    """Events with an id above ``after_id``, oldest first, at most ``limit``.

    With ``only_coder`` (blind mode), only that coder's events and events whose action is
    in ``shared_actions`` are returned: the filter is in the SQL, so other coders'
    content is never read into the workspace."""
    query = select(
        EventRow.id, EventRow.action, EventRow.coder, EventRow.payload, EventRow.undone
    ).where(EventRow.id > after_id)
    if only_coder is not None:
        query = query.where(
            or_(EventRow.coder == only_coder, EventRow.action.in_(sorted(shared_actions)))
        )
    rows = repo.session.execute(query.order_by(EventRow.id).limit(limit))
    return [
        StoredEvent(eid, action, coder, payload if isinstance(payload, dict) else {}, undone)
        for eid, action, coder, payload, undone in rows
    ]
