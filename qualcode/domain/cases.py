"""Cases and typed case attributes (text, number, ordinal with an order, date)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class AttributeType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    ORDINAL = "ordinal"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class AttributeDef:
    """An attribute's name and type; ordinal attributes carry their levels in order."""

    name: str
    type: AttributeType
    levels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseAssignment:
    """A case covers ``[start, end)`` of a transcript: the whole text, or one speaker's turns."""

    transcript: str
    start: int
    end: int
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    attributes: tuple[tuple[str, str], ...]
    assignments: tuple[CaseAssignment, ...]


SpeakerCases = dict[str, dict[str, tuple[tuple[str, str], ...]]]
"""Speaker -> the cases covering that speaker's turns in a transcript (focus-group
participants, survey respondents) -> each case's non-empty ``(attribute, value)`` pairs."""


_HEADER = re.compile(r"^\s*(?P<name>[^:]+?)\s*(?::\s*(?P<type>\w+)\s*(?:\((?P<levels>.*)\))?)?\s*$")


def parse_attribute_header(header: str) -> tuple[str, AttributeType | None, tuple[str, ...]]:
    """Parse a cases-file column header: ``name``, ``name:number``, ``name:date``,
    ``name:text`` or ``name:ordinal(low<medium<high)``. Untyped columns return ``None``
    for the type, to be inferred from the values. Raises ``ValueError`` with a reason."""
    match = _HEADER.match(header)
    if not match:
        raise ValueError(f"cannot read column header {header!r}")
    name = match["name"]
    type_name = match["type"]
    if type_name is None:
        return name, None, ()
    try:
        kind = AttributeType(type_name.lower())
    except ValueError:
        allowed = ", ".join(t.value for t in AttributeType)
        raise ValueError(f"unknown attribute type {type_name!r} (use {allowed})") from None
    levels: tuple[str, ...] = ()
    if kind is AttributeType.ORDINAL:
        if not match["levels"]:
            raise ValueError(f"ordinal column {name!r} needs its levels: {name}:ordinal(a<b<c)")
        levels = tuple(level.strip() for level in match["levels"].split("<"))
        if any(not level for level in levels) or len(set(levels)) != len(levels):
            raise ValueError(f"ordinal levels of {name!r} must be distinct and non-empty")
    elif match["levels"]:
        raise ValueError(f"only ordinal columns take levels, not {name!r}")
    return name, kind, levels


def describe_type(definition: AttributeDef) -> str:
    """An attribute's type as the cases file writes it: ``number``,
    ``ordinal(low < medium < high)``."""
    if definition.levels:
        return f"{definition.type.value}({' < '.join(definition.levels)})"
    return definition.type.value


def infer_attribute_type(values: list[str]) -> AttributeType:
    """Number if every non-empty value is a number, date if every one is an ISO date,
    else text."""
    present = [v for v in values if v.strip()]
    if present and all(_is_number(v) for v in present):
        return AttributeType.NUMBER
    if present and all(_is_date(v) for v in present):
        return AttributeType.DATE
    return AttributeType.TEXT


def normalise_attribute_value(definition: AttributeDef, raw: str) -> str:
    """Check ``raw`` against the attribute's type and return its stored form.

    Numbers are stored without trailing ``.0``; dates as ISO ``YYYY-MM-DD``.
    Raises ``ValueError`` with a reason."""
    value = raw.strip()
    if not value:
        return ""
    if definition.type is AttributeType.NUMBER:
        if not _is_number(value):
            reason = "is not a number (digits, within ±10^15)"
            raise ValueError(f"{definition.name}: {value!r} {reason}")
        number = float(value.replace(",", "."))
        return str(int(number)) if number.is_integer() else repr(number)
    if definition.type is AttributeType.DATE:
        if not _is_date(value):
            raise ValueError(f"{definition.name}: {value!r} is not a date (YYYY-MM-DD)")
        return dt.date.fromisoformat(value).isoformat()
    if definition.type is AttributeType.ORDINAL and value not in definition.levels:
        levels = " < ".join(definition.levels)
        raise ValueError(f"{definition.name}: {value!r} is not one of {levels}")
    return value


# Written plainly in ASCII (no "nan", "inf", "1_000" or digits of other scripts, which
# float() would take) and within ±10^15, where every whole number is exact.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
MAX_ATTRIBUTE_NUMBER = 1e15


def _is_number(value: str) -> bool:
    if not _NUMBER.fullmatch(value):
        return False
    return abs(float(value.replace(",", "."))) <= MAX_ATTRIBUTE_NUMBER


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def assemble_cases(
    cases: Iterable[tuple[int, str]],
    values: Iterable[tuple[int, str, str]],
    assignments: Iterable[tuple[int, str, int, int, str | None]],
) -> list[Case]:
    """Cases from ``(id, name)`` rows, with their ``(case id, attribute, value)`` and
    ``(case id, transcript, start, end, speaker)`` rows, each kept in the order given."""
    values_of: dict[int, list[tuple[str, str]]] = {}
    for case_id, name, value in values:
        values_of.setdefault(case_id, []).append((name, value))
    assigned: dict[int, list[CaseAssignment]] = {}
    for case_id, transcript, start, end, speaker in assignments:
        assigned.setdefault(case_id, []).append(CaseAssignment(transcript, start, end, speaker))
    return [
        Case(name, tuple(values_of.get(cid, ())), tuple(assigned.get(cid, ())))
        for cid, name in cases
    ]
