"""Merging codes with other coders at work: a merge is refused, naming who got there
first, when another coder merged or renamed one of its codes since the merging coder saw
them (as two renames of one code are, services/codebook_rename.py).

:func:`merge_code_path` is the command line's merge (by paths); the workspace merges by
ids through ``codebook_edit.merge_code`` with the paths it showed as ``expected``. Both
meet :func:`merged_away`, which also tells a rename of a code merged away meanwhile.
"""

from __future__ import annotations

from qualcode.domain.codebook import StoredCode, path_key
from qualcode.domain.errors import NotFoundError
from qualcode.domain.events import Action
from qualcode.services.codebook import resolve_code
from qualcode.services.codebook_rename import EditConflict, renamed_away
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

_HISTORY_DEPTH = 500  # recent merges searched for the one that took a code away


def merged_away(
    uow: UnitOfWork, codes: list[StoredCode], *, code_id: int | None = None, path: str = ""
) -> EditConflict | None:
    """The refusal for a code (by id, or by the path it had) that another coder merged
    into another code; ``None`` when no recent merge took it."""
    by_id = {c.id: c for c in codes}
    for event in uow.events.recent((Action.CODE_MERGE,), _HISTORY_DEPTH):
        fields = event.fields
        was = fields.get("path")
        if fields.get("code_id") != code_id and not (
            path and isinstance(was, str) and path_key(was) == path_key(path)
        ):
            continue
        target = fields.get("into")
        into = by_id.get(target) if isinstance(target, int) else None
        shown = was if isinstance(was, str) else path or f"code {code_id}"
        where = f" into {into.path!r}" if into is not None else ""
        who = f" by {event.coder}" if event.coder else ""
        return EditConflict(
            f"code {shown!r} was merged{where}{who} at {event.at} while you were working on "
            "it; nothing was changed (the codebook shows the merge now)"
        )
    return None


def code_gone(uow: UnitOfWork, codes: list[StoredCode], code_id: int) -> Exception:
    """Why code ``code_id`` is not there: merged away meanwhile, or never was."""
    return merged_away(uow, codes, code_id=code_id) or NotFoundError(f"no code with id {code_id}")


def merge_code_path(project: Project, code_path: str, into_path: str, coder: str) -> int:
    """Merge the code at ``code_path`` into the one at ``into_path`` (as the coder wrote
    them): its codings move over and it is deleted; returns the codings moved. A code
    another coder merged away or renamed is an :class:`EditConflict` naming them."""
    from qualcode.services.codebook_edit import merge_code

    with project.reading() as uow:
        codes = uow.codebook.codes()
        code, into = (_seen(uow, codes, path) for path in (code_path, into_path))
    return merge_code(project, code.id, into.id, coder, expected=(code.path, into.path))


def _seen(uow: UnitOfWork, codes: list[StoredCode], path: str) -> StoredCode:
    try:
        return resolve_code(uow, path, codes)
    except NotFoundError:
        conflict = merged_away(uow, codes, path=path) or renamed_away(uow, codes, path)
        if conflict is None:
            raise
        raise conflict from None
