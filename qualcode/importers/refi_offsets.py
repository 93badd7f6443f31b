"""Mapping positions between texts: a producer's positions into qualcode's normalised
text, and a coding's offsets from one copy of a transcript into a slightly edited copy.

qualcode's positions are code points into the NFC, LF-only text without a BOM; spans are
half-open ``[start, end)``.

Producers count their positions differently, and say nothing about it in the file:

- a leading BOM counted as a character (qc keeps it) or not (QualCoder, most tools);
- a CRLF line end counted as two characters (the spec's "characters of the file") or as
  one (qc reads lines in text mode; QualCoder's "MAXQDA" mode stores CRLF text with LF
  positions);
- characters outside the Basic Multilingual Plane (emoji) counted as one code point or
  as two UTF-16 units (tools built on .NET, Java or Qt strings).

Only the choices the text makes possible are considered (a text without a BOM has no
BOM question). Each candidate convention is scored on the source's own selections, most
telling evidence first (a tuple compared in order):

1. a candidate that puts any selection outside the text, between the halves of a
   surrogate pair, or that is not ordered, is impossible;
2. selections whose ``name`` holds the coded text (QualCoder and others) or the coded
   line (qc: ``line:N``) and agree with what the candidate covers;
3. what the producing tool (``origin``) is known to do;
4. selection boundaries that fall between words rather than inside one;
5. qualcode's default reading (BOM not counted, CRLF as two, code points).

Candidates that place every selection identically are one outcome: choosing between
them does not matter. When none fits, the source is refused; when the choice rested on
word boundaries or the default alone, the import warns that the evidence is thin.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from qualcode.domain.errors import InputError


class EditMap:
    """Offsets in ``old`` mapped into ``new`` through the Levenshtein edit script."""

    def __init__(self, old: str, new: str) -> None:
        self.blocks = [
            (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
            for op in Levenshtein.opcodes(old, new)
            if op.src_start != op.src_end or op.tag == "equal"
        ]
        self.starts = [block[1] for block in self.blocks]
        self.old_length, self.new_length = len(old), len(new)

    def start(self, position: int, *, lenient: bool = False) -> int | None:
        """Where a span starting at ``position`` starts in ``new``; ``None`` if that
        character was replaced or deleted (unless ``lenient``: then the edit's start)."""
        if position >= self.old_length:
            return self.new_length if position == self.old_length else None
        tag, i1, _, j1, _ = self.blocks[bisect.bisect_right(self.starts, position) - 1]
        if tag == "equal":
            return j1 + position - i1
        return j1 if lenient or position == i1 else None

    def end(self, position: int, *, lenient: bool = False) -> int | None:
        """Where a span ending (exclusively) at ``position`` ends in ``new``."""
        if position <= 0:
            return 0 if position == 0 else None
        tag, i1, i2, j1, j2 = self.blocks[bisect.bisect_right(self.starts, position - 1) - 1]
        if tag == "equal":
            return j1 + position - i1
        return j2 if lenient or position == i2 else None


# --- conventions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Convention:
    """How a producer counted positions. ``None``: the text gives no such question."""

    bom_counted: bool | None = None
    crlf_as_two: bool | None = None
    utf16: bool | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.bom_counted is not None:
            parts.append("BOM counted" if self.bom_counted else "BOM not counted")
        if self.crlf_as_two is not None:
            parts.append("CRLF as two characters" if self.crlf_as_two else "CRLF as one")
        if self.utf16 is not None:
            parts.append("UTF-16 units" if self.utf16 else "code points")
        return ", ".join(parts) or "code points"


DEFAULT = Convention(bom_counted=False, crlf_as_two=True, utf16=False)
"""qualcode's reading when nothing else decides (the spec's characters of the file)."""

# What a producer is known to do, by a pattern on the project's ``origin``; first match
# wins (QualCoder before qc: "qc" alone is qualitative-coding's origin, "qc 1.7.8").
KNOWN_PRODUCERS: tuple[tuple[re.Pattern[str], str, Convention], ...] = (
    (re.compile(r"qualcoder", re.I), "QualCoder", Convention(False, False, False)),
    (re.compile(r"^\s*qc\b|qualitative.coding", re.I), "qc", Convention(True, False, False)),
    (re.compile(r"qualcode\b", re.I), "qualcode", DEFAULT),
    # .NET / Qt string indices are UTF-16 units; how they count BOM and CRLF is left to
    # the evidence.
    (
        re.compile(r"nvivo|maxqda|atlas\.?ti", re.I),
        "a UTF-16 platform",
        Convention(None, None, True),
    ),
)


def known_producer(origin: str | None) -> tuple[str, Convention] | None:
    """The producer named by a project's ``origin`` and what it is known to do."""
    for pattern, name, convention in KNOWN_PRODUCERS:
        if origin and pattern.search(origin):
            return name, convention
    return None


class _Layout:
    """Where a raw text's BOM, CRLFs and astral characters are (indices into the raw
    text), and which raw characters the normalised text drops (the BOM, each CRLF's CR)."""

    def __init__(self, raw: str) -> None:
        self.raw_length = len(raw)
        self.bom = raw.startswith("\ufeff")
        self.crlf = [m.start() for m in re.finditer("\r\n", raw)]
        self.astral = [m.start() for m in re.finditer("[\U00010000-\U0010ffff]", raw)]
        self.dropped = ([0] if self.bom else []) + self.crlf

    def conventions(self) -> list[Convention]:
        bom = (True, False) if self.bom else (None,)
        crlf = (True, False) if self.crlf else (None,)
        utf16 = (True, False) if self.astral else (None,)
        return [Convention(b, c, u) for b, c, u in itertools.product(bom, crlf, utf16)]


class _Units:
    """One convention's positions mapped onto the collapsed text (no BOM, LF only)."""

    def __init__(self, layout: _Layout, convention: Convention) -> None:
        specials: list[tuple[int, int]] = []  # (raw index, width in the producer's units)
        if layout.bom:
            specials.append((0, 1 if convention.bom_counted else 0))
        specials.extend((i, 1 if convention.crlf_as_two else 0) for i in layout.crlf)
        specials.extend((i, 2 if convention.utf16 else 1) for i in layout.astral)
        specials.sort()
        self.raw_at = [index for index, _ in specials]
        self.widths = [width for _, width in specials]
        self.unit_at: list[int] = []
        extra = 0
        for index, width in specials:
            self.unit_at.append(index + extra)
            extra += width - 1
        self.length = layout.raw_length + extra
        self.raw_length = layout.raw_length
        self.dropped = layout.dropped

    def __call__(self, position: int) -> int | None:
        """The collapsed-text position of a producer's ``position``; ``None`` when it is
        outside the text or splits a character the producer counted as two units."""
        if not 0 <= position <= self.length:
            return None
        k = bisect.bisect_right(self.unit_at, position) - 1
        if k < 0:
            raw = position
        else:
            offset = position - self.unit_at[k]
            if offset == 0:
                raw = self.raw_at[k]
            elif offset < self.widths[k]:
                return None
            else:
                raw = self.raw_at[k] + 1 + offset - self.widths[k]
        return raw - bisect.bisect_left(self.dropped, raw)


# --- a source's text, mapped ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MappedText:
    """A source's normalised text, the convention its producer counted positions in
    (``basis`` says what decided it) and how to map those positions into the text."""

    text: str
    notes: tuple[str, ...]
    convention: Convention
    basis: str
    thin: bool
    units: _Units
    nfc: EditMap | None

    @property
    def raw_length(self) -> int:
        """The text's length in the chosen convention's units."""
        return self.units.length

    def start(self, position: int) -> int | None:
        collapsed = self.units(position)
        if collapsed is None or self.nfc is None:
            return collapsed
        return self.nfc.start(collapsed, lenient=True)

    def end(self, position: int) -> int | None:
        collapsed = self.units(position)
        if collapsed is None or self.nfc is None:
            return collapsed
        return self.nfc.end(collapsed, lenient=True)

    def summary(self) -> str:
        """``"BOM counted, CRLF as one (by selection names)"``."""
        return f"{self.convention.describe()} ({self.basis})"


Selection = tuple[int, int, str | None]
"""A selection as the producer wrote it: start, end (its units) and its ``name``."""


def map_source_text(
    raw: str,
    selections: Sequence[Selection],
    *,
    origin: str | None = None,
    where: str = "source",
) -> MappedText:
    """Normalise a source's text (no BOM, LF, NFC) and decide which convention its
    ``selections`` were counted in (see the module docstring). Raises
    :class:`InputError` (one line, naming ``where``) when no convention places every
    selection inside the text."""
    layout = _Layout(raw)
    collapsed = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    producer = known_producer(origin)
    scored: list[tuple[tuple[int, ...], Convention, _Units, tuple[tuple[int, int], ...]]] = []
    conventions = layout.conventions()
    for convention in conventions:
        units = _Units(layout, convention)
        placed = _place(units, selections)
        if placed is None:
            continue
        # with nothing to decide (no BOM, CRLF or astral character) scoring is skipped
        score = (
            _score(collapsed, placed, selections, convention, producer)
            if len(conventions) > 1
            else ()
        )
        scored.append((score, convention, units, placed))
    if not scored:
        raise InputError(where, _nothing_fits(layout, selections))
    scored.sort(key=lambda item: item[0], reverse=True)
    best_score, convention, units, placed = scored[0]
    rivals = [item for item in scored[1:] if item[3] != placed]
    named = sum(1 for _, _, name in selections if name and name.strip())
    rival = rivals[0][0] if rivals else None
    basis, thin = _basis(best_score, rival, len(scored), producer, named)
    notes: list[str] = []
    if layout.bom:
        notes.append("BOM stripped")
    if layout.crlf:
        notes.append(f"{len(layout.crlf)} CRLF line ends -> LF")
    notes.append(f"positions: {convention.describe()} ({basis})")
    text = unicodedata.normalize("NFC", collapsed)
    nfc = None
    if text != collapsed:
        nfc = EditMap(collapsed, text)
        notes.append("Unicode normalised to NFC")
    return MappedText(text, tuple(notes), convention, basis, thin, units, nfc)


def _place(units: _Units, selections: Sequence[Selection]) -> tuple[tuple[int, int], ...] | None:
    placed: list[tuple[int, int]] = []
    for start, end, _ in selections:
        mapped = units(start), units(end)
        if mapped[0] is None or mapped[1] is None or start > end:
            return None
        placed.append((mapped[0], mapped[1]))
    return tuple(placed)


_TRUNCATION = ("…", "...")
_SPACES = re.compile(r"\s+")
_LINE_NAME = re.compile(r"line:(\d{1,9})")


def _score(
    collapsed: str,
    placed: Sequence[tuple[int, int]],
    selections: Sequence[Selection],
    convention: Convention,
    producer: tuple[str, Convention] | None,
) -> tuple[int, ...]:
    names = boundaries = 0
    line_starts: list[int] | None = None
    for (start, end), (_, _, name) in zip(placed, selections, strict=True):
        boundaries += _between_words(collapsed, start) + _between_words(collapsed, end)
        if not name:
            continue
        line = _LINE_NAME.fullmatch(name.strip())
        if line is not None:
            if line_starts is None:
                line_starts = [0, *(m.end() for m in re.finditer("\n", collapsed))]
            number = int(line.group(1))
            # qc numbers lines from 0 (some tools from 1): either, if the span starts there
            candidates = {number, number - 1}
            names += any(0 <= n < len(line_starts) and line_starts[n] == start for n in candidates)
            continue
        covered = _SPACES.sub(" ", collapsed[start:end]).strip()
        wanted = _SPACES.sub(" ", name).strip()
        for mark in _TRUNCATION:
            wanted = wanted.removesuffix(mark).rstrip()
        names += bool(wanted) and covered.startswith(wanted)
    known = 0
    if producer is not None:
        expected = producer[1]
        known = sum(
            1
            for field in ("bom_counted", "crlf_as_two", "utf16")
            if getattr(expected, field) is not None
            and getattr(convention, field) is not None
            and getattr(expected, field) == getattr(convention, field)
        )
    default = sum(
        1
        for field in ("bom_counted", "crlf_as_two", "utf16")
        if getattr(convention, field) in (None, getattr(DEFAULT, field))
    )
    return names, known, boundaries, default


_BASES = ("selection names", "producer", "word boundaries", "default")


def _basis(
    best: tuple[int, ...],
    rival: tuple[int, ...] | None,
    candidates: int,
    producer: tuple[str, Convention] | None,
    named: int,
) -> tuple[str, bool]:
    """What decided the choice, and whether that evidence is thin (names decided but
    some named selections disagree even so; or only word boundaries or the default)."""
    if rival is None:
        if candidates == 1:
            return "the only reading that fits every selection", False
        return "every fitting reading places the selections alike", False
    for index, (mine, theirs) in enumerate(zip(best, rival, strict=True)):
        if mine != theirs:
            if index == 0:
                return f"by selection names: {mine} of {named} agree", mine < named
            if index == 1:
                return f"by producer: {producer[0] if producer else '?'}", False
            return f"by {_BASES[index]}; evidence thin", True
    return "by default; evidence thin", True


def _nothing_fits(layout: _Layout, selections: Sequence[Selection]) -> str:
    for start, end, _ in selections:
        fits = [c for c in layout.conventions() if _place(_Units(layout, c), [(start, end, None)])]
        if start > end:
            return f"selection {start}:{end} ends before it starts"
        if not fits:
            conventions = layout.conventions()
            longest = max(_Units(layout, c).length for c in conventions)
            counted = ", however counted" if len(conventions) > 1 else ""
            return (
                f"selection {start}:{end} is outside the source text "
                f"({longest} characters{counted})"
            )
    tried = "; ".join(c.describe() for c in layout.conventions())
    return (
        f"no one way of counting positions places every selection inside the text (tried: {tried})"
    )


def _between_words(text: str, position: int) -> int:
    if position <= 0 or position >= len(text):
        return 1
    return 0 if text[position - 1].isalnum() and text[position].isalnum() else 1
