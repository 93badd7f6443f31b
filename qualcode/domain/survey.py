"""A survey export (one row per respondent) -> question transcripts, respondent cases and
their typed attributes.

Each open question (a text column) becomes one transcript named after its header: one
paragraph ``"RESPONDENT: answer"`` per non-empty answer, the answer being a turn whose
speaker is the respondent. Each respondent is a case covering their turns (the focus-group
model), with the closed questions (attribute columns) as typed attribute values. Every
header and cell enters through :mod:`qualcode.domain.text_entry`. Problems in the rows are
collected, not raised one at a time, so the user sees every bad row in one line.

Pure standard library; no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from qualcode.domain.cases import (
    AttributeDef,
    AttributeType,
    describe_type,
    infer_attribute_type,
    normalise_attribute_value,
    parse_attribute_header,
)
from qualcode.domain.errors import FieldError, InputError, LimitError
from qualcode.domain.text_entry import enter_name, enter_text, name_key
from qualcode.domain.transcripts import TranscriptDraft, Turn, guess_language

MAX_LISTED_PROBLEMS = 10
"""Bad rows named one by one in the refusal; the rest are counted."""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as read: its 1-based row (CSV line where the record starts, or sheet
    row) and its cells as text, in header order (possibly longer or shorter)."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawTable:
    """A survey file as read: the header row, the data rows, and how it was read."""

    source: str
    header: tuple[str, ...]
    rows: tuple[RawRow, ...]
    encoding: str
    notes: tuple[str, ...] = ()
    header_row: int = 1


@dataclass(frozen=True, slots=True)
class SurveyColumns:
    """Which columns play which part, by header. ``attributes`` None: every column that
    is neither the case column nor a text column. ``types`` gives attribute columns a type
    instead of inferring it (``(column, type, ordinal levels)``; see
    :func:`parse_attribute_type`)."""

    case: str
    texts: tuple[str, ...]
    attributes: tuple[str, ...] | None = None
    types: tuple[tuple[str, AttributeType, tuple[str, ...]], ...] = ()


def parse_attribute_type(value: str) -> tuple[str, AttributeType, tuple[str, ...]]:
    """``COLUMN=TYPE`` (``number``, ``date``, ``text`` or ``ordinal(low<medium<high)``; the
    last ``=`` separates, so a column's header may hold one) as its parts. Raises
    :class:`FieldError` on field ``attribute_type``."""
    column, separator, kind = value.rpartition("=")
    if not separator or not column.strip():
        raise FieldError("attribute_type", f"{value!r}: give COLUMN=TYPE, e.g. Alder=number")
    try:
        _, parsed, levels = parse_attribute_header(f"column:{kind}")
    except ValueError as exc:
        raise FieldError("attribute_type", f"{value!r}: {exc}") from None
    if parsed is None:
        raise FieldError("attribute_type", f"{value!r}: give a type after '='")
    return column.strip(), parsed, levels


@dataclass(frozen=True, slots=True)
class Respondent:
    """A respondent (a case) with the row it came from and its non-empty attribute values
    as ``(attribute, stored value)`` pairs."""

    name: str
    row: int
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Question:
    """One open question as a transcript: ``column`` is 1-based; ``draft.turns`` has one
    turn per answer, speaker = respondent."""

    column: int
    draft: TranscriptDraft


@dataclass(frozen=True, slots=True)
class Survey:
    questions: tuple[Question, ...]
    respondents: tuple[Respondent, ...]
    attributes: tuple[AttributeDef, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Problem:
    row: int
    column: int | None
    reason: str


def build_survey(
    table: RawTable,
    columns: SurveyColumns,
    known: Mapping[str, AttributeDef],
    transcripts: Collection[str] = (),
) -> Survey:
    """Read ``table`` as a survey. ``transcripts`` are the names of the project's
    transcripts: without ``columns.attributes``, a column named like one of them is an
    open question imported before (perhaps with other text columns), so it is left out
    rather than made an attribute. ``known`` holds the project's attribute definitions:
    a column naming one of them is read with that type (its values must fit it); other
    attribute columns get their type from their values (number, with a decimal point or
    comma; ISO date; else text).

    Raises :class:`InputError`: for a header problem (unknown, duplicate or empty column
    names, a column given two parts) naming its column; for bad rows, one error listing
    every bad row as ``FILE:ROW:COLUMN`` (at most :data:`MAX_LISTED_PROBLEMS`, the rest
    counted)."""
    source = table.source
    header = [cell.strip() for cell in table.header]
    case_index = _column_index(header, columns.case, table, "--case-column")
    text_indexes = [_column_index(header, name, table, "--text-column") for name in columns.texts]
    notes = list(table.notes)
    if columns.attributes is None:
        taken = {case_index, *text_indexes}
        imported = {name_key(name) for name in transcripts}
        asked = [
            i for i in range(len(header)) if i not in taken and name_key(header[i]) in imported
        ]
        notes.extend(
            f"column {header[i]!r} is a question already imported: no attribute" for i in asked
        )
        attribute_indexes = [
            i
            for i in range(len(header))
            if i not in taken and i not in asked and (header[i] or _has_data(table, i))
        ]
    else:
        attribute_indexes = [
            _column_index(header, name, table, "--attribute-column") for name in columns.attributes
        ]
    _check_parts(header, table, case_index, text_indexes, attribute_indexes)
    hint = "" if columns.attributes is not None else _LEAVE_OUT
    for index in attribute_indexes:
        header[index] = _column_name(header[index], table, index, hint)
    for index in (case_index, *text_indexes):
        header[index] = _column_name(header[index], table, index, "")
    _check_distinct(header, table, [case_index, *text_indexes, *attribute_indexes])
    problems: list[_Problem] = []
    rows = _respondent_rows(table, header, case_index, problems)
    if not rows and not problems:
        raise InputError(source, "no respondents: the file has a header row and nothing else")
    given = _given_types(header, table, columns, attribute_indexes, known)
    definitions = _attribute_definitions(header, attribute_indexes, rows, {**known, **given})
    respondents = []
    for name, row in rows:
        values: list[tuple[str, str]] = []
        for index, definition in zip(attribute_indexes, definitions, strict=True):
            raw = _text_cell(row, index, source, problems)
            try:
                value = normalise_attribute_value(definition, raw)
            except ValueError as exc:
                problems.append(_Problem(row.number, index + 1, str(exc)))
                continue
            if value:
                values.append((definition.name, value))
        respondents.append(Respondent(name, row.number, tuple(values)))
    questions: list[Question] = []
    for index in text_indexes:
        answers = [(name, _text_cell(row, index, source, problems).strip()) for name, row in rows]
        question = _question(table, header[index], index, answers)
        if question is None:
            notes.append(f"question {header[index]!r} has no answers: no transcript")
        else:
            questions.append(question)
    if problems:
        raise _bad_rows(source, problems)
    return Survey(tuple(questions), tuple(respondents), tuple(definitions), tuple(notes))


_LEAVE_OUT = "; to leave the column out, name the attribute columns with --attribute-column"
_LISTED_COLUMNS = 12


def _has_data(table: RawTable, index: int) -> bool:
    return any(index < len(row.cells) and row.cells[index].strip() for row in table.rows)


def _column_name(header: str, table: RawTable, index: int, hint: str) -> str:
    """A used column's header as a name (the identifier rule of :func:`enter_name`)."""
    line, column = table.header_row, index + 1
    if not header:
        reason = f"column {column} has answers but no header{hint}"
        raise InputError(table.source, reason, line=line, column=column)
    try:
        return enter_name(header, table.source, line=line, column=column)
    except InputError as exc:
        kind = LimitError if isinstance(exc, LimitError) else InputError
        raise kind(table.source, exc.reason + hint, line=line, column=column) from None


def _check_distinct(header: list[str], table: RawTable, indexes: list[int]) -> None:
    """No two used columns have the same name (they would be one transcript or attribute)."""
    seen: dict[str, int] = {}
    for index in sorted(indexes):
        key = name_key(header[index])
        if key in seen:
            reason = f"column {header[index]!r} appears twice (first in column {seen[key]})"
            raise InputError(table.source, reason, line=table.header_row, column=index + 1)
        seen[key] = index + 1


def _column_index(header: list[str], wanted: str, table: RawTable, option: str) -> int:
    """The 0-based index of the column headed ``wanted`` (exactly, else the same
    :func:`name_key`); none, or two, is an :class:`InputError`."""
    found = [i for i, name in enumerate(header) if name and name == wanted] or [
        i for i, name in enumerate(header) if name and name_key(name) == name_key(wanted)
    ]
    if len(found) > 1:
        where = " and ".join(str(index + 1) for index in found)
        reason = f"{option} {wanted!r}: columns {where} both have this header"
        raise InputError(table.source, reason, line=table.header_row)
    if not found:
        named = [repr(name) for name in header if name]
        more = len(named) - _LISTED_COLUMNS
        present = ", ".join(named[:_LISTED_COLUMNS]) + (f" and {more} more" if more > 0 else "")
        reason = f"{option} {wanted!r}: no such column (columns: {present})"
        raise InputError(table.source, reason, line=table.header_row)
    return found[0]


def _check_parts(
    header: list[str],
    table: RawTable,
    case_index: int,
    text_indexes: list[int],
    attribute_indexes: list[int],
) -> None:
    """Every column plays at most one part."""
    parts: dict[int, str] = {case_index: "the case column"}
    for part, indexes in (("a text column", text_indexes), ("an attribute", attribute_indexes)):
        for index in indexes:
            if index in parts:
                reason = f"column {header[index]!r} is given as {parts[index]} and as {part}"
                raise InputError(table.source, reason, line=table.header_row, column=index + 1)
            parts[index] = part


def _respondent_rows(
    table: RawTable, header: list[str], case_index: int, problems: list[_Problem]
) -> list[tuple[str, RawRow]]:
    """Non-blank rows with their respondent name; bad ones recorded in ``problems``."""
    rows: list[tuple[str, RawRow]] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        if not any(cell.strip() for cell in row.cells):
            continue
        extra = [i for i in range(len(header), len(row.cells)) if row.cells[i].strip()]
        if extra:
            reason = f"row has a value beyond the last column ({len(header)})"
            problems.append(_Problem(row.number, extra[0] + 1, reason))
            continue
        raw = row.cells[case_index].strip() if case_index < len(row.cells) else ""
        if not raw:
            problems.append(_Problem(row.number, case_index + 1, "the respondent is empty"))
            continue
        try:
            name = enter_name(raw, table.source)
        except InputError as exc:
            problems.append(_Problem(row.number, case_index + 1, exc.reason))
            continue
        key = name_key(name)
        if key in first_row:
            reason = f"respondent {name!r} again (first on row {first_row[key]})"
            problems.append(_Problem(row.number, case_index + 1, reason))
            continue
        first_row[key] = row.number
        rows.append((name, row))
    return rows


def _text_cell(row: RawRow, index: int, source: str, problems: list[_Problem]) -> str:
    """The cell's text as stored (``""`` when the row is short or the cell unusable)."""
    if index >= len(row.cells):
        return ""
    try:
        return enter_text(row.cells[index], source)
    except InputError as exc:
        problems.append(_Problem(row.number, index + 1, exc.reason))
        return ""


def _given_types(
    header: list[str],
    table: RawTable,
    columns: SurveyColumns,
    attribute_indexes: list[int],
    known: Mapping[str, AttributeDef],
) -> dict[str, AttributeDef]:
    """The attribute definitions ``columns.types`` asks for, by name; each must name an
    attribute column and agree with the project's definition of that attribute."""
    given: dict[str, AttributeDef] = {}
    for column, kind, levels in columns.types:
        index = _column_index(header, column, table, "--attribute-type")
        if index not in attribute_indexes:
            reason = f"--attribute-type {column!r}: the column is not an attribute column"
            raise InputError(table.source, reason, line=table.header_row, column=index + 1)
        definition = AttributeDef(header[index], kind, levels)
        existing = known.get(definition.name)
        if existing is not None and existing != definition:
            reason = (
                f"attribute {definition.name!r} is already {describe_type(existing)} in the "
                f"project; --attribute-type makes it {describe_type(definition)}"
            )
            raise InputError(table.source, reason, line=table.header_row, column=index + 1)
        given[definition.name] = definition
    return given


def _attribute_definitions(
    header: list[str],
    indexes: list[int],
    rows: list[tuple[str, RawRow]],
    known: Mapping[str, AttributeDef],
) -> list[AttributeDef]:
    definitions = []
    for index in indexes:
        name = header[index]
        if name in known:
            definitions.append(known[name])
            continue
        values = [row.cells[index] for _, row in rows if index < len(row.cells)]
        definitions.append(AttributeDef(name, infer_attribute_type([v.strip() for v in values])))
    return definitions


def _question(
    table: RawTable, name: str, index: int, answers: Sequence[tuple[str, str]]
) -> Question | None:
    """The question's transcript: ``"RESPONDENT: answer"`` paragraphs, one turn each."""
    pieces: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for respondent, answer in answers:
        if not answer:
            continue
        label = f"{respondent}: "
        start = offset + len(label)
        turns.append(Turn(start, start + len(answer), respondent))
        pieces.append(label + answer)
        offset = start + len(answer) + 2  # the blank line between answers
    if not turns:
        return None
    text = "\n\n".join(pieces)
    draft = TranscriptDraft(
        name=name,
        text=text,
        turns=tuple(turns),
        source_path=table.source,
        encoding=table.encoding,
        notes=table.notes,
        language=guess_language(text),
    )
    return Question(index + 1, draft)


def _bad_rows(source: str, problems: list[_Problem]) -> InputError:
    rows = len({problem.row for problem in problems})
    listed = [
        f"{source}:{p.row}" + (f":{p.column}" if p.column is not None else "") + f" {p.reason}"
        for p in sorted(problems, key=lambda p: (p.row, p.column or 0))[:MAX_LISTED_PROBLEMS]
    ]
    more = len(problems) - len(listed)
    tail = f"; and {more} more" if more else ""
    noun = "row" if rows == 1 else "rows"
    return InputError(source, f"{rows} bad {noun}, nothing imported: {'; '.join(listed)}{tail}")
