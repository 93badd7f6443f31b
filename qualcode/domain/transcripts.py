"""Transcripts and their turns, as imported and as stored."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from qualcode.domain.errors import InputError
from qualcode.domain.spans import span_problem, span_text


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker's utterance: ``[start, end)`` code points of the utterance itself
    (the "Name:" label is outside it). ``timestamp`` is the cue or label time in seconds."""

    start: int
    end: int
    speaker: str | None
    timestamp: float | None = None


@dataclass(frozen=True, slots=True)
class TranscriptDraft:
    """A transcript read from a file, normalised and ready to store.

    ``text`` is UTF-8-clean, ``\\n`` newlines, NFC, without BOM. ``notes`` say what
    normalisation did (for the per-file import report); ``warnings`` what the reader kept
    otherwise than the file laid it out (a Word table kept as text rather than turns).
    """

    name: str
    text: str
    turns: tuple[Turn, ...]
    source_path: str
    encoding: str
    notes: tuple[str, ...] = ()
    language: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


@dataclass(frozen=True, slots=True)
class TranscriptSummary:
    """What `qualcode transcripts` lists for one transcript."""

    id: int
    name: str
    characters: int
    words: int
    turns: int
    speakers: tuple[str, ...]
    cases: tuple[str, ...]
    language: str | None
    source_path: str | None


@dataclass(frozen=True, slots=True)
class Transcript:
    """A stored transcript with its turns."""

    id: int
    name: str
    text: str
    sha256: str
    source_path: str | None
    language: str | None
    turns: tuple[Turn, ...] = field(default=())


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the UTF-8 encoding of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(raw: str) -> tuple[str, list[str]]:
    """Normalise decoded text: strip a leading BOM, CRLF/CR to LF, Unicode NFC.

    Returns the text and a list of notes naming each change made.
    """
    notes: list[str] = []
    text = raw
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("BOM stripped")
    if "\r" in text:
        crlf = text.count("\r\n")
        text = text.replace("\r\n", "\n")
        lone_cr = text.count("\r")
        text = text.replace("\r", "\n")
        if crlf:
            notes.append(f"{crlf:,} CRLF line ends -> LF")
        if lone_cr:
            notes.append(f"{lone_cr:,} CR line ends -> LF")
    if not unicodedata.is_normalized("NFC", text):  # no copy of text already in NFC
        notes.append("Unicode normalised to NFC")
        text = unicodedata.normalize("NFC", text)
    return text, notes


_DANISH_WORDS = frozenset(
    [
        "og",
        "det",
        "jeg",
        "er",
        "at",
        "en",
        "ikke",
        "der",
        "på",
        "med",
        "har",
        "vi",
        "som",
        "til",
        "for",
        "de",
        "du",
        "kan",
        "men",
        "så",
        "også",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "and",
        "the",
        "i",
        "is",
        "that",
        "a",
        "not",
        "there",
        "on",
        "with",
        "have",
        "we",
        "as",
        "to",
        "for",
        "they",
        "you",
        "can",
        "but",
        "so",
        "also",
    ]
)


def guess_language(text: str) -> str | None:
    """``"da"`` or ``"en"`` by counting frequent function words in the first 5,000
    characters; ``None`` when neither clearly wins."""
    sample = text[:5000].lower().split()
    danish = sum(1 for w in sample if w.strip(".,!?;:") in _DANISH_WORDS)
    english = sum(1 for w in sample if w.strip(".,!?;:") in _ENGLISH_WORDS)
    if danish == english or max(danish, english) < 3:
        return None
    return "da" if danish > english else "en"


def transcript_passage(transcript: Transcript, start: int, end: int) -> str:
    """The text of ``[start, end)``; raises :class:`InputError` for an invalid span."""
    return checked_passage(transcript.text, start, end, transcript.name)


def checked_passage(text: str, start: int, end: int, transcript: str) -> str:
    """``text[start:end]`` of the transcript named ``transcript``; a span that is not a
    non-empty span of the text is an :class:`InputError` naming the transcript (not a
    command-line flag: the workspace shows the same line)."""
    problem = span_problem(len(text), start, end)
    if problem:
        raise InputError(transcript, problem)
    return span_text(text, start, end)


def summarise_transcripts(
    transcripts: Iterable[tuple[int, str, int, int, str | None, str | None]],
    turn_counts: Iterable[tuple[int, int]],
    speakers: Iterable[tuple[int, str]],
    cases: Iterable[tuple[int, str]],
) -> list[TranscriptSummary]:
    """One summary per ``(id, name, characters, words, language, source_path)`` row, from
    ``(transcript id, turns)`` counts and ``(transcript id, name)`` rows of speakers (in
    order of their first turn) and of case names (sorted)."""
    counted = dict(iter(turn_counts))  # iter(): a result with .keys() is no mapping
    speakers_of: dict[int, list[str]] = {}
    for tid, speaker in speakers:
        speakers_of.setdefault(tid, []).append(speaker)
    cases_of: dict[int, list[str]] = {}
    for tid, case in cases:
        cases_of.setdefault(tid, []).append(case)
    return [
        TranscriptSummary(
            id=tid,
            name=name,
            characters=characters,
            words=words,
            turns=counted.get(tid, 0),
            speakers=tuple(speakers_of.get(tid, ())),
            cases=tuple(cases_of.get(tid, ())),
            language=language,
            source_path=source,
        )
        for tid, name, characters, words, language, source in transcripts
    ]


@dataclass(frozen=True, slots=True)
class Assignment:
    case_id: int
    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True, slots=True)
class CodingPlace:
    """A coding's new span, its anchor text there and its review note (``None`` = no
    review needed)."""

    coding_id: int
    start: int
    end: int
    anchor_text: str
    review_note: str | None
