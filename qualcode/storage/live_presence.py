"""Who has the project open: one heartbeat row per open workspace (table ``presence``).

A workspace renews its row every few seconds; a row not renewed within the caller's
timeout counts as gone (a workspace that crashed or lost its network), and rows long
expired are deleted by the next heartbeat of anyone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update

from qualcode.storage.repositories import Repository
from qualcode.storage.tables import PresenceRow

FORGET_AFTER = dt.timedelta(hours=1)  # expired rows kept this long, then deleted


def beat(
    repo: Repository, session: str, coder: str, transcript: str | None, now: dt.datetime
) -> None:
    """Renew (or create) the row of workspace ``session``; drop rows expired long ago."""
    renewed = repo.session.execute(
        update(PresenceRow)
        .where(PresenceRow.session == session)
        .values(coder=coder, transcript=transcript, seen_at=now)
    )
    if not getattr(renewed, "rowcount", 0):
        repo.session.add(
            PresenceRow(session=session, coder=coder, transcript=transcript, seen_at=now)
        )
    repo.session.execute(delete(PresenceRow).where(PresenceRow.seen_at < now - FORGET_AFTER))


def present(
    repo: Repository, since: dt.datetime, *, besides: str | None = None
) -> list[tuple[str, str | None]]:
    """(coder, transcript) of every workspace seen at ``since`` or later, other than
    ``besides``, by coder and transcript."""
    query = select(PresenceRow.coder, PresenceRow.transcript).where(PresenceRow.seen_at >= since)
    if besides is not None:
        query = query.where(PresenceRow.session != besides)
    rows = repo.session.execute(query.order_by(PresenceRow.coder, PresenceRow.transcript))
    return [(coder, transcript) for coder, transcript in rows]


def leave(repo: Repository, session: str) -> None:
    """Remove the row of workspace ``session`` (it closed)."""
    repo.session.execute(delete(PresenceRow).where(PresenceRow.session == session))
