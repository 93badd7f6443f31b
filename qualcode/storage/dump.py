"""A whole project as rows: the JSON backup (PostgreSQL projects, or any project on request)
and restoring such a backup, or another project's rows, into a fresh project.

The JSON document is ``{"format": "qualcode-backup", "format_version": 1,
"schema_version": N, "created_at": ISO, "tables": {NAME: {"columns": [...], "rows":
[[...], ...]}}}``, one row per line so it streams and diffs well. Tables come parents
first; datetimes are ISO-8601 strings (UTC, no zone), JSON columns their JSON values.
Caches (:data:`CACHES`) are not content and are left out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Engine,
    Table,
    create_engine,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from qualcode.domain.errors import InputError, LimitError, ProjectError
from qualcode.domain.text_entry import MAX_INTEGER, enter_integer, unencodable_reason
from qualcode.files.reading import MIB, open_regular, read_text
from qualcode.files.writing import Existing, open_for_writing
from qualcode.storage import migrations
from qualcode.storage.backup_checks import check_backup_rows
from qualcode.storage.sqlite_file import (
    IMMUTABLE,
    QUALCODE_APPLICATION_ID,
    READ_ONLY,
    SQLITE_MAGIC,
    access_mode,
    sqlite_uri,
)
from qualcode.storage.tables import Base, SchemaVersion, SuggestionModelRow

if TYPE_CHECKING:
    from qualcode.storage.database import Project

BACKUP_FORMAT = "qualcode-backup"
BACKUP_FORMAT_VERSION = 1
JSON_BACKUP_LIMIT = 1024 * MIB
"""Largest JSON backup restored (1 GiB): it is parsed whole (a SQLite backup has no limit)."""
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class TableRows:
    """One table's rows as plain values, columns in ``columns`` order."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[object]]


CACHES = frozenset({SuggestionModelRow.__tablename__})
"""Tables holding only what qualcode computes again (trained suggestion models: megabytes
each, with the transcripts' words in them): left out of backups and dumps, and skipped
when a backup made before holds them, so no backup carries a model trained on text that
was pseudonymised since."""
# presence: open workspaces, transient
NOT_CONTENT = frozenset({SchemaVersion.__tablename__, "presence"}) | CACHES


def project_tables() -> list[Table]:
    """Every table of the project's content, parents before children (the schema version
    and the presence of open workspaces excluded)."""
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_CONTENT]


def iter_rows(connection: Connection) -> Iterator[TableRows]:
    """Every table's rows in primary-key order, values made JSON-ready. Only the columns
    the database has are read, so a project of an older schema dumps as it is."""
    inspector = inspect(connection)
    for table in project_tables():
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        columns = [column for column in table.columns if column.name in present]
        result = connection.execute(select(*columns).order_by(*table.primary_key.columns))
        rows = [tuple(_to_json(value) for value in row) for row in result]
        yield TableRows(table.name, tuple(column.name for column in columns), rows)


def read_project_file(path: Path) -> tuple[int, list[TableRows]]:
    """The schema version and rows of a qualcode SQLite file (a project or a backup made
    by ``qualcode backup``), read without changing it: no migration, no WAL switch."""
    source = str(path)
    with open_regular(path) as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_MAGIC) or (
        int.from_bytes(header[68:72], "big") != QUALCODE_APPLICATION_ID
    ):
        raise InputError(source, "neither a qualcode backup (JSON) nor a qualcode project file")

    # A backup on read-only media (a CD, a read-only share) opens like such a project.
    uri = sqlite_uri(path, IMMUTABLE if access_mode(path) == IMMUTABLE else READ_ONLY)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True)

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return migrations.project_version(connection), list(iter_rows(connection))
    except DBAPIError as error:
        raise InputError(source, f"cannot read project: {error.orig}") from error
    finally:
        engine.dispose()


def write_json_backup(project: Project, destination: Path) -> dict[str, int]:
    """Write every row of the project to ``destination``, a new file (the one writer,
    :mod:`qualcode.files.writing`: never replaces anything, renamed into place when
    complete), read in one transaction so the copy is consistent. Returns rows per table."""
    counts: dict[str, int] = {}
    with (
        open_for_writing(destination, Existing.REFUSE) as stream,
        _engine(project).connect() as connection,
    ):
        out = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        try:
            version = migrations.project_version(connection)
            _write_document(out, version, iter_rows(connection), counts)
            out.flush()
        finally:
            out.detach()  # the writer closes (and renames) the file itself
    return counts


def _write_document(
    out: IO[str], version: int, tables: Iterator[TableRows], counts: dict[str, int]
) -> None:
    created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
    out.write(
        "{"
        f'"format": "{BACKUP_FORMAT}", "format_version": {BACKUP_FORMAT_VERSION}, '
        f'"schema_version": {version}, "created_at": "{created}",\n"tables": {{'
    )
    for number, table in enumerate(tables):
        out.write(",\n" if number else "\n")
        out.write(f'{json.dumps(table.name)}: {{"columns": {json.dumps(list(table.columns))}, ')
        out.write('"rows": [')
        for index, row in enumerate(table.rows):
            out.write(",\n" if index else "\n")
            out.write(json.dumps(list(row), ensure_ascii=False))
        out.write("]}")
        counts[table.name] = len(table.rows)
    out.write("\n}}\n")


def read_json_backup(path: Path) -> tuple[int, list[TableRows]]:
    """The schema version and tables of a JSON backup; :class:`InputError` naming the
    file when it is not one."""
    source = str(path)
    try:
        document = json.loads(read_text(path, limit=JSON_BACKUP_LIMIT))
    except RecursionError:  # the parser recurses once per level of [ and {
        raise LimitError(source, "not a qualcode backup: lists nested too deeply") from None
    except json.JSONDecodeError as error:
        raise InputError(
            source, f"not a qualcode backup: {error.msg}", line=error.lineno, column=error.colno
        ) from error
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise InputError(source, "not a qualcode backup (no 'format': 'qualcode-backup')")
    version = document.get("schema_version")
    tables = document.get("tables")
    if not isinstance(version, int) or not isinstance(tables, dict):
        raise InputError(source, "backup has no schema_version or tables")
    found: list[TableRows] = []
    for name, content in tables.items():
        if not (
            isinstance(content, dict)
            and isinstance(content.get("columns"), list)
            and isinstance(content.get("rows"), list)
        ):
            raise InputError(source, f"table {name!r} has no columns and rows")
        found.append(TableRows(str(name), tuple(content["columns"]), content["rows"]))
    return version, found


def restore_rows(
    connection: Connection, version: int, tables: Sequence[TableRows], source: str
) -> dict[str, int]:
    """Insert every row into an empty project (same ids), parents first; returns rows per
    table. Refuses a backup from a newer schema, unknown tables or columns, and a target
    that already holds rows."""
    if version > migrations.CURRENT_VERSION:
        raise InputError(
            source,
            f"made by a newer qualcode (schema {version}, this one knows "
            f"{migrations.CURRENT_VERSION}); upgrade qualcode",
        )
    known = {table.name: table for table in project_tables()}
    tables = [table for table in tables if table.name not in CACHES]
    given = {table.name: table for table in tables}
    for name, rows in given.items():
        if name not in known:
            raise InputError(source, f"unknown table {name!r}")
        unknown = set(rows.columns) - {c.name for c in known[name].columns}
        if unknown:
            raise InputError(source, f"table {name!r} has unknown column(s) {sorted(unknown)}")
    check_backup_rows(tables, known, source)  # every row sound before any is written
    counts: dict[str, int] = {}
    for name, table in known.items():
        if connection.scalar(select(func.count()).select_from(table)):
            raise ProjectError(f"table {name!r} of the new project is not empty; nothing restored")
        found = given.get(name)
        if found is None or not found.rows:
            counts[name] = 0
            continue
        values = [
            _from_json(table, found.columns, row, source) for row in _parents_first(table, found)
        ]
        for start in range(0, len(values), _CHUNK):
            connection.execute(insert(table), values[start : start + _CHUNK])
        counts[name] = len(values)
    coding = given.get("coding")
    if coding is not None and "origin" not in coding.columns:  # a backup before schema 9
        migrations.mark_suggested_codings(connection)
    if connection.dialect.name == "postgresql":
        _advance_sequences(connection)
    return counts


def drop_schema(project: Project) -> None:
    """Remove every qualcode table again (a restore into a new database that failed)."""
    with _engine(project).begin() as connection:
        Base.metadata.drop_all(connection)


def _engine(project: Project) -> Engine:
    # imported here: storage.database imports this module (through the unit of work)
    from qualcode.storage.database import engine_of

    return engine_of(project)


def _parents_first(table: Table, rows: TableRows) -> list[Sequence[object]]:
    """Rows of a table that refers to itself (codes under codes) with parents first."""
    own = [fk for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        return list(rows.rows)
    key = rows.columns.index(own[0].column.name)
    pointer = rows.columns.index(own[0].parent.name)
    by_key = {row[key]: row for row in rows.rows}
    ordered: list[Sequence[object]] = []
    placed: set[object] = set()

    for row in rows.rows:
        # Climb to the first ancestor not yet placed, then place downwards: iterative, so
        # a deep (or cyclic) chain in a hostile backup cannot exhaust the stack.
        chain: list[Sequence[object]] = []
        seen: set[object] = set()
        current: Sequence[object] | None = row
        while current is not None and current[key] not in placed and current[key] not in seen:
            seen.add(current[key])
            chain.append(current)
            current = by_key.get(current[pointer])
        for link in reversed(chain):
            placed.add(link[key])
            ordered.append(link)
    return ordered


def _advance_sequences(connection: Connection) -> None:
    """Rows came with their ids: move each serial id sequence past the largest one."""
    for table in project_tables():
        if [c.name for c in table.primary_key.columns] != ["id"]:
            continue
        quoted = connection.dialect.identifier_preparer.format_table(table)
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{quoted}', 'id'), "
            f"coalesce(max(id), 0) + 1, false) FROM {quoted}"
        )


def _to_json(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_json(
    table: Table, columns: Sequence[str], row: Sequence[object], source: str
) -> dict[str, Any]:
    if not isinstance(row, list | tuple) or len(row) != len(columns):
        raise InputError(source, f"a row of table {table.name!r} does not fit its columns")
    values: dict[str, Any] = {}
    for name, value in zip(columns, row, strict=True):
        _check_cell(f"{table.name}.{name}", value, source)
        if isinstance(table.c[name].type, Boolean) and isinstance(value, int):
            value = bool(value)
        elif isinstance(table.c[name].type, DateTime) and isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.removesuffix("Z"))
            except ValueError as error:
                raise InputError(source, f"{table.name}.{name}: bad time {value!r}") from error
        values[name] = value
    return values


def _check_cell(column: str, value: object, source: str) -> None:
    """A cell the database could not take is one line naming its column: text that is
    not encodable as UTF-8 (a lone surrogate escaped in JSON), an integer beyond 64 bits.
    Text is otherwise restored exactly as backed up (offsets depend on it)."""
    if isinstance(value, str):
        reason = unencodable_reason(value)
        if reason is not None:
            raise InputError(source, f"{column}: {reason}")
    elif isinstance(value, int) and not isinstance(value, bool):
        enter_integer(value, f"{source}: {column}", minimum=-MAX_INTEGER - 1)
