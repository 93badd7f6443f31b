"""Schema versions. A new project gets the current schema and the latest version stamp;
an older project is brought forward by running each later migration in order, in one
transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, inspect, select, update

from qualcode.domain.codebook import join_path
from qualcode.domain.codings import HUMAN, SUGGESTED
from qualcode.domain.errors import ProjectError, ReadOnlyError
from qualcode.domain.events import CODING_ACTIONS
from qualcode.domain.suggestions import ORIGIN_KEY
from qualcode.storage.repository_base import IDS_PER_QUERY, iso_utc
from qualcode.storage.tables import (
    AttributeRow,
    Base,
    CaseRow,
    Coder,
    CodeRow,
    CodingRow,
    EventRow,
    FrameworkSummaryRow,
    MemoRow,
    NamedSetMemberRow,
    NamedSetRow,
    PresenceRow,
    SchemaVersion,
    SettingRow,
    SuggestionModelRow,
    TranscriptAttributeRow,
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
    _add_coding_column(connection, "review_note")


def _add_coding_column(connection: Connection, name: str, constraint: str = "") -> None:
    """Add the ``coding`` table's column ``name`` as tables.py types it (``constraint``
    after the type), unless it is there already."""
    present = {column["name"] for column in inspect(connection).get_columns("coding")}
    if name not in present:
        preparer = connection.dialect.identifier_preparer
        table = Base.metadata.tables[CodingRow.__tablename__]
        column_type = table.c[name].type.compile(dialect=connection.dialect)
        connection.exec_driver_sql(
            f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {name} {column_type}"
            + (f" {constraint}" if constraint else "")
        )


def _code_ids_in_logged_codings(connection: Connection) -> None:
    """Version 5: every coding in the event log carries its code's id (domain/events.py
    CodingPayload), as the workspace always wrote it; the command line used to log the
    path only, and an undo after a rename then could not find the code. The id is the
    code the path names today; a path no code has any more is left as it was (undo then
    says the code no longer exists, as before)."""
    codes = connection.execute(select(CodeRow.id, CodeRow.parent_id, CodeRow.name)).all()
    by_id = {code_id: (parent, name) for code_id, parent, name in codes}

    def path(code_id: int) -> str:
        names: list[str] = []
        current: int | None = code_id
        while current is not None and current in by_id and len(names) <= len(by_id):
            current, name = by_id[current]
            names.append(name)
        joined: str | None = None
        for name in reversed(names):
            joined = join_path(joined, name)
        return joined or ""

    ids = {path(code_id): code_id for code_id in by_id}
    logged = connection.execute(
        select(EventRow.id, EventRow.payload).where(EventRow.action.in_(sorted(CODING_ACTIONS)))
    ).all()
    for event_id, payload in logged:
        if not isinstance(payload, dict):
            continue
        changed = False
        for key in ("coding", "after", "codings"):
            value = payload.get(key)
            for coding in value if isinstance(value, list) else [value]:
                if isinstance(coding, dict) and "code_id" not in coding:
                    found = ids.get(str(coding.get("code_path")))
                    if found is not None:
                        coding["code_id"] = found
                        changed = True
        if changed:
            connection.execute(
                update(EventRow).where(EventRow.id == event_id).values(payload=payload)
            )


def _add_refi_sets_and_variables(connection: Connection) -> None:
    """Version 6: REFI-QDA's remaining parts — ``code.codable`` (false for headings; every
    existing code stays codable), ``attribute.description``, transcripts' own attribute
    values, and named sets of codes and transcripts."""
    preparer = connection.dialect.identifier_preparer
    true = "1" if connection.dialect.name == "sqlite" else "true"
    for name, column, default in (
        (CodeRow.__tablename__, "codable", f" NOT NULL DEFAULT {true}"),
        (AttributeRow.__tablename__, "description", ""),
    ):
        table = Base.metadata.tables[name]
        present = {c["name"] for c in inspect(connection).get_columns(table.name)}
        if column not in present:
            column_type = table.c[column].type.compile(dialect=connection.dialect)
            connection.exec_driver_sql(
                f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN "
                f"{column} {column_type}{default}"
            )
    for created in (TranscriptAttributeRow, NamedSetRow, NamedSetMemberRow):
        Base.metadata.tables[created.__tablename__].create(connection, checkfirst=True)


def _add_suggestion_model(connection: Connection) -> None:
    """Version 7: ``suggestion_model``, the cache of trained code-suggestion models."""
    Base.metadata.tables[SuggestionModelRow.__tablename__].create(connection, checkfirst=True)


def _add_presence(connection: Connection) -> None:
    """Version 8: the ``presence`` table of open workspaces (heartbeats)."""
    Base.metadata.tables[PresenceRow.__tablename__].create(connection, checkfirst=True)


def _add_coding_origin(connection: Connection) -> None:
    """Version 9: ``coding.origin``, "suggested" for a coding made by accepting a code
    suggestion, "human" for every other. Until now the origin was read from the event log
    by coding id, so a hand-made coding that reused a removed suggestion's id counted as
    suggested; existing codings get theirs from the log once, here
    (:func:`mark_suggested_codings`)."""
    _add_coding_column(connection, "origin", f"NOT NULL DEFAULT '{HUMAN}'")
    mark_suggested_codings(connection)


def mark_suggested_codings(connection: Connection) -> int:
    """Set ``origin`` "suggested" on the codings that the event log says were accepted
    suggestions, as the log was read before the origin was stored: the coding's latest
    ``apply``, batch or consensus event (not undone) is an ``apply`` recording origin
    "suggested", no later recode (not undone) gave it another code, and the coding still
    has that event's creation time (a later coding that reused the id has its own).
    Returns how many codings were marked. For migrating projects and restoring backups
    made before schema 9."""
    latest: dict[int, str | None] = {}  # coding id -> creation time of an accepted one
    rows = connection.execute(
        select(EventRow.action, EventRow.payload)
        .where(
            EventRow.undone.is_(False),
            EventRow.action.in_(("apply", "apply_batch", "reconcile", "recode")),
        )
        .order_by(EventRow.id)
    )
    for action, payload in rows:
        if not isinstance(payload, dict):
            continue
        for coding in _logged_codings(action, payload):
            coding_id = coding.get("id")
            if not isinstance(coding_id, int):
                continue
            if action == "recode":
                after = payload.get("after")
                if isinstance(after, dict) and after.get("code_id") != coding.get("code_id"):
                    latest[coding_id] = None
            elif action == "apply" and payload.get(ORIGIN_KEY) == SUGGESTED:
                created = coding.get("created_at")
                latest[coding_id] = created if isinstance(created, str) else None
            else:
                latest[coding_id] = None
    wanted = {coding_id: created for coding_id, created in latest.items() if created}
    ordered = sorted(wanted)
    marked = 0
    for first in range(0, len(ordered), IDS_PER_QUERY):
        part = ordered[first : first + IDS_PER_QUERY]
        found = connection.execute(
            select(CodingRow.id, CodingRow.created_at).where(CodingRow.id.in_(part))
        )
        same = [i for i, created in found if created and iso_utc(created) == wanted[i]]
        if same:
            connection.execute(
                update(CodingRow).where(CodingRow.id.in_(same)).values(origin=SUGGESTED)
            )
        marked += len(same)
    return marked


def _logged_codings(action: str, payload: dict[str, object]) -> list[dict[str, object]]:
    """The codings an event's payload creates or changes (as CodingPayload dicts)."""
    value = payload.get("codings" if action in ("apply_batch", "reconcile") else "coding")
    return [c for c in (value if isinstance(value, list) else [value]) if isinstance(c, dict)]


# MIGRATIONS[n] brings a project from version n+1 to n+2. Version 1 is the first schema.
MIGRATIONS: list[Migration] = [
    _add_status_summary_and_settings,
    _add_refi_guids,
    _add_coding_review_note,
    _code_ids_in_logged_codings,
    _add_refi_sets_and_variables,
    _add_suggestion_model,
    _add_presence,
    _add_coding_origin,
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
