"""What workspaces that follow other coders live read and write (``uow.live``): the
event log read as it grows, and who has the project open (table ``presence``).

Events are read in id order after the last one a workspace has seen. In blind mode the
query itself keeps other coders' events out (only the actions a caller names as shared
pass), so their codings, counts and memos never leave the database. On PostgreSQL each
logged event also sends a notification carrying its id in the same transaction
(:func:`notify_event`), delivered only when that transaction commits.

Presence is one heartbeat row per open workspace: a workspace renews its row every few
seconds; a row not renewed within the caller's timeout counts as gone (a workspace that
crashed or lost its network), and rows long expired are deleted by the next heartbeat of
anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import EventRow, PresenceRow

CHANNEL = "qualcode_events"  # the LISTEN/NOTIFY channel of a PostgreSQL project

OWN_EVENTS_KEY = "qualcode_events"  # session.info: ids of the events this transaction wrote

FORGET_AFTER = dt.timedelta(hours=1)  # expired presence rows kept this long, then deleted


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
    watch ``PRAGMA data_version`` instead. Storage-internal (``uow.events.log``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, str(event_id))))


def note_own_event(session: Session, event_id: int) -> None:
    """Record that this transaction wrote event ``event_id`` without the ORM (an insert
    statement of its own), so ``live_watch.track_own_events`` knows it as this project's.
    Storage-internal."""
    session.info.setdefault(OWN_EVENTS_KEY, []).append(event_id)


class LiveRepository(StoredArea):
    """The event log read after an id, and workspaces' presence rows."""

    __slots__ = ()

    def latest_event_id(self) -> int:
        """The id of the newest event (0 for an empty log)."""
        return self._session.scalar(select(func.max(EventRow.id))) or 0

    def events_after(
        self,
        after_id: int,
        *,
        only_coder: str | None = None,
        shared_actions: Collection[str] = (),
        limit: int = 1000,
    ) -> list[StoredEvent]:
        """Events with an id above ``after_id``, oldest first, at most ``limit``.

        With ``only_coder`` (blind mode), only that coder's events and events whose action
        is in ``shared_actions`` are returned: the filter is in the SQL, so other coders'
        content is never read into the workspace."""
        query = select(
            EventRow.id, EventRow.action, EventRow.coder, EventRow.payload, EventRow.undone
        ).where(EventRow.id > after_id)
        if only_coder is not None:
            query = query.where(
                or_(EventRow.coder == only_coder, EventRow.action.in_(sorted(shared_actions)))
            )
        rows = self._session.execute(query.order_by(EventRow.id).limit(limit))
        return [
            StoredEvent(eid, action, coder, payload if isinstance(payload, dict) else {}, undone)
            for eid, action, coder, payload, undone in rows
        ]

    def beat(self, session: str, coder: str, transcript: str | None, now: dt.datetime) -> None:
        """Renew (or create) the presence row of workspace ``session`` (``now`` in UTC,
        naive); drop rows expired more than :data:`FORGET_AFTER` ago."""
        renewed = self._session.execute(
            update(PresenceRow)
            .where(PresenceRow.session == session)
            .values(coder=coder, transcript=transcript, seen_at=now)
        )
        if not getattr(renewed, "rowcount", 0):
            self._session.add(
                PresenceRow(session=session, coder=coder, transcript=transcript, seen_at=now)
            )
        self._session.execute(delete(PresenceRow).where(PresenceRow.seen_at < now - FORGET_AFTER))

    def present(
        self, since: dt.datetime, *, besides: str | None = None
    ) -> list[tuple[str, str | None]]:
        """(coder, transcript) of every workspace seen at ``since`` or later, other than
        workspace ``besides``, ordered by coder and transcript."""
        query = select(PresenceRow.coder, PresenceRow.transcript).where(
            PresenceRow.seen_at >= since
        )
        if besides is not None:
            query = query.where(PresenceRow.session != besides)
        rows = self._session.execute(query.order_by(PresenceRow.coder, PresenceRow.transcript))
        return [(coder, transcript) for coder, transcript in rows]

    def leave(self, session: str) -> None:
        """Remove the presence row of workspace ``session`` (it closed)."""
        self._session.execute(delete(PresenceRow).where(PresenceRow.session == session))
