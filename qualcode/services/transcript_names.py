"""Renaming a transcript (codings, cases and done marks follow it: they refer to its id;
the event log's entries that name it are renamed too, so undo still finds it)."""

from __future__ import annotations

from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

RENAME_ACTION = Action.RENAME_TRANSCRIPT
MAX_NAME_LENGTH = 300  # the transcript table's name column holds this many


def rename_transcript(project: Project, old: str, new: str, *, coder: str | None = None) -> bool:
    """Give transcript ``old`` the name ``new`` (surrounding spaces dropped); ``False``
    when that is its name already. Refused, with nothing changed, when ``old`` is unknown
    or ``new`` is empty or already taken."""
    new = new.strip()
    if not new:
        raise InputError("NEW", "a transcript name cannot be empty")
    if len(new) > MAX_NAME_LENGTH:
        raise InputError("NEW", f"a transcript name can be at most {MAX_NAME_LENGTH} characters")

    def rename(uow: UnitOfWork) -> bool:
        transcript_id = uow.transcripts.id_of(old)
        if transcript_id is None:
            raise NotFoundError(unknown_transcript_message(old, uow.transcripts.names()))
        if new == old:
            return False
        if uow.transcripts.id_of(new) is not None:
            raise InputError("NEW", f"there is already a transcript named {new!r}")
        uow.transcript_edits.rename_transcript(transcript_id, new)
        uow.rewrites.rename_in_event_log("transcript", old, new)
        uow.events.log(
            RENAME_ACTION,
            f"renamed transcript {old!r} to {new!r}",
            {"transcript_id": transcript_id, "old": old, "new": new},
            coder=coder,
        )
        return True

    return project.run_unit_of_work(rename)
