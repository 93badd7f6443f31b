"""Checking a pooled server connection only when it has been idle.

SQLAlchemy's ``pool_pre_ping`` asks the server before every checkout, one round trip for
each transaction: a quarter of applying a coding on PostgreSQL (the ping, BEGIN, the
statement, COMMIT). A connection handed back a moment ago is alive; one that has waited
(a workspace left open over lunch, a server restarted meanwhile) is checked as before,
and a dead one is replaced by a fresh connection before the action runs.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_PING_SECONDS = 2.0  # a connection unused this long is pinged before it is used
_IDLE_SINCE = "qualcode_idle_since"


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Ping ``engine``'s pooled connections at checkout when they have been checked in
    for ``idle_seconds`` or longer (a new connection is not pinged); a connection that
    fails the ping is discarded and the pool connects afresh."""
    dialect = engine.dialect

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError(str(error)) from error
            raise

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)
