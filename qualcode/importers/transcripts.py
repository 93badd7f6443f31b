"""Transcript files (.txt, .md, .docx, .vtt, .srt) -> :class:`TranscriptDraft`.

Plain text and Word documents get their turns from "Name:" labels; subtitle files from
their cues, where consecutive cues by one speaker are merged into one turn and the text
is rebuilt as one "Speaker: utterance" paragraph per turn. All offsets are code points
into the normalised text, half-open.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.domain.text_entry import enter_name
from qualcode.domain.transcripts import TranscriptDraft, Turn, guess_language
from qualcode.domain.turns import parse_speaker_turns, split_speaker_prefix
from qualcode.importers.decoding import (
    DEFAULT_MAX_BYTES,
    read_text_file,
)
from qualcode.importers.docx_text import read_docx

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_SUFFIXES", "load_transcript"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")


def load_transcript(
    path: Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> TranscriptDraft:
    """Read one transcript file, choosing the reader by suffix (case-insensitive).

    ``name`` defaults to the file name without its suffix. Files bigger than
    ``max_bytes`` are refused before reading. Raises :class:`InputError` (one line,
    located by line or byte offset where possible) for anything that cannot be read.
    """
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{path.suffix}'" if path.suffix else "(no suffix)"
        raise InputError(
            source, f"unsupported file type {shown}; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    warnings: tuple[str, ...] = ()
    if suffix == ".docx":
        document = read_docx(path, max_bytes)
        text, turns, encoding = document.text, list(document.turns), "docx"
        notes, warnings = list(document.notes), document.warnings
    else:
        decoded = read_text_file(path, max_bytes=max_bytes)
        encoding, notes = decoded.encoding, list(decoded.notes)
        if suffix == ".vtt":
            text, turns, cue_note = _build_from_cues(_parse_vtt(decoded.text, source), source)
            notes.append(cue_note)
        elif suffix == ".srt":
            text, turns, cue_note = _build_from_cues(_parse_srt(decoded.text, source), source)
            notes.append(cue_note)
        else:
            text, turns = decoded.text, parse_speaker_turns(decoded.text)
    if not turns:
        notes.append("no speaker labels found: the text has no turns")
    return TranscriptDraft(
        name=enter_name(name if name is not None else path.stem, f"{source}: transcript name"),
        text=text,
        turns=tuple(turns),
        source_path=source,
        encoding=encoding,
        notes=tuple(notes),
        language=guess_language(text),
        warnings=warnings,
    )


# --- Subtitles ----------------------------------------------------------------------


@dataclass(slots=True)
class _Cue:
    start: float
    speaker: str | None
    text: str


@dataclass(slots=True)
class _MergedTurn:
    start: float
    speaker: str | None
    texts: list[str] = field(default_factory=list)


Unescape = Callable[[str], str] | None


def _timing_pattern(time: str) -> re.Pattern[str]:
    """``time`` uses groups {p}h {p}m {p}s {p}f; the result names them a_* and b_*."""
    start, end = time.format(p="a_"), time.format(p="b_")
    return re.compile(rf"{start}[ \t]+-->[ \t]+{end}(?:[ \t]+\S.*)?")


_VTT_TIMING = _timing_pattern(
    r"(?:(?P<{p}h>\d+):)?(?P<{p}m>[0-5]\d):(?P<{p}s>[0-5]\d)\.(?P<{p}f>\d{{3}})"
)
_SRT_TIMING = _timing_pattern(
    r"(?P<{p}h>\d+):(?P<{p}m>[0-5]\d):(?P<{p}s>[0-5]\d)[,.](?P<{p}f>\d{{1,3}})"
)
# A line that tries to be a timing line but has no "-->" ("00:01.000 -> 00:02.000").
_TIMING_ATTEMPT = re.compile(r"[ \t]*\d+:\d\d[:.,]\d")
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_VOICE = re.compile(r"<v(?:\.[\w-]+)*(?:[ \t]+([^>\n]*))?>")
# Markup tags (<i>, </b>, <c.yellow>, <font color=...>), inline times (<00:01.000>) and
# SubStation overrides ({\an8}); a bare "<" in prose ("a < b") is left alone.
_MARKUP = re.compile(r"<(?:/?[A-Za-z][^<>\n]*|\d[\d:.]*)>|\{\\[^}\n]*\}")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks as (1-based line number of the first line, lines)."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _parse_vtt(text: str, source: str) -> list[_Cue]:
    first_line = text.split("\n", 1)[0]
    if not _VTT_HEADER.fullmatch(first_line):
        raise InputError(source, "missing WEBVTT header (the first line must be WEBVTT)", line=1)
    cues: list[_Cue] = []
    for first, lines in _blocks(text):
        if first == 1 or _VTT_SKIPPED_BLOCK.fullmatch(lines[0]):
            continue
        timing_index = next((i for i in (0, 1) if i < len(lines) and "-->" in lines[i]), None)
        if timing_index is None:
            _refuse_timing_attempts(lines, source, first, "hh:mm:ss.mmm")
            _continue_previous_cue(cues, lines, source, first, "a cue timing line", html.unescape)
            continue
        number = first + timing_index
        start = _parse_timing(_VTT_TIMING, lines[timing_index], source, number, "hh:mm:ss.mmm")
        payload = "\n".join(lines[timing_index + 1 :])
        cues.extend(_cue_segments(start, html.unescape, payload))
    return cues


def _parse_srt(text: str, source: str) -> list[_Cue]:
    cues: list[_Cue] = []
    for first, lines in _blocks(text):
        if "-->" in lines[0]:
            timing_index = 0
        elif lines[0].strip().isdigit():
            if len(lines) == 1:
                raise InputError(source, f"cue {lines[0].strip()} has no timing line", line=first)
            timing_index = 1
        elif len(lines) > 1 and "-->" in lines[1]:
            shown = _shorten(lines[0])
            raise InputError(source, f"expected a cue number, got '{shown}'", line=first)
        else:
            _refuse_timing_attempts(lines, source, first, "hh:mm:ss,mmm")
            _continue_previous_cue(cues, lines, source, first, "a cue number", None)
            continue
        number = first + timing_index
        start = _parse_timing(_SRT_TIMING, lines[timing_index], source, number, "hh:mm:ss,mmm")
        # SubRip defines no character references: "&amp;" in a cue is literal text.
        cues.extend(_cue_segments(start, None, "\n".join(lines[timing_index + 1 :])))
    return cues


def _refuse_timing_attempts(lines: list[str], source: str, first: int, form: str) -> None:
    for index, line in enumerate(lines[:2]):
        if _TIMING_ATTEMPT.match(line):
            _parse_timing(_VTT_TIMING, line, source, first + index, form)  # always raises


def _continue_previous_cue(
    cues: list[_Cue], lines: list[str], source: str, first: int, expected: str, unescape: Unescape
) -> None:
    # A blank line inside a cue's text splits it into two blocks; the second has no timing.
    if not cues:
        shown = _shorten(lines[0])
        raise InputError(source, f"expected {expected}, got '{shown}'", line=first)
    cues[-1].text = f"{cues[-1].text} {_clean(' '.join(lines), unescape)}".strip()


def _parse_timing(
    pattern: re.Pattern[str], line: str, source: str, number: int, form: str
) -> float:
    match = pattern.fullmatch(line.strip()) if "-->" in line else None
    if match is None:
        shown = _shorten(line)
        raise InputError(
            source, f"malformed cue timing '{shown}' (expected {form} --> {form})", line=number
        )
    start, end = _seconds(match, "a_"), _seconds(match, "b_")
    if end < start:
        raise InputError(source, "cue ends before it starts", line=number)
    return start


def _seconds(match: re.Match[str], prefix: str) -> float:
    hours, fraction = match[prefix + "h"], match[prefix + "f"]
    whole = int(hours or 0) * 3600 + int(match[prefix + "m"]) * 60 + int(match[prefix + "s"])
    return float(whole + int(fraction) / 10 ** len(fraction))


def _cue_segments(start: float, unescape: Unescape, payload: str) -> Iterator[_Cue]:
    """One cue's text split by voice tags (``<v Name>``); without voice tags, each line
    starting "Name:" begins a new speaker. Empty segments are dropped."""
    voices = list(_VOICE.finditer(payload))
    if not voices:
        speaker: str | None = None
        texts: list[str] = []
        for line in payload.split("\n"):
            named, rest = split_speaker_prefix(_clean(line, unescape))
            if named is not None:
                if texts:
                    yield _Cue(start, speaker, " ".join(texts))
                speaker, texts = named, []
            if rest:
                texts.append(rest)
        if texts:
            yield _Cue(start, speaker, " ".join(texts))
        return
    before = _clean(payload[: voices[0].start()], unescape)
    if before:
        yield _Cue(start, None, before)
    for index, voice in enumerate(voices):
        end = voices[index + 1].start() if index + 1 < len(voices) else len(payload)
        text = _clean(payload[voice.end() : end], unescape)
        speaker = _clean(voice[1] or "", unescape) or None
        if text:
            yield _Cue(start, speaker, text)


def _clean(raw: str, unescape: Unescape) -> str:
    """Cue text without markup, entities decoded, whitespace collapsed, NFC."""
    text = _MARKUP.sub("", raw)
    if unescape is not None:
        text = unescape(text)
    text = " ".join(text.split())  # also turns no-break spaces into plain spaces
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _build_from_cues(cues: list[_Cue], source: str) -> tuple[str, list[Turn], str]:
    """Merge consecutive cues by one speaker and render one paragraph per turn."""
    merged: list[_MergedTurn] = []
    for cue in cues:
        if not merged or merged[-1].speaker != cue.speaker:
            merged.append(_MergedTurn(cue.start, cue.speaker))
        merged[-1].texts.append(cue.text)
    if not merged:
        raise InputError(source, "no cues with text")
    pieces: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for turn in merged:
        prefix = f"{turn.speaker}: " if turn.speaker is not None else ""
        utterance = " ".join(turn.texts)
        start = offset + len(prefix)
        turns.append(Turn(start, start + len(utterance), turn.speaker, turn.start))
        pieces.append(prefix + utterance)
        offset = start + len(utterance) + 2  # the "\n\n" between paragraphs
    note = f"{len(cues):,} cue{'s' if len(cues) != 1 else ''} -> {len(turns):,} turns"
    return "\n\n".join(pieces), turns, note


def _shorten(line: str, limit: int = 60) -> str:
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"
