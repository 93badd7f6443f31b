"""Renaming a transcript (codings, cases and done marks follow it: they refer to its id)."""

from __future__ import annotations

from qualcode.domain.errors import InputError, NotFoundError
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage import transcript_edits
from qualcode.storage.database import Project
from qualcode.storage.repositories import Repository

RENAME_ACTION = "rename_transcript"


def rename_transcript(project: Project, old: str, new: str, *, coder: str | None = None) -> None:
    """Give transcript ``old`` the name ``new`` (surrounding spaces dropped). Refused, with
    nothing changed, when ``old`` is unknown or ``new`` is empty or already taken."""
    new = new.strip()
    if not new:
        raise InputError("NEW", "a transcript name cannot be empty")

    def rename(repo: Repository) -> None:
        transcript_id = repo.transcript_id(old)
        if transcript_id is None:
            raise NotFoundError(unknown_transcript_message(old, repo.transcript_names()))
        if new == old:
            return
        if repo.transcript_id(new) is not None:
            raise InputError("NEW", f"there is already a transcript named {new!r}")
        transcript_edits.rename_transcript(repo, transcript_id, new)
        repo.log_event(
            RENAME_ACTION,
            f"renamed transcript {old!r} to {new!r}",
            {"transcript_id": transcript_id, "old": old, "new": new},
            coder=coder,
        )

    project.run_transaction(rename)
