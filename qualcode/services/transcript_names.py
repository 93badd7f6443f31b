"""Renaming a transcript (codings, cases and done marks follow it: they refer to its id;
the event log's entries that name it are renamed too, so undo still finds it)."""

from __future__ import annotations

from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage import rewrites, transcript_edits
from qualcode.storage.database import Project
from qualcode.storage.repositories import Repository

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

    def rename(repo: Repository) -> bool:
        transcript_id = repo.transcript_id(old)
        if transcript_id is None:
            raise NotFoundError(unknown_transcript_message(old, repo.transcript_names()))
        if new == old:
            return False
        if repo.transcript_id(new) is not None:
            raise InputError("NEW", f"there is already a transcript named {new!r}")
        transcript_edits.rename_transcript(repo, transcript_id, new)
        rewrites.rename_in_event_log(repo, "transcript", old, new)
        repo.log_event(
            RENAME_ACTION,
            f"renamed transcript {old!r} to {new!r}",
            {"transcript_id": transcript_id, "old": old, "new": new},
            coder=coder,
        )
        return True

    return project.run_transaction(rename)
