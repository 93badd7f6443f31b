"""Applying one coding on PostgreSQL costs at most three round trips to the server.

Counted twice: by SQLAlchemy's engine events (every statement through a cursor, and the
transaction's begin and commit, which psycopg sends as BEGIN and COMMIT), and by libpq's
own protocol trace (every message after which the client waits for the server: a simple
``Query`` or an extended-protocol ``Sync``), which also sees what bypasses the events
(a connection pool's ping)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from qualcode.domain.spans import Span
from qualcode.services.codebook import list_codes
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.live import events_since, latest_event_id
from qualcode.services.project import Project, open_project
from qualcode.storage.database import engine_of
from qualcode.storage.idle_ping import ping_when_idle

pytestmark = pytest.mark.postgresql

MAX_ROUND_TRIPS = 3
WAITS_FOR_SERVER = re.compile(r"\tF\t\d+\t(Query|Sync)\b")


@pytest.fixture
def reopened(coded: Project) -> Iterator[Project]:
    """The coded project opened again, one coding applied so the pool holds a connection."""
    project = open_project(engine_of(coded).url.render_as_string(hide_password=False))
    apply_code(project, "parent-01-en", "continuity", "carl", span=Span(1, 5))
    yield project
    project.close()


class Counter:
    """Statements, BEGINs and COMMITs seen by the engine's events."""

    def __init__(self, project: Project) -> None:
        self.sent: list[str] = []
        engine = engine_of(project)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", lambda _connection: self.sent.append("BEGIN"))
        event.listen(engine, "commit", lambda _connection: self.sent.append("COMMIT"))

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.sent.append(statement.strip().split()[0])


@pytest.mark.parametrize(
    ("code", "origin", "memo"),
    [
        ("continuity/meeting the child", None, None),  # a sub-code by its path
        ("id", None, None),  # a code by id (the workspace): the id of "openness"
        ("accessibility", "suggested", "why"),  # an accepted suggestion with a memo
    ],
    ids=["path", "id", "suggestion"],
)
@pytest.mark.parametrize("location", ["postgresql"], indirect=True)
def test_one_coding_is_three_round_trips(
    reopened: Project, tmp_path: Path, code: str, origin: str | None, memo: str | None
) -> None:
    code_ref: str | int = code
    if code == "id":
        code_ref = next(c.id for c in list_codes(reopened) if c.path == "openness")
    before = latest_event_id(reopened)
    counter = Counter(reopened)
    trace_file = tmp_path / "libpq.trace"
    with trace_file.open("w") as trace:
        for record in engine_of(reopened).pool._pool.queue:  # type: ignore[attr-defined]
            record.dbapi_connection.pgconn.trace(trace.fileno())
        coding, _ = apply_code(
            reopened,
            "parent-01-en",
            code_ref,
            "anna",
            span=Span(200, 260),
            memo=memo,
            origin=origin,
        )
        sent = list(counter.sent)
        for record in engine_of(reopened).pool._pool.queue:  # type: ignore[attr-defined]
            record.dbapi_connection.pgconn.untrace()
    round_trips = WAITS_FOR_SERVER.findall(trace_file.read_text())
    assert len(sent) <= MAX_ROUND_TRIPS, sent
    assert 0 < len(round_trips) <= MAX_ROUND_TRIPS, round_trips
    # what was stored is what the ordinary path stores
    stored = [c for c in list_codings(reopened, coders=["anna"]) if c.id == coding.id]
    assert stored == [coding]
    logged = events_since(reopened, before, "anna", blind=False)
    assert [e.action for e in logged] == ["apply"]
    payload = logged[0].payload
    assert payload["coding"] == {
        "id": coding.id,
        "transcript": "parent-01-en",
        "code_path": coding.code_path,
        "coder": "anna",
        "start": 200,
        "end": 260,
        "text": coding.text,
        "memo": memo,
        "created_at": coding.created_at,
        "code_id": payload["coding"]["code_id"],  # type: ignore[index]
        "origin": origin or "human",
    }
    assert payload.get("origin") == origin


@pytest.mark.parametrize("idle_seconds", [0.0], ids=["idle"])
def test_an_idle_connection_killed_by_the_server_is_replaced(
    postgres_database: str, idle_seconds: float
) -> None:
    """The pool checks a connection that has been idle (here: any) before handing it out;
    one the server ended meanwhile is replaced, and the caller never sees the error."""
    engine = create_engine(postgres_database)
    ping_when_idle(engine, idle_seconds)
    try:
        with engine.connect() as connection:
            first = connection.scalar(text("SELECT pg_backend_pid()"))
        with psycopg.connect(
            make_url(postgres_database).set(drivername="postgresql").render_as_string(False),
            autocommit=True,
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        with engine.connect() as connection:
            second = connection.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        engine.dispose()
