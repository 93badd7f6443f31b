"""The transcripts repository (``uow.transcripts``): names, texts, turns, summaries and
listings. Names given to find something go through ``lookup_name`` (NFC; a name that
could not be stored finds nothing); names that are stored through ``enter_name``, the one
rule for identifiers, whichever front end or importer they came from. Offsets are
half-open code points into the NFC, LF-only text."""

from __future__ import annotations

from sqlalchemy import func, select

from qualcode.domain.text_entry import (
    enter_name,
    lookup_name,
)
from qualcode.domain.transcripts import (
    Transcript,
    TranscriptDraft,
    TranscriptSummary,
    Turn,
    summarise_transcripts,
)
from qualcode.domain.words import count_words
from qualcode.storage.repository_base import StoredArea, insert_rows, utcnow
from qualcode.storage.tables import (
    CaseAssignmentRow,
    CaseRow,
    CodingRow,
    TranscriptRow,
    TurnRow,
)


class TranscriptRepository(StoredArea):
    """Transcripts: their names, texts, turns and listings."""

    __slots__ = ()

    def summaries(self) -> list[TranscriptSummary]:
        execute = self._session.execute
        return summarise_transcripts(
            execute(
                select(
                    TranscriptRow.id,
                    TranscriptRow.name,
                    TranscriptRow.characters,
                    TranscriptRow.words,
                    TranscriptRow.language,
                    TranscriptRow.source_path,
                ).order_by(TranscriptRow.name)
            ),
            execute(select(TurnRow.transcript_id, func.count()).group_by(TurnRow.transcript_id)),
            execute(
                select(TurnRow.transcript_id, TurnRow.speaker)
                .where(TurnRow.speaker.is_not(None))
                .group_by(TurnRow.transcript_id, TurnRow.speaker)
                .order_by(TurnRow.transcript_id, func.min(TurnRow.position))
            ),
            execute(
                select(CaseAssignmentRow.transcript_id, CaseRow.name)
                .join(CaseRow, CaseRow.id == CaseAssignmentRow.case_id)
                .group_by(CaseAssignmentRow.transcript_id, CaseRow.name)
                .order_by(CaseAssignmentRow.transcript_id, CaseRow.name)
            ),
        )

    def texts(self) -> dict[str, tuple[int, str]]:
        """Every transcript's id and text by name (for bulk validation)."""
        rows = self._session.execute(
            select(TranscriptRow.name, TranscriptRow.id, TranscriptRow.text)
        )
        return {name: (tid, text) for name, tid, text in rows}

    def turns(self, transcript_id: int) -> list[Turn]:
        rows = self._session.execute(
            select(TurnRow.start, TurnRow.end, TurnRow.speaker, TurnRow.timestamp)
            .where(TurnRow.transcript_id == transcript_id)
            .order_by(TurnRow.position)
        )
        return [Turn(start, end, speaker, timestamp) for start, end, speaker, timestamp in rows]

    def get(self, name: str) -> Transcript | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        row = self._session.scalar(select(TranscriptRow).where(TranscriptRow.name == wanted))
        if row is None:
            return None
        return Transcript(
            id=row.id,
            name=row.name,
            text=row.text,
            sha256=row.sha256,
            source_path=row.source_path,
            language=row.language,
            turns=tuple(self.turns(row.id)),
        )

    def add(self, draft: TranscriptDraft) -> int:
        row = TranscriptRow(
            name=enter_name(draft.name, "transcript name"),
            text=draft.text,
            sha256=draft.sha256,
            characters=len(draft.text),
            words=count_words(draft.text),
            source_path=draft.source_path,
            encoding=draft.encoding,
            language=draft.language,
            imported_at=utcnow(),
        )
        self._session.add(row)
        self._session.flush()
        transcript_id = row.id
        insert_rows(
            self._session.connection(),
            TurnRow.__table__,
            ("transcript_id", "position", "start_offset", "end_offset", "speaker", "timestamp"),
            (
                (transcript_id, number, turn.start, turn.end, turn.speaker, turn.timestamp)
                for number, turn in enumerate(draft.turns, start=1)
            ),
        )
        return transcript_id

    def names(self) -> list[str]:
        return list(self._session.scalars(select(TranscriptRow.name).order_by(TranscriptRow.name)))

    def sha256_of(self, name: str) -> str | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self._session.scalar(
            select(TranscriptRow.sha256).where(TranscriptRow.name == wanted)
        )

    def id_of(self, name: str) -> int | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self._session.scalar(select(TranscriptRow.id).where(TranscriptRow.name == wanted))

    def names_by_id(self) -> dict[int, str]:
        """Transcript id -> name, for naming memo targets."""
        rows = self._session.execute(select(TranscriptRow.id, TranscriptRow.name))
        return {int(transcript_id): str(name) for transcript_id, name in rows}

    def text_of(self, name: str) -> tuple[int, str] | None:
        """A transcript's id and text by name, without its turns."""
        row = self._session.execute(
            select(TranscriptRow.id, TranscriptRow.text).where(TranscriptRow.name == name)
        ).first()
        return None if row is None else (row[0], row[1])

    def listing(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """(name, words, case names) of every transcript, by name — lighter than the full
        summaries (no turn or speaker counts)."""
        cases: dict[int, list[str]] = {}
        for transcript_id, case in self._session.execute(
            select(CaseAssignmentRow.transcript_id, CaseRow.name)
            .join(CaseRow, CaseRow.id == CaseAssignmentRow.case_id)
            .group_by(CaseAssignmentRow.transcript_id, CaseRow.name)
            .order_by(CaseAssignmentRow.transcript_id, CaseRow.name)
        ):
            cases.setdefault(transcript_id, []).append(case)
        rows = self._session.execute(
            select(TranscriptRow.id, TranscriptRow.name, TranscriptRow.words).order_by(
                TranscriptRow.name
            )
        )
        return [(name, words, tuple(cases.get(tid, ()))) for tid, name, words in rows]

    def coded_by(self, coder: str) -> set[str]:
        """Names of the transcripts in which ``coder`` has at least one coding."""
        coder_id = self._uow.coders.id_of(coder)
        if coder_id is None:
            return set()
        ids = select(CodingRow.transcript_id).where(CodingRow.coder_id == coder_id).distinct()
        return set(
            self._session.scalars(select(TranscriptRow.name).where(TranscriptRow.id.in_(ids)))
        )
