"""Replacing real names (people, places, institutions) by pseudonyms in text.

A name matches as a whole word, exactly as written (case-sensitive), longest name first
("Mette Hansen" before "Mette"), together with its genitive: Danish "Mettes", English
"Mette's" (also with a typographic apostrophe), and after s, x or z a bare apostrophe
("Jens'"). The pseudonym gets the same kind of ending, fitted to it: "Mettes" -> "Annas"
but -> "Lars'" for Lars; "Jens'" -> "Peters" in Danish, "Peter's" in English. Other forms
(a definite "Børnehuset" of "Børnehus") are listed in the map as names of their own.

Offsets are half-open code points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_APOSTROPHES = "'’"
_SIBILANTS = "sxzSXZ"


@dataclass(frozen=True, slots=True)
class Replacement:
    """``text[start:end]`` (the name as written, ``found``) becomes ``new``; ``name`` is
    the map entry that matched."""

    start: int
    end: int
    found: str
    new: str
    name: str


class Pseudonymizer:
    """Finds and replaces the names of a map ``[(real name, pseudonym), ...]``."""

    def __init__(self, entries: Sequence[tuple[str, str]]) -> None:
        self.entries = tuple(entries)
        self._pseudonyms = dict(self.entries)
        names = sorted(self._pseudonyms, key=len, reverse=True)
        alternatives = "|".join(re.escape(name) for name in names) or r"(?!)"
        self._pattern = re.compile(
            rf"(?<!\w)(?P<name>{alternatives})(?P<ending>['’]s|s|['’])?(?!\w)"
        )

    def find(self, text: str, language: str | None = None) -> list[Replacement]:
        """Every name in ``text``, in order, with what replaces it (``language`` "da" or
        "en" decides a genitive the text itself does not show)."""
        found: list[Replacement] = []
        for match in self._pattern.finditer(text):
            name = match.group("name")
            ending = match.group("ending") or ""
            if ending in ("'", "’") and name[-1] not in _SIBILANTS:
                ending = ""  # a closing quote, not a genitive
            end = match.start() + len(name) + len(ending)
            new = _with_ending(self._pseudonyms[name], ending, language)
            found.append(Replacement(match.start(), end, text[match.start() : end], new, name))
        return found

    def apply(self, text: str, language: str | None = None) -> str:
        """``text`` with every name replaced."""
        return apply_replacements(text, self.find(text, language))


def apply_replacements(text: str, replacements: Sequence[Replacement]) -> str:
    parts: list[str] = []
    at = 0
    for replacement in replacements:
        parts.append(text[at : replacement.start])
        parts.append(replacement.new)
        at = replacement.end
    parts.append(text[at:])
    return "".join(parts)


def _with_ending(pseudonym: str, ending: str, language: str | None) -> str:
    if not ending:
        return pseudonym
    sibilant = pseudonym[-1] in _SIBILANTS
    if ending == "s":  # Danish genitive: Mettes, but Lars'
        return pseudonym + ("'" if sibilant else "s")
    apostrophe = ending[0]
    if ending[1:] == "s":  # English genitive as written: Mette's
        return pseudonym + apostrophe + "s"
    # A bare apostrophe after s, x or z: Jens'
    if sibilant:
        return pseudonym + apostrophe
    return pseudonym + (apostrophe + "s" if language == "en" else "s")


def in_context(text: str, replacement: Replacement, width: int = 30) -> str:
    """One line showing a replacement in its surroundings: ``…before [old → new] after…``."""
    before = text[max(0, replacement.start - width) : replacement.start]
    after = text[replacement.end : replacement.end + width]
    lead = "…" if replacement.start > width else ""
    tail = "…" if replacement.end + width < len(text) else ""
    shown = f"{lead}{before}[{replacement.found} → {replacement.new}]{after}{tail}"
    return " ".join(shown.split())
