"""A backup's rows checked as a whole before any of them is written.

Restoring inserts rows with their ids into an empty project, so everything the database
would refuse half-way — with an IntegrityError and SQL — is found here first and told in
one line naming the backup, the table and the row (1-based within its table): values of
the wrong type, integers outside 64 bits, required fields missing or null, duplicate keys
and unique values, references to rows the backup does not hold, spans outside their
transcript's text or reversed, and codes whose parents form a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, String, Table, UniqueConstraint

from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.spans import span_problem

if TYPE_CHECKING:
    from qualcode.storage.dump import TableRows

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
# Tables whose rows are spans of a transcript's text: (table, start column, end column).
_SPANS = tuple((table, "start_offset", "end_offset") for table in ("coding", "turn"))
_SPANS += (("case_assignment", "start_offset", "end_offset"),)


@dataclass(frozen=True, slots=True)
class _Row:
    table: str
    number: int  # 1-based within its table
    values: Mapping[str, object]

    def where(self) -> str:
        key = self.values.get("id")
        shown = f" (id {key})" if isinstance(key, int) and not isinstance(key, bool) else ""
        return f"table {self.table!r}, row {self.number}{shown}"


def check_backup_rows(tables: Sequence[TableRows], known: Mapping[str, Table], source: str) -> None:
    """Raise :class:`InputError` (one line naming ``source``, the table and the row) at the
    first row the restore would fail on or store broken; return when every row is sound.

    ``known`` maps table names to the schema's tables; unknown tables and columns are
    refused before this runs."""
    rows: dict[str, list[_Row]] = {}
    for given in tables:
        table = known[given.name]
        _check_required_columns(table, given.columns, source)
        rows[given.name] = list(_typed_rows(table, given, source))
    for name, table in known.items():
        _check_unique(table, rows.get(name, []), source)
    for name, table in known.items():
        _check_references(table, rows.get(name, []), rows, source)
    _check_spans(rows, source)
    _check_code_tree(rows.get("code", []), source)


def _check_required_columns(table: Table, columns: Sequence[str], source: str) -> None:
    for column in table.columns:
        if column.name not in columns and _required(column):
            raise InputError(source, f"table {table.name!r} has no column {column.name!r}")


def _required(column: Column[object]) -> bool:
    automatic = column.primary_key and isinstance(column.type, Integer)
    return not (
        column.nullable
        or automatic
        or column.default is not None
        or column.server_default is not None
    )


def _typed_rows(table: Table, given: TableRows, source: str) -> Iterator[_Row]:
    for number, raw in enumerate(given.rows, start=1):
        if not isinstance(raw, list | tuple) or len(raw) != len(given.columns):
            raise InputError(
                source, f"table {table.name!r}, row {number}: does not fit the table's columns"
            )
        row = _Row(table.name, number, dict(zip(given.columns, raw, strict=True)))
        for name, value in row.values.items():
            problem = _type_problem(table.c[name], value)
            if problem is not None:
                error = LimitError if "64-bit" in problem else InputError
                raise error(source, f"{row.where()}: {name} {problem}")
        yield row


def _type_problem(column: Column[object], value: object) -> str | None:
    """Why ``value`` cannot be stored in ``column``, or ``None``."""
    if value is None:
        return "is missing (null)" if _required(column) or column.primary_key else None
    kind = column.type
    if isinstance(kind, Boolean):
        ok = isinstance(value, bool) or value in (0, 1)
        return None if ok else f"must be true or false, not {_shown(value)}"
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {_shown(value)}"
        if not _INT_MIN <= value <= _INT_MAX:
            return f"{value} is outside the 64-bit integer range"
        return None
    if isinstance(kind, Float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"must be a number, not {_shown(value)}"
    if isinstance(kind, DateTime):
        return _time_problem(value)
    if isinstance(kind, String):  # Text too; JSON columns hold any JSON value
        return None if isinstance(value, str) else f"must be text, not {_shown(value)}"
    return None


def _time_problem(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value.removesuffix("Z"))
        except ValueError:
            return f"is not a time ({_shown(value)})"
        return None
    return f"must be a time, not {_shown(value)}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check_unique(table: Table, rows: list[_Row], source: str) -> None:
    keys: list[tuple[str, ...]] = [tuple(c.name for c in table.primary_key.columns)]
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    for key in keys:
        seen: dict[tuple[object, ...], int] = {}
        for row in rows:
            value = tuple(row.values.get(name) for name in key)
            if None in value and key != keys[0]:
                continue  # SQL: nulls are never equal
            if value in seen:
                shown = ", ".join(f"{n} {v!r}" for n, v in zip(key, value, strict=True))
                raise InputError(
                    source, f"{row.where()}: {shown} is already used by row {seen[value]}"
                )
            seen[value] = row.number


def _check_references(
    table: Table, rows: list[_Row], everything: Mapping[str, list[_Row]], source: str
) -> None:
    for key in table.foreign_keys:
        column, target = key.parent.name, key.column
        present = {row.values.get(target.name) for row in everything.get(target.table.name, [])}
        for row in rows:
            value = row.values.get(column)
            if value is not None and value not in present:
                raise InputError(
                    source,
                    f"{row.where()}: {column} {value!r} refers to no row of "
                    f"{target.table.name!r} in the backup",
                )


def _check_spans(rows: Mapping[str, list[_Row]], source: str) -> None:
    lengths = {
        row.values.get("id"): len(text)
        for row in rows.get("transcript", [])
        if isinstance(text := row.values.get("text"), str)
    }
    for table, start_column, end_column in _SPANS:
        for row in rows.get(table, []):
            start, end = row.values.get(start_column), row.values.get(end_column)
            length = lengths.get(row.values.get("transcript_id"))
            if not isinstance(start, int) or not isinstance(end, int) or length is None:
                continue  # missing values and references are reported above
            problem = span_problem(length, start, end)
            if problem is not None:
                raise InputError(source, f"{row.where()}: {problem}")


def _check_code_tree(codes: list[_Row], source: str) -> None:
    """Every code's chain of parents ends at a top-level code (iteratively: any depth)."""
    parents = {row.values.get("id"): row.values.get("parent_id") for row in codes}
    settled: set[object] = set()
    for row in codes:
        path: list[object] = []
        on_path: set[object] = set()
        current: object = row.values.get("id")
        while current is not None and current not in settled:
            if current in on_path:
                raise InputError(
                    source, f"{row.where()}: its code's parents form a cycle (code id {current})"
                )
            on_path.add(current)
            path.append(current)
            current = parents.get(current)
        settled.update(path)
