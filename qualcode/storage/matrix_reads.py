"""Reads for matrices, co-occurrence and reports, and framework-summary writes.

Codings come out as bare ``(transcript_id, code_id, coder_id, start, end)`` tuples,
streamed in transcript order, never as :class:`~qualcode.domain.codings.Coding` objects
with their anchor text: a count holds one transcript's codings at a time. Offsets are
half-open code points.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from sqlalchemy import delete, select

from qualcode.domain.matrices import CodingSpan, TurnSpan
from qualcode.domain.matrix_intervals import merge_intervals
from qualcode.domain.matrix_rows import CaseInfo, TranscriptInfo
from qualcode.domain.memos import StoredSummary, SummaryRow
from qualcode.domain.text_entry import enter_name, enter_text
from qualcode.storage.repository_base import StoredArea, iso_utc, utcnow
from qualcode.storage.tables import (
    AttributeRow,
    CaseAssignmentRow,
    CaseAttributeRow,
    CaseRow,
    Coder,
    CodingRow,
    FrameworkSummaryRow,
    TranscriptRow,
    TurnRow,
)

STREAM_BATCH = 5000


class MatrixRepository(StoredArea):
    """Reads for matrices, co-occurrence and reports; framework summaries."""

    __slots__ = ()

    def transcripts(self) -> list[TranscriptInfo]:
        """Every transcript's id, name and length, by name."""
        rows = self._session.execute(
            select(TranscriptRow.id, TranscriptRow.name, TranscriptRow.characters).order_by(
                TranscriptRow.name
            )
        )
        return [TranscriptInfo(tid, name, characters) for tid, name, characters in rows]

    def transcript_languages(self) -> list[tuple[str | None, int]]:
        """Every transcript's detected language (``None`` where unknown) and its length in
        characters."""
        rows = self._session.execute(select(TranscriptRow.language, TranscriptRow.characters))
        return [(language, characters) for language, characters in rows]

    def cases(self) -> list[CaseInfo]:
        """Every case (by name) with its attribute values and its merged spans per transcript."""
        values: dict[int, dict[str, str]] = {}
        for case_id, name, value in self._session.execute(
            select(CaseAttributeRow.case_id, AttributeRow.name, CaseAttributeRow.value).join(
                AttributeRow, AttributeRow.id == CaseAttributeRow.attribute_id
            )
        ):
            values.setdefault(case_id, {})[name] = value
        spans: dict[int, dict[int, list[tuple[int, int]]]] = {}
        for case_id, tid, start, end in self._session.execute(
            select(
                CaseAssignmentRow.case_id,
                CaseAssignmentRow.transcript_id,
                CaseAssignmentRow.start,
                CaseAssignmentRow.end,
            )
        ):
            spans.setdefault(case_id, {}).setdefault(tid, []).append((start, end))
        return [
            CaseInfo(
                case_id,
                name,
                values.get(case_id, {}),
                {tid: tuple(merge_intervals(s)) for tid, s in spans.get(case_id, {}).items()},
            )
            for case_id, name in self._session.execute(
                select(CaseRow.id, CaseRow.name).order_by(CaseRow.name)
            )
        ]

    def speaker_turns(self) -> Iterator[tuple[int, int, int, str | None]]:
        """``(transcript_id, start, end, speaker)`` of every turn."""
        rows = self._session.execute(
            select(TurnRow.transcript_id, TurnRow.start, TurnRow.end, TurnRow.speaker).order_by(
                TurnRow.transcript_id, TurnRow.position
            )
        )
        yield from rows

    def transcript_turns(self, transcript_id: int) -> list[TurnSpan]:
        rows = self._session.execute(
            select(TurnRow.start, TurnRow.end, TurnRow.speaker)
            .where(TurnRow.transcript_id == transcript_id)
            .order_by(TurnRow.position)
        )
        return [(start, end, speaker) for start, end, speaker in rows]

    def transcript_text(self, transcript_id: int) -> str:
        return self._session.scalars(
            select(TranscriptRow.text).where(TranscriptRow.id == transcript_id)
        ).one()

    def coder_names(self) -> dict[int, str]:
        """Coder id -> name, by name."""
        rows = self._session.execute(select(Coder.id, Coder.name).order_by(Coder.name))
        return dict(rows.all())

    def coding_spans(
        self,
        *,
        code_ids: Collection[int] | None,
        coder_ids: Collection[int] | None,
        transcript_ids: Collection[int] | None = None,
    ) -> Iterator[CodingSpan]:
        """Stream ``(transcript_id, code_id, coder_id, start, end)`` of the codings of these
        codes by these coders in these transcripts (``None``: all), in transcript order.

        Rows are fetched in batches, so memory stays flat however many codings there are."""
        if (code_ids is not None and not code_ids) or (coder_ids is not None and not coder_ids):
            return
        query = select(
            CodingRow.transcript_id,
            CodingRow.code_id,
            CodingRow.coder_id,
            CodingRow.start,
            CodingRow.end,
        ).order_by(CodingRow.transcript_id)
        if code_ids is not None:
            query = query.where(CodingRow.code_id.in_(sorted(code_ids)))
        if coder_ids is not None:
            query = query.where(CodingRow.coder_id.in_(sorted(coder_ids)))
        if transcript_ids is not None:
            query = query.where(CodingRow.transcript_id.in_(sorted(transcript_ids)))
        # Core on the session's connection: no ORM row loading for plain integer tuples.
        result = self._session.connection().execute(query.execution_options(yield_per=STREAM_BATCH))
        for partition in result.partitions():
            yield from partition

    def summaries(self) -> list[StoredSummary]:
        rows = self._session.execute(
            select(
                FrameworkSummaryRow.case_id,
                FrameworkSummaryRow.code_id,
                FrameworkSummaryRow.text,
                FrameworkSummaryRow.author,
                FrameworkSummaryRow.updated_at,
            )
        )
        return [
            StoredSummary(case_id, code_id, text, author, iso_utc(updated))
            for case_id, code_id, text, author, updated in rows
        ]

    def summary(self, case_id: int, code_id: int) -> StoredSummary | None:
        for found in self._session.execute(
            select(FrameworkSummaryRow).where(
                FrameworkSummaryRow.case_id == case_id, FrameworkSummaryRow.code_id == code_id
            )
        ).scalars():
            return StoredSummary(
                found.case_id, found.code_id, found.text, found.author, iso_utc(found.updated_at)
            )
        return None

    def set_summary(self, case_id: int, code_id: int, text: str, author: str | None) -> None:
        """Create or replace the summary of a case × code cell."""
        text = enter_text(text, "summary")
        author = None if author is None else enter_name(author, "summary author")
        now = utcnow()
        row = self._session.execute(
            select(FrameworkSummaryRow).where(
                FrameworkSummaryRow.case_id == case_id, FrameworkSummaryRow.code_id == code_id
            )
        ).scalar_one_or_none()
        if row is None:
            self._session.add(
                FrameworkSummaryRow(
                    case_id=case_id, code_id=code_id, text=text, author=author, updated_at=now
                )
            )
        else:
            row.text, row.author, row.updated_at = text, author, now
        self._session.flush()

    def delete_summary(self, case_id: int, code_id: int) -> None:
        self._session.execute(
            delete(FrameworkSummaryRow).where(
                FrameworkSummaryRow.case_id == case_id, FrameworkSummaryRow.code_id == code_id
            )
        )

    def summary_rows(self, code_id: int) -> list[SummaryRow]:
        """The summaries of one code with their row ids, by case id."""
        rows = self._session.scalars(
            select(FrameworkSummaryRow)
            .where(FrameworkSummaryRow.code_id == code_id)
            .order_by(FrameworkSummaryRow.case_id)
        )
        return [
            SummaryRow(r.id, r.case_id, r.code_id, r.text, r.author, iso_utc(r.updated_at))
            for r in rows
        ]

    def put_summary_row(self, summary: SummaryRow) -> None:
        """Make the row ``summary.id`` exactly ``summary`` (inserted when missing): a code
        merge and its undo move summaries without changing their ids or times."""
        row = self._session.get(FrameworkSummaryRow, summary.id)
        if row is None:
            row = FrameworkSummaryRow(id=summary.id)
            self._session.add(row)
        row.case_id, row.code_id = summary.case_id, summary.code_id
        row.text, row.author = summary.text, summary.author
        row.updated_at = dt.datetime.fromisoformat(summary.updated_at.removesuffix("Z"))
        self._session.flush()

    def delete_summary_row(self, summary_id: int) -> None:
        self._session.execute(
            delete(FrameworkSummaryRow).where(FrameworkSummaryRow.id == summary_id)
        )
