"""Speaker turns in plain-text transcripts ("Interviewer: ...", "[00:01:02] Mette: ...").

A line that starts with a speaker label begins a turn; lines and paragraphs without a
label continue the previous turn, so multi-paragraph answers stay one turn. Offsets are
Unicode code points into the normalised text, half-open ``[start, end)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qualcode.domain.transcripts import Turn

MAX_NAME_WORDS = 4
MAX_NAME_CHARS = 40

# A name starts with a letter and goes on with letters, digits, spaces, . ' ’ -
# ("I", "Caseworker 2", "Sagsbehandler Anne", "Dr. Østergaard"). Underscores match \w
# and are rejected afterwards, which keeps this a single fast character class.
_NAME = r"[^\W\d_][\w.'’\- ]{0,39}?"
_TIMESTAMP = (
    r"\[(?:(?P<hours>\d{1,2}):)?(?P<minutes>\d{1,3}):(?P<seconds>[0-5]\d)(?:[.,]\d{1,3})?\]"
)

# Optional indentation, optional [hh:mm:ss] or [mm:ss], optional Markdown bold around
# the label ("**I:**" or "**I**:"), the name, a colon, then whitespace or the line end.
_LABEL = re.compile(
    rf"^[ \t]*(?:{_TIMESTAMP}[ \t]*)?(?P<bold>\*\*)?(?P<name>{_NAME})[ \t]*"
    r"(?(bold)(?:\*\*:|:\*\*)|:)(?=\s|\Z)",
    re.MULTILINE,
)
_NAME_ONLY = re.compile(rf"(?P<name>{_NAME})[ \t]*:(?=\s|\Z)")

# "http: ..." and friends are never people.
_NOT_SPEAKERS = frozenset({"http", "https", "ftp", "ftps", "mailto", "file", "www"})

_WHITESPACE = " \t\n"


def is_speaker_name(name: str) -> bool:
    """Whether ``name`` (without its colon) is plausible as a speaker label: 1–4 words,
    at most 40 characters, starting with a letter, no URL scheme."""
    match = _NAME_ONLY.fullmatch(name + ":")
    return match is not None and _acceptable(match["name"])


def split_speaker_prefix(line: str) -> tuple[str | None, str]:
    """Split ``"Name: text"`` into ``("Name", "text")``; ``(None, line)`` when the line
    has no plausible speaker label. Used for subtitle cues."""
    match = _NAME_ONLY.match(line)
    if match is None or not _acceptable(match["name"]):
        return None, line
    return match["name"].rstrip(), line[match.end() :].lstrip(_WHITESPACE)


def parse_speaker_turns(text: str) -> list[Turn]:
    """Split normalised text (``\\n`` line ends) into speaker turns.

    Each :class:`Turn` covers the utterance only: ``[start, end)`` in code points, from
    the first non-blank character after ``"Name:"`` to the last non-blank character
    before the next label (trailing spaces and newlines are outside the turn). Text before
    the first label forms no turn, and a label with nothing after it forms no turn.
    ``speaker`` is the name as written; ``timestamp`` is the bracketed time in seconds.
    """
    turns: list[Turn] = []
    names: dict[str, str] = {}  # one string per speaker, shared by all their turns
    previous: re.Match[str] | None = None
    for label in _LABEL.finditer(text):  # lazily: a big file has a million labels
        if _acceptable(label["name"]):
            if previous is not None:
                _add_turn(turns, text, previous, label.start(), names)
            previous = label
    if previous is not None:
        _add_turn(turns, text, previous, len(text), names)
    return turns


def _add_turn(
    turns: list[Turn], text: str, label: re.Match[str], region_end: int, names: dict[str, str]
) -> None:
    """Append the turn ``label`` begins, trimmed of whitespace, unless it is empty."""
    start = label.end()
    while start < region_end and text[start] in _WHITESPACE:
        start += 1
    end = region_end
    while end > start and text[end - 1] in _WHITESPACE:
        end -= 1
    if end > start:
        name = label["name"].rstrip()
        turns.append(Turn(start, end, names.setdefault(name, name), _label_seconds(label)))


def speakers(turns: Iterable[Turn]) -> list[str]:
    """Distinct speaker names in order of first appearance (unattributed turns skipped)."""
    seen: dict[str, None] = {}
    for turn in turns:
        if turn.speaker is not None:
            seen.setdefault(turn.speaker, None)
    return list(seen)


def _acceptable(name: str) -> bool:
    words = name.split()
    return (
        0 < len(words) <= MAX_NAME_WORDS
        and len(name.rstrip()) <= MAX_NAME_CHARS
        and "_" not in name
        and words[-1].lower() not in _NOT_SPEAKERS
    )


def _label_seconds(label: re.Match[str]) -> float | None:
    if label["minutes"] is None:
        return None
    hours = int(label["hours"] or 0)
    return float(hours * 3600 + int(label["minutes"]) * 60 + int(label["seconds"]))
