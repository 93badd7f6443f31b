"""Changing a transcript's text without losing its codings.

The new text replaces the old in one transaction together with everything anchored in it:
each coding is carried through the edit script between the two texts and checked against
its stored anchor text (:mod:`qualcode.matching.anchoring`); codings whose text changed
beyond the threshold are flagged "needs review" (``qualcode check`` lists them), never
deleted. Turns come from the new text (timestamps kept where a turn still starts where
the old one did); case assignments follow: a whole-transcript case covers the whole new
text, a speaker's case that speaker's new turns, any other span is carried like a coding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.codings import Coding
from qualcode.domain.errors import FieldError, InputError, NotFoundError, ProjectBusyError
from qualcode.domain.events import Action
from qualcode.domain.text_entry import check_encodable
from qualcode.domain.transcripts import (
    Assignment,
    CodingPlace,
    Transcript,
    Turn,
    guess_language,
    normalise_text,
    text_sha256,
)
from qualcode.domain.turns import parse_speaker_turns
from qualcode.domain.words import count_words
from qualcode.importers.decoding import check_control_characters
from qualcode.importers.transcripts import load_transcript
from qualcode.matching.anchoring import (
    DEFAULT_THRESHOLD,
    KEPT,
    REVIEW,
    EditScript,
    edit_script,
    place_span,
)
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

EDIT_ACTION = Action.TRANSCRIPT_EDIT
_QUOTED = 60


@dataclass(frozen=True, slots=True)
class CodingMove:
    """Where one coding went: ``status`` is ``kept``, ``adjusted`` or ``review``."""

    id: int
    coder: str
    code_path: str
    before: tuple[int, int]
    after: tuple[int, int]
    status: str
    similarity: float
    old_text: str
    new_text: str


@dataclass(frozen=True, slots=True)
class TextChange:
    """What replacing a transcript's text did (or, for a dry run, would do)."""

    transcript: str
    old_characters: int
    new_characters: int
    edits: int
    moves: tuple[CodingMove, ...]
    turns: int
    unchanged: bool

    def count(self, status: str) -> int:
        return sum(move.status == status for move in self.moves)


@dataclass(frozen=True, slots=True)
class NewText:
    """A transcript's new text, normalised, with its turns (from a file, or parsed)."""

    text: str
    turns: tuple[Turn, ...] | None
    source_path: str | None
    notes: tuple[str, ...] = ()


def text_from_file(path: Path, name: str) -> NewText:
    """Read a replacement text like an import does (encoding, BOM, line ends, NFC;
    turns from speaker labels or subtitle cues)."""
    draft = load_transcript(path, name=name)
    return NewText(draft.text, draft.turns or None, draft.source_path, draft.notes)


def text_from_editor(raw: str | bytes, source: str) -> NewText:
    """Normalise text as written by an editor (UTF-8, CRLF, BOM, NFC); refuse bytes that
    are not UTF-8 (naming the byte offset), lone surrogates and control characters.
    Turns are parsed from its speaker labels."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = raw[error.start]
            reason = f"the editor saved byte 0x{byte:02X}, which is not UTF-8"
            raise InputError(source, reason, offset=error.start) from None
        raw = raw.replace("\r\n", "\n")  # as click.edit does for text
    check_encodable(raw, source)
    text, notes = normalise_text(raw)
    check_control_characters(text, source)
    return NewText(text, None, None, tuple(notes))


def replace_text(
    project: Project,
    name: str,
    new: NewText,
    *,
    coder: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    dry_run: bool = False,
    action: Action = EDIT_ACTION,
    keep_old_text: bool = True,
) -> TextChange:
    """Replace the text of transcript ``name``, carrying every coding, turn and case
    assignment along; one transaction (nothing is written with ``dry_run``).

    ``threshold`` (0–100) is the similarity below which a coding whose text changed is
    flagged for review. The event keeps the old text (so nothing is ever lost) unless
    ``keep_old_text`` is False (pseudonymisation must not keep the real names).

    The edit script and every coding's new place — quadratic in the text's length — are
    worked out from a read, *before* the write lock is taken: other coders keep writing
    meanwhile. The write transaction then checks that the transcript, its codings, case
    assignments and review notes are still what was read, and stores the result; when
    another coder changed them in between, the work is redone (up to
    :data:`_ATTEMPTS` times, then a one-line refusal; nothing changed)."""
    if not new.text.strip():
        raise InputError(name, "the new text is empty; a transcript cannot be emptied")
    if not 0 <= threshold <= 100:
        raise FieldError("threshold", f"{threshold:g} is not between 0 and 100")
    log = _Log(action, coder, keep_old_text)
    for _attempt in range(_ATTEMPTS):
        with project.reading() as uow:
            state = _read_state(uow, name)
        if state.transcript.text == new.text:
            return TextChange(name, len(new.text), len(new.text), 0, (), 0, True)
        script = edit_script(state.transcript.text, new.text)  # no lock held here
        plan = _plan(state, new, script, threshold)
        if dry_run:
            return plan.result

        def store(uow: UnitOfWork, state: _State = state, plan: _Plan = plan) -> TextChange:
            if _read_state(uow, name).fingerprint() != state.fingerprint():
                raise _ChangedMeanwhile
            _store(uow, state, new, plan, log)
            return plan.result

        try:
            return project.run_unit_of_work(store)
        except _ChangedMeanwhile:
            continue
    raise ProjectBusyError(
        f"{name}: its text or codings kept changing while the new text was being anchored "
        f"({_ATTEMPTS} tries); nothing was changed, try again"
    )


def replace_with_script(
    uow: UnitOfWork,
    transcript: Transcript,
    new_text: str,
    script: EditScript,
    turns: Sequence[Turn],
) -> TextChange:
    """Inside the caller's transaction (which logs the event): store ``new_text`` for
    ``transcript`` through a known edit ``script`` (e.g. from pseudonym replacements),
    with these ``turns``, carrying codings and case assignments. Codings are never
    flagged for a changed text here, only when their text is gone."""
    new = NewText(new_text, tuple(turns), None)
    state = _state_of(uow, transcript)
    plan = _plan(state, new, script, threshold=0.0)
    _store(uow, state, new, plan, None)
    return plan.result


_ATTEMPTS = 3


class _ChangedMeanwhile(Exception):
    """The transcript changed between reading it and taking the write lock."""


@dataclass(frozen=True, slots=True)
class _Log:
    action: Action
    coder: str | None
    keep_old_text: bool


@dataclass(frozen=True, slots=True)
class _State:
    """Everything re-anchoring reads of one transcript."""

    transcript: Transcript
    codings: tuple[Coding, ...]
    assignments: tuple[Assignment, ...]
    notes: dict[int, str]

    def fingerprint(self) -> tuple[object, ...]:
        """Equal when nothing re-anchoring depends on has changed."""
        spans = tuple((c.id, c.start, c.end, c.text) for c in self.codings)
        return (self.transcript.sha256, spans, self.assignments, sorted(self.notes.items()))


def _read_state(uow: UnitOfWork, name: str) -> _State:
    transcript = uow.transcripts.get(name)
    if transcript is None:
        raise NotFoundError(unknown_transcript_message(name, uow.transcripts.names()))
    return _state_of(uow, transcript)


def _state_of(uow: UnitOfWork, transcript: Transcript) -> _State:
    return _State(
        transcript,
        tuple(uow.codings.find(transcripts=[transcript.name])),
        tuple(uow.transcript_edits.assignments(transcript.id)),
        uow.transcript_edits.review_notes(transcript.id),
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    """What storing the new text writes (computed without touching the database)."""

    result: TextChange
    turns: tuple[Turn, ...]
    assignments: list[Assignment]
    places: list[CodingPlace]


def _plan(state: _State, new: NewText, script: EditScript, threshold: float) -> _Plan:
    transcript = state.transcript
    moves = tuple(_move(new.text, script, coding, threshold) for coding in state.codings)
    turns = new.turns if new.turns is not None else tuple(parse_speaker_turns(new.text))
    turns = _with_old_timestamps(turns, transcript.turns, script)
    result = TextChange(
        transcript.name,
        len(transcript.text),
        len(new.text),
        len(script.edits()),
        moves,
        len(turns),
        False,
    )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    places = [
        CodingPlace(
            move.id,
            *move.after,
            move.new_text,
            _note(move, stamp) if move.status == REVIEW else state.notes.get(move.id),
        )
        for move in moves
        if move.status == REVIEW or (move.before, move.old_text) != (move.after, move.new_text)
    ]
    assignments = _carried_assignments(
        state.assignments, len(transcript.text), new.text, turns, script
    )
    return _Plan(result, turns, assignments, places)


def _store(uow: UnitOfWork, state: _State, new: NewText, plan: _Plan, log: _Log | None) -> None:
    transcript = state.transcript
    uow.transcript_edits.replace_text(
        transcript.id,
        text=new.text,
        sha256=text_sha256(new.text),
        words=count_words(new.text),
        language=guess_language(new.text) or transcript.language,
        source_path=new.source_path,
    )
    uow.transcript_edits.replace_turns(transcript.id, plan.turns)
    uow.transcript_edits.replace_assignments(transcript.id, plan.assignments)
    uow.transcript_edits.place_codings(plan.places)
    if log is not None:
        payload = _payload(transcript, new, plan.result.moves, log)
        uow.events.log(log.action, _summary(plan.result), payload, log.coder)


def _payload(
    transcript: Transcript, new: NewText, moves: Sequence[CodingMove], log: _Log
) -> dict[str, object]:
    before: dict[str, object] = {"sha256": transcript.sha256, "characters": len(transcript.text)}
    if log.keep_old_text:
        before["text"] = transcript.text
    payload: dict[str, object] = {
        "transcript": transcript.name,
        "before": before,
        "after": {"sha256": text_sha256(new.text), "characters": len(new.text)},
        "codings": [
            {"id": m.id, "before": list(m.before), "after": list(m.after), "status": m.status}
            for m in moves
        ],
    }
    if new.source_path is not None:
        payload["source"] = new.source_path
    return payload


def _move(new: str, script: EditScript, coding: Coding, threshold: float) -> CodingMove:
    placement = place_span(new, script, coding.start, coding.end, coding.text, threshold=threshold)
    return CodingMove(
        coding.id,
        coding.coder,
        coding.code_path,
        (coding.start, coding.end),
        (placement.start, placement.end),
        placement.status,
        placement.similarity,
        coding.text,
        placement.text,
    )


def _note(move: CodingMove, stamp: str) -> str:
    return (
        f"{stamp}: the transcript was edited and this coding's text changed "
        f"({move.similarity:.0f}% alike); it was “{_quoted(move.old_text)}”"
    )


def _quoted(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTED else flat[: _QUOTED - 1] + "…"


def _summary(change: TextChange) -> str:
    return (
        f"edited transcript {change.transcript} ({change.old_characters:,} -> "
        f"{change.new_characters:,} characters): codings {change.count(KEPT)} kept, "
        f"{change.count('adjusted')} adjusted, {change.count(REVIEW)} to review"
    )


def _with_old_timestamps(
    turns: Sequence[Turn], old_turns: Sequence[Turn], script: EditScript
) -> tuple[Turn, ...]:
    """Turns without a time take the time of the old turn that started at the same place
    (whatever its speaker is called now)."""
    old_times = {
        script.start(turn.start): turn.timestamp for turn in old_turns if turn.timestamp is not None
    }
    return tuple(
        turn
        if turn.timestamp is not None
        else Turn(turn.start, turn.end, turn.speaker, old_times.get(turn.start))
        for turn in turns
    )


def _carried_assignments(
    old: Sequence[Assignment],
    old_length: int,
    new_text: str,
    turns: Sequence[Turn],
    script: EditScript,
) -> list[Assignment]:
    carried: list[Assignment] = []
    speaker_done: set[tuple[int, str]] = set()
    for row in old:
        if row.speaker is not None:
            key = (row.case_id, row.speaker)
            spans = [(t.start, t.end) for t in turns if t.speaker == row.speaker]
            if spans:
                if key not in speaker_done:
                    speaker_done.add(key)
                    carried.extend(Assignment(row.case_id, s, e, row.speaker) for s, e in spans)
                continue
        if (row.start, row.end) == (0, old_length):
            carried.append(Assignment(row.case_id, 0, len(new_text), row.speaker))
            continue
        start, end = script.span(row.start, row.end)
        if end > start:
            carried.append(Assignment(row.case_id, start, end, row.speaker))
    return carried
