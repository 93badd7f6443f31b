"""What every repository shares: the session it holds privately, the unit of work it
belongs to (so one repository can ask another, e.g. codings the codebook for paths), and
the bulk-insert and time helpers the repositories use. Storage-internal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, FromClause, insert
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from qualcode.storage.unit_of_work import UnitOfWork


IDS_PER_QUERY = 10_000
"""Ids per ``IN (...)`` list (SQLite allows 32,766 bound values, PostgreSQL 65,535)."""

INSERT_CHUNK_ROWS = 20_000
"""Rows handed to the driver per ``executemany`` by :func:`insert_rows`."""


class StoredArea:
    """A repository: the reads and writes of one area of the project inside one unit of
    work. Never commits (the unit of work does); takes and returns domain values."""

    __slots__ = ("_session", "_uow")

    def __init__(self, session: Session, uow: UnitOfWork) -> None:
        self._session = session
        self._uow = uow


def utcnow() -> dt.datetime:
    """Now in UTC, naive, to the second (as every time is stored)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def iso_utc(value: dt.datetime) -> str:
    """A stored UTC time (naive) as ISO 8601 to the second, with ``Z``."""
    return value.replace(microsecond=0).isoformat() + "Z"


def insert_rows(
    connection: Connection,
    table: FromClause,
    keys: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    chunk: int = INSERT_CHUNK_ROWS,
) -> int:
    """Insert ``rows`` (values in the order of the column names ``keys``, already in the
    driver's types) into ``table``; returns how many.

    The statement is compiled once for the connection's dialect and the rows go to the
    DBAPI's ``executemany`` as plain tuples (dicts for a named paramstyle), ``chunk`` rows
    at a time: per-row SQLAlchemy parameter processing costs more than the insert itself
    (see BENCHMARKS.md), and a generator of rows is never held in memory whole."""
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(keys))  # type: ignore[arg-type]
    statement = str(compiled)
    params: Iterator[Any] = iter(rows)
    if not compiled.positional:
        params = (dict(zip(keys, row, strict=True)) for row in params)
    else:
        order = [keys.index(name) for name in compiled.positiontup or ()]
        if order != list(range(len(keys))):
            params = (tuple(row[i] for i in order) for row in params)
    inserted = 0
    while batch := list(islice(params, chunk)):
        connection.exec_driver_sql(statement, batch)
        inserted += len(batch)
    return inserted
