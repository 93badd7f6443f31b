"""The agreement and reconcile services' reads: ids and offsets only, no anchor text.

Offsets are half-open code points into the transcript text. Storage-internal module;
reached as ``uow.agreement``.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import CodingRow, TranscriptRow, TurnRow

CHUNK = 20_000
"""Codings fetched at a time."""

CodingKey = tuple[int, int, int, int, int, int]
"""(coding id, transcript id, code id, coder id, start, end)."""


class AgreementRepository(StoredArea):
    """Codings and transcripts as the agreement and reconcile services read them."""

    __slots__ = ()

    def coder_codings(self, coder_ids: Collection[int]) -> list[CodingKey]:
        """Every coding of these coders as plain tuples, ordered by transcript, code, coder
        and start.

        One query on the driver's own cursor: a large project has hundreds of thousands of
        codings, and SQLAlchemy's result rows cost more than reading them (0.2 s against
        0.1 s for 150,000). The ids are this project's integers, written into the query
        (no parameter style to match between drivers)."""
        rows: list[Any] = []
        for chunk in self._coding_rows(coder_ids, ordered=True):
            rows.extend(chunk)
        if rows and type(rows[0]) is not tuple:  # a driver with its own row class
            return [tuple(found) for found in rows]
        return rows

    def coding_table(self, coder_ids: Collection[int]) -> array[int]:
        """The same codings as :meth:`coder_codings`, in no particular order, as one flat
        array of 64-bit integers: six per coding (id, transcript id, code id, coder id,
        start, end). For array arithmetic over all of them: read in chunks, so no tuple
        per coding is kept (a large project's 150,000 would be 30 MB)."""
        table: array[int] = array("q")
        for chunk in self._coding_rows(coder_ids, ordered=False):
            table.extend(chain.from_iterable(chunk))
        return table

    def _coding_rows(self, coder_ids: Collection[int], *, ordered: bool) -> Iterator[list[Any]]:
        """The coders' codings in chunks of rows (see :meth:`coder_codings`)."""
        if not coder_ids:
            return
        ids = ", ".join(str(int(coder_id)) for coder_id in sorted(coder_ids))
        row = CodingRow
        selected = (row.id, row.transcript_id, row.code_id, row.coder_id, row.start, row.end)
        columns = ", ".join(column.name for column in selected)
        order = ", ".join(column.name for column in selected[1:5])
        sql = (
            f"SELECT {columns} FROM {row.__tablename__} "  # the ids are integers
            f"WHERE {row.coder_id.name} IN ({ids})" + (f" ORDER BY {order}" if ordered else "")
        )
        connection = self._session.connection()
        driver = connection.connection.dbapi_connection
        assert driver is not None, "a session's connection is open"
        errors = connection.dialect.loaded_dbapi.Error
        cursor = driver.cursor()
        try:
            cursor.execute(sql)
            while chunk := list(cursor.fetchmany(CHUNK)):
                yield chunk
        except errors as error:  # as SQLAlchemy would raise it, for Project.reading to explain
            raise DBAPIError.instance(sql, None, error, errors) from error
        finally:
            cursor.close()

    def transcript_lengths(self) -> list[tuple[int, str, int, str | None]]:
        """(id, name, length in code points, detected language or ``None``) of every
        transcript, by name."""
        rows = self._session.execute(
            select(
                TranscriptRow.id,
                TranscriptRow.name,
                TranscriptRow.characters,
                TranscriptRow.language,
            ).order_by(TranscriptRow.name)
        )
        return [(tid, name, characters, language) for tid, name, characters, language in rows]

    def turn_spans(self, transcript_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """Each transcript's turns as ``(start, end)``, in order (absent: no turns)."""
        spans: dict[int, list[tuple[int, int]]] = {}
        if not transcript_ids:
            return spans
        rows = self._session.execute(
            select(TurnRow.transcript_id, TurnRow.start, TurnRow.end)
            .where(TurnRow.transcript_id.in_(list(transcript_ids)))
            .order_by(TurnRow.transcript_id, TurnRow.position)
        )
        for tid, start, end in rows:
            spans.setdefault(tid, []).append((start, end))
        return spans

    def texts_by_id(self, transcript_ids: Sequence[int]) -> dict[int, str]:
        """The texts of these transcripts."""
        if not transcript_ids:
            return {}
        rows = self._session.execute(
            select(TranscriptRow.id, TranscriptRow.text).where(
                TranscriptRow.id.in_(list(transcript_ids))
            )
        )
        return dict(rows.all())

    def coding_ids_after(self, coder_id: int, after_id: int) -> list[int]:
        """Ids of the coder's codings with an id above ``after_id`` (just inserted), in order."""
        return list(
            self._session.scalars(
                select(CodingRow.id)
                .where(CodingRow.coder_id == coder_id, CodingRow.id > after_id)
                .order_by(CodingRow.id)
            )
        )

    def delete_codings(self, coding_ids: Sequence[int]) -> None:
        """Delete these codings (in chunks, to stay under bound-parameter limits)."""
        for first in range(0, len(coding_ids), 500):
            chunk = list(coding_ids[first : first + 500])
            self._session.execute(delete(CodingRow).where(CodingRow.id.in_(chunk)))
