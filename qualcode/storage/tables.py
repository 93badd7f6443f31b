"""Typed SQLAlchemy rows: one project = one database.

Offsets (``start``/``end``) are half-open code points into ``transcript.text``.
``guid`` columns hold REFI-QDA identities (set on first export or on import), so exporting
twice gives the same identities; NULL until then.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class SchemaVersion(Base):
    __tablename__ = "schema_version"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    applied_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=_now, server_default=func.current_timestamp()
    )


class Coder(Base):
    __tablename__ = "coder"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class TranscriptRow(Base):
    __tablename__ = "transcript"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    characters: Mapped[int] = mapped_column(Integer)
    words: Mapped[int] = mapped_column(Integer)
    source_path: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(10))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class TurnRow(Base):
    __tablename__ = "turn"
    __table_args__ = (
        CheckConstraint("start_offset < end_offset", name="turn_span_order"),
        Index("ix_turn_transcript_start", "transcript_id", "start_offset"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column("start_offset", Integer)
    end: Mapped[int] = mapped_column("end_offset", Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    timestamp: Mapped[float | None] = mapped_column(Float)


class CaseRow(Base):
    __tablename__ = "case"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class AttributeRow(Base):
    __tablename__ = "attribute"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    value_type: Mapped[str] = mapped_column(String(20))
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    description: Mapped[str | None] = mapped_column(Text)


class CaseAttributeRow(Base):
    __tablename__ = "case_attribute"
    __table_args__ = (UniqueConstraint("case_id", "attribute_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)


class TranscriptAttributeRow(Base):
    """A transcript's own attribute value (REFI-QDA: a source's ``VariableValue``)."""

    __tablename__ = "transcript_attribute"
    __table_args__ = (UniqueConstraint("transcript_id", "attribute_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)


class NamedSetRow(Base):
    """A named set of codes and/or transcripts (REFI-QDA ``Set``), usable as a filter."""

    __tablename__ = "named_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class NamedSetMemberRow(Base):
    """One member of a set: a code or a transcript (exactly one of the two)."""

    __tablename__ = "named_set_member"
    __table_args__ = (
        CheckConstraint("(code_id IS NULL) <> (transcript_id IS NULL)", name="set_member_one_kind"),
        UniqueConstraint("set_id", "code_id", "transcript_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("named_set.id", ondelete="CASCADE"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    transcript_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcript.id", ondelete="CASCADE")
    )


class CaseAssignmentRow(Base):
    __tablename__ = "case_assignment"
    __table_args__ = (
        CheckConstraint("start_offset < end_offset", name="assignment_span_order"),
        Index("ix_assignment_transcript", "transcript_id", "case_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column("start_offset", Integer)
    end: Mapped[int] = mapped_column("end_offset", Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))


class CodeRow(Base):
    __tablename__ = "code"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("code.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    label_da: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    inclusion: Mapped[str | None] = mapped_column(Text)
    exclusion: Mapped[str | None] = mapped_column(Text)
    example: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(7))
    shortcut: Mapped[str | None] = mapped_column(String(1))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    # False: a heading grouping codes, never applied itself (REFI-QDA isCodable="false")
    codable: Mapped[bool] = mapped_column(default=True, server_default=true())


class CodingRow(Base):
    __tablename__ = "coding"
    __table_args__ = (
        CheckConstraint("start_offset < end_offset", name="coding_span_order"),
        Index("ix_coding_lookup", "transcript_id", "code_id", "coder_id", "start_offset"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="RESTRICT"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="RESTRICT"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column("start_offset", Integer)
    end: Mapped[int] = mapped_column("end_offset", Integer)
    anchor_text: Mapped[str] = mapped_column(Text)
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    # Set when a transcript edit moved the coding and its text changed beyond the
    # re-anchoring threshold: why it needs review (NULL = nothing to review).
    review_note: Mapped[str | None] = mapped_column(Text)
    # Where the coding came from: "suggested" when a coder accepted a code suggestion,
    # "human" otherwise (domain/codings.py ORIGINS). Stored with the coding, so it follows
    # the coding (undo, redo, merge, backup), never an id that a later coding may reuse.
    origin: Mapped[str] = mapped_column(String(20), server_default="human")


class MemoRow(Base):
    __tablename__ = "memo"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))  # project | transcript | code | case
    target_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    guid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class EventRow(Base):
    """Every user action with enough detail (``payload``) to undo or redo it."""

    __tablename__ = "event_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, server_default=func.now())
    coder: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    undone: Mapped[bool] = mapped_column(default=False)


class TranscriptStatusRow(Base):
    """A coder's progress on a transcript ("done" gates agreement comparisons)."""

    __tablename__ = "transcript_status"
    __table_args__ = (UniqueConstraint("transcript_id", "coder_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript.id", ondelete="CASCADE"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id", ondelete="CASCADE"))
    done: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class FrameworkSummaryRow(Base):
    """A researcher's summary of one case × code cell of a framework matrix."""

    __tablename__ = "framework_summary"
    __table_args__ = (UniqueConstraint("case_id", "code_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SettingRow(Base):
    """Per-project settings (e.g. blind coding), as JSON values by key."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class SuggestionModelRow(Base):
    """A trained suggestion model, cached by what it was trained for (``key``: coders and
    unit) and on (``fingerprint``: the event log and codings it saw). JSON text, never a
    pickle (see :mod:`qualcode.matching.code_model`); safe to delete at any time."""

    __tablename__ = "suggestion_model"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class PresenceRow(Base):
    """An open workspace, by a random session id: who, in which transcript, last seen
    when (a heartbeat; rows not renewed within the timeout are ignored and later
    removed). Not project content: dumps, backups and checks leave it out."""

    __tablename__ = "presence"
    session: Mapped[str] = mapped_column(String(36), primary_key=True)
    coder: Mapped[str] = mapped_column(String(200))
    transcript: Mapped[str | None] = mapped_column(String(200))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
