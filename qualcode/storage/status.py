"""The settings repository (``uow.settings``): per-coder transcript status ("done"),
per-project settings (blind coding, dismissed suggestions...) and the project's counts."""

from __future__ import annotations

from sqlalchemy import func, select

from qualcode.domain.events import Action
from qualcode.domain.project_summary import Counts
from qualcode.storage.repository_base import StoredArea, utcnow
from qualcode.storage.tables import (
    Base,
    CaseRow,
    Coder,
    CodeRow,
    CodingRow,
    EventRow,
    MemoRow,
    SettingRow,
    TranscriptRow,
    TranscriptStatusRow,
    TurnRow,
)


class SettingsRepository(StoredArea):
    """Per-coder done marks, project settings and counts."""

    __slots__ = ()

    def counts(self) -> Counts:
        def count(table: type[Base]) -> int:
            return self._session.scalar(select(func.count()).select_from(table)) or 0

        return Counts(
            transcripts=count(TranscriptRow),
            words=self._session.scalar(select(func.coalesce(func.sum(TranscriptRow.words), 0)))
            or 0,
            turns=count(TurnRow),
            codes=count(CodeRow),
            coders=count(Coder),
            codings=count(CodingRow),
            cases=count(CaseRow),
            memos=count(MemoRow),
            coding_memos=self._session.scalar(
                select(func.count()).where(CodingRow.memo.is_not(None), CodingRow.memo != "")
            )
            or 0,
            events=count(EventRow),
        )

    def set_done(self, transcript_id: int, coder_id: int, done: bool) -> bool:
        """Record whether the coder has finished the transcript; returns the previous value."""
        row = self._session.scalar(
            select(TranscriptStatusRow).where(
                TranscriptStatusRow.transcript_id == transcript_id,
                TranscriptStatusRow.coder_id == coder_id,
            )
        )
        now = utcnow()
        if row is None:
            self._session.add(
                TranscriptStatusRow(
                    transcript_id=transcript_id, coder_id=coder_id, done=done, updated_at=now
                )
            )
            return False
        previous = row.done
        row.done, row.updated_at = done, now
        return previous

    def done_marks(self) -> dict[str, set[str]]:
        """Transcript name -> the coders who marked it done."""
        marks: dict[str, set[str]] = {}
        rows = self._session.execute(
            select(TranscriptRow.name, Coder.name)
            .join(TranscriptStatusRow, TranscriptStatusRow.transcript_id == TranscriptRow.id)
            .join(Coder, Coder.id == TranscriptStatusRow.coder_id)
            .where(TranscriptStatusRow.done.is_(True))
        )
        for transcript, coder in rows:
            marks.setdefault(transcript, set()).add(coder)
        return marks

    def get(self, key: str, default: object = None) -> object:
        row = self._session.get(SettingRow, key)
        return default if row is None else row.value

    def set(self, key: str, value: object) -> None:
        row = self._session.get(SettingRow, key)
        if row is None:
            self._session.add(SettingRow(key=key, value=value))
        else:
            row.value = value

    def change(self, key: str, value: object) -> None:
        """Set ``key`` and log it as one ``setting`` event (key, before, after): how every
        user action changes a setting, so undo and the live feed see it."""
        before = self.get(key)
        self.set(key, value)
        self._uow.events.log(
            Action.SETTING,
            f"setting {key} = {value!r}",
            {"key": key, "before": before, "after": value},
        )
