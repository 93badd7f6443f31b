"""What the coding workspace needs: transcripts by case, a transcript with its codings
and their review flags, code counts, memo counts, and the coder's own coding actions
(recode, adjust, memo, a batch of search hits; applying and removing one coding are
:func:`qualcode.services.coding.apply_code` and :func:`~qualcode.services.coding.remove_coding`,
shared with the command line).

Each action is one transaction and one event in the log, with the coding's full state
before and after, so :mod:`qualcode.services.history` can undo and redo it. Offsets are
half-open code points into the normalised transcript text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from qualcode.domain.cases import SpeakerCases
from qualcode.domain.codebook import CodeSpec, path_depth
from qualcode.domain.codings import Coding
from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action, coding_payload
from qualcode.domain.spans import Span, span_problem, span_text
from qualcode.domain.transcripts import Turn
from qualcode.services.blind_rounds import BLIND_SETTING as BLIND_SETTING  # re-exported
from qualcode.services.blind_rounds import round_open
from qualcode.services.coding_changes import code_path_by_id
from qualcode.services.memos import transcript_memo_counts
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project, RetryPolicy, open_project

INTERACTIVE_BUSY_MS = 500  # one try for the write lock, while a coder waits at the screen
INTERACTIVE_RETRY = RetryPolicy(attempts=4, first_pause=0.1, max_pause=0.4)
NO_CASE = "(no case)"


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """A transcript in the workspace's list: ``mark`` is ``done``, ``started`` (the coder
    has codings in it) or ``new``; ``memos`` counts the memos on it (the coder's own
    only, when blind)."""

    name: str
    words: int
    mark: str
    memos: int = 0


@dataclass(frozen=True, slots=True)
class CaseGroup:
    """Transcripts covered by the same cases (``label`` joins their names)."""

    label: str
    transcripts: tuple[TranscriptEntry, ...]


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """A code with its number of codings in the open transcript and in the project, and
    of memos on it (the coder's own only, when blind)."""

    id: int
    path: str
    parent_id: int | None
    spec: CodeSpec
    here: int
    project: int
    memos: int = 0

    @property
    def depth(self) -> int:
        return path_depth(self.path)


@dataclass(frozen=True, slots=True)
class TranscriptDocument:
    """A transcript as the workspace shows it: text, turns, and the visible codings
    (only the coder's own in blind mode), sorted by start; ``flagged`` maps each visible
    coding that needs review after a transcript edit to its review note; ``speakers``
    maps each speaker whose turns belong to a case (a survey respondent, a focus-group
    participant) to those cases and their attribute values."""

    name: str
    text: str
    turns: tuple[Turn, ...]
    codings: tuple[Coding, ...]
    flagged: Mapping[int, str] = field(default_factory=dict)
    speakers: SpeakerCases = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FlaggedPlace:
    """A coding that needs review, and why (the note the transcript edit wrote)."""

    coding: Coding
    note: str


def for_interactive_use(project: Project) -> Project:
    """The project set up for someone waiting at the screen: a write that finds the
    project locked by another coder tries 4 times, each waiting at most 0.5 s (about 2.5 s
    in all, instead of the command line's patient ~45 s), then fails as busy. A SQLite
    project is reopened for that (the wait is set per connection)."""
    if project.is_sqlite and not project.read_only:
        project.close()
        return open_project(
            project.location, busy_timeout_ms=INTERACTIVE_BUSY_MS, retry=INTERACTIVE_RETRY
        )
    project.retry = INTERACTIVE_RETRY
    project.busy_timeout_ms = INTERACTIVE_BUSY_MS
    return project


def blind_by_setting(project: Project) -> bool:
    """Whether the project asks for blind coding (setting ``blind_coding``)."""
    with project.reading() as uow:
        return round_open(uow)


def transcript_groups(project: Project, coder: str, *, blind: bool = False) -> list[CaseGroup]:
    """Transcripts grouped by the cases that cover them, groups and transcripts by name;
    transcripts without a case come last under ``(no case)``."""
    with project.reading() as uow:
        listing = uow.transcripts.listing()
        done = uow.settings.done_marks()
        started = uow.transcripts.coded_by(coder)
        memos = transcript_memo_counts(uow, author=coder if blind else None)
    groups: dict[str, list[TranscriptEntry]] = {}
    for name, words, cases in listing:
        if coder in done.get(name, set()):
            mark = "done"
        elif name in started:
            mark = "started"
        else:
            mark = "new"
        label = ", ".join(cases) if cases else NO_CASE
        groups.setdefault(label, []).append(TranscriptEntry(name, words, mark, memos.get(name, 0)))
    ordered = sorted(groups, key=lambda label: (label == NO_CASE, label.casefold()))
    return [CaseGroup(label, tuple(groups[label])) for label in ordered]


def load_document(project: Project, name: str, coder: str, *, blind: bool) -> TranscriptDocument:
    """The transcript ``name`` with its turns and codings (the coder's only when blind)."""
    with project.reading() as uow:
        transcript = uow.transcripts.get(name)
        if transcript is None:
            raise NotFoundError(unknown_transcript_message(name, uow.transcripts.names()))
        codings = uow.codings.find(transcripts=[name], coders=[coder] if blind else ())
        notes = uow.transcript_edits.review_notes(transcript.id)
        speakers = uow.cases.speaker_cases(transcript.id)
    ordered = sorted(codings, key=lambda c: (c.start, c.end, c.id))
    flagged = {c.id: notes[c.id] for c in ordered if c.id in notes}
    return TranscriptDocument(
        transcript.name, transcript.text, transcript.turns, tuple(ordered), flagged, speakers
    )


def flagged_places(project: Project, coder: str, *, blind: bool) -> list[FlaggedPlace]:
    """Every coding that needs review (only the coder's own when blind), by transcript
    name and position (in Python's order of names, whatever the database's collation:
    the jump to the next one compares them so)."""
    with project.reading() as uow:
        notes = uow.maintenance.flagged_notes(coder if blind else None)
        codings = uow.codings.find(ids=notes) if notes else []
    ordered = sorted(codings, key=lambda c: (c.transcript, c.start, c.id))
    return [FlaggedPlace(coding, notes[coding.id]) for coding in ordered]


def flagged_count(project: Project, coder: str, *, blind: bool) -> int:
    """How many codings need review (only the coder's own when blind)."""
    with project.reading() as uow:
        return len(uow.maintenance.flagged_notes(coder if blind else None))


def code_entries(
    project: Project, transcript: str | None, coder: str, *, blind: bool, counts: bool = True
) -> list[CodeEntry]:
    """Every code (parents first) with its counts; blind counts only the coder's own.
    ``counts=False`` leaves them at 0 (quicker on a large project: the counts scan every
    coding)."""
    with project.reading() as uow:
        codes = uow.codebook.codes()
        if not counts:
            return [CodeEntry(c.id, c.path, c.parent_id, c.spec, 0, 0) for c in codes]
        who = coder if blind else None
        memos = uow.memos.counts("code", author=who)
        in_project = uow.codings.counts(coder=who)
        transcript_id = uow.transcripts.id_of(transcript) if transcript else None
        here = (
            uow.codings.counts(coder=who, transcript_id=transcript_id)
            if transcript_id is not None
            else {}
        )
    return [
        CodeEntry(
            c.id,
            c.path,
            c.parent_id,
            c.spec,
            here.get(c.id, 0),
            in_project.get(c.id, 0),
            memos.get(c.id, 0),
        )
        for c in codes
    ]


def code_spans(
    project: Project,
    spans: Sequence[tuple[str, int, int]],
    code_id: int,
    coder: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[Coding]:
    """Code many ``(transcript, start, end)`` passages in one transaction and one event
    (so one undo takes the whole batch back). ``progress(done, total)`` is called after
    each passage."""
    if not spans:
        return []
    with project.unit_of_work() as uow:
        code = code_path_by_id(uow, code_id)
        coder_id = uow.coders.ensure(coder)
        texts = uow.transcripts.texts()
        ids: list[int] = []
        for transcript, start, end in spans:
            if transcript not in texts:
                raise NotFoundError(unknown_transcript_message(transcript, sorted(texts)))
            transcript_id, text = texts[transcript]
            problem = span_problem(len(text), start, end)
            if problem:
                raise InputError(transcript, problem)
            ids.append(
                uow.codings.add(
                    transcript_id,
                    code_id,
                    coder_id,
                    Span(start, end),
                    span_text(text, start, end),
                    None,
                )
            )
            if progress is not None:
                progress(len(ids), len(spans))
        codings = uow.codings.find(ids=ids)
        uow.events.log(
            Action.APPLY_BATCH,
            f"{coder} coded {len(codings)} search hits as {code}",
            {"codings": [coding_payload(c, code_id) for c in codings]},
            coder=coder,
        )
    return codings
