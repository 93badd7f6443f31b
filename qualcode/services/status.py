"""Marking transcripts done per coder; project settings such as blind coding."""

from __future__ import annotations

from qualcode.domain.errors import NotFoundError
from qualcode.domain.events import Action
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage import status
from qualcode.storage.database import Project


def mark_done(project: Project, transcript: str, coder: str, *, done: bool = True) -> bool:
    """Mark (or with ``done=False`` unmark) a transcript done for a coder; one transaction.
    Returns the previous state."""
    with project.transaction() as repo:
        transcript_id = repo.transcript_id(transcript)
        if transcript_id is None:
            raise NotFoundError(unknown_transcript_message(transcript, repo.transcript_names()))
        coder_id = repo.ensure_coder(coder)
        previous = status.set_done(repo, transcript_id, coder_id, done)
        repo.log_event(
            Action.DONE if done else Action.UNDONE,
            f"{coder} marked {transcript} {'done' if done else 'not done'}",
            {"transcript": transcript, "coder": coder, "done": done, "previous": previous},
            coder=coder,
        )
    return previous


def done_marks(project: Project) -> dict[str, set[str]]:
    """Transcript name -> coders who marked it done."""
    with project.reading() as repo:
        return status.done_marks(repo)


def get_setting(project: Project, key: str, default: object = None) -> object:
    with project.reading() as repo:
        return status.get_setting(repo, key, default)


def set_setting(project: Project, key: str, value: object) -> None:
    with project.transaction() as repo:
        previous = status.get_setting(repo, key)
        status.set_setting(repo, key, value)
        repo.log_event(
            Action.SETTING,
            f"setting {key} = {value!r}",
            {"key": key, "before": previous, "after": value},
        )
