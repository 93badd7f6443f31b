"""Applying one coding on PostgreSQL in one statement.

Through the ORM one applied coding cost about ten round trips to the server (the write
lock, the transcript, the codebook, the coder, the insert, reading the coding back, the
event, the notification). :func:`add_coding_at_span` sends one statement instead: a chain of
common table expressions that takes the shared write lock, finds the transcript, the code
(with its path) and the coder (adding a new coder), inserts the coding and its ``apply``
event with the payload built by the server, and notifies listening workspaces. With the
transaction's BEGIN and COMMIT that is three round trips.

The statement inserts nothing when anything is not as the fast path expects (an unknown
transcript or code, a code that is a heading, a span past the end of the text, the write
lock held exclusively by another coder's action): the caller then takes the lock the
ordinary way and runs its full path, which says precisely what is wrong. SQLite, whose
"round trips" are function calls, always takes that ordinary path.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from qualcode.domain.codebook import split_path
from qualcode.domain.codings import HUMAN, Coding
from qualcode.domain.events import Action
from qualcode.domain.spans import Span
from qualcode.domain.suggestions import ORIGIN_KEY
from qualcode.domain.text_entry import enter_name, enter_optional_text
from qualcode.storage.database import WRITE_LOCK_KEY, take_write_lock
from qualcode.storage.live_reads import CHANNEL, note_own_event
from qualcode.storage.repository_base import iso_utc, utcnow


@dataclass(frozen=True, slots=True)
class SpanCoding:
    """What to apply: ``code`` is a code id or a path written exactly as stored (other
    spellings take the ordinary path); ``start``/``end`` half-open code points;
    ``extra`` further top-level payload keys (the origin of an accepted suggestion),
    ``summary_suffix`` what follows the code path in the event's summary; ``origin``
    the coding's stored origin (domain/codings.py ORIGINS)."""

    transcript: str
    code: str | int
    coder: str
    start: int
    end: int
    memo: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    summary_suffix: str = ""
    origin: str = HUMAN


def span_request(
    transcript: str,
    code: str | int,
    coder: str,
    span: Span,
    memo: str | None,
    origin: str | None,
) -> SpanCoding:
    """``services.coding.apply_code``'s request with a span, its ``origin`` (an accepted
    suggestion) recorded in the payload and the summary as the ordinary path records it."""
    return SpanCoding(
        transcript,
        code,
        coder,
        span.start,
        span.end,
        memo=memo,
        extra=() if origin is None else ((ORIGIN_KEY, origin),),
        summary_suffix="" if origin is None else f" ({origin})",
        origin=origin or HUMAN,
    )


# A code name as one part of a path (domain/codebook.escape_name, in SQL).
_ESCAPED = "replace(replace({0}.name, '\\', '\\\\'), '/', '\\/')"

_STATEMENT = """
WITH RECURSIVE
lk AS (SELECT pg_try_advisory_xact_lock_shared(CAST(:lock_key AS bigint)) AS ok),
t AS (
    SELECT id, substr(text, CAST(:first AS integer), CAST(:length AS integer)) AS passage
    FROM transcript WHERE name = CAST(:transcript AS text) AND length(text) >= CAST(:end AS integer)
),
k AS ({code_query}),
up(id, parent_id, path) AS (
    SELECT id, parent_id, {escaped_code} FROM code WHERE id IN (SELECT id FROM k)
    UNION ALL
    SELECT p.id, p.parent_id, {escaped_parent} || '/' || up.path
    FROM code p JOIN up ON p.id = up.parent_id
),
kp AS (SELECT k.id, (SELECT path FROM up WHERE parent_id IS NULL) AS path FROM k),
added AS (
    INSERT INTO coder (name)
    SELECT CAST(:coder AS text) FROM lk
    WHERE lk.ok AND NOT EXISTS (SELECT 1 FROM coder WHERE name = CAST(:coder AS text))
    ON CONFLICT DO NOTHING
    RETURNING id
),
who AS (
    SELECT id FROM coder WHERE name = CAST(:coder AS text)
    UNION ALL SELECT id FROM added
),
c AS (
    INSERT INTO coding
        (transcript_id, code_id, coder_id, start_offset, end_offset, anchor_text, memo,
         created_at, origin)
    SELECT t.id, kp.id, who.id, CAST(:start AS integer), CAST(:end AS integer),
           t.passage, CAST(:memo AS text), CAST(:created AS timestamp),
           CAST(:origin AS text)
    FROM lk, t, kp, who WHERE lk.ok
    RETURNING id, anchor_text
),
e AS (
    INSERT INTO event_log (at, coder, action, summary, payload, undone)
    SELECT CAST(:created AS timestamp), CAST(:event_coder AS text), CAST(:action AS text),
        CAST(:summary AS text) || kp.path || CAST(:summary_suffix AS text),
        json_build_object('coding', json_build_object(
            'id', c.id, 'transcript', CAST(:transcript AS text), 'code_path', kp.path,
            'coder', CAST(:coder AS text), 'start', CAST(:start AS integer),
            'end', CAST(:end AS integer), 'text', c.anchor_text, 'memo', CAST(:memo AS text),
            'created_at', CAST(:created_text AS text), 'code_id', kp.id,
            'origin', CAST(:origin AS text)){extra}),
        false
    FROM c, kp
    RETURNING id
)
SELECT c.id, c.anchor_text, kp.path, e.id,
       pg_notify(CAST(:channel AS text), CAST(e.id AS text)) IS NULL AS notified
FROM c, kp, e
"""


def add_coding_at_span(session: Session, request: SpanCoding) -> Coding | None:
    """Apply ``request`` in one statement as the transaction's first (PostgreSQL) and
    return the stored coding, or ``None`` when the caller must take the write lock and
    its ordinary path (SQLite; a negative or reversed span; anything the statement did
    not find as expected). Names and memo enter as the repository enters them."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if not 0 <= request.start < request.end:
        return None
    coder = enter_name(request.coder.strip(), "coder name")
    memo = enter_optional_text(request.memo, "coding memo")
    created = utcnow()
    parameters: dict[str, object] = {
        "lock_key": WRITE_LOCK_KEY,
        "first": request.start + 1,  # SQL counts characters from 1
        "length": request.end - request.start,
        "transcript": request.transcript,
        "start": request.start,
        "end": request.end,
        "coder": coder,
        "memo": memo,
        "created": created,
        "created_text": iso_utc(created),
        "event_coder": request.coder,
        "action": str(Action.APPLY),
        "summary": f"{request.coder} coded {request.transcript} {request.start}:{request.end} as ",
        "summary_suffix": request.summary_suffix,
        "channel": CHANNEL,
        "origin": request.origin,
    }
    code_query = _code_query(request.code, parameters)
    if code_query is None:
        return None
    extra = ""
    for number, (key, value) in enumerate(request.extra):
        parameters[f"extra_key_{number}"] = key
        parameters[f"extra_value_{number}"] = value
        extra += f", CAST(:extra_key_{number} AS text), CAST(:extra_value_{number} AS text)"
    statement = _STATEMENT.format(
        code_query=code_query,
        escaped_code=_ESCAPED.format("code"),
        escaped_parent=_ESCAPED.format("p"),
        extra=extra,
    )
    row = session.execute(text(statement), parameters).first()
    if row is None:
        return None
    coding_id, passage, path, event_id, _ = row
    note_own_event(session, event_id)
    return Coding(
        coding_id,
        request.transcript,
        path,
        coder,
        request.start,
        request.end,
        passage,
        memo,
        iso_utc(created),
        request.origin,
    )


def _code_query(code: str | int, parameters: dict[str, object]) -> str | None:
    """The SELECT of the codable code's id: by id, or by walking the path's names down
    from the top level (a path needs no codebook read; ``None`` for an empty path)."""
    if isinstance(code, int):
        parameters["code_id"] = code
        return "SELECT id FROM code WHERE id = CAST(:code_id AS integer) AND codable"
    names = split_path(code)
    if not names:
        return None
    joins = []
    for depth, name in enumerate(names):
        parameters[f"name_{depth}"] = name
        if depth:
            joins.append(
                f"JOIN code c{depth} ON c{depth}.parent_id = c{depth - 1}.id "
                f"AND c{depth}.name = CAST(:name_{depth} AS text)"
            )
    last = len(names) - 1
    return (
        f"SELECT c{last}.id FROM code c0 {' '.join(joins)} "
        f"WHERE c0.parent_id IS NULL AND c0.name = CAST(:name_0 AS text) "
        f"AND c{last}.codable"
    )


def lock_for_adding(session: Session, timeout_ms: int) -> None:
    """Take the project's write lock shared, waiting (the ordinary path's first step when
    :func:`add_coding_at_span` returned ``None``)."""
    take_write_lock(session.connection(), timeout_ms, shared=True)
