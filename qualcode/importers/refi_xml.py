"""Reading REFI-QDA XML (``project.qde``, ``.qdc``) from untrusted files.

Parsing is streamed (``lxml.etree.iterparse``; each source is dropped once read) with
entity resolution, DTD loading and network access off. Any DTD is refused outright
before parsing: the prolog is scanned for ``<!DOCTYPE``/``<!ENTITY`` and the parser's
document info is checked again at the root, so no entity (billion laughs, XXE) is ever
declared. A document that is not well-formed is refused with its line and column.

What the big tools write is accepted: missing optional attributes (a missing GUID gets a
new one, a missing name a placeholder), GUIDs in braces or upper case, ``isCodable`` as
``false``/``0``, ``#RGB`` colours, text given as ``PlainTextContent``. PDF, picture, audio
and video sources (and their selections) are skipped and counted; unknown elements are
counted and reported as warnings, never fatal. Positions are kept as the producer wrote
them; the caller maps them into normalised text (see ``refi_offsets``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any

from lxml import etree

from qualcode.domain.cases import AttributeDef, AttributeType, normalise_attribute_value
from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.exchange import (
    ExchangeCase,
    ExchangeCode,
    ExchangeCoding,
    ExchangeHeader,
    ExchangeSet,
    ExchangeUser,
    ExchangeVariable,
    case_parts,
    new_guid,
    normalise_guid,
    spec_from_description,
    split_ordinal,
)
from qualcode.domain.text_entry import MAX_CODE_DEPTH, parse_integer, tidy_name

_PROLOG_SCAN_BYTES = 64 * 1024
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MEDIA_SOURCES = {"PDFSource", "PictureSource", "AudioSource", "VideoSource"}
_COLOUR = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


@dataclass(slots=True)
class RawNote:
    guid: str
    text: str | None
    path: str | None
    author_guid: str | None
    created: str | None


@dataclass(slots=True)
class RawSource:
    """A text source as written: positions are the producer's, not yet mapped."""

    guid: str
    name: str
    plain_text_path: str | None
    content: str | None
    codings: list[ExchangeCoding] = field(default_factory=list)
    # every selection as written, (start, end, name or None): the evidence for how the
    # producer counted positions (refi_offsets)
    selections: list[tuple[int, int, str | None]] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    description: str | None = None
    values: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class RefiDocument:
    """Everything read from a ``project.qde`` (or a ``.qdc``: codes only)."""

    header: ExchangeHeader = field(default_factory=lambda: ExchangeHeader(name="project"))
    creating_user: str | None = None
    users: list[ExchangeUser] = field(default_factory=list)
    codes: list[ExchangeCode] = field(default_factory=list)
    code_notes: dict[str, list[str]] = field(default_factory=dict)
    variables: list[ExchangeVariable] = field(default_factory=list)
    cases: list[ExchangeCase] = field(default_factory=list)
    case_selection_refs: dict[str, list[str]] = field(default_factory=dict)
    # case guid -> (source guid, start, end) from the case's description (our own export)
    case_parts: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    sources: list[RawSource] = field(default_factory=list)
    selections: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    coding_notes: dict[str, list[str]] = field(default_factory=dict)
    coding_texts: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, RawNote] = field(default_factory=dict)
    project_notes: list[str] = field(default_factory=list)
    sets: list[ExchangeSet] = field(default_factory=list)
    # references to things the file does not hold, by kind ("case -> source", ...)
    dangling: Counter[str] = field(default_factory=Counter)
    media_guids: set[str] = field(default_factory=set)
    skipped_sources: Counter[str] = field(default_factory=Counter)
    skipped_selections: int = 0
    unknown: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)

    def warnings(self) -> list[str]:
        notes: list[str] = []
        if self.skipped_sources:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped_sources.items()))
            notes.append(
                f"skipped {sum(self.skipped_sources.values())} non-text source(s) ({kinds}) "
                f"and their {self.skipped_selections} selection(s)"
            )
        for what, count in sorted(self.ignored.items()):
            notes.append(f"skipped {count} {what} (not supported by qualcode)")
        if self.unknown:
            names = ", ".join(f"{name} ({n})" for name, n in sorted(self.unknown.items()))
            notes.append(f"ignored unknown elements: {names}")
        return notes


def local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class _Guarded:
    """A byte stream whose prolog was checked for DTDs before the parser sees it."""

    def __init__(self, stream: IO[bytes], source: str) -> None:
        self.stream = stream
        head = stream.read(_PROLOG_SCAN_BYTES)
        probe = head
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2].count(b"\x00") == 1:
            probe = head.decode("utf-16", errors="ignore").encode("utf-8")
        if _FORBIDDEN.search(probe):
            raise InputError(source, "refused: XML with a DTD or entity declarations")
        self.head = head
        self.saw_declaration = False  # past the scanned head (see safe_iterparse)
        self._tail = head[-16:]

    def read(self, size: int = -1) -> bytes:
        if self.head:
            chunk, self.head = self.head, b""
            return chunk
        chunk = self.stream.read(size)
        if not self.saw_declaration and _FORBIDDEN.search(self._tail + chunk):
            self.saw_declaration = True
        self._tail = chunk[-16:]
        return chunk


def safe_iterparse(stream: IO[bytes], source: str) -> Iterator[tuple[str, Any]]:
    """``(event, element)`` for ``start`` and ``end`` events, refusing any DTD."""
    guarded = _Guarded(stream, source)
    parser = etree.iterparse(
        guarded,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    first = True
    try:
        for event, element in parser:
            if first:
                first = False
                if element.getroottree().docinfo.doctype:
                    raise InputError(source, "refused: XML with a DTD")
            yield event, element
    except etree.XMLSyntaxError as error:
        if guarded.saw_declaration:  # a DTD past the scanned head broke the parse
            raise InputError(source, "refused: XML with a DTD or entity declarations") from None
        line, column = error.position if error.position else (None, None)
        message = str(error.msg or error).split(", line ")[0]
        raise InputError(
            source, f"not well-formed XML: {message}", line=line, column=column
        ) from None
    if first:
        raise InputError(source, "empty XML document")


def read_qdc(stream: IO[bytes], source: str) -> RefiDocument:
    """Read a ``.qdc`` codebook (root ``CodeBook``)."""
    document = RefiDocument()
    reader = _Reader(document, source)
    for event, element in safe_iterparse(stream, source):
        if event == "start":
            if element.getparent() is None and local(element) != "CodeBook":
                raise InputError(source, f"not a REFI-QDA codebook (root <{local(element)}>)")
            continue
        if element.getparent() is None:
            for child in element:
                if local(child) == "Codes":
                    document.codes = reader.codes(child)
                elif local(child) == "Sets":
                    document.ignored["sets"] += len(child)
                else:
                    document.unknown[local(child)] += 1
    return document


MAX_SELECTIONS = 500_000
"""Most selections (codings' places) a ``project.qde`` may hold (with the next limit, an
import stays under 1 GB of memory)."""
MAX_SOURCE_SELECTIONS = 50_000
"""Most selections in one source: a source's XML is held whole until it ends (some 4 KB a
selection)."""
MAX_ELEMENTS = 2_000_000
"""Most XML elements in a ``project.qde`` (a source's elements are held until it ends)."""


def read_qde(stream: IO[bytes], source: str) -> RefiDocument:
    """Read a ``project.qde`` (root ``Project``), streaming the sources. Refuses (as
    :class:`LimitError`, before reading further) more than :data:`MAX_SELECTIONS`
    selections, :data:`MAX_SOURCE_SELECTIONS` in one source, or :data:`MAX_ELEMENTS`
    elements."""
    document = RefiDocument()
    reader = _Reader(document, source)
    depth = elements = selections = in_source = 0
    for event, element in safe_iterparse(stream, source):
        if event == "start":
            depth += 1
            elements += 1
            if depth == 1:
                reader.project(element)
            elif depth == 3:
                in_source = 0
            elif isinstance(element.tag, str) and element.tag.endswith("Selection"):
                selections, in_source = selections + 1, in_source + 1
                if selections > MAX_SELECTIONS:
                    raise _over_limit(source, element, f"{MAX_SELECTIONS:,} selections")
                if in_source > MAX_SOURCE_SELECTIONS:
                    limit = f"{MAX_SOURCE_SELECTIONS:,} selections in one source"
                    raise _over_limit(source, element, limit)
            if elements > MAX_ELEMENTS:
                raise _over_limit(source, element, f"{MAX_ELEMENTS:,} XML elements")
            continue
        depth -= 1
        name = local(element)
        if depth == 2 and local(element.getparent()) == "Sources":
            reader.source(element)
            _drop(element)
        elif depth == 1:
            reader.section(element, name)
            _drop(element)
    return document


def _over_limit(source: str, element: Any, limit: str) -> LimitError:
    return LimitError(
        source,
        f"refused: more than {limit} (qualcode's limit for one project file; "
        "split the project, e.g. export it in parts)",
        line=element.sourceline,
    )


def _drop(element: Any) -> None:
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Reader:
    def __init__(self, document: RefiDocument, source: str) -> None:
        self.document = document
        self.where = source
        self.definitions: dict[str, AttributeDef] = {}

    def project(self, element: Any) -> None:
        if local(element) == "CodeBook":
            raise InputError(
                self.where,
                "this is a codebook (.qdc), not a project: "
                "use qualcode codebook PROJECT import FILE.qdc",
            )
        if local(element) != "Project":
            raise InputError(self.where, f"not a REFI-QDA project (root <{local(element)}>)")
        self.document.header = ExchangeHeader(
            name=element.get("name") or "project",
            origin=element.get("origin"),
            created=element.get("creationDateTime"),
        )
        self.document.creating_user = normalise_guid(element.get("creatingUserGUID"))

    def section(self, element: Any, name: str) -> None:
        document = self.document
        if name == "Users":
            document.users = [self.user(child) for child in self.children(element, "User")]
        elif name == "CodeBook":
            for child in self.children(element, "Codes"):
                document.codes.extend(self.codes(child))
        elif name == "Variables":
            document.variables = [
                self.variable(child) for child in self.children(element, "Variable")
            ]
            self.definitions = {v.guid: v.definition for v in document.variables}
        elif name == "Cases":
            self.definitions = {v.guid: v.definition for v in document.variables}
            document.cases = [self.case(child) for child in self.children(element, "Case")]
        elif name == "Notes":
            for child in self.children(element, "Note"):
                note = self.note(child)
                document.notes[note.guid] = note
        elif name == "Description":
            document.header = _with_description(document.header, element.text)
        elif name == "NoteRef":
            self.note_ref(element, document.project_notes)
        elif name == "Sets":
            document.sets = [self.set(child) for child in self.children(element, "Set")]
        elif name in ("Links", "Graphs"):
            document.ignored[name.lower()] += len(element)
        elif name != "Sources":
            document.unknown[name] += 1

    def children(self, element: Any, wanted: str) -> Iterator[Any]:
        for child in element:
            if local(child) == wanted:
                yield child
            elif local(child):
                self.document.unknown[local(child)] += 1

    def guid(self, element: Any, attribute: str = "guid") -> str:
        return normalise_guid(element.get(attribute)) or new_guid()

    def user(self, element: Any) -> ExchangeUser:
        guid = self.guid(element)
        name = self.name(element, "user", guid)
        return ExchangeUser(guid, name)

    def name(self, element: Any, kind: str, guid: str, fallback: str | None = None) -> str:
        """The element's ``name`` tidied to the identifier rule (text_entry.tidy_name)."""
        where = f"{self.where}: {kind} {guid}"
        return tidy_name(element.get("name") or "", where, fallback or f"{kind}-{guid[:8]}")

    def codes(self, element: Any) -> list[ExchangeCode]:
        return [self.code(child, 1) for child in self.children(element, "Code")]

    def code(self, element: Any, level: int) -> ExchangeCode:
        guid = self.guid(element)
        if level > MAX_CODE_DEPTH:
            reason = f"code {guid}: codes are nested more than {MAX_CODE_DEPTH} levels deep"
            raise LimitError(self.where, reason)
        name = self.name(element, "code", guid, "unnamed code")
        codable = (element.get("isCodable") or "true").strip().lower() not in ("false", "0")
        colour = element.get("color")
        match = _COLOUR.fullmatch((colour or "").strip())
        if match:
            digits = match.group(1)
            colour = "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))
        else:
            colour = None
        description: str | None = None
        children: list[ExchangeCode] = []
        for child in element:
            kind = local(child)
            if kind == "Description":
                description = child.text
            elif kind == "NoteRef":
                self.note_ref(child, self.document.code_notes.setdefault(guid, []))
            elif kind == "Code":
                children.append(self.code(child, level + 1))
            elif kind:
                self.document.unknown[kind] += 1
        spec = replace(spec_from_description(name, description, colour), codable=codable)
        return ExchangeCode(guid, spec, codable, tuple(children))

    def variable(self, element: Any) -> ExchangeVariable:
        guid = self.guid(element)
        name = self.name(element, "variable", guid)
        kind = (element.get("typeOfVariable") or "Text").strip()
        description = None
        for child in element:
            if local(child) == "Description":
                description = child.text
        if kind in ("Integer", "Float"):
            definition = AttributeDef(name, AttributeType.NUMBER)
        elif kind == "Date":
            definition = AttributeDef(name, AttributeType.DATE)
        else:
            levels, description = (
                split_ordinal(description) if kind == "Text" else (None, description)
            )
            definition = (
                AttributeDef(name, AttributeType.ORDINAL, levels)
                if levels
                else AttributeDef(name, AttributeType.TEXT)
            )
        kept = description if description and description.strip() else None
        return ExchangeVariable(guid, definition, kept)

    def set(self, element: Any) -> ExchangeSet:
        guid = self.guid(element)
        name = self.name(element, "set", guid)
        description = None
        codes: list[str] = []
        sources: list[str] = []
        for child in element:
            kind = local(child)
            target = normalise_guid(child.get("targetGUID"))
            if kind == "Description":
                description = child.text
            elif kind == "MemberCode" and target:
                codes.append(target)
            elif kind == "MemberSource" and target:
                sources.append(target)
            elif kind == "MemberNote":
                self.document.ignored["set member note(s)"] += 1
            elif kind:
                self.document.unknown[kind] += 1
        return ExchangeSet(guid, name, description, tuple(codes), tuple(sources))

    def case(self, element: Any) -> ExchangeCase:
        guid = self.guid(element)
        name = self.name(element, "case", guid)
        values: list[tuple[str, str]] = []
        sources: list[str] = []
        for child in element:
            kind = local(child)
            if kind == "VariableValue":
                value = self.variable_value(child)
                if value is not None:
                    values.append(value)
            elif kind == "SourceRef":
                target = normalise_guid(child.get("targetGUID"))
                if target:
                    sources.append(target)
            elif kind == "SelectionRef":
                target = normalise_guid(child.get("targetGUID"))
                if target:
                    self.document.case_selection_refs.setdefault(guid, []).append(target)
            elif kind == "Description":
                parts, other = case_parts(child.text)
                if parts:
                    self.document.case_parts[guid] = parts
                if other:
                    self.document.ignored["case description(s)"] += 1
            elif kind == "CodeRef":
                self.document.ignored[f"case {kind} element(s)"] += 1
            elif kind:
                self.document.unknown[kind] += 1
        partly = {source for source, _, _ in self.document.case_parts.get(guid, ())}
        whole = tuple(source for source in sources if source not in partly)
        return ExchangeCase(guid, name, tuple(values), whole)

    def variable_value(self, element: Any) -> tuple[str, str] | None:
        variable: str | None = None
        value: str | None = None
        kind = ""
        for child in element:
            if local(child) == "VariableRef":
                variable = normalise_guid(child.get("targetGUID"))
            elif local(child).endswith("Value"):
                kind, value = local(child), (child.text or "").strip()
        if variable is None or not value:
            return None
        definition = self.definitions.get(variable)
        if definition is None:
            self.document.dangling["value -> variable"] += 1
            return None
        if kind == "BooleanValue":
            value = "true" if value.lower() in ("true", "1") else "false"
        try:
            return variable, normalise_attribute_value(definition, value)
        except ValueError as error:
            raise InputError(self.where, f"case value: {error}") from None

    def note(self, element: Any) -> RawNote:
        guid = self.guid(element)
        text = None
        for child in element:
            if local(child) == "PlainTextContent":
                text = child.text or ""
            elif local(child) == "Description" and text is None:
                text = child.text
        return RawNote(
            guid,
            text,
            element.get("plainTextPath"),
            normalise_guid(element.get("creatingUser")),
            element.get("creationDateTime"),
        )

    def note_ref(self, element: Any, into: list[str]) -> None:
        target = normalise_guid(element.get("targetGUID"))
        if target:
            into.append(target)

    def source(self, element: Any) -> None:
        kind = local(element)
        document = self.document
        if kind in _MEDIA_SOURCES:
            document.skipped_sources[kind] += 1
            document.media_guids.add(self.guid(element))
            document.skipped_selections += sum(
                1 for e in element.iter() if local(e).endswith("Selection")
            )
            return
        if kind != "TextSource":
            document.unknown[kind] += 1
            return
        guid = self.guid(element)
        raw = RawSource(
            guid,
            self.name(element, "source", guid),
            element.get("plainTextPath"),
            None,
        )
        fallback_user = normalise_guid(element.get("creatingUser")) or document.creating_user
        for child in element:
            part = local(child)
            if part == "PlainTextContent":
                raw.content = child.text or ""
            elif part == "Description":
                raw.description = child.text
            elif part == "PlainTextSelection":
                self.selection(child, raw, fallback_user)
            elif part == "Coding":
                # A coding of the whole source: its span is set once the text is known.
                coding = self.coding(child, fallback_user, 0, -1)
                if coding is not None:
                    raw.codings.append(coding)
            elif part == "NoteRef":
                self.note_ref(child, raw.note_refs)
            elif part == "VariableValue":
                value = self.variable_value(child)
                if value is not None:
                    raw.values.append(value)
            elif part:
                document.unknown[part] += 1
        document.sources.append(raw)

    def selection(self, element: Any, raw: RawSource, fallback_user: str | None) -> None:
        guid = self.guid(element)
        start, end = (
            _position(element, "startPosition", self.where),
            _position(element, "endPosition", self.where),
        )
        self.document.selections[guid] = (raw.guid, start, end)
        raw.selections.append((start, end, element.get("name")))
        user = normalise_guid(element.get("creatingUser")) or fallback_user
        memo_refs: list[str] = []
        description = None
        codings: list[ExchangeCoding] = []
        for child in element:
            part = local(child)
            if part == "Coding":
                coding = self.coding(child, user, start, end)
                if coding is not None:
                    codings.append(coding)
            elif part == "NoteRef":
                self.note_ref(child, memo_refs)
            elif part == "Description":
                description = child.text
            elif part:
                self.document.unknown[part] += 1
        for coding in codings:
            if memo_refs:
                self.document.coding_notes.setdefault(coding.guid, []).extend(memo_refs)
            if description and description.strip():
                self.document.coding_texts.setdefault(coding.guid, []).append(description)
        raw.codings.extend(codings)

    def coding(
        self, element: Any, fallback_user: str | None, start: int, end: int
    ) -> ExchangeCoding | None:
        guid = self.guid(element)
        code: str | None = None
        for child in element:
            if local(child) == "CodeRef":
                code = normalise_guid(child.get("targetGUID"))
            elif local(child) == "NoteRef":
                refs: list[str] = []
                self.note_ref(child, refs)
                if refs:
                    self.document.coding_notes.setdefault(guid, []).extend(refs)
        if code is None:
            self.document.ignored["coding(s) without a code"] += 1
            return None
        user = normalise_guid(element.get("creatingUser")) or fallback_user
        return ExchangeCoding(guid, start, end, code, user, element.get("creationDateTime"))


def _position(element: Any, attribute: str, source: str) -> int:
    value = element.get(attribute) or ""
    where = element.get("guid") or "?"
    if value.strip().startswith("-") and value.strip()[1:].isdigit():
        raise InputError(source, f"selection {where}: negative {attribute}")
    # ASCII digits only, within 64 bits: a 30-digit offset is one line, not OverflowError
    return parse_integer(value, f"{source}: selection {where}: {attribute}")


def _with_description(header: ExchangeHeader, text: str | None) -> ExchangeHeader:
    return ExchangeHeader(header.name, header.origin, text, header.created, header.warnings)
