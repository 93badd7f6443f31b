"""Renaming a code safely when several coders edit the codebook at once.

A rename names the code as the coder last saw it (its path, or its id plus the name they
saw). It runs under the project's write lock, so two renames never interleave; the later
one compares what its coder saw with what is stored now. If another coder renamed the code
in between, nothing is changed and :class:`EditConflict` says who renamed it to what, and
when — no rename is silently overwritten. The event is a ``code_edit`` with the same
payload as the workspace's edits (so undo works), plus the paths before and after.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from qualcode.domain.codebook import StoredCode, join_path, parent_path, path_key, split_path
from qualcode.domain.errors import InputError, NotFoundError, QualcodeError
from qualcode.domain.events import Action
from qualcode.domain.text_entry import enter_coder, name_key
from qualcode.services.codebook import resolve_code
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

RENAME_ACTION = Action.CODE_EDIT
_HISTORY_DEPTH = 500  # how many recent codebook edits are searched for the one that clashed


class EditConflict(QualcodeError):
    """Another coder changed what this edit was based on; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Renamed:
    """A rename's outcome: ``changed`` is False when the code had that name already."""

    code_id: int
    before: str
    after: str
    changed: bool


def rename_code(
    project: Project,
    code: str | int,
    new_name: str,
    coder: str,
    *,
    expected_name: str | None = None,
) -> Renamed:
    """Rename a code, given by path (as the coder saw it) or by id (then
    ``expected_name`` is the name the coder saw, checked when given).

    Raises :class:`EditConflict` when another coder renamed it meanwhile,
    :class:`NotFoundError` for an unknown code, :class:`InputError` for a bad or taken name.
    """
    name = new_name.strip()
    if not name or "/" in name:
        raise InputError("new name", f"{new_name!r} must be non-empty and without '/'")
    coder = enter_coder(coder)

    def rename(uow: UnitOfWork) -> Renamed:
        codes = uow.codebook.codes()
        target = _target(uow, codes, code, expected_name, name)
        if target.spec.name == name:
            return Renamed(target.id, target.path, target.path, False)
        for other in codes:
            if (
                other.id != target.id
                and other.parent_id == target.parent_id
                and name_key(other.spec.name) == name_key(name)
            ):
                raise InputError("new name", f"{other.path!r} exists already")
        parent_id, position = uow.codebook.place_of(target.id)
        renamed = replace(target.spec, name=name, children=())
        uow.codebook.update(target.id, renamed)
        after = join_path(parent_path(target.path), name)
        place = {"parent_id": parent_id, "position": position}
        uow.events.log(
            RENAME_ACTION,
            f"{coder} renamed code {target.path} to {after}",
            {
                "code_id": target.id,
                "before": {"fields": _fields(target), **place},
                "after": {"fields": _fields(replace(target, spec=renamed)), **place},
                "path_before": target.path,
                "path_after": after,
            },
            coder=coder,
        )
        return Renamed(target.id, target.path, after, True)

    return project.run_unit_of_work(rename)


def _target(
    uow: UnitOfWork,
    codes: list[StoredCode],
    code: str | int,
    expected_name: str | None,
    new_name: str,
) -> StoredCode:
    from qualcode.services.code_merges import code_gone, merged_away

    if isinstance(code, int):
        found = [c for c in codes if c.id == code]
        if not found:
            raise code_gone(uow, codes, code)
        if expected_name is not None and found[0].spec.name != expected_name:
            raise _conflict(uow, found[0].id, expected_name, new_name, found[0].path)
        return found[0]
    try:
        return resolve_code(uow, code, codes)
    except NotFoundError:
        clash = _renamed_away(uow, codes, code)
        if clash is None:
            merged = merged_away(uow, codes, path=code)
            if merged is None:
                raise
            raise merged from None
        raise _conflict(uow, clash.id, split_path(code)[-1], new_name, clash.path) from None


def renamed_away(uow: UnitOfWork, codes: list[StoredCode], path: str) -> EditConflict | None:
    """The refusal for a code that was at ``path`` until another coder renamed it."""
    clash = _renamed_away(uow, codes, path)
    if clash is None:
        return None
    return _conflict(uow, clash.id, split_path(path)[-1], None, clash.path)


def _renamed_away(uow: UnitOfWork, codes: list[StoredCode], path: str) -> StoredCode | None:
    """The code that was at ``path`` until a recent rename, if any."""
    wanted = path_key(path)
    by_id = {c.id: c for c in codes}
    for event in uow.events.recent((RENAME_ACTION,), _HISTORY_DEPTH):
        before = event.fields.get("path_before")
        code_id = event.fields.get("code_id")
        if isinstance(before, str) and path_key(before) == wanted and isinstance(code_id, int):
            return by_id.get(code_id)
    return None


def _conflict(
    uow: UnitOfWork, code_id: int, seen: str, wanted: str | None, now: str
) -> EditConflict:
    """The refusal naming who renamed the code; ``wanted``: the rename refused (``None``:
    another change, such as a merge)."""
    last = next(
        (
            e
            for e in uow.events.recent((RENAME_ACTION,), _HISTORY_DEPTH)
            if e.fields.get("code_id") == code_id
        ),
        None,
    )
    who = f" by {last.coder}" if last is not None and last.coder else ""
    when = f" at {last.at}" if last is not None else ""
    if wanted is None:
        return EditConflict(
            f"code {seen!r} was renamed to {now!r}{who}{when} while you were working on it; "
            "nothing was changed"
        )
    return EditConflict(
        f"code {seen!r} was renamed to {now!r}{who}{when} while you were editing; "
        f"your rename to {wanted!r} was not applied (rename {now!r} if you still want to)"
    )


def _fields(code: StoredCode) -> dict[str, object]:
    """A code's definition as the workspace's codebook events store it."""
    fields = asdict(replace(code.spec, children=()))
    fields.pop("children")
    fields["keywords"] = list(code.spec.keywords)
    return fields
