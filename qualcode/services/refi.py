"""REFI-QDA exchange use cases: export a codebook (.qdc) or project (.qdpx), import a
project into a new one, import a .qdc codebook, merge another project in.

Identities: rows get a GUID when first exported (one short write transaction), so
exporting twice gives the same GUIDs; imported rows keep the file's GUIDs.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import qualcode
from qualcode.domain.codebook import join_path, path_key
from qualcode.domain.errors import FieldError, InputError, NotFoundError, ProjectError
from qualcode.domain.events import Action
from qualcode.domain.exchange import (
    ExchangeCode,
    ExchangeHeader,
    ExchangeNote,
    ExchangeProject,
    ExchangeSource,
    Identities,
    IncomingSource,
    merged_definition,
)
from qualcode.domain.text_entry import name_key
from qualcode.exporters.refi_export import ExportStats, ProjectContent, write_qdc, write_qdpx
from qualcode.files.archives import ArchiveLimits
from qualcode.files.reading import DEFAULT_LIMIT, open_regular
from qualcode.files.writing import check_target, occupied
from qualcode.importers.refi_project import open_qdpx
from qualcode.importers.refi_xml import read_qdc
from qualcode.services.blind_rounds import refuse_in_round
from qualcode.services.codebook import CodebookImport
from qualcode.services.integrity import ensure_project_sound, ensure_sound
from qualcode.services.merge import PROJECT_DESCRIPTION_SETTING, merge_exchange, plan_fuzzy
from qualcode.services.merge_report import MergeReport
from qualcode.storage.database import Project, open_project
from qualcode.storage.sqlite_file import is_url, remove_project_file
from qualcode.storage.unit_of_work import UnitOfWork

ORIGIN = f"qualcode {qualcode.__version__}"


def assign_identities(project: Project) -> int:
    """Give every row without a GUID one (skipped when none is missing, and on a read-only
    project, which exports with stand-ins instead: see :func:`export_identities`)."""
    if project.read_only:
        return 0
    with project.reading() as uow:
        if uow.refi.missing_guids() == 0:
            return 0
    with project.unit_of_work() as uow:
        return uow.refi.ensure_guids()


# --- export ---------------------------------------------------------------------------


def export_identities(project: Project) -> Identities:
    """The identities an export uses: the stored GUIDs (given first to rows without one);
    on a read-only project, which cannot store them, rows without one get stand-ins
    derived from the project's location and row ids (the same on every export)."""
    assign_identities(project)
    if not project.read_only:
        return Identities()
    return Identities(str(uuid.uuid5(uuid.NAMESPACE_URL, _resolved(project.location))))


def _resolved(location: str) -> str:
    return location if is_url(location) else str(Path(location).resolve())


def export_qdc(project: Project) -> bytes:
    """The codebook as a ``.qdc`` document. Raises when there are no codes (the schema
    needs at least one)."""
    ensure_project_sound(project)
    ids = export_identities(project)
    with project.reading() as uow:
        codes = uow.refi.exchange_codes(ids)
    if not codes:
        raise InputError(project.location, "the project has no codes to export")
    buffer = io.BytesIO()
    write_qdc(buffer, codes)
    return buffer.getvalue()


def export_qdpx(project: Project, path: Path) -> ExportStats:
    """Write the whole project as a ``.qdpx`` (through the one writer; the target is
    checked before anything is read)."""
    check_target(path)
    ensure_project_sound(project)
    refuse_in_round(project, "exporting the project")
    ids = export_identities(project)
    with project.reading() as uow:
        content = project_content(project, uow, ids)
        infos = uow.refi.source_infos(ids)
        case_spans: dict[str, list[tuple[str, int, int]]] = {}
        for case in content.cases:
            for source_guid, start, end in case.selections:
                case_spans.setdefault(source_guid, []).append((case.guid, start, end))

        def texts() -> Iterator[tuple[str, str]]:
            for info in infos:
                yield info.guid, uow.refi.source_text(info.id)

        def sources() -> Iterator[ExchangeSource]:
            return uow.refi.exchange_sources(infos, case_spans, ids)

        return write_qdpx(path, content, texts, sources)


def project_content(
    project: Project, uow: UnitOfWork, ids: Identities | None = None
) -> ProjectContent:
    identities = ids or Identities()
    users = uow.refi.exchange_users(identities)
    description = uow.settings.get(PROJECT_DESCRIPTION_SETTING)
    header = ExchangeHeader(
        name=project_name(project.location),
        origin=ORIGIN,
        description=description if isinstance(description, str) else None,
    )
    return ProjectContent(
        header=header,
        users=users,
        codes=uow.refi.exchange_codes(identities),
        variables=uow.refi.exchange_variables(identities),
        cases=uow.refi.exchange_cases(identities),
        notes=uow.refi.exchange_notes(users, identities),
        sets=uow.refi_sets.exchange_sets(identities),
        source_values=[
            value for values in uow.refi.transcript_values(identities).values() for value in values
        ],
    )


def project_name(location: str) -> str:
    if is_url(location):
        return location.rsplit("/", 1)[-1] or "project"
    return Path(location).stem or "project"


# --- import -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    location: str
    created: bool
    report: MergeReport


def import_project(
    location: str, file: Path, *, limits: ArchiveLimits | None = None
) -> ImportResult:
    """Import a ``.qdpx`` into a new project (created at ``location`` if it does not
    exist) or an empty one. One transaction; on any error nothing is kept (a project file
    created for the import is removed again)."""
    _check_qdpx_name(file)
    created = not is_url(location) and not Path(location).exists()
    if not is_url(location) and not created and not os.path.islink(location):
        occupied(location)  # a pipe, device or folder: refused before anything opens it
    project = open_project(location, create=created)
    try:
        with project.reading() as uow:
            counts = uow.settings.counts()
        if counts.transcripts or counts.codes or counts.codings:
            raise ProjectError(
                f"{project.location}: already has {counts.transcripts} transcript(s) and "
                f"{counts.codes} code(s); import into a new project, or combine with: "
                f"qualcode merge {location} {file}"
            )
        with open_qdpx(file, limits) as incoming, project.unit_of_work() as uow:
            report = merge_exchange(uow, incoming)
            uow.events.log(
                Action.IMPORT_PROJECT,
                f"imported {file.name}: {len(report.transcripts_added)} transcripts, "
                f"{report.codings_added} codings",
                {"source": str(file), "report": report.as_dict()},
            )
    except BaseException:
        project.close()
        if created:
            remove_project_file(location)
        raise
    project.close()
    return ImportResult(project.location, created, report)


def _check_qdpx_name(file: Path) -> None:
    if file.suffix.lower() == ".qdc":
        raise InputError(
            str(file), "a .qdc is a codebook: use qualcode codebook PROJECT import FILE.qdc"
        )


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def merge_projects(
    project: Project,
    other: str,
    *,
    renames: dict[str, str] | None = None,
    dry_run: bool = False,
    limits: ArchiveLimits | None = None,
) -> MergeReport:
    """Merge another project (a ``.qdpx`` file or a qualcode project) into ``project`` in
    one transaction; ``dry_run`` reports the same but rolls everything back."""
    report: MergeReport | None = None
    with _incoming(other, limits) as incoming:
        # Fuzzy matching of long texts is quadratic: worked out before the write lock.
        with project.reading() as uow:
            fuzzy = plan_fuzzy(uow, incoming)
        try:
            with project.unit_of_work() as uow:
                ensure_sound(uow, project.location)
                report = merge_exchange(uow, incoming, renames, fuzzy)
                report.dry_run = dry_run
                if dry_run:
                    raise _DryRun
                uow.events.log(
                    Action.MERGE,
                    f"merged {Path(other).name}: {report.codings_added} codings added",
                    {"source": other, "report": report.as_dict()},
                )
        except _DryRun:
            pass
    assert report is not None
    return report


@contextmanager
def _incoming(other: str, limits: ArchiveLimits | None) -> Iterator[ExchangeProject]:
    path = Path(other)
    if not is_url(other) and path.suffix.lower() in (".qdpx", ".zip"):
        with open_qdpx(path, limits) as incoming:
            yield incoming
        return
    _check_qdpx_name(path)
    opened = open_project(other)
    try:
        with opened.reading() as uow:
            ensure_sound(uow, other)
            yield _from_project(opened, uow)
    finally:
        opened.close()


def _from_project(project: Project, uow: UnitOfWork) -> ExchangeProject:
    """Another qualcode project seen as an exchange project. It is not written to: rows
    without an identity get stand-ins derived from the project's location and row ids, so
    merging the same copy again recognises what came in the first time."""
    ids = Identities(str(uuid.uuid5(uuid.NAMESPACE_URL, _resolved(project.location))))
    content = project_content(project, uow, ids)
    infos = uow.refi.source_infos(ids)
    case_spans: dict[str, list[tuple[str, int, int]]] = {}
    for case in content.cases:
        for source_guid, start, end in case.selections:
            case_spans.setdefault(source_guid, []).append((case.guid, start, end))
    ids_by_guid = {info.guid: info.id for info in infos}
    source_notes: dict[str, list[ExchangeNote]] = {}
    for note in content.notes:
        if note.target == "source" and note.target_guid:
            source_notes.setdefault(note.target_guid, []).append(note)

    def sources() -> Iterator[IncomingSource]:
        for source in uow.refi.exchange_sources(infos, case_spans, ids):
            text = uow.refi.source_text(ids_by_guid[source.guid])
            yield IncomingSource(source, text, (), tuple(source_notes.get(source.guid, ())))

    return ExchangeProject(
        label=project.location,
        header=content.header,
        users=tuple(content.users),
        codes=tuple(content.codes),
        variables=tuple(content.variables),
        cases=tuple(content.cases),
        notes=tuple(n for n in content.notes if n.target != "source"),
        sources=sources,
        sets=tuple(content.sets),
    )


# --- sets as filters ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetFilter:
    """What named sets select: code paths (each with its sub-codes where the command
    counts them) and transcript names, in the project's order."""

    codes: tuple[str, ...]
    transcripts: tuple[str, ...]


def set_filter(project: Project, names: Sequence[str]) -> SetFilter:
    """The union of the members of the sets ``names`` (exact name, else one that looks
    alike). Raises :class:`NotFoundError` for an unknown set and ``FieldError('set')``
    for a set without members."""
    with project.reading() as uow:
        sets = uow.refi_sets.set_members()
        code_ids: set[int] = set()
        transcript_ids: set[int] = set()
        by_key = {name_key(name): found for name, found in sets.items()}
        for name in names:
            found = sets.get(name) or by_key.get(name_key(name))
            if found is None:
                known = ", ".join(sorted(sets)) or "none"
                raise NotFoundError(f"{project.location}: no set named {name!r} (sets: {known})")
            if not found.code_ids and not found.transcript_ids:
                raise FieldError("set", f"set {found.name!r} has no members")
            code_ids.update(found.code_ids)
            transcript_ids.update(found.transcript_ids)
        codes = tuple(code.path for code in uow.codebook.codes() if code.id in code_ids)
        transcripts = tuple(t.name for t in uow.refi.stored_transcripts() if t.id in transcript_ids)
    return SetFilter(codes, transcripts)


# --- codebook (.qdc) ----------------------------------------------------------------------


def import_qdc(project: Project, path: Path) -> CodebookImport:
    """Merge a ``.qdc`` codebook in (one transaction): codes matched by GUID, then path;
    new ones created with the file's GUIDs; existing definitions updated from the file
    (qualcode-only fields only when the file carries them: ``merged_definition``)."""
    with open_regular(path, limit=DEFAULT_LIMIT) as stream:
        document = read_qdc(stream, str(path))
    created: list[str] = []
    updated: list[str] = []
    unchanged = 0
    with project.unit_of_work() as uow:
        stored = uow.codebook.codes()
        by_path = {path_key(code.path): code for code in stored}
        guids = uow.refi.code_guids()
        by_guid = {guid: code for code in stored if (guid := guids.get(code.id))}
        siblings: dict[int | None, int] = {}
        for code in stored:
            siblings[code.parent_id] = siblings.get(code.parent_id, 0) + 1

        def visit(codes: Sequence[ExchangeCode], parent_id: int | None, parent: str | None) -> None:
            nonlocal unchanged
            for code in codes:
                path_ = join_path(parent, code.spec.name)
                existing = by_guid.get(code.guid) or by_path.get(path_key(path_))
                spec = replace(code.spec, children=())
                if existing is None:
                    position = siblings.get(parent_id, 0)
                    siblings[parent_id] = position + 1
                    code_id = uow.codebook.add(spec, parent_id, position)
                    if not uow.refi.guid_in_use("code", code.guid):
                        uow.refi.set_guid("code", code_id, code.guid)
                    created.append(path_)
                else:
                    code_id = existing.id
                    path_ = existing.path
                    after = merged_definition(existing.spec, spec)
                    if existing.spec != after:
                        uow.codebook.update(code_id, after)
                        updated.append(path_)
                    else:
                        unchanged += 1
                visit(code.children, code_id, path_)

        visit(document.codes, None, None)
        uow.events.log(
            Action.IMPORT_CODEBOOK,
            f"codebook {path.name}: {len(created)} created, {len(updated)} updated",
            {"created": created, "updated": updated, "source": str(path)},
        )
    return CodebookImport(tuple(created), tuple(updated), unchanged)
