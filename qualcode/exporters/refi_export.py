"""REFI-QDA 1.5 export: a codebook (``.qdc``) and a whole project (``.qdpx``).

The ``.qdpx`` is a zip holding ``project.qde`` and one UTF-8 text file per transcript in
``sources/`` (``<guid>.txt``, the normalised text: LF line ends, NFC, no BOM). Selections
are half-open ``[startPosition, endPosition)`` Unicode code points into that file, the unit
qualcode stores. Elements are written in schema order and streamed (each part built in
memory with lxml, then written)
(one source's selections in memory at a time), so a project of any size exports in a
small, constant amount of memory beyond its codebook, cases and memos.

Each coding becomes one ``PlainTextSelection`` (GUID derived from the coding's) with one
``Coding`` carrying ``creatingUser``; a coding memo is the selection's ``Description``
(where QualCoder reads it) and also a ``Note`` referenced from the selection. A case
refers to every source it covers (``SourceRef``); one covering speakers' turns says which
turns in its description (:func:`~qualcode.domain.exchange.case_parts_description`), so no
coding-less selections appear as empty codings in other tools.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from lxml import etree

from qualcode.domain.cases import AttributeType
from qualcode.domain.exchange import (
    ExchangeCase,
    ExchangeCode,
    ExchangeHeader,
    ExchangeNote,
    ExchangeSet,
    ExchangeSource,
    ExchangeUser,
    ExchangeVariable,
    case_parts_description,
    code_description,
    derived_guid,
    variable_description,
)
from qualcode.files.writing import open_for_writing

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_ENTRY = "project.qde"
SOURCES_FOLDER = "sources"

# Characters XML 1.0 cannot hold at all; they become U+FFFD in names, memos, descriptions.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True, slots=True)
class ProjectContent:
    """Everything of a project except its source texts and codings (those stream)."""

    header: ExchangeHeader
    users: Sequence[ExchangeUser]
    codes: Sequence[ExchangeCode]
    variables: Sequence[ExchangeVariable]
    cases: Sequence[ExchangeCase]
    notes: Sequence[ExchangeNote]
    sets: Sequence[ExchangeSet] = ()
    # every value of every variable, cases' and sources' (decides Integer or Float)
    source_values: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True, slots=True)
class ExportStats:
    sources: int
    selections: int
    codings: int
    notes: int
    bytes: int


def source_entry(guid: str) -> str:
    return f"{SOURCES_FOLDER}/{guid}.txt"


# --- codebook -------------------------------------------------------------------------


def write_qdc(stream: IO[bytes], codes: Sequence[ExchangeCode]) -> None:
    """Write a ``.qdc`` codebook (root ``CodeBook`` in the codebook namespace).

    The schema requires at least one code; the caller checks there is one."""
    writer = _Writer(stream, CODEBOOK_NS)
    writer.open(_element(CODEBOOK_NS, "CodeBook"), standalone=False)
    writer.write(_codes_element(CODEBOOK_NS, codes, {}), 1)
    writer.close("CodeBook")


def _codes_element(
    ns: str, codes: Sequence[ExchangeCode], notes_by_target: dict[str, list[str]]
) -> etree._Element:
    element = _element(ns, "Codes")
    for code in codes:
        element.append(_code_element(ns, code, notes_by_target))
    return element


def _code_element(
    ns: str, code: ExchangeCode, notes_by_target: dict[str, list[str]]
) -> etree._Element:
    attrib = {"guid": code.guid, "name": xml_safe(code.spec.name)}
    attrib["isCodable"] = "true" if code.codable else "false"
    if code.spec.colour:
        attrib["color"] = code.spec.colour
    element = _element(ns, "Code", attrib)
    description = code_description(code.spec)
    if description:
        etree.SubElement(element, _tag(ns, "Description")).text = xml_safe(description)
    for note_guid in notes_by_target.get(code.guid, []):
        etree.SubElement(element, _tag(ns, "NoteRef"), targetGUID=note_guid)
    for child in code.children:
        element.append(_code_element(ns, child, notes_by_target))
    return element


# --- project --------------------------------------------------------------------------


def write_qdpx(
    path: Path,
    content: ProjectContent,
    source_texts: Callable[[], Iterable[tuple[str, str]]],
    sources: Callable[[], Iterable[ExchangeSource]],
) -> ExportStats:
    """Write a ``.qdpx`` to ``path`` through the one writer (:mod:`qualcode.files.writing`:
    no half-written file is left behind, an earlier export is replaced, nothing else).
    ``source_texts()`` yields ``(source guid, text)``; ``sources()`` yields each source
    with its codings, in the order they should appear."""
    with (
        open_for_writing(path) as out,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for guid, text in source_texts():
            archive.writestr(_zip_entry(source_entry(guid)), text.encode("utf-8"))
        project_entry = _zip_entry(PROJECT_ENTRY)
        with archive.open(project_entry, "w", force_zip64=True) as stream:
            stats = _write_qde(stream, content, sources())
    return ExportStats(
        stats.sources, stats.selections, stats.codings, stats.notes, path.stat().st_size
    )


# Every entry of a .qdpx carries this date (the ZIP format's first day), not the clock's,
# so exporting an unchanged project twice gives the same file.
ZIP_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=ZIP_ENTRY_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16  # a plain readable file, as ZipFile.writestr gives
    return entry


def _write_qde(
    stream: IO[bytes], content: ProjectContent, sources: Iterable[ExchangeSource]
) -> ExportStats:
    ns = PROJECT_NS
    notes_by_target: dict[str, list[str]] = {}
    project_notes: list[str] = []
    for note in content.notes:
        if note.target == "project" or note.target_guid is None:
            project_notes.append(note.guid)
        else:
            notes_by_target.setdefault(note.target_guid, []).append(note.guid)
    header = content.header
    attrib = {"name": xml_safe(header.name)}
    if header.origin:
        attrib["origin"] = xml_safe(header.origin)
    if header.created:
        attrib["creationDateTime"] = header.created
    coding_notes: list[ExchangeNote] = []
    counts = {"sources": 0, "selections": 0, "codings": 0}
    writer = _Writer(stream, ns)
    writer.open(_element(ns, "Project", attrib), standalone=True)
    if content.users:
        users = _element(ns, "Users")
        for user in content.users:
            etree.SubElement(users, _tag(ns, "User"), guid=user.guid, name=xml_safe(user.name))
        writer.write(users, 1)
    if content.codes:
        codebook = _element(ns, "CodeBook")
        codebook.append(_codes_element(ns, content.codes, notes_by_target))
        writer.write(codebook, 1)
    types = _variable_types(content.variables, content.cases, content.source_values)
    if content.variables:
        writer.write(_variables_element(content.variables, types), 1)
    if content.cases:
        cases = _element(ns, "Cases")
        for case in content.cases:
            cases.append(_case_element(case, types))
        writer.write(cases, 1)
    remaining = iter(sources)
    first = next(remaining, None)
    if first is not None:
        writer.raw("\n  <Sources>")
        for source in itertools.chain([first], remaining):
            element = _source_element(source, notes_by_target, coding_notes, counts)
            for variable_guid, value in source.values:
                element.append(_value_element(variable_guid, value, types))
            writer.write(element, 2)
        writer.raw("\n  </Sources>")
    all_notes = [*content.notes, *coding_notes]
    if all_notes:
        notes = _element(ns, "Notes")
        for note in all_notes:
            notes.append(_note_element(note))
        writer.write(notes, 1)
    if content.sets:
        writer.write(_sets_element(content.sets), 1)
    if header.description:
        description = _element(ns, "Description")
        description.text = xml_safe(header.description)
        writer.write(description, 1)
    for note_guid in project_notes:
        writer.write(_element(ns, "NoteRef", targetGUID=note_guid), 1)
    writer.close("Project")
    return ExportStats(
        counts["sources"], counts["selections"], counts["codings"], len(all_notes), 0
    )


def _variables_element(
    variables: Sequence[ExchangeVariable], types: dict[str, str]
) -> etree._Element:
    ns = PROJECT_NS
    element = _element(ns, "Variables")
    for variable in variables:
        definition = variable.definition
        child = etree.SubElement(
            element,
            _tag(ns, "Variable"),
            guid=variable.guid,
            name=xml_safe(definition.name),
            typeOfVariable=types[variable.guid],
        )
        levels = definition.levels if definition.type is AttributeType.ORDINAL else None
        text = variable_description(levels, variable.description)
        if text:
            etree.SubElement(child, _tag(ns, "Description")).text = xml_safe(text)
    return element


def _sets_element(sets: Sequence[ExchangeSet]) -> etree._Element:
    ns = PROJECT_NS
    element = _element(ns, "Sets")
    for named in sets:
        child = etree.SubElement(
            element, _tag(ns, "Set"), guid=named.guid, name=xml_safe(named.name)
        )
        if named.description:
            etree.SubElement(child, _tag(ns, "Description")).text = xml_safe(named.description)
        for code_guid in named.codes:
            etree.SubElement(child, _tag(ns, "MemberCode"), targetGUID=code_guid)
        for source_guid in named.sources:
            etree.SubElement(child, _tag(ns, "MemberSource"), targetGUID=source_guid)
    return element


def _variable_types(
    variables: Sequence[ExchangeVariable],
    cases: Sequence[ExchangeCase],
    source_values: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """REFI-QDA type per variable: numbers are Integer when every value is whole."""
    values: dict[str, list[str]] = {}
    for guid, value in [*(v for case in cases for v in case.values), *source_values]:
        values.setdefault(guid, []).append(value)
    types: dict[str, str] = {}
    for variable in variables:
        kind = variable.definition.type
        if kind is AttributeType.NUMBER:
            whole = all(_is_whole(value) for value in values.get(variable.guid, []))
            types[variable.guid] = "Integer" if whole else "Float"
        elif kind is AttributeType.DATE:
            types[variable.guid] = "Date"
        else:
            types[variable.guid] = "Text"
    return types


_VALUE_ELEMENT = {
    "Text": "TextValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
}


def _case_element(case: ExchangeCase, types: dict[str, str]) -> etree._Element:
    ns = PROJECT_NS
    element = _element(ns, "Case", guid=case.guid, name=xml_safe(case.name))
    parts = case_parts_description(case.selections)
    if parts:
        etree.SubElement(element, _tag(ns, "Description")).text = parts
    for variable_guid, value in case.values:
        element.append(_value_element(variable_guid, value, types))
    # Every source the case covers, whole or in part: what peers read; the parts are in
    # the description (no coding-less selections, which peers show as empty codings).
    partly = (source_guid for source_guid, _, _ in case.selections)
    for source_guid in dict.fromkeys([*case.sources, *partly]):
        etree.SubElement(element, _tag(ns, "SourceRef"), targetGUID=source_guid)
    return element


def _value_element(variable_guid: str, value: str, types: dict[str, str]) -> etree._Element:
    """A ``VariableValue`` (of a case or a source) in its variable's REFI-QDA type."""
    ns = PROJECT_NS
    kind = types.get(variable_guid, "Text")
    holder = _element(ns, "VariableValue")
    etree.SubElement(holder, _tag(ns, "VariableRef"), targetGUID=variable_guid)
    text = value
    if kind == "Integer":
        text = str(int(_decimal(value)))
    elif kind == "Float":
        text = format(_decimal(value), "f")
    etree.SubElement(holder, _tag(ns, _VALUE_ELEMENT[kind])).text = xml_safe(text)
    return holder


def _is_whole(value: str) -> bool:
    number = _decimal(value)
    return number == number.to_integral_value()


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"stored number {value!r} is not a number") from None


def _source_element(
    source: ExchangeSource,
    notes_by_target: dict[str, list[str]],
    coding_notes: list[ExchangeNote],
    counts: dict[str, int],
) -> etree._Element:
    ns = PROJECT_NS
    attrib = {
        "guid": source.guid,
        "name": xml_safe(source.name),
        "plainTextPath": f"internal://{source.guid}.txt",
    }
    if source.created:
        attrib["creationDateTime"] = source.created
    element = _element(ns, "TextSource", attrib)
    counts["sources"] += 1
    for coding in source.codings:
        selection_guid = derived_guid(coding.guid, "selection")
        attrib = {
            "guid": selection_guid,
            "startPosition": str(coding.start),
            "endPosition": str(coding.end),
        }
        if coding.user_guid:
            attrib["creatingUser"] = coding.user_guid
        if coding.created:
            attrib["creationDateTime"] = coding.created
        selection = etree.SubElement(element, _tag(ns, "PlainTextSelection"), attrib)
        if coding.memo:  # where QualCoder and others read a coding's memo
            etree.SubElement(selection, _tag(ns, "Description")).text = xml_safe(coding.memo)
        coding_attrib = {"guid": coding.guid}
        if coding.user_guid:
            coding_attrib["creatingUser"] = coding.user_guid
        if coding.created:
            coding_attrib["creationDateTime"] = coding.created
        coding_element = etree.SubElement(selection, _tag(ns, "Coding"), coding_attrib)
        etree.SubElement(coding_element, _tag(ns, "CodeRef"), targetGUID=coding.code_guid)
        if coding.memo:
            note_guid = derived_guid(coding.guid, "memo")
            etree.SubElement(selection, _tag(ns, "NoteRef"), targetGUID=note_guid)
            coding_notes.append(
                ExchangeNote(
                    note_guid, coding.memo, "coding", coding.guid, coding.user_guid, coding.created
                )
            )
        counts["selections"] += 1
        counts["codings"] += 1
    for note_guid in notes_by_target.get(source.guid, []):
        etree.SubElement(element, _tag(ns, "NoteRef"), targetGUID=note_guid)
    return element


def _note_element(note: ExchangeNote) -> etree._Element:
    ns = PROJECT_NS
    attrib = {"guid": note.guid, "name": _note_name(note.text)}
    if note.author_guid:
        attrib["creatingUser"] = note.author_guid
    if note.created:
        attrib["creationDateTime"] = note.created
    element = _element(ns, "Note", attrib)
    etree.SubElement(element, _tag(ns, "PlainTextContent")).text = xml_safe(note.text)
    return element


def _note_name(text: str) -> str:
    first = xml_safe(text.strip().split("\n", 1)[0])
    return first if len(first) <= 60 else first[:59] + "…"


# --- writing helpers ------------------------------------------------------------------


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _element(ns: str, tag: str, attrib: dict[str, str] | None = None, **extra: str) -> Any:
    """A new element in ``ns`` as the default namespace (no generated prefixes)."""
    return etree.Element(_tag(ns, tag), attrib or {}, nsmap={None: ns}, **extra)


class _Writer:
    """Streams XML: the root's start tag, whole elements built in memory (indented, in the
    root's default namespace without repeating its declaration), then the end tag."""

    def __init__(self, stream: IO[bytes], ns: str) -> None:
        self.stream = stream
        self.declaration = f' xmlns="{ns}"'.encode()
        self.ns = ns

    def open(self, root: etree._Element, *, standalone: bool) -> None:
        declaration = '<?xml version="1.0" encoding="utf-8"'
        declaration += ' standalone="yes"?>\n' if standalone else "?>\n"
        self.stream.write(declaration.encode())
        element = etree.Element(root.tag, dict(root.attrib), nsmap={None: self.ns})
        start = etree.tostring(element, encoding="utf-8")
        self.stream.write(start[: -len(b"/>")] + b">")

    def write(self, element: etree._Element, depth: int) -> None:
        etree.indent(element, space="  ", level=depth)
        etree.cleanup_namespaces(element)
        serialised = etree.tostring(element, encoding="utf-8")
        # Every element of ours is in the root's namespace: the root declares it once.
        serialised = serialised.replace(self.declaration, b"", 1)
        self.stream.write(("\n" + "  " * depth).encode() + serialised)

    def raw(self, markup: str) -> None:
        self.stream.write(markup.encode())

    def close(self, name: str) -> None:
        self.stream.write(f"\n</{name}>\n".encode())
