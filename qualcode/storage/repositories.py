"""Session in, frozen domain objects out. One :class:`Repository` lives for one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, FromClause, delete, func, insert, select
from sqlalchemy.orm import Session

from qualcode.domain.cases import (
    AttributeDef,
    AttributeType,
    Case,
    assemble_cases,
)
from qualcode.domain.codebook import CodeSpec, StoredCode, code_tree
from qualcode.domain.codings import Coding, NewCoding
from qualcode.domain.events import Action
from qualcode.domain.project_summary import Counts
from qualcode.domain.text_entry import (
    enter_name,
    enter_optional_text,
    enter_shortcut,
    enter_text,
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
from qualcode.storage.live_queries import notify_event
from qualcode.storage.tables import (
    AttributeRow,
    Base,
    CaseAssignmentRow,
    CaseAttributeRow,
    CaseRow,
    Coder,
    CodeRow,
    CodingRow,
    EventRow,
    MemoRow,
    TranscriptRow,
    TurnRow,
)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


class Repository:
    """Queries and writes for one session. Never commits: the caller's transaction does."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- transcripts -----------------------------------------------------------------
    # Names given to find something go through lookup_name (NFC; a name that could not be
    # stored finds nothing); names that are stored go through enter_name, the one rule for
    # identifiers, whichever front end or importer they came from.
    def transcript_id(self, name: str) -> int | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self.session.scalar(select(TranscriptRow.id).where(TranscriptRow.name == wanted))

    def transcript_sha(self, name: str) -> str | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self.session.scalar(select(TranscriptRow.sha256).where(TranscriptRow.name == wanted))

    def transcript_names(self) -> list[str]:
        return list(self.session.scalars(select(TranscriptRow.name).order_by(TranscriptRow.name)))

    def add_transcript(self, draft: TranscriptDraft) -> int:
        row = TranscriptRow(
            name=enter_name(draft.name, "transcript name"),
            text=draft.text,
            sha256=draft.sha256,
            characters=len(draft.text),
            words=count_words(draft.text),
            source_path=draft.source_path,
            encoding=draft.encoding,
            language=draft.language,
            imported_at=_utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        transcript_id = row.id
        insert_rows(
            self.session.connection(),
            TurnRow.__table__,
            ("transcript_id", "position", "start_offset", "end_offset", "speaker", "timestamp"),
            (
                (transcript_id, number, turn.start, turn.end, turn.speaker, turn.timestamp)
                for number, turn in enumerate(draft.turns, start=1)
            ),
        )
        return transcript_id

    def transcript(self, name: str) -> Transcript | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        row = self.session.scalar(select(TranscriptRow).where(TranscriptRow.name == wanted))
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

    def turns(self, transcript_id: int) -> list[Turn]:
        rows = self.session.execute(
            select(TurnRow.start, TurnRow.end, TurnRow.speaker, TurnRow.timestamp)
            .where(TurnRow.transcript_id == transcript_id)
            .order_by(TurnRow.position)
        )
        return [Turn(start, end, speaker, timestamp) for start, end, speaker, timestamp in rows]

    def transcript_texts(self) -> dict[str, tuple[int, str]]:
        """Every transcript's id and text by name (for bulk validation)."""
        rows = self.session.execute(
            select(TranscriptRow.name, TranscriptRow.id, TranscriptRow.text)
        )
        return {name: (tid, text) for name, tid, text in rows}

    def transcript_summaries(self) -> list[TranscriptSummary]:
        execute = self.session.execute
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

    # -- coders ----------------------------------------------------------------------
    def coder_id(self, name: str) -> int | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self.session.scalar(select(Coder.id).where(Coder.name == wanted))

    def ensure_coder(self, name: str) -> int:
        name = enter_name(name, "coder name")
        found = self.coder_id(name)
        if found is not None:
            return found
        coder = Coder(name=name)
        self.session.add(coder)
        self.session.flush()
        return coder.id

    def coder_ids(self) -> dict[str, int]:
        return dict(self.session.execute(select(Coder.name, Coder.id)).all())

    # -- codebook --------------------------------------------------------------------
    def codes(self) -> list[StoredCode]:
        """All codes, parents before children, siblings in their stored order."""
        rows = self.session.scalars(select(CodeRow).order_by(CodeRow.position, CodeRow.id))
        return code_tree((row.id, row.parent_id, _spec(row)) for row in rows)

    def add_code(self, spec: CodeSpec, parent_id: int | None, position: int) -> int:
        row = CodeRow(parent_id=parent_id, position=position, **_spec_fields(spec))
        self.session.add(row)
        self.session.flush()
        return row.id

    def update_code(self, code_id: int, spec: CodeSpec) -> None:
        row = self.session.get_one(CodeRow, code_id)
        for key, value in _spec_fields(spec).items():
            setattr(row, key, value)

    # -- cases -----------------------------------------------------------------------
    def attribute_defs(self) -> dict[str, tuple[int, AttributeDef]]:
        rows = self.session.scalars(select(AttributeRow).order_by(AttributeRow.id))
        return {
            r.name: (r.id, AttributeDef(r.name, AttributeType(r.value_type), tuple(r.levels)))
            for r in rows
        }

    def add_attribute(self, definition: AttributeDef) -> int:
        row = AttributeRow(
            name=enter_name(definition.name, "attribute name"),
            value_type=definition.type.value,
            levels=list(definition.levels),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def case_id(self, name: str) -> int | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self.session.scalar(select(CaseRow.id).where(CaseRow.name == wanted))

    def ensure_case(self, name: str) -> int:
        name = enter_name(name, "case name")
        found = self.case_id(name)
        if found is not None:
            return found
        row = CaseRow(name=name)
        self.session.add(row)
        self.session.flush()
        return row.id

    def set_case_value(self, case_id: int, attribute_id: int, value: str) -> None:
        value = enter_text(value, "attribute value")
        existing = self.session.scalar(
            select(CaseAttributeRow).where(
                CaseAttributeRow.case_id == case_id, CaseAttributeRow.attribute_id == attribute_id
            )
        )
        if existing is None:
            self.session.add(
                CaseAttributeRow(case_id=case_id, attribute_id=attribute_id, value=value)
            )
        else:
            existing.value = value

    def assign_case(
        self,
        case_id: int,
        transcript_id: int,
        spans: Iterable[tuple[int, int]],
        speaker: str | None,
    ) -> int:
        """Replace the case's assignment to this transcript (and speaker) by ``spans``."""
        self.session.execute(
            delete(CaseAssignmentRow).where(
                CaseAssignmentRow.case_id == case_id,
                CaseAssignmentRow.transcript_id == transcript_id,
                CaseAssignmentRow.speaker.is_(None)
                if speaker is None
                else CaseAssignmentRow.speaker == speaker,
            )
        )
        return insert_rows(
            self.session.connection(),
            CaseAssignmentRow.__table__,
            ("case_id", "transcript_id", "start_offset", "end_offset", "speaker"),
            ((case_id, transcript_id, s, e, speaker) for s, e in spans),
        )

    def cases(self) -> list[Case]:
        execute = self.session.execute
        return assemble_cases(
            execute(select(CaseRow.id, CaseRow.name).order_by(CaseRow.name)),
            execute(
                select(CaseAttributeRow.case_id, AttributeRow.name, CaseAttributeRow.value)
                .join(AttributeRow, AttributeRow.id == CaseAttributeRow.attribute_id)
                .order_by(AttributeRow.id)
            ),
            execute(
                select(
                    CaseAssignmentRow.case_id,
                    TranscriptRow.name,
                    CaseAssignmentRow.start,
                    CaseAssignmentRow.end,
                    CaseAssignmentRow.speaker,
                )
                .join(TranscriptRow, TranscriptRow.id == CaseAssignmentRow.transcript_id)
                .order_by(TranscriptRow.name, CaseAssignmentRow.start)
            ),
        )

    # -- codings ---------------------------------------------------------------------
    def add_coding(
        self,
        transcript_id: int,
        code_id: int,
        coder_id: int,
        start: int,
        end: int,
        anchor_text: str,
        memo: str | None,
    ) -> int:
        row = CodingRow(
            transcript_id=transcript_id,
            code_id=code_id,
            coder_id=coder_id,
            start=start,
            end=end,
            anchor_text=anchor_text,
            memo=enter_optional_text(memo, "coding memo"),
            created_at=_utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def add_codings_bulk(self, rows: Sequence[NewCoding]) -> int:
        """Insert the codings in one driver-level executemany; returns the number inserted.

        The statement is compiled once for the connection's dialect and the rows go to the
        DBAPI as plain tuples: per-row SQLAlchemy parameter processing cost more than the
        insert itself (see BENCHMARKS.md)."""
        connection = self.session.connection()
        table = CodingRow.__table__
        keys = (
            "transcript_id", "code_id", "coder_id", "start_offset", "end_offset",
            "anchor_text", "memo", "created_at",
        )  # fmt: skip
        created_type = table.c.created_at.type
        # the dialect's own processor (SQLite: the same text the ORM writes), applied once
        to_db = created_type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        created = _utcnow()
        created_value = to_db(created) if to_db else created
        insert_rows(connection, table, keys, ((*row, created_value) for row in rows))
        return len(rows)

    def max_coding_id(self) -> int:
        return self.session.scalar(select(func.max(CodingRow.id))) or 0

    def find_coding_ids(
        self, transcript_id: int, code_id: int, coder_id: int, start: int, end: int
    ) -> list[int]:
        return list(
            self.session.scalars(
                select(CodingRow.id).where(
                    CodingRow.transcript_id == transcript_id,
                    CodingRow.code_id == code_id,
                    CodingRow.coder_id == coder_id,
                    CodingRow.start == start,
                    CodingRow.end == end,
                )
            )
        )

    def delete_coding(self, coding_id: int) -> None:
        self.session.execute(delete(CodingRow).where(CodingRow.id == coding_id))

    def set_coding_memo(self, coding_id: int, memo: str | None) -> None:
        self.session.get_one(CodingRow, coding_id).memo = enter_optional_text(memo, "coding memo")

    def codings(
        self,
        *,
        ids: Iterable[int] | None = None,
        coders: Sequence[str] = (),
        code_ids: Sequence[int] = (),
        transcripts: Sequence[str] = (),
        codes: Sequence[StoredCode] | None = None,
    ) -> list[Coding]:
        """Codings by id, coder, code id and transcript; ``codes`` (from :meth:`codes`)
        saves reading the codebook again when the caller has it."""
        codes = self.codes() if codes is None else codes
        if ids is not None:
            wanted = list(ids)
            if len(wanted) > IDS_PER_QUERY:  # keep under the databases' bound-value limits
                parts = [
                    wanted[i : i + IDS_PER_QUERY] for i in range(0, len(wanted), IDS_PER_QUERY)
                ]
                found = [
                    coding
                    for part in parts
                    for coding in self.codings(
                        ids=part,
                        coders=coders,
                        code_ids=code_ids,
                        transcripts=transcripts,
                        codes=codes,
                    )
                ]
                return sorted(found, key=lambda c: (c.transcript, c.start, c.end, c.id))
            ids = wanted
        code_paths = {code.id: code.path for code in codes}
        query = (
            select(
                CodingRow.id,
                TranscriptRow.name,
                CodingRow.code_id,
                Coder.name,
                CodingRow.start,
                CodingRow.end,
                CodingRow.anchor_text,
                CodingRow.memo,
                CodingRow.created_at,
            )
            .join(TranscriptRow, TranscriptRow.id == CodingRow.transcript_id)
            .join(Coder, Coder.id == CodingRow.coder_id)
            .order_by(TranscriptRow.name, CodingRow.start, CodingRow.end, CodingRow.id)
        )
        if ids is not None:
            query = query.where(CodingRow.id.in_(list(ids)))
        if coders:
            query = query.where(Coder.name.in_(coders))
        if code_ids:
            query = query.where(CodingRow.code_id.in_(code_ids))
        if transcripts:
            query = query.where(TranscriptRow.name.in_(transcripts))
        return [
            Coding(cid, transcript, code_paths[code_id], coder, s, e, text, memo, iso_utc(created))
            for cid, transcript, code_id, coder, s, e, text, memo, created in self.session.execute(
                query
            )
        ]

    # -- memos and events ------------------------------------------------------------
    def add_memo(
        self, target_type: str, target_id: int | None, author: str | None, text: str
    ) -> int:
        now = _utcnow()
        row = MemoRow(
            target_type=target_type,
            target_id=target_id,
            author=None if author is None else enter_name(author, "memo author"),
            text=enter_text(text, "memo"),
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def log_event(
        self, action: Action, summary: str, payload: Mapping[str, object], coder: str | None = None
    ) -> int:
        """Record one event (see domain/events.py for the actions and their payloads)."""
        row = EventRow(action=action, summary=summary, payload=payload, coder=coder, at=_utcnow())
        self.session.add(row)
        self.session.flush()
        notify_event(self.session, row.id)  # PostgreSQL: open workspaces hear of it
        return row.id

    def events(self, limit: int = 50) -> list[tuple[int, str, str, str, str | None]]:
        rows = self.session.execute(
            select(EventRow.id, EventRow.at, EventRow.action, EventRow.summary, EventRow.coder)
            .order_by(EventRow.id.desc())
            .limit(limit)
        )
        return [
            (eid, iso_utc(at), action, summary, coder) for eid, at, action, summary, coder in rows
        ]

    def counts(self) -> Counts:
        def count(table: type[Base]) -> int:
            return self.session.scalar(select(func.count()).select_from(table)) or 0

        return Counts(
            transcripts=count(TranscriptRow),
            words=self.session.scalar(select(func.coalesce(func.sum(TranscriptRow.words), 0))) or 0,
            turns=count(TurnRow),
            codes=count(CodeRow),
            coders=count(Coder),
            codings=count(CodingRow),
            cases=count(CaseRow),
            memos=count(MemoRow),
            coding_memos=self.session.scalar(
                select(func.count()).where(CodingRow.memo.is_not(None), CodingRow.memo != "")
            )
            or 0,
            events=count(EventRow),
        )


IDS_PER_QUERY = 10_000
"""Ids per ``IN (...)`` list (SQLite allows 32,766 bound values, PostgreSQL 65,535)."""

INSERT_CHUNK_ROWS = 20_000
"""Rows handed to the driver per ``executemany`` by :func:`insert_rows`."""


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


def iso_utc(value: dt.datetime) -> str:
    """A stored UTC time (naive) as ISO 8601 to the second, with ``Z``."""
    return value.replace(microsecond=0).isoformat() + "Z"


def _spec(row: CodeRow) -> CodeSpec:
    return CodeSpec(
        name=row.name,
        label_da=row.label_da,
        description=row.description,
        inclusion=row.inclusion,
        exclusion=row.exclusion,
        example=row.example,
        colour=row.colour,
        shortcut=row.shortcut,
        keywords=tuple(row.keywords or ()),
        codable=row.codable,
    )


def _spec_fields(spec: CodeSpec) -> dict[str, object]:
    """A code's columns as stored: its name and shortcut by the identifier rules, its
    texts by the long-text rule (qualcode.domain.text_entry)."""
    return {
        "name": enter_name(spec.name, "code name"),
        "label_da": enter_optional_text(spec.label_da, "label_da"),
        "description": enter_optional_text(spec.description, "description"),
        "inclusion": enter_optional_text(spec.inclusion, "inclusion"),
        "exclusion": enter_optional_text(spec.exclusion, "exclusion"),
        "example": enter_optional_text(spec.example, "example"),
        "colour": spec.colour,
        "shortcut": None if spec.shortcut is None else enter_shortcut(spec.shortcut, "shortcut"),
        "keywords": [enter_text(keyword, "keyword") for keyword in spec.keywords],
        "codable": spec.codable,
    }
