"""Queries that find rows qualcode cannot trust, without reading them into typed objects.

A hand edit, a bug or a foreign tool can leave a project with a table missing, NULL where
a value is required, text in an integer column, JSON that does not parse, a date that is
no date, a span outside its transcript's text or a codebook whose parents form a loop.
Reading such a row through the typed models fails half-way (or worse, gives wrong
numbers), so these queries look at the stored values themselves: every function selects
only primary keys, counts and raw values, and works on every backend. SQLite stores any
value in any column, so the type checks (``typeof``, ``json_valid``, ``datetime``) run
there only; PostgreSQL refuses such values itself.

These are the methods of ``uow.integrity``, run in a reading unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Table, inspect, select

from qualcode.domain.checks import BadRows, Orphans
from qualcode.storage.dump import project_tables
from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import CodeRow, TranscriptRow

SAMPLE = 5  # row keys named per finding


def _tables(names: Sequence[str]) -> list[Table]:
    """The project's tables of these names, in the order given."""
    by_name = {table.name: table for table in project_tables()}
    return [by_name[name] for name in names]


def _conditions(table: Table, quote: Callable[[str], str]) -> Iterator[tuple[str, str, str]]:
    """(column, what is wrong, SQLite condition) for every way a value of ``table`` can be
    bad. Plain SQL: building SQLAlchemy expressions for every column of every table costs
    more than running the queries on a small project."""
    for column in table.columns:
        name = quote(column.name)
        if not column.nullable:
            yield column.name, "NULL", f"{name} IS NULL"
        if isinstance(column.type, Boolean):
            bad = f"typeof({name}) != 'integer' OR {name} NOT IN (0, 1)"
            yield column.name, "not true/false", f"{name} IS NOT NULL AND ({bad})"
        # "typeof(x) != kind AND x IS NOT NULL" says exactly what "typeof(x) NOT IN (kind,
        # 'null')" says, and SQLite evaluates it about a quarter faster on every row
        elif isinstance(column.type, Integer):
            bad = f"typeof({name}) != 'integer' AND {name} IS NOT NULL"
            yield column.name, "not a whole number", bad
        elif isinstance(column.type, Float):
            bad = f"typeof({name}) NOT IN ('integer', 'real') AND {name} IS NOT NULL"
            yield column.name, "not a number", bad
        elif isinstance(column.type, DateTime):
            bad = f"typeof({name}) != 'text' OR datetime({name}) IS NULL"
            yield column.name, "not a date and time", f"{name} IS NOT NULL AND ({bad})"
        elif isinstance(column.type, JSON):
            bad = f"typeof({name}) != 'text' OR NOT json_valid({name})"
            yield column.name, "not valid JSON", f"{name} IS NOT NULL AND ({bad})"
        elif isinstance(column.type, String):  # Text is a String too
            yield column.name, "not text", f"typeof({name}) != 'text' AND {name} IS NOT NULL"


def _spans(join: str) -> str:
    """Rows whose span is outside their transcript's text, as (table, id, transcript)."""
    return (
        "WITH text_length AS MATERIALIZED (SELECT id, length(text) AS characters FROM transcript) "
        + " UNION ALL ".join(
            f"SELECT '{table}', s.id, s.transcript_id FROM {table} s "
            f"{join} text_length t ON t.id = s.transcript_id "
            "WHERE s.start_offset < 0 OR s.end_offset <= s.start_offset "
            "OR s.end_offset > t.characters"
            for table in ("coding", "turn", "case_assignment")
        )
    )


_SPANS = _spans("JOIN")
# SQLite's CROSS JOIN is its inner join with the tables' order kept: every row scanned
# once and its text found by id, instead of each transcript's rows found through an
# index and then read one by one (a quarter faster on 150,000 codings; the same rows)
_SQLITE_SPANS = _spans("CROSS JOIN")


class IntegrityRepository(StoredArea):
    """Rows qualcode cannot trust, found without reading them into typed objects."""

    __slots__ = ()

    def missing_tables(self) -> list[str]:
        """Tables of the schema the database does not have."""
        present = set(inspect(self._session.connection()).get_table_names())
        return [table.name for table in project_tables() if table.name not in present]

    def table_names(self) -> list[str]:
        """The names of the project's tables (content tables: see ``dump.project_tables``)."""
        return [table.name for table in project_tables()]

    def missing_columns(self, table_names: Sequence[str]) -> list[tuple[str, str]]:
        """(table, column) of every column of these tables the database does not have."""
        tables = _tables(table_names)
        inspector = inspect(self._session.connection())
        found: list[tuple[str, str]] = []
        for table in tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            found.extend((table.name, c.name) for c in table.columns if c.name not in present)
        return found

    def bad_rows(self, table_names: Sequence[str], *, first_only: bool = False) -> list[BadRows]:
        """Values of these tables that break their column's type or NOT NULL rule: one query
        for all tables when nothing is wrong. ``first_only`` stops at the first finding.
        SQLite only: PostgreSQL enforces types and NOT NULL itself."""
        tables = _tables(table_names)
        connection = self._session.connection()
        if connection.dialect.name != "sqlite" or not tables:
            return []
        quote = connection.dialect.identifier_preparer.quote
        conditions = {table.name: list(_conditions(table, quote)) for table in tables}
        probes = [
            f"SELECT {index} FROM {quote(table.name)} WHERE "
            + " OR ".join(f"({condition})" for *_, condition in conditions[table.name])
            for index, table in enumerate(tables)
        ]
        union = " UNION ".join(f"SELECT * FROM ({probe} LIMIT 1)" for probe in probes)
        damaged = sorted(index for (index,) in connection.exec_driver_sql(union))
        found: list[BadRows] = []
        for index in damaged:
            table = tables[index]
            key = quote(table.primary_key.columns.values()[0].name)
            for column, what, condition in conditions[table.name]:
                rows = f"FROM {quote(table.name)} WHERE {condition}"
                count = connection.exec_driver_sql(f"SELECT count(*) {rows}").scalar_one()
                if count:
                    first = f"SELECT {key} {rows} ORDER BY {key} LIMIT {SAMPLE}"
                    sample = tuple(connection.exec_driver_sql(first).scalars())
                    found.append(BadRows(table.name, column, what, count, sample))
                    if first_only:
                        return found
        return found

    def sqlite_orphans(self) -> list[Orphans] | None:
        """Rows naming a missing parent, from SQLite's ``PRAGMA foreign_key_check`` (fast),
        grouped by table and column; ``None`` on other backends (use
        :func:`~qualcode.storage.maintenance.MaintenanceRepository.orphans`)."""
        connection = self._session.connection()
        if connection.dialect.name != "sqlite":
            return None
        grouped: dict[tuple[str, int, str], list[int]] = {}
        for table, rowid, parent, key in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            grouped.setdefault((table, key, parent), []).append(rowid)
        found: list[Orphans] = []
        for (table, key, parent), rowids in grouped.items():
            quoted = connection.dialect.identifier_preparer.quote(table)
            keys = connection.exec_driver_sql(f"PRAGMA foreign_key_list({quoted})").all()
            column = next((str(row[3]) for row in keys if row[0] == key), "?")
            found.append(
                Orphans(table, column, parent, len(rowids), tuple(sorted(rowids)[:SAMPLE]))
            )
        return sorted(found, key=lambda o: (o.table, o.column))

    def bad_spans(self) -> list[BadRows]:
        """Codings, turns and case assignments whose span is not inside their text (column
        ``span``)."""
        connection = self._session.connection()
        grouped: dict[str, list[int]] = {}
        texts: set[int] = set()
        query = _SQLITE_SPANS if connection.dialect.name == "sqlite" else _SPANS
        for table, key, transcript_id in connection.exec_driver_sql(query):
            grouped.setdefault(table, []).append(key)
            texts.add(transcript_id)
        for transcript_id in sorted(texts):
            # SQLite counts the characters of text that is not UTF-8 without complaint; reading
            # it raises, and the caller reports the damaged file rather than wrong spans.
            connection.execute(
                select(TranscriptRow.text).where(TranscriptRow.id == transcript_id)
            ).all()
        what = "outside its transcript's text or reversed"
        return [
            BadRows(table, "span", what, len(keys), tuple(sorted(keys)[:SAMPLE]))
            for table, keys in grouped.items()
        ]

    def code_parents(self) -> dict[object, object]:
        """Every code's id and its parent's id (raw stored values)."""
        rows = self._session.execute(select(CodeRow.id, CodeRow.parent_id))
        return {key: parent for key, parent in rows}  # noqa: C416 (rows are not pairs to dict())
