"""A project as REFI-QDA exchanges it (users, codebook, variables, cases, sources, codings,
notes), independent of XML and of the database.

Identities are GUID strings (lower-case, without braces once read). Positions are
half-open ``[start, end)`` Unicode code points into a source's normalised text, exactly as
qualcode stores offsets; the importer maps a producer's positions into that unit first.

Qualcode keeps more about a code than REFI-QDA's ``Description`` and ``color`` can hold;
:func:`code_description` writes the rest (inclusion, exclusion, example, Danish label,
shortcut, keywords) as labelled lines after the description, readable in any other tool,
and :func:`spec_from_description` reads them back, so a qualcode → qualcode round trip
loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from qualcode.domain.cases import AttributeDef
from qualcode.domain.codebook import DEFINITION_FIELDS, CodeSpec, merge_spec
from qualcode.domain.codings import HUMAN

# Fixed namespace for identities derived from stored ones (selection of a coding, the note
# holding a coding's memo, a case's selection): derived, so exporting twice gives the same.
_DERIVED = uuid.UUID("4f1c9a0e-52d3-4c55-9d1e-7b0e3c2a9f61")


def new_guid() -> str:
    return str(uuid.uuid4())


def derived_guid(base: str, role: str) -> str:
    """A stable GUID for something that belongs to ``base`` (e.g. ``"selection"``)."""
    return str(uuid.uuid5(_DERIVED, f"{base.lower()}:{role}"))


_GUID = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?"
)


def normalise_guid(value: str | None) -> str | None:
    """``"{ABC...}"`` → ``"abc..."``; ``None`` for anything that is not a GUID."""
    if value is None:
        return None
    match = _GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else None


@dataclass(frozen=True, slots=True)
class ExchangeUser:
    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class ExchangeCode:
    """A code with its children. ``spec`` has no children of its own; ``codable`` is
    REFI-QDA's ``isCodable`` (false for folders/categories)."""

    guid: str
    spec: CodeSpec
    codable: bool = True
    children: tuple[ExchangeCode, ...] = ()


@dataclass(frozen=True, slots=True)
class ExchangeVariable:
    guid: str
    definition: AttributeDef
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeSet:
    """A REFI-QDA ``Set``: named members — codes and sources (by GUID)."""

    guid: str
    name: str
    description: str | None = None
    codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExchangeCase:
    """A case: its variable values (variable guid, stored value), the sources it covers
    whole, and the selections ``(source guid, start, end)`` it covers in part."""

    guid: str
    name: str
    values: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()
    selections: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ExchangeCoding:
    """One code applied by one user to ``[start, end)`` of a source; ``origin``
    (domain/codings.py ORIGINS) travels between qualcode projects only: REFI-QDA has no
    place for it, so a ``.qdpx`` brings every coding as made by hand."""

    guid: str
    start: int
    end: int
    code_guid: str
    user_guid: str | None
    created: str | None = None
    memo: str | None = None
    origin: str = HUMAN


@dataclass(frozen=True, slots=True)
class ExchangeSource:
    """A text source: its codings and any case selections ``(guid, start, end)``.

    The text itself travels separately (it can be large)."""

    guid: str
    name: str
    codings: tuple[ExchangeCoding, ...] = ()
    case_selections: tuple[tuple[str, int, int], ...] = ()
    created: str | None = None
    values: tuple[tuple[str, str], ...] = ()  # the source's own (variable guid, value)


@dataclass(frozen=True, slots=True)
class ExchangeNote:
    """A memo. ``target`` is ``project``, ``source`` or ``code`` (coding memos travel on
    :class:`ExchangeCoding`)."""

    guid: str
    text: str
    target: str
    target_guid: str | None = None
    author_guid: str | None = None
    created: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeHeader:
    """The project element: name, producer, description."""

    name: str
    origin: str | None = None
    description: str | None = None
    created: str | None = None
    warnings: tuple[str, ...] = field(default=())


# --- code descriptions ----------------------------------------------------------------

_EXTRA_LABELS = (
    ("inclusion", "Inclusion"),
    ("exclusion", "Exclusion"),
    ("example", "Example"),
    ("label_da", "Danish label"),
    ("shortcut", "Shortcut"),
    ("keywords", "Keywords"),
)
_BY_LABEL = {label: key for key, label in _EXTRA_LABELS}
_CONTINUATION = "  "


def code_description(spec: CodeSpec) -> str | None:
    """The description to export: the code's description, then one ``Label: value`` line
    per qualcode-only field (multi-line values continue on lines indented by two spaces)."""
    lines: list[str] = []
    for key, label in _EXTRA_LABELS:
        value = getattr(spec, key)
        if key == "keywords":
            value = "; ".join(value) if value else None
        if value:
            lines.append(f"{label}: " + value.replace("\n", "\n" + _CONTINUATION))
    parts = [spec.description] if spec.description else []
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts) if parts else None


def spec_from_description(name: str, text: str | None, colour: str | None) -> CodeSpec:
    """A code's spec from its REFI-QDA name, description and colour, reading back the
    labelled lines :func:`code_description` writes (a description without them is kept
    whole)."""
    if not text:
        return CodeSpec(name=name, colour=colour)
    head, _, tail = text.rpartition("\n\n")
    extras = _parse_extras(tail)
    if extras is None:
        return CodeSpec(name=name, description=text, colour=colour)
    keywords = tuple(k.strip() for k in extras.get("keywords", "").split(";") if k.strip())
    return CodeSpec(
        name=name,
        label_da=extras.get("label_da"),
        description=head or None,
        inclusion=extras.get("inclusion"),
        exclusion=extras.get("exclusion"),
        example=extras.get("example"),
        colour=colour,
        shortcut=extras.get("shortcut"),
        keywords=keywords,
    )


# What every REFI-QDA code states itself (a code without a description has none); the
# qualcode-only fields travel in the description's labelled lines, which a code from
# another program lacks.
_REFI_FIELDS = frozenset({"description", "colour"})


def merged_definition(stored: CodeSpec, incoming: CodeSpec) -> CodeSpec:
    """A stored code after importing a ``.qdc`` entry for it (matched by GUID or path):
    description, colour and ``isCodable`` from the file; the qualcode-only fields (Danish
    label, criteria, example, shortcut, keywords) from the file when its description
    carries the labelled lines, else kept — a codebook from another program cannot
    carry them, so it must not clear them. The stored name stays."""
    carried = any(getattr(incoming, name) for name in DEFINITION_FIELDS if name not in _REFI_FIELDS)
    merged = merge_spec(stored, incoming, DEFINITION_FIELDS if carried else _REFI_FIELDS)
    return replace(merged, name=stored.name, codable=incoming.codable)


def _parse_extras(block: str) -> dict[str, str] | None:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in block.split("\n"):
        if current is not None and line.startswith(_CONTINUATION):
            current.append(line[len(_CONTINUATION) :])
            continue
        label, sep, value = line.partition(": ")
        key = _BY_LABEL.get(label)
        if not sep or key is None or key in found:
            return None
        current = found[key] = [value]
    if not found:
        return None
    extras = {key: "\n".join(lines) for key, lines in found.items()}
    shortcut = extras.get("shortcut")
    if shortcut is not None and len(shortcut) != 1:
        return None
    return extras


# --- cases covering parts of sources ----------------------------------------------------

_PARTS = re.compile(
    r"Turns in source ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}): "
    r"(\d+-\d+(?:, \d+-\d+)*)"
)


def case_parts_description(parts: tuple[tuple[str, int, int], ...]) -> str | None:
    """How a case's parts of sources (speaker turns) travel: the case refers to each
    source (``SourceRef``, which every tool reads) and its description says which parts,
    one readable line per source, ``Turns in source GUID: 0-120, 340-400`` (code points of
    the exported text). Peers show it as the case's description; qualcode reads it back
    exactly (:func:`case_parts`)."""
    by_source: dict[str, list[str]] = {}
    for source_guid, start, end in parts:
        by_source.setdefault(source_guid, []).append(f"{start}-{end}")
    if not by_source:
        return None
    return "\n".join(
        f"Turns in source {guid}: {', '.join(spans)}" for guid, spans in by_source.items()
    )


def case_parts(description: str | None) -> tuple[list[tuple[str, int, int]], str | None]:
    """The parts :func:`case_parts_description` wrote, and what else the description says
    (``None`` when nothing)."""
    parts: list[tuple[str, int, int]] = []
    rest: list[str] = []
    for line in (description or "").split("\n"):
        match = _PARTS.fullmatch(line.strip())
        if match is None:
            rest.append(line)
            continue
        for span in match.group(2).split(", "):
            start, end = span.split("-")
            parts.append((match.group(1), int(start), int(end)))
    other = "\n".join(rest).strip()
    return parts, other or None


# --- variables ------------------------------------------------------------------------

_ORDINAL = re.compile(r"ordinal: (.+)")


def ordinal_description(levels: tuple[str, ...]) -> str:
    """How an ordinal attribute's levels travel in a Text variable's description."""
    return "ordinal: " + " < ".join(levels)


def ordinal_levels(description: str | None) -> tuple[str, ...] | None:
    """The levels written by :func:`ordinal_description`, or ``None``."""
    if not description:
        return None
    match = _ORDINAL.fullmatch(description.strip())
    if not match:
        return None
    levels = tuple(level.strip() for level in match.group(1).split(" < "))
    if any(not level for level in levels) or len(set(levels)) != len(levels):
        return None
    return levels


def split_ordinal(description: str | None) -> tuple[tuple[str, ...] | None, str | None]:
    """A Text variable's description read back: the ordinal levels its last paragraph
    gives (:func:`ordinal_description`), if any, and the rest of the description."""
    if not description:
        return None, description
    head, _, last = description.rpartition("\n\n")
    levels = ordinal_levels(last)
    if levels is None:
        return None, description
    return levels, head or None


def variable_description(levels: tuple[str, ...] | None, description: str | None) -> str | None:
    """What a variable's ``Description`` holds: its description, then the ordinal
    levels as the last paragraph."""
    parts = [
        part for part in (description, ordinal_description(levels) if levels else None) if part
    ]
    return "\n\n".join(parts) or None


# --- a whole project on its way in ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncomingSource:
    """A source ready to store: ``text`` is normalised and every position in ``source``
    (codings, case selections) is a valid span of it. ``notes`` say what normalising did;
    ``memos`` are the source's own notes; ``convention`` how the producer counted its
    positions and what decided it (``None``: positions were qualcode's own)."""

    source: ExchangeSource
    text: str
    notes: tuple[str, ...] = ()
    memos: tuple[ExchangeNote, ...] = ()
    convention: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeProject:
    """A project read from a ``.qdpx`` or another qualcode project. ``sources()`` yields
    the sources one at a time (texts are read lazily; reading may raise InputError and may
    add to ``warnings``)."""

    label: str
    header: ExchangeHeader
    users: tuple[ExchangeUser, ...]
    codes: tuple[ExchangeCode, ...]
    variables: tuple[ExchangeVariable, ...]
    cases: tuple[ExchangeCase, ...]
    notes: tuple[ExchangeNote, ...]
    sources: Callable[[], Iterator[IncomingSource]]
    warnings: list[str] = field(default_factory=list)  # grows while sources are read
    sets: tuple[ExchangeSet, ...] = ()


class Identities:
    """Stored identities, or for rows without one (a project read for merging, which is
    not written to) a stand-in derived from ``transient`` and the row id."""

    def __init__(self, transient: str | None = None) -> None:
        self.transient = transient

    def __call__(self, table: str, row_id: int, guid: str | None) -> str:
        if guid:
            return guid
        if self.transient is None:
            raise ValueError(f"{table} {row_id} has no identity (run ensure_guids first)")
        return derived_guid(self.transient, f"{table}:{row_id}")


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: int
    guid: str
    name: str
    created: str | None


@dataclass(frozen=True, slots=True)
class StoredTranscript:
    id: int
    name: str
    sha256: str
    guid: str | None
    length: int


@dataclass(frozen=True, slots=True)
class SetMembers:
    """A set's member code ids and transcript ids."""

    name: str
    code_ids: tuple[int, ...]
    transcript_ids: tuple[int, ...]


Identified = Literal["attribute", "case", "code", "coder", "coding", "memo", "set", "transcript"]

"""What carries a REFI-QDA identity (a ``guid`` column), by name: services never see the
row classes."""


@dataclass(frozen=True, slots=True)
class IdentifiedCoding:
    """A coding as a merge or import writes it: ids of its transcript, code and coder, its
    span (half-open code points) and anchor text, memo, creation time (naive UTC),
    REFI-QDA identity and origin (domain/codings.py ORIGINS)."""

    transcript_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    anchor_text: str
    memo: str | None
    created_at: dt.datetime
    guid: str
    origin: str = HUMAN


def parse_exchange_time(value: str | None) -> dt.datetime:
    """An xsd:dateTime as a naive UTC time (qualcode's stored form); now if absent or
    unreadable (creation times are informative only)."""
    if value:
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
            return parsed.replace(microsecond=0)
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
