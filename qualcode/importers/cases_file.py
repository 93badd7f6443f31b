"""Cases file (CSV or YAML) -> cases, their typed attribute values and transcript assignments.

A CSV file has a header starting with ``case``, optional ``transcript`` and ``speaker``
columns, and one column per attribute (``name``, ``name:number``, ``name:date``,
``name:text`` or ``name:ordinal(low<medium<high)``). A case may appear on several rows,
once per transcript or focus-group speaker; its attribute values must agree (or be left
empty) across those rows. The YAML form says the same with ``attributes`` and ``cases``.
Untyped attributes get their type from their values (see ``infer_attribute_type``).
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qualcode.domain.cases import (
    AttributeDef,
    AttributeType,
    infer_attribute_type,
    normalise_attribute_value,
    parse_attribute_header,
)
from qualcode.domain.errors import InputError
from qualcode.domain.text_entry import enter_name, enter_text
from qualcode.files.reading import TREE_FILE_LIMIT, read_bytes
from qualcode.importers.csv_records import csv_records
from qualcode.importers.yaml_nodes import (
    Fields,
    compose_yaml,
    error_at,
    is_null,
    optional_text,
    read_mapping,
    read_sequence,
    scalar_text,
    unknown_key_reason,
)

YAML_SUFFIXES = (".yaml", ".yml")
RESERVED_COLUMNS = ("case", "transcript", "speaker")
_CASES_FIELDS = ("attributes", "cases")
_CASE_FIELDS = ("case", "transcript", "transcripts", "speaker", "values")
_ATTRIBUTE_FIELDS = ("type", "levels")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One CSV row or YAML case entry (per transcript): a case, where it applies, and its
    attribute values. ``line`` is 1-based; ``values`` holds the non-empty, normalised
    values as ``(attribute, value)`` pairs in attribute order."""

    line: int
    case: str
    transcript: str | None
    speaker: str | None
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CasesFile:
    """A whole cases file: the attribute definitions (types resolved) and its rows."""

    attributes: tuple[AttributeDef, ...]
    rows: tuple[CaseRow, ...]


# Where a value was written: 1-based line and column (column None when unknown).
_Where = tuple[int, int | None]


@dataclass(slots=True)
class _Column:
    """An attribute as declared, before its type is inferred."""

    name: str
    type: AttributeType | None
    levels: tuple[str, ...] = ()


@dataclass(slots=True)
class _RawRow:
    """A row before typing: raw attribute text and where each value was written."""

    line: int
    case: str
    transcript: str | None
    speaker: str | None
    cells: dict[str, tuple[str, _Where]] = field(default_factory=dict)


def load_cases_file(path: Path) -> CasesFile:
    """Read a cases file: YAML for ``.yaml``/``.yml``, otherwise CSV.

    Text is UTF-8 (a BOM is dropped; UTF-16 with a BOM is read too), falling back to
    Windows-1252. Raises ``InputError`` naming the line (and column where known)."""
    source = str(path)
    text = _decode(read_bytes(path, limit=TREE_FILE_LIMIT), source)
    if path.suffix.lower() in YAML_SUFFIXES:
        return parse_cases_yaml(text, source)
    return parse_cases_csv(text, source)


def _decode(data: bytes, source: str) -> str:
    """By byte-order mark if there is one, else UTF-8, else Windows-1252; then NFC, the
    form stored transcripts use, so case and transcript names compare equal to theirs."""
    candidates = [codec for bom, codec in _BOMS if data.startswith(bom)] or ["utf-8", "cp1252"]
    for codec in candidates:
        try:
            return unicodedata.normalize("NFC", data.decode(codec))
        except UnicodeDecodeError as exc:
            failure = exc
    reason = f"cannot decode as {' or '.join(candidates)} ({failure.reason})"
    raise InputError(source, reason, offset=failure.start)


# --- CSV -------------------------------------------------------------------------------


def parse_cases_csv(text: str, source: str) -> CasesFile:
    """Parse cases CSV text (delimiter ``,``, or ``;``/tab when the header uses those)."""
    records = _csv_records(text.removeprefix("\ufeff"), source)
    if not records:
        raise InputError(source, "the file is empty", line=1)
    header_line, header = records[0]
    columns, case_column, transcript_column, speaker_column = _read_header(
        header, header_line, source
    )
    width = len(header)
    rows: list[_RawRow] = []
    for line, cells in records[1:]:
        # Trailing empty cells (a spreadsheet's stray delimiters) are harmless.
        extra = [index + 1 for index in range(width, len(cells)) if cells[index].strip()]
        if len(cells) < width or extra:
            reason = f"row has {_cells(len(cells))} but the header has {_cells(width)}"
            raise InputError(source, reason, line=line, column=extra[0] if extra else None)
        case = cells[case_column].strip()
        if not case:
            raise InputError(source, "case name is empty", line=line, column=case_column + 1)
        case = enter_name(case, source, line=line, column=case_column + 1)
        transcript = _cell(cells, transcript_column)
        speaker = _cell(cells, speaker_column)
        if speaker is not None and transcript is None:
            assert speaker_column is not None  # a speaker cell implies the column
            reason = f"speaker {speaker!r} is given without a transcript"
            raise InputError(source, reason, line=line, column=speaker_column + 1)
        row = _RawRow(line, case, transcript, speaker)
        for index, column in columns:
            row.cells[column.name] = (cells[index], (line, index + 1))
        rows.append(row)
    return _type_rows(source, [column for _, column in columns], rows)


def _csv_records(text: str, source: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV records with the 1-based line each starts on (a quoted cell may span
    lines)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return csv_records(text, delimiter, source)


def _read_header(
    header: list[str], line: int, source: str
) -> tuple[list[tuple[int, _Column]], int, int | None, int | None]:
    """Attribute columns with their 0-based index, and the case/transcript/speaker indexes."""
    names = [cell.strip() for cell in header]
    if names[0].casefold() != "case":
        reason = f"the first column must be 'case', not {names[0]!r}"
        raise InputError(source, reason, line=line, column=1)
    special: dict[str, int] = {"case": 0}  # reserved column -> 0-based index
    first_column: dict[str, int] = {}  # casefolded attribute -> 1-based column
    columns: list[tuple[int, _Column]] = []
    for index, name in enumerate(names[1:], start=1):
        try:
            column = _header_column(name, index, special, first_column)
        except ValueError as exc:
            raise InputError(source, str(exc), line=line, column=index + 1) from None
        if column is not None:
            column.name = enter_name(column.name, source, line=line, column=index + 1)
            columns.append((index, column))
    return columns, special["case"], special.get("transcript"), special.get("speaker")


def _header_column(
    name: str, index: int, special: dict[str, int], first_column: dict[str, int]
) -> _Column | None:
    """The attribute a header cell declares, or None for transcript/speaker (recorded in
    ``special``). Raises ``ValueError`` with the reason."""
    if not name:
        raise ValueError(f"column {index + 1} has no header")
    key = name.casefold()
    if key in RESERVED_COLUMNS:
        if key in special:
            raise ValueError(f"duplicate column {key!r} (first in column {special[key] + 1})")
        special[key] = index
        return None
    attribute, kind, levels = parse_attribute_header(name)
    key = attribute.casefold()
    if key in RESERVED_COLUMNS:
        raise ValueError(f"{attribute!r} is a reserved column name")
    if key in first_column:
        raise ValueError(f"duplicate attribute {attribute!r} (first in column {first_column[key]})")
    first_column[key] = index + 1
    return _Column(attribute, kind, levels)


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def _cell(cells: list[str], index: int | None) -> str | None:
    if index is None:
        return None
    return cells[index].strip() or None


# --- YAML ------------------------------------------------------------------------------


def parse_cases_yaml(text: str, source: str) -> CasesFile:
    """Parse cases YAML text: ``attributes`` (optional) and ``cases`` (a list).

    When ``attributes`` is given, every value must belong to a declared attribute; without
    it, attributes are taken in order of first use and their types inferred."""
    root = compose_yaml(text, source)
    fields = read_mapping(source, root, "the cases file", _CASES_FIELDS)
    if "cases" not in fields:
        raise error_at(source, root, "missing field 'cases' (the list of cases)")
    declared = "attributes" in fields and not is_null(fields["attributes"][1])
    columns = _yaml_attributes(source, fields["attributes"][1]) if declared else []
    by_name = {column.name: column for column in columns}
    rows: list[_RawRow] = []
    for item in read_sequence(source, fields["cases"][1], "cases"):
        entry = read_mapping(source, item, "a case", _CASE_FIELDS)
        if "case" not in entry:
            raise error_at(source, item, "case entry is missing its 'case' name")
        case_node = entry["case"][1]
        case = scalar_text(source, case_node, "case").strip()
        if not case:
            raise error_at(source, case_node, "case name is empty")
        case = enter_name(case, source, **_position(case_node))
        transcripts = _yaml_transcripts(source, entry)
        speaker = _optional_name(source, entry, "speaker")
        if speaker is not None and transcripts == [None]:
            raise error_at(source, entry["speaker"][1], "speaker is given without a transcript")
        cells: dict[str, tuple[str, _Where]] = {}
        if "values" in entry and not is_null(entry["values"][1]):
            for name, (key, node) in read_mapping(source, entry["values"][1], "values").items():
                if name not in by_name:
                    if declared:
                        raise error_at(
                            source, key, unknown_key_reason(name, "values", [*by_name], "attribute")
                        )
                    by_name[name] = _Column(name, None)
                    columns.append(by_name[name])
                raw = optional_text(source, node, f"the value of {name}") or ""
                cells[name] = (raw, (node.start_mark.line + 1, node.start_mark.column + 1))
        line = item.start_mark.line + 1
        for transcript in transcripts:
            rows.append(_RawRow(line, case, transcript, speaker, dict(cells)))
    return _type_rows(source, columns, rows)


def _yaml_attributes(source: str, node: yaml.Node) -> list[_Column]:
    columns: list[_Column] = []
    seen: set[str] = set()
    for name, (key, value) in read_mapping(source, node, "attributes").items():
        if not name.strip() or ":" in name or name.casefold() in RESERVED_COLUMNS:
            raise error_at(source, key, f"{name!r} cannot be an attribute name")
        if name.casefold() in seen:
            raise error_at(source, key, f"duplicate attribute {name!r}")
        seen.add(name.casefold())
        enter_name(name, source, **_position(key))
        columns.append(_yaml_attribute(source, name, value))
    return columns


def _yaml_attribute(source: str, name: str, node: yaml.Node) -> _Column:
    """``null`` (inferred), ``number``, ``ordinal(a<b)``, or ``{type: ..., levels: [...]}``."""
    if is_null(node):
        return _Column(name, None)
    if isinstance(node, yaml.ScalarNode):
        if str(node.value).strip().lower() == "ordinal":
            hint = "{type: ordinal, levels: [low, medium, high]}"
            raise error_at(source, node, f"ordinal attribute {name!r} needs its levels: {hint}")
        try:
            _, kind, levels = parse_attribute_header(f"{name}:{node.value}")
        except ValueError as exc:
            raise error_at(source, node, str(exc)) from None
        return _Column(name, kind, levels)
    fields = read_mapping(source, node, f"attribute {name!r}", _ATTRIBUTE_FIELDS)
    if "type" not in fields:
        raise error_at(source, node, f"attribute {name!r} is missing its 'type'")
    type_node = fields["type"][1]
    type_name = scalar_text(source, type_node, "type").strip().lower()
    try:
        kind = AttributeType(type_name)
    except ValueError:
        allowed = ", ".join(t.value for t in AttributeType)
        raise error_at(source, type_node, f"unknown type {type_name!r} (use {allowed})") from None
    if kind is not AttributeType.ORDINAL:
        if "levels" in fields:
            raise error_at(source, fields["levels"][0], "only ordinal attributes take levels")
        return _Column(name, kind)
    if "levels" not in fields:
        raise error_at(source, node, f"ordinal attribute {name!r} needs its 'levels'")
    levels_node = fields["levels"][1]
    items = read_sequence(source, levels_node, "levels")
    levels = tuple(scalar_text(source, item, "each level").strip() for item in items)
    if not levels or any(not level for level in levels) or len(set(levels)) != len(levels):
        reason = f"ordinal levels of {name!r} must be distinct and non-empty"
        raise error_at(source, levels_node, reason)
    return _Column(name, kind, levels)


def _yaml_transcripts(source: str, entry: Fields) -> list[str | None]:
    """The entry's transcripts, or ``[None]`` when it names none."""
    if "transcript" in entry and "transcripts" in entry:
        key = entry["transcripts"][0]
        raise error_at(source, key, "give either 'transcript' or 'transcripts', not both")
    if "transcripts" in entry:
        names: list[str | None] = []
        for item in read_sequence(source, entry["transcripts"][1], "transcripts"):
            name = scalar_text(source, item, "each transcript").strip()
            if not name:
                raise error_at(source, item, "transcript name is empty")
            names.append(name)
        return names or [None]
    return [_optional_name(source, entry, "transcript")]


def _optional_name(source: str, entry: Fields, field_name: str) -> str | None:
    if field_name not in entry:
        return None
    node = entry[field_name][1]
    return (optional_text(source, node, field_name) or "").strip() or None


# --- Typing and cross-row checks ---------------------------------------------------------


def _type_rows(source: str, columns: list[_Column], rows: list[_RawRow]) -> CasesFile:
    """Infer untyped attributes, normalise every value, and check that each case's values
    agree across its rows."""
    attributes = tuple(_resolve_type(column, rows) for column in columns)
    known: dict[tuple[str, str], tuple[str, int]] = {}  # (case, attribute) -> (value, line)
    typed_rows: list[CaseRow] = []
    for row in rows:
        values: list[tuple[str, str]] = []
        for attribute in attributes:
            if attribute.name not in row.cells:
                continue
            raw, (line, column) = row.cells[attribute.name]
            raw = enter_text(raw, source, line=line, column=column)
            try:
                value = normalise_attribute_value(attribute, raw)
            except ValueError as exc:
                raise InputError(source, str(exc), line=line, column=column) from None
            if not value:
                continue
            earlier = known.setdefault((row.case, attribute.name), (value, row.line))
            if earlier[0] != value:
                reason = (
                    f"case {row.case!r} has {attribute.name} {value!r} here"
                    f" but {earlier[0]!r} on line {earlier[1]}"
                )
                raise InputError(source, reason, line=line, column=column)
            values.append((attribute.name, value))
        typed_rows.append(CaseRow(row.line, row.case, row.transcript, row.speaker, tuple(values)))
    return CasesFile(attributes, tuple(typed_rows))


def _resolve_type(column: _Column, rows: list[_RawRow]) -> AttributeDef:
    if column.type is not None:
        return AttributeDef(column.name, column.type, column.levels)
    values = [row.cells[column.name][0] for row in rows if column.name in row.cells]
    return AttributeDef(column.name, infer_attribute_type(values))


def _position(node: yaml.Node) -> dict[str, int]:
    """``line`` and ``column`` (1-based) of a node, as keyword arguments."""
    return {"line": node.start_mark.line + 1, "column": node.start_mark.column + 1}
