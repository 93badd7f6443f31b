"""Schema versions. A new project gets the current schema and the latest version stamp;
an older project is brought forward by running each later migration in order, in one
transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, inspect, select

from qualcode.domain.errors import ProjectError, ReadOnlyError
from qualcode.storage.tables import (
    AttributeRow,
    Base,
    CaseRow,
    Coder,
    CodeRow,
    CodingRow,
    FrameworkSummaryRow,
    MemoRow,
    SchemaVersion,
    SettingRow,
    SuggestionModelRow,
    TranscriptRow,
    TranscriptStatusRow,
)

Migration = Callable[[Connection], None]


def _add_status_summary_and_settings(connection: Connection) -> None:
    """Version 2: per-coder transcript status, framework summaries, project settings."""
    for row in (TranscriptStatusRow, FrameworkSummaryRow, SettingRow):
        Base.metadata.tables[row.__tablename__].create(connection, checkfirst=True)


def _add_refi_guids(connection: Connection) -> None:
    """Version 3: a nullable, unique ``guid`` (REFI-QDA identity) on coders, transcripts,
    cases, attributes, codes, codings and memos. Existing rows get theirs on first export."""
    preparer = connection.dialect.identifier_preparer
    for row in (Coder, TranscriptRow, CaseRow, AttributeRow, CodeRow, CodingRow, MemoRow):
        table = Base.metadata.tables[row.__tablename__]
        present = {column["name"] for column in inspect(connection).get_columns(table.name)}
        if "guid" not in present:
            column_type = table.c.guid.type.compile(dialect=connection.dialect)
            connection.exec_driver_sql(
                f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN guid {column_type}"
            )
        for index in table.indexes:
            if [column.name for column in index.columns] == ["guid"]:
                index.create(connection, checkfirst=True)


def _add_coding_review_note(connection: Connection) -> None:
    """Version 4: ``coding.review_note``, set when re-anchoring after a transcript edit
    could not place a coding with confidence (NULL for every existing coding)."""
    present = {column["name"] for column in inspect(connection).get_columns("coding")}
    if "review_note" not in present:
        preparer = connection.dialect.identifier_preparer
        table = Base.metadata.tables[CodingRow.__tablename__]
        column_type = table.c.review_note.type.compile(dialect=connection.dialect)
        connection.exec_driver_sql(
            f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN review_note {column_type}"
        )


def _add_suggestion_model(connection: Connection) -> None:
    """Version 5: ``suggestion_model``, the cache of trained code-suggestion models."""
    Base.metadata.tables[SuggestionModelRow.__tablename__].create(connection, checkfirst=True)


# MIGRATIONS[n] brings a project from version n+1 to n+2. Version 1 is the first schema.
MIGRATIONS: list[Migration] = [
    _add_status_summary_and_settings,
    _add_refi_guids,
    _add_coding_review_note,
    _add_suggestion_model,
]
CURRENT_VERSION = 1 + len(MIGRATIONS)  # sqlite_file.SCHEMA_VERSION names it without SQLAlchemy


def create_schema(connection: Connection) -> None:
    Base.metadata.create_all(connection)
    connection.execute(insert(SchemaVersion).values(version=CURRENT_VERSION))


def project_version(connection: Connection) -> int:
    versions = connection.execute(select(SchemaVersion.version)).scalars().all()
    return max(versions, default=0)


def upgrade(connection: Connection, location: str, *, allow_write: bool) -> None:
    """Apply pending migrations; refuse a project made by a newer qualcode."""
    version = project_version(connection)
    if version == 0:
        raise ProjectError(f"{location}: not a qualcode project (no schema version)")
    if version > CURRENT_VERSION:
        raise ProjectError(
            f"{location}: made by a newer qualcode (schema {version}, this one knows "
            f"{CURRENT_VERSION}); upgrade qualcode"
        )
    if version < CURRENT_VERSION and not allow_write:
        raise ReadOnlyError(f"{location}: needs a schema upgrade but the file is read-only")
    for target, migration in enumerate(MIGRATIONS[version - 1 :], start=version + 1):
        migration(connection)
        connection.execute(insert(SchemaVersion).values(version=target))
