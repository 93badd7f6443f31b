"""Loading a codebook into a project, exporting it, and resolving code paths."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from qualcode.domain.codebook import (
    Codebook,
    CodebookFile,
    CodeSpec,
    StoredCode,
    escape_name,
    join_path,
    merge_spec,
    nest,
    path_key,
    split_path,
    walk,
)
from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action
from qualcode.domain.text_entry import name_key
from qualcode.importers.codebook_yaml import load_codebook_file
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

# Settings holding the codebook file's top-level fields (``codebook export`` writes them).
CODEBOOK_NAME_SETTING = "codebook_name"
CODEBOOK_DESCRIPTION_SETTING = "codebook_description"


@dataclass(frozen=True, slots=True)
class CodebookImport:
    """Code paths created and updated, how many codes were unchanged, and which of the
    codebook's own fields ("name", "description") the import changed from an earlier
    value (setting one for the first time is not a change)."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int
    fields_changed: tuple[str, ...] = ()


def import_codebook(project: Project, path: Path) -> CodebookImport:
    """Merge a YAML codebook into the project in one transaction.

    Codes are matched by path: new paths are created; an existing code takes each field
    its entry writes (an empty value clears it) and keeps each field the entry leaves out,
    so a file may add a child under a parent it names only by ``name``. Codes missing
    from the file are kept (their codings are never dropped). A code is "updated" only
    when a stored field changes. The file's ``name`` and ``description`` are stored for
    ``export_codebook`` by the same rule.
    """
    read = load_codebook_file(path)
    codebook = read.codebook
    created: list[str] = []
    updated: list[str] = []
    unchanged = 0
    with project.unit_of_work() as uow:
        stored = {path_key(code.path): code for code in uow.codebook.codes()}
        merged = _merged_specs(read, stored)
        _check_shortcuts(read, stored, merged, str(path))

        stored_children: dict[int | None, set[str]] = {}
        for key, code in stored.items():
            stored_children.setdefault(code.parent_id, set()).add(key)

        def visit(specs: tuple[CodeSpec, ...], parent_id: int | None, parent: str | None) -> None:
            nonlocal unchanged
            paths = [join_path(parent, spec.name) for spec in specs]
            # A list naming every stored sibling places new codes where it has them; a
            # partial one (a parent named only to add a child) adds them at the end.
            whole = stored_children.get(parent_id, set()) <= {path_key(p) for p in paths}
            for position, (spec, path_) in enumerate(zip(specs, paths, strict=True)):
                existing = stored.get(path_key(path_))
                if existing is None:
                    place = position if whole else uow.codebook.next_position(parent_id)
                    code_id = uow.codebook.add(replace(spec, children=()), parent_id, place)
                    created.append(path_)
                else:
                    code_id = existing.id
                    after = merged[path_]
                    if existing.spec != after:
                        uow.codebook.update(code_id, after)
                        updated.append(path_)
                    else:
                        unchanged += 1
                visit(spec.children, code_id, path_)

        visit(codebook.codes, None, None)
        fields = _store_fields(uow, read)
        uow.events.log(
            Action.IMPORT_CODEBOOK,
            f"codebook {path.name}: {len(created)} created, {len(updated)} updated",
            {"created": created, "updated": updated, "source": str(path), "fields": fields},
        )
    replaced = tuple(field for field, change in fields.items() if change["before"] is not None)
    return CodebookImport(tuple(created), tuple(updated), unchanged, replaced)


def _merged_specs(read: CodebookFile, stored: dict[str, StoredCode]) -> dict[str, CodeSpec]:
    """Each stored code the file names, as it will be after the import (by file path)."""
    return {
        path: merge_spec(existing.spec, spec, read.given.get(path, frozenset()))
        for path, spec in walk(read.codebook.codes)
        if (existing := stored.get(path_key(path))) is not None
    }


def _store_fields(uow: UnitOfWork, read: CodebookFile) -> dict[str, dict[str, object]]:
    """Store the codebook's name and description where the file writes them (written
    empty clears a stored one); returns the changed ones as field -> before/after."""
    changed: dict[str, dict[str, object]] = {}
    for field, key, value in (
        ("name", CODEBOOK_NAME_SETTING, read.codebook.name),
        ("description", CODEBOOK_DESCRIPTION_SETTING, read.codebook.description),
    ):
        before = uow.settings.get(key)
        if field in read.codebook_given and value != before:
            uow.settings.set(key, value)
            changed[field] = {"before": before, "after": value}
    return changed


def _check_shortcuts(
    read: CodebookFile,
    stored: dict[str, StoredCode],
    merged: dict[str, CodeSpec],
    source: str,
) -> None:
    """A shortcut the file gives may not stay with another code after the import: a
    stored code the file leaves out, or one whose entry leaves its shortcut out."""
    keeping: dict[str, str] = {}  # shortcut -> the path of the code that keeps it
    giving: list[tuple[str, str]] = []  # (path, shortcut) the file writes
    named = {path_key(path) for path, _ in walk(read.codebook.codes)}
    for key, code in stored.items():
        if key not in named and code.spec.shortcut:
            keeping[code.spec.shortcut] = code.path
    for path, spec in walk(read.codebook.codes):
        if "shortcut" not in read.given.get(path, frozenset()):
            kept = merged[path].shortcut if path in merged else None
            if kept:
                keeping[kept] = path
        elif spec.shortcut:
            giving.append((path, spec.shortcut))
    for path, shortcut in giving:
        if shortcut in keeping:
            raise InputError(
                source,
                f"shortcut {shortcut!r} of {path!r} is already used by code"
                f" {keeping[shortcut]!r} (give that code another shortcut, or write"
                ' shortcut: "" under it to free this one)',
            )


def export_codebook(project: Project, name: str | None = None) -> Codebook:
    """The project's codebook as a tree, ready for YAML export, with the name and
    description last imported (``name``, when given, replaces the stored one)."""
    with project.reading() as uow:
        codes = uow.codebook.codes()
        stored_name = uow.settings.get(CODEBOOK_NAME_SETTING)
        description = uow.settings.get(CODEBOOK_DESCRIPTION_SETTING)
    if name is None and isinstance(stored_name, str):
        name = stored_name
    return Codebook(
        name=name,
        codes=nest(codes, lambda code, children: replace(code.spec, children=children)),
        description=description if isinstance(description, str) else None,
    )


def list_codes(project: Project) -> list[StoredCode]:
    with project.reading() as uow:
        return uow.codebook.codes()


def resolve_code(uow: UnitOfWork, path: str, codes: list[StoredCode] | None = None) -> StoredCode:
    """Find a code by path ("continuity/meeting the child"): exactly as written first, then
    as a path that looks alike (``path_key``: case, NFC or NFD, runs of spaces); a bare
    name is accepted when exactly one code has it. Raises :class:`NotFoundError`."""
    codes = codes if codes is not None else uow.codebook.codes()
    written = "/".join(escape_name(part) for part in split_path(path))
    wanted = path_key(written)
    exact = next((code for code in codes if code.path == written), None)
    if exact is not None:
        return exact
    for code in codes:
        if path_key(code.path) == wanted:
            return code
    by_name = [c for c in codes if name_key(c.spec.name) == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        options = ", ".join(c.path for c in by_name)
        raise NotFoundError(f"code name {path!r} is ambiguous: use its path ({options})")
    from qualcode.matching.suggest import closest
    from qualcode.services.code_merges import merge_record

    merged = merge_record(uow, codes, path=written)
    if merged is not None:  # a path a logged merge took away: name where it went
        use = f"; use {merged.into!r}" if merged.into is not None else ""
        raise NotFoundError(f"{merged.sentence()}{use}")
    hint = closest(path, [c.path for c in codes])
    suffix = f"; did you mean {hint!r}?" if hint else ""
    if not codes:
        suffix = "; the project has no codebook yet (qualcode codebook PROJECT import FILE.yaml)"
    raise NotFoundError(f"unknown code {path!r}{suffix}")
