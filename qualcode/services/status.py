"""Marking transcripts done per coder; project settings such as blind coding."""

from __future__ import annotations

from qualcode.domain.errors import NotFoundError
from qualcode.domain.event_records import EventSummary
from qualcode.domain.events import Action
from qualcode.services.blind_rounds import refuse_in_round
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project


def mark_done(project: Project, transcript: str, coder: str, *, done: bool = True) -> bool:
    """Mark (or with ``done=False`` unmark) a transcript done for a coder; one transaction.
    Returns the previous state."""
    with project.unit_of_work() as uow:
        transcript_id = uow.transcripts.id_of(transcript)
        if transcript_id is None:
            raise NotFoundError(unknown_transcript_message(transcript, uow.transcripts.names()))
        coder_id = uow.coders.ensure(coder)
        previous = uow.settings.set_done(transcript_id, coder_id, done)
        uow.events.log(
            Action.DONE if done else Action.UNDONE,
            f"{coder} marked {transcript} {'done' if done else 'not done'}",
            {"transcript": transcript, "coder": coder, "done": done, "previous": previous},
            coder=coder,
        )
    return previous


def done_marks(project: Project) -> dict[str, set[str]]:
    """Transcript name -> coders who marked it done."""
    with project.reading() as uow:
        return uow.settings.done_marks()


def get_setting(project: Project, key: str, default: object = None) -> object:
    with project.reading() as uow:
        return uow.settings.get(key, default)


def set_setting(project: Project, key: str, value: object) -> None:
    with project.unit_of_work() as uow:
        uow.settings.change(key, value)


def latest_events(project: Project, limit: int) -> list[EventSummary]:
    """The newest ``limit`` events of the log, newest first (``qualcode log``). Refused
    while a blind round is open: the log names who coded what
    (:class:`~qualcode.domain.errors.BlindRoundError`)."""
    refuse_in_round(project, "the log")
    with project.reading() as uow:
        return uow.events.latest(limit)
