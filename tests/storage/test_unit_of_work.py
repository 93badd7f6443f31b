"""The unit of work: one transaction, its repositories made once and sharing it, values
in and out, and a reading unit that cannot lose an event."""

from __future__ import annotations

import pytest

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.codings import Coding
from qualcode.domain.events import Action
from qualcode.domain.spans import Span, span_text
from qualcode.domain.transcripts import TranscriptDraft, Turn
from qualcode.services.project import Project

TEXT = "Interviewer: How was the week?\nParent: We met the caseworker twice.\n"


def _draft() -> TranscriptDraft:
    return TranscriptDraft(
        name="family-01",
        text=TEXT,
        source_path="family-01.txt",
        encoding="utf-8",
        language="en",
        turns=(Turn(0, 31, "Interviewer", None), Turn(31, len(TEXT), "Parent", None)),
    )


def test_repositories_are_made_once_per_unit(project: Project) -> None:
    with project.reading() as first, project.reading() as second:
        assert first.codings is first.codings
        assert first.codings is not second.codings
        assert first.writable is False


def test_one_unit_writes_across_repositories_and_reads_back_domain_values(
    project: Project,
) -> None:
    with project.unit_of_work() as uow:
        transcript_id = uow.transcripts.add(_draft())
        parent = uow.codebook.add(CodeSpec(name="Support"), None, 1)
        code_id = uow.codebook.add(CodeSpec(name="Caseworker"), parent, 1)
        coder_id = uow.coders.ensure("anna")
        start = TEXT.index("caseworker")
        end = start + len("caseworker")
        anchor = span_text(TEXT, start, end)
        coding_id = uow.codings.add(
            transcript_id, code_id, coder_id, Span(start, end), anchor, None
        )
        uow.events.log(Action.APPLY, "test", {"coding_id": coding_id}, coder="anna")
    with project.reading() as uow:
        (coding,) = uow.codings.find(coders=["anna"])
        events = uow.events.latest(5)
    # the coding's code is named by its path, which the codings repository asks the
    # codebook repository of the same unit for
    assert isinstance(coding, Coding)
    assert (coding.code_path, coding.transcript, coding.start, coding.end) == (
        "Support/Caseworker",
        "family-01",
        start,
        end,
    )
    assert [(e.action, e.coder) for e in events] == [("apply", "anna"), ("init", None)]


def test_a_failed_unit_writes_nothing(project: Project) -> None:
    def fail_after_writing() -> None:
        with project.unit_of_work() as uow:
            uow.transcripts.add(_draft())
            uow.events.log(Action.IMPORT_TRANSCRIPTS, "test", {})
            raise LookupError("the action failed after writing")

    with pytest.raises(LookupError):
        fail_after_writing()
    with project.reading() as uow:
        assert uow.transcripts.names() == []
        assert [event.action for event in uow.events.latest(5)] == ["init"]


def test_a_reading_unit_refuses_to_log_an_event(project: Project) -> None:
    # an event logged there would be rolled back with the reading unit, silently
    with project.reading() as uow:
        before = uow.settings.counts().events
        with pytest.raises(RuntimeError, match="write unit"):
            uow.events.log(Action.SETTING, "test", {})
    with project.reading() as uow:
        assert uow.settings.counts().events == before
