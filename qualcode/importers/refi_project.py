"""A ``.qdpx`` read into an :class:`ExchangeProject`: the zip checked, ``project.qde``
streamed, notes resolved to memos, and each source's text read lazily, normalised, and
its positions mapped into the normalised text (code points, half-open).

A position outside its source text, a source file that is not UTF-8 text, or a text with
control characters refuses the whole file. Sources kept outside the archive
(``relative://``, ``absolute://``) are never read: they are skipped with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.domain.exchange import (
    ExchangeCase,
    ExchangeCoding,
    ExchangeNote,
    ExchangeProject,
    ExchangeSet,
    ExchangeSource,
    IncomingSource,
)
from qualcode.files.archives import ArchiveLimits
from qualcode.importers.decoding import check_control_characters
from qualcode.importers.refi_offsets import MappedText, map_source_text
from qualcode.importers.refi_xml import RawSource, RefiDocument, read_qde
from qualcode.importers.refi_zip import SafeQdpx

_DOCUMENT_SUFFIXES = (".txt", ".docx", ".doc", ".rtf", ".pdf", ".md", ".odt")


@contextmanager
def open_qdpx(path: Path, limits: ArchiveLimits | None = None) -> Iterator[ExchangeProject]:
    """Open and read a ``.qdpx``; sources stream while the block is open."""
    with SafeQdpx(path, limits) as archive:
        entry = archive.project_entry()
        label = f"{path}:{entry.filename}"
        with archive.open(entry) as stream:
            document = read_qde(stream, label)
        yield _project(archive, document, str(path))


def _project(archive: SafeQdpx, document: RefiDocument, label: str) -> ExchangeProject:
    texts = {
        guid: _note_text(archive, note.text, note.path) for guid, note in document.notes.items()
    }
    referenced: set[str] = set(document.project_notes)
    for refs in (*document.code_notes.values(), *document.coding_notes.values()):
        referenced.update(refs)
    for raw in document.sources:
        referenced.update(raw.note_refs)
    missing_notes = len(referenced - document.notes.keys())
    if missing_notes:
        document.dangling["note reference -> note"] += missing_notes

    def note(guid: str, target: str, target_guid: str | None) -> ExchangeNote | None:
        found = document.notes.get(guid)
        if found is None or not texts.get(guid):
            return None
        return ExchangeNote(
            guid, texts[guid], target, target_guid, found.author_guid, found.created
        )

    notes: list[ExchangeNote] = []
    for guid in [*document.project_notes, *(g for g in document.notes if g not in referenced)]:
        made = note(guid, "project", None)
        if made is not None:
            notes.append(made)
    for code_guid, refs in document.code_notes.items():
        notes.extend(n for n in (note(g, "code", code_guid) for g in refs) if n is not None)

    selection_spans: dict[str, list[tuple[str, int, int]]] = {}
    for case_guid, refs in document.case_selection_refs.items():
        for ref in refs:
            found = document.selections.get(ref)
            if found is not None:
                source_guid, start, end = found
                selection_spans.setdefault(source_guid, []).append((case_guid, start, end))
    text_sources = {raw.guid for raw in document.sources}
    for case_guid, parts in document.case_parts.items():
        for source_guid, start, end in parts:
            if source_guid in text_sources:
                selection_spans.setdefault(source_guid, []).append((case_guid, start, end))
            else:
                document.dangling["case -> source"] += 1
    warnings = document.warnings()
    cases, sets = _resolved_links(document)
    if document.dangling:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(document.dangling.items()))
        warnings.append(
            f"dropped {sum(document.dangling.values())} reference(s) to things the file "
            f"does not hold ({kinds})"
        )
    unresolved = sum(
        1 for refs in document.case_selection_refs.values() for r in refs
        if r not in document.selections
    )  # fmt: skip
    if unresolved:
        warnings.append(f"ignored {unresolved} case reference(s) to unknown selections")

    def coding_memo(coding: ExchangeCoding) -> str | None:
        parts = [texts[g] for g in document.coding_notes.get(coding.guid, ()) if texts.get(g)]
        parts.extend(document.coding_texts.get(coding.guid, ()))
        # a memo written both as a note and as the selection's description is one memo
        unique = {part.strip(): part for part in reversed(parts) if part.strip()}
        return "\n\n".join(reversed(unique.values())) if unique else None

    def sources() -> Iterator[IncomingSource]:
        for raw in document.sources:
            text = _source_text(archive, raw, label, warnings)
            if text is None:
                continue
            memos = tuple(n for n in (note(g, "source", raw.guid) for g in raw.note_refs) if n)
            if raw.description and raw.description.strip():
                memos += (ExchangeNote(raw.guid, raw.description, "source", raw.guid),)
            yield _mapped_source(
                raw,
                text,
                selection_spans.get(raw.guid, []),
                coding_memo,
                memos,
                label,
                warnings,
                document.header.origin,
            )

    return ExchangeProject(
        label=label,
        header=document.header,
        users=tuple(document.users),
        codes=tuple(document.codes),
        variables=tuple(document.variables),
        cases=cases,
        notes=tuple(notes),
        sources=sources,
        warnings=warnings,
        sets=sets,
    )


def _resolved_links(
    document: RefiDocument,
) -> tuple[tuple[ExchangeCase, ...], tuple[ExchangeSet, ...]]:
    """Cases and sets without references to sources and codes the file does not hold
    (counted in ``document.dangling``; a case's link to a skipped PDF or picture is not
    dangling, just not imported)."""
    sources = {raw.guid for raw in document.sources}
    codes: set[str] = set()
    stack = list(document.codes)
    while stack:
        code = stack.pop()
        codes.add(code.guid)
        stack.extend(code.children)

    def kept(refs: tuple[str, ...], known: set[str], kind: str) -> tuple[str, ...]:
        found = tuple(ref for ref in refs if ref in known)
        document.dangling[kind] += sum(
            1 for ref in refs if ref not in known and ref not in document.media_guids
        )
        return found

    cases = tuple(
        ExchangeCase(c.guid, c.name, c.values, kept(c.sources, sources, "case -> source"), ())
        for c in document.cases
    )
    sets = tuple(
        ExchangeSet(
            s.guid,
            s.name,
            s.description,
            kept(s.codes, codes, "set -> code"),
            kept(s.sources, sources, "set -> source"),
        )
        for s in document.sets
    )
    for kind in ("case -> source", "set -> code", "set -> source"):
        if not document.dangling[kind]:
            del document.dangling[kind]
    return cases, sets


def _mapped_source(
    raw: RawSource,
    text: str,
    case_spans: list[tuple[str, int, int]],
    coding_memo: Callable[[ExchangeCoding], str | None],
    memos: tuple[ExchangeNote, ...],
    label: str,
    warnings: list[str],
    origin: str | None,
) -> IncomingSource:
    mapped = map_source_text(
        text, raw.selections, origin=origin, where=f"{label}: source {raw.name!r}"
    )
    if mapped.thin:
        warnings.append(
            f"source {raw.name!r}: positions read as {mapped.summary()}; check its codings"
        )
    length = len(mapped.text)
    codings: list[ExchangeCoding] = []
    empty = 0
    for coding in raw.codings:
        if coding.end == -1:  # coded as a whole source
            start, end = 0, length
        else:
            start, end = _span(mapped, coding.start, coding.end, raw, label)
        if start == end:
            empty += 1
            continue
        codings.append(replace(coding, start=start, end=end, memo=coding_memo(coding)))
    cases: list[tuple[str, int, int]] = []
    for case_guid, s, e in case_spans:
        start, end = _span(mapped, s, e, raw, label)
        if start < end:
            cases.append((case_guid, start, end))
    if empty:
        warnings.append(f"source {raw.name!r}: skipped {empty} empty selection(s)")
    source = ExchangeSource(
        raw.guid, _transcript_name(raw.name), tuple(codings), tuple(cases), values=tuple(raw.values)
    )
    return IncomingSource(source, mapped.text, mapped.notes, memos, mapped.summary())


def _span(mapped: MappedText, start: int, end: int, raw: RawSource, label: str) -> tuple[int, int]:
    mapped_start, mapped_end = mapped.start(start), mapped.end(end)
    if mapped_start is None or mapped_end is None or mapped_end < mapped_start:
        raise InputError(
            label,
            f"source {raw.name!r}: selection {start}:{end} is outside the source text "
            f"({mapped.raw_length} characters)",
        )
    return mapped_start, mapped_end


def _transcript_name(name: str) -> str:
    lowered = name.lower()
    for suffix in _DOCUMENT_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _source_text(archive: SafeQdpx, raw: RawSource, label: str, warnings: list[str]) -> str | None:
    if raw.content is not None:
        text = raw.content
        where = f"{label}: source {raw.name!r}"
    else:
        path = raw.plain_text_path or ""
        if not path.lower().startswith("internal://"):
            reason = "no plain text" if not path else f"kept outside the file ({path})"
            warnings.append(f"skipped text source {raw.name!r}: {reason}")
            return None
        info = archive.internal(path)
        if info is None:
            warnings.append(f"skipped text source {raw.name!r}: {path} is not in the file")
            return None
        where = f"{archive.source}:{info.filename}"
        text = _decode(archive.read_bytes(info), where)
    check_control_characters(text.replace("\r", "\n"), where)
    return text


def _decode(data: bytes, where: str) -> str:
    codec = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(where, f"source text is not {codec.upper()}", offset=error.start) from None


def _note_text(archive: SafeQdpx, text: str | None, path: str | None) -> str:
    if text is not None:
        return text
    if path and path.lower().startswith("internal://"):
        info = archive.internal(path)
        if info is not None:
            where = f"{archive.source}:{info.filename}"
            return _decode(archive.read_bytes(info), where).removeprefix("\ufeff")
    return ""
