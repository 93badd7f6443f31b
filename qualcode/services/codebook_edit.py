"""Editing the codebook in place: add, edit (rename, recolour, shortcut, definitions),
move and merge codes. Codings follow a merge. Each edit is one transaction and one event
that :mod:`qualcode.services.history` can undo; ``qualcode codebook export`` writes the
result back to YAML.
"""

from __future__ import annotations

import re
from dataclasses import asdict, replace

from qualcode.domain.codebook import CodeSpec, StoredCode, code_depth, subtree_height
from qualcode.domain.errors import InputError, LimitError, NotFoundError
from qualcode.domain.events import Action
from qualcode.domain.text_entry import MAX_CODE_DEPTH, enter_coder, enter_shortcut, name_key
from qualcode.services.code_merges import (
    Merged,
    carry_over,
    code_gone,
    replay_carried,
    revert_carried,
)
from qualcode.services.codebook_rename import EditConflict
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _fields(spec: CodeSpec) -> dict[str, object]:
    fields = asdict(replace(spec, children=()))
    fields.pop("children")
    fields["keywords"] = list(spec.keywords)
    return fields


def _spec(fields: object) -> CodeSpec:
    if not isinstance(fields, dict):
        raise InputError("codebook", "event holds no code definition")
    values = {k: v for k, v in fields.items() if k in CodeSpec.__dataclass_fields__}
    values["keywords"] = tuple(values.get("keywords") or ())
    values.pop("children", None)
    return CodeSpec(**values)


def _cleaned(spec: CodeSpec) -> CodeSpec:
    """The spec as it will be stored: name without surrounding spaces, the shortcut by its
    rule (one printable character, NFC), so comparisons below see the stored forms."""
    shortcut = None if spec.shortcut is None else enter_shortcut(spec.shortcut, "shortcut")
    return replace(spec, name=spec.name.strip(), shortcut=shortcut, children=())


def _check(codes: list[StoredCode], spec: CodeSpec, parent_id: int | None, own: int | None) -> None:
    name = spec.name.strip()
    if not name or "/" in name:
        raise InputError("code name", f"{spec.name!r} must be non-empty and without '/'")
    for code in codes:
        if code.id == own:
            continue
        if code.parent_id == parent_id and name_key(code.spec.name) == name_key(name):
            raise InputError("code name", f"{code.path!r} exists already")
        if spec.shortcut and code.spec.shortcut == spec.shortcut:
            raise InputError("shortcut", f"{spec.shortcut!r} is already used by {code.path!r}")
    if spec.shortcut is not None and len(spec.shortcut) != 1:
        raise InputError("shortcut", f"{spec.shortcut!r} must be a single character")
    if spec.colour is not None and not _COLOUR.match(spec.colour):
        raise InputError("colour", f"{spec.colour!r} is not a colour like #2E86AB")


def _check_depth(codes: list[StoredCode], parent_id: int | None, own: int | None) -> None:
    """A code (with everything under it) may not end up deeper than MAX_CODE_DEPTH."""
    height = 1 if own is None else subtree_height(codes, own)
    if code_depth(codes, parent_id) + height > MAX_CODE_DEPTH:
        raise LimitError("parent", f"codes may be nested at most {MAX_CODE_DEPTH} levels deep")


def _find(codes: list[StoredCode], code_id: int) -> StoredCode:
    for code in codes:
        if code.id == code_id:
            return code
    raise NotFoundError(f"no code with id {code_id}")


def add_code(project: Project, spec: CodeSpec, parent_id: int | None, coder: str) -> int:
    """Create a code (last among its siblings); returns its id."""
    with project.unit_of_work() as uow:
        codes = uow.codebook.codes()
        if parent_id is not None:
            _find(codes, parent_id)
        clean = _cleaned(spec)
        _check(codes, clean, parent_id, None)
        _check_depth(codes, parent_id, None)
        position = uow.codebook.next_position(parent_id)
        code_id = uow.codebook.add(clean, parent_id, position)
        uow.events.log(
            Action.CODE_ADD,
            f"{coder} added code {clean.name}",
            {
                "code_id": code_id,
                "fields": _fields(clean),
                "parent_id": parent_id,
                "position": position,
            },
            coder=coder,
        )
    return code_id


def edit_code(
    project: Project,
    code_id: int,
    spec: CodeSpec,
    coder: str,
    *,
    parent_id: int | str | None = "same",
    expected: CodeSpec | None = None,
) -> None:
    """Replace a code's definition (name, colour, shortcut, description, criteria,
    example) and, when ``parent_id`` is given (``None`` = top level), move it there.
    ``expected``: the definition the edit started from (a dialog's); when another coder
    changed the code since, :class:`EditConflict` names them and nothing changes."""
    with project.unit_of_work() as uow:
        codes = uow.codebook.codes()
        code = _find(codes, code_id)
        if expected is not None and _fields(expected) != _fields(code.spec):
            raise _edited_meanwhile(uow, code)
        old_parent, old_position = uow.codebook.place_of(code_id)
        new_parent = old_parent if parent_id == "same" else parent_id
        if not (new_parent is None or isinstance(new_parent, int)):
            raise InputError("parent", f"{parent_id!r} is not a code")
        if new_parent is not None:
            parent = _find(codes, new_parent)
            if parent.id == code_id or parent.path.startswith(code.path + "/"):
                raise InputError("move", f"cannot move {code.path!r} under itself")
        clean = _cleaned(spec)
        _check(codes, clean, new_parent, code_id)
        if new_parent != old_parent:
            _check_depth(codes, new_parent, code_id)
        position = old_position
        if new_parent != old_parent:
            position = uow.codebook.next_position(new_parent)
            uow.codebook.move(code_id, new_parent, position)
        uow.codebook.update(code_id, clean)
        uow.events.log(
            Action.CODE_EDIT,
            f"{coder} edited code {code.path}",
            {
                "code_id": code_id,
                "before": {
                    "fields": _fields(code.spec),
                    "parent_id": old_parent,
                    "position": old_position,
                },
                "after": {"fields": _fields(clean), "parent_id": new_parent, "position": position},
            },
            coder=coder,
        )


def _edited_meanwhile(uow: UnitOfWork, code: StoredCode) -> EditConflict:
    last = next(
        (
            e
            for e in uow.events.recent((Action.CODE_EDIT,), 50)
            if isinstance(e.payload, dict) and e.payload.get("code_id") == code.id
        ),
        None,
    )
    who = last.coder if last is not None and last.coder else "another coder"
    return EditConflict(
        f"{who} changed this code (now {code.path}) while you were editing it; nothing "
        "was changed (the codebook shows their version now)"
    )


def merge_code(
    project: Project,
    code_id: int,
    into_id: int,
    coder: str,
    *,
    expected: tuple[str, str] | None = None,
) -> Merged:
    """Merge a code into another: its codings, framework summaries and memos move over
    (a coding ``into`` already has is dropped, its memo kept on the one there; a summary
    meeting one of ``into``'s for the same case is appended to it) and it is deleted. A
    code with sub-codes cannot be merged (move or merge them first). Returns what moved.
    ``expected``: the two codes' paths as the coder saw them; a code another coder merged
    away or changed since is an :class:`EditConflict` naming them, and nothing changes.
    ``coder`` goes through the coder-name entrance (stripped; empty refused)."""
    coder = enter_coder(coder)
    with project.unit_of_work() as uow:
        codes = uow.codebook.codes()
        by_id = {c.id: c for c in codes}
        for wanted in (code_id, into_id):
            if wanted not in by_id:  # merged away or deleted: say by whom
                raise code_gone(uow, codes, wanted)
        code, into = by_id[code_id], by_id[into_id]
        if expected is not None:
            for seen, now in zip(expected, (code, into), strict=True):
                if seen != now.path:
                    raise _edited_meanwhile(uow, now)
        if code_id == into_id:
            raise InputError("merge", "a code cannot be merged into itself")
        if any(c.parent_id == code_id for c in codes):
            raise InputError("merge", f"{code.path!r} has sub-codes; move or merge them first")
        parent_id, position = uow.codebook.place_of(code_id)
        carried, merged = carry_over(uow, code, into, codes, coder)
        uow.codebook.delete(code_id)
        uow.events.log(
            Action.CODE_MERGE,
            f"{coder} merged {code.path} into {into.path} ({merged.describe()})",
            {
                "code_id": code_id,
                "fields": _fields(code.spec),
                "parent_id": parent_id,
                "position": position,
                "into": into_id,
                "path": code.path,  # who merged what, for a later clash (code_merges.py)
                **carried,
            },
            coder=coder,
        )
    return merged


# -- undo and redo ----------------------------------------------------------------------


def _id(value: object) -> int:
    if not isinstance(value, int):
        raise InputError("codebook", f"event holds {value!r} where a code id belongs")
    return value


def _parent(value: object) -> int | None:
    return None if value is None else _id(value)


def revert_codebook_event(uow: UnitOfWork, action: str, payload: dict[str, object]) -> None:
    """Take back a ``code_add``, ``code_edit`` or ``code_merge`` event."""
    code_id = _id(payload.get("code_id"))
    if action == "code_add":
        if uow.codings.counts().get(code_id) or any(
            c.parent_id == code_id for c in uow.codebook.codes()
        ):
            raise InputError("undo", "the added code has codings or sub-codes now; not undone")
        uow.codebook.delete(code_id)
    elif action == "code_edit":
        _apply_state(uow, code_id, payload.get("before"))
    elif action == "code_merge":
        uow.codebook.insert(
            code_id,
            _fields(_spec(payload.get("fields"))),
            _parent(payload.get("parent_id")),
            _id(payload.get("position")),
            guid=None if payload.get("guid") is None else str(payload.get("guid")),
        )
        revert_carried(uow, payload, code_id)
    else:
        raise InputError("undo", f"cannot undo {action!r}")


def replay_codebook_event(uow: UnitOfWork, action: str, payload: dict[str, object]) -> None:
    """Carry out a ``code_add``, ``code_edit`` or ``code_merge`` event again."""
    code_id = _id(payload.get("code_id"))
    if action == "code_add":
        uow.codebook.insert(
            code_id,
            _fields(_spec(payload.get("fields"))),
            _parent(payload.get("parent_id")),
            _id(payload.get("position")),
        )
    elif action == "code_edit":
        _apply_state(uow, code_id, payload.get("after"))
    elif action == "code_merge":
        replay_carried(uow, payload, _id(payload.get("into")))
        uow.codebook.delete(code_id)
    else:
        raise InputError("redo", f"cannot redo {action!r}")


def _apply_state(uow: UnitOfWork, code_id: int, state: object) -> None:
    if not isinstance(state, dict):
        raise InputError("codebook", "event holds no code state")
    uow.codebook.move(code_id, _parent(state.get("parent_id")), _id(state.get("position")))
    uow.codebook.update(code_id, _spec(state.get("fields")))
