"""The transcript-edit repository (``uow.transcript_edits``): the writes behind
editing a transcript's text — the text itself, its turns, case assignments and the
codings carried over — and renaming it. Offsets are half-open code points."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update

from qualcode.domain.text_entry import enter_name
from qualcode.domain.transcripts import Assignment, CodingPlace, Turn
from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import CaseAssignmentRow, CodingRow, TranscriptRow, TurnRow


class TranscriptEditRepository(StoredArea):
    """Writes behind editing a transcript's text."""

    __slots__ = ()

    def review_notes(self, transcript_id: int) -> dict[int, str]:
        """Coding id -> review note, for the transcript's codings that have one."""
        rows = self._session.execute(
            select(CodingRow.id, CodingRow.review_note).where(
                CodingRow.transcript_id == transcript_id, CodingRow.review_note.is_not(None)
            )
        )
        return {coding_id: note or "" for coding_id, note in rows}

    def assignments(self, transcript_id: int) -> list[Assignment]:
        rows = self._session.execute(
            select(
                CaseAssignmentRow.case_id,
                CaseAssignmentRow.start,
                CaseAssignmentRow.end,
                CaseAssignmentRow.speaker,
            )
            .where(CaseAssignmentRow.transcript_id == transcript_id)
            .order_by(CaseAssignmentRow.id)
        )
        return [Assignment(case_id, s, e, speaker) for case_id, s, e, speaker in rows]

    def replace_text(
        self,
        transcript_id: int,
        *,
        text: str,
        sha256: str,
        words: int,
        language: str | None,
        source_path: str | None,
    ) -> None:
        """Store a transcript's new text (with its hash, length, words and language)."""
        values: dict[str, object] = {
            "text": text,
            "sha256": sha256,
            "characters": len(text),
            "words": words,
            "language": language,
        }
        if source_path is not None:
            values["source_path"] = source_path
        self._session.execute(
            update(TranscriptRow).where(TranscriptRow.id == transcript_id).values(**values)
        )

    def replace_turns(self, transcript_id: int, turns: Sequence[Turn]) -> None:
        self._session.execute(delete(TurnRow).where(TurnRow.transcript_id == transcript_id))
        if turns:
            self._session.execute(
                insert(TurnRow),
                [
                    {
                        "transcript_id": transcript_id,
                        "position": number,
                        "start": turn.start,
                        "end": turn.end,
                        "speaker": turn.speaker,
                        "timestamp": turn.timestamp,
                    }
                    for number, turn in enumerate(turns, start=1)
                ],
            )

    def replace_assignments(self, transcript_id: int, rows: Sequence[Assignment]) -> None:
        self._session.execute(
            delete(CaseAssignmentRow).where(CaseAssignmentRow.transcript_id == transcript_id)
        )
        if rows:
            self._session.execute(
                insert(CaseAssignmentRow),
                [
                    {
                        "case_id": row.case_id,
                        "transcript_id": transcript_id,
                        "start": row.start,
                        "end": row.end,
                        "speaker": row.speaker,
                    }
                    for row in rows
                ],
            )

    def place_codings(self, places: Sequence[CodingPlace]) -> None:
        """Store the codings' new spans, anchor texts and review notes (one executemany)."""
        if places:
            self._session.execute(
                update(CodingRow),
                [
                    {
                        "id": place.coding_id,
                        "start": place.start,
                        "end": place.end,
                        "anchor_text": place.anchor_text,
                        "review_note": place.review_note,
                    }
                    for place in places
                ],
            )

    def rename_transcript(self, transcript_id: int, name: str) -> None:
        self._session.execute(
            update(TranscriptRow)
            .where(TranscriptRow.id == transcript_id)
            .values(name=enter_name(name, "transcript name"))
        )
