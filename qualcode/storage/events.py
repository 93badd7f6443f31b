"""The event-log repository (``uow.events``): logging an event (and, on PostgreSQL,
telling open workspaces), reading the log back (:class:`EventSummary` for
``qualcode log``, :class:`EventRecord` for undo and redo, :class:`LoggedEvent` for checks
and listings, payloads that do not parse as :class:`UnreadablePayload`) and the undo
marks. The actions and payload shapes are :mod:`qualcode.domain.events`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence

from sqlalchemy import Text, func, select, type_coerce, update

from qualcode.domain.event_records import EventRecord, EventSummary, LoggedEvent, UnreadablePayload
from qualcode.domain.events import Action
from qualcode.storage.live_reads import notify_event
from qualcode.storage.repository_base import StoredArea, iso_utc, utcnow
from qualcode.storage.tables import (
    EventRow,
)

UNDO_ACTION = Action.UNDO

REDO_ACTION = Action.REDO


def _record(row: EventRow) -> EventRecord:
    return EventRecord(row.id, row.action, row.coder, row.summary, dict(row.payload), row.undone)


def _iso(value: dt.datetime | None) -> str:
    return "" if value is None else iso_utc(value)


def _event(row: EventRow) -> LoggedEvent:
    return LoggedEvent(
        row.id, _iso(row.at), row.action, row.coder, row.summary, row.payload, bool(row.undone)
    )


def _parsed(stored: object) -> object:
    if isinstance(stored, bytes):
        return UnreadablePayload(stored)
    if not isinstance(stored, str):
        return stored  # PostgreSQL's driver parses JSON itself
    try:
        return json.loads(stored)
    except ValueError:
        return UnreadablePayload(stored)


class EventRepository(StoredArea):
    """The event log: logging, reading, undo marks."""

    __slots__ = ()

    def latest(self, limit: int = 50) -> list[EventSummary]:
        """The newest ``limit`` events, newest first."""
        rows = self._session.execute(
            select(EventRow.id, EventRow.at, EventRow.action, EventRow.summary, EventRow.coder)
            .order_by(EventRow.id.desc())
            .limit(limit)
        )
        return [
            EventSummary(eid, iso_utc(at), action, summary, coder)
            for eid, at, action, summary, coder in rows
        ]

    def log(
        self, action: Action, summary: str, payload: Mapping[str, object], coder: str | None = None
    ) -> int:
        """Record one event (see domain/events.py for the actions and their payloads)."""
        if not self._uow.writable:  # it would be rolled back with the reading unit: lost
            raise RuntimeError("an event can only be logged in a write unit of work")
        row = EventRow(action=action, summary=summary, payload=payload, coder=coder, at=utcnow())
        self._session.add(row)
        self._session.flush()
        notify_event(self._session, row.id)  # PostgreSQL: open workspaces hear of it
        return row.id

    def recent(self, actions: Sequence[str], limit: int) -> list[LoggedEvent]:
        """The latest ``limit`` events of the given actions, newest first."""
        rows = self._session.scalars(
            select(EventRow)
            .where(EventRow.action.in_(actions))
            .order_by(EventRow.id.desc())
            .limit(limit)
        )
        return [_event(row) for row in rows]

    def iter_all(self) -> Iterator[LoggedEvent]:
        """Every event, oldest first (streamed in batches)."""
        last = 0
        while True:
            rows = list(
                self._session.scalars(
                    select(EventRow).where(EventRow.id > last).order_by(EventRow.id).limit(2000)
                )
            )
            if not rows:
                return
            for row in rows:
                yield _event(row)
            last = rows[-1].id
            self._session.expunge_all()

    def iter_as_stored(self) -> Iterator[LoggedEvent]:
        """Every event, oldest first, for ``qualcode check``: the payload is parsed here, so a
        payload that is not JSON arrives as :class:`UnreadablePayload` instead of failing the
        read, and the time (which a damaged row may not hold) is left empty."""
        payload = type_coerce(EventRow.payload, Text)  # SQLAlchemy leaves it unparsed
        columns = (EventRow.id, EventRow.action, EventRow.coder, EventRow.summary, payload)
        last: int | None = None
        while True:
            query = select(*columns, EventRow.undone).order_by(EventRow.id).limit(2000)
            if last is not None:
                query = query.where(EventRow.id > last)
            rows = self._session.execute(query).all()
            if not rows:
                return
            for event_id, action, coder, summary, stored, undone in rows:
                yield LoggedEvent(
                    event_id, "", action, coder, summary, _parsed(stored), bool(undone)
                )
            last = rows[-1][0]

    def get(self, event_id: int) -> EventRecord | None:
        row = self._session.get(EventRow, event_id)
        return None if row is None else _record(row)

    def last_active_event(self, coder: str, actions: Iterable[str]) -> EventRecord | None:
        """The coder's most recent event of one of ``actions`` that is not undone."""
        row = self._session.scalar(
            select(EventRow)
            .where(
                EventRow.coder == coder,
                EventRow.action.in_(list(actions)),
                EventRow.undone.is_(False),
            )
            .order_by(EventRow.id.desc())
            .limit(1)
        )
        return None if row is None else _record(row)

    def active_events(self, coder: str, actions: Iterable[str]) -> list[EventRecord]:
        """The coder's events of one of ``actions`` that are not undone, oldest first."""
        rows = self._session.scalars(
            select(EventRow)
            .where(
                EventRow.coder == coder,
                EventRow.action.in_(list(actions)),
                EventRow.undone.is_(False),
            )
            .order_by(EventRow.id)
        )
        return [_record(row) for row in rows]

    def redo_candidate(self, coder: str, actions: Iterable[str]) -> EventRecord | None:
        """The event the coder's next redo restores, or ``None``.

        The redo stack is the coder's undo events logged after their latest action of one of
        ``actions`` (a new action empties it); the most recent one whose target is still
        undone is next."""
        latest_action = self._session.scalar(
            select(func.max(EventRow.id)).where(
                EventRow.coder == coder, EventRow.action.in_(list(actions))
            )
        )
        if latest_action is None:
            return None
        undo_rows = self._session.scalars(
            select(EventRow)
            .where(
                EventRow.coder == coder,
                EventRow.action == UNDO_ACTION,
                EventRow.id > latest_action,
            )
            .order_by(EventRow.id.desc())
        )
        for undo_row in undo_rows:
            target_id = undo_row.payload.get("event_id")
            if not isinstance(target_id, int):
                continue
            target = self._session.get(EventRow, target_id)
            if target is not None and target.undone:
                return _record(target)
        return None

    def set_undone(self, event_id: int, undone: bool) -> None:
        self._session.execute(update(EventRow).where(EventRow.id == event_id).values(undone=undone))
