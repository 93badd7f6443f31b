"""Theme-by-case matrices: the counting rules, cell measures and totals (standard library only).

Offsets are half-open ``[start, end)`` Unicode code points into a transcript's normalised
text. A matrix has rows (each row reads its own text: a case's assigned text, a whole
transcript, one speaker's utterances, or the text of the cases with an attribute value),
columns (each column is a set of codes: a theme with its sub-codes, or one code) and one
block of cells per coder group (the union of the chosen coders, or one coder each).

Every measure follows from one per-character picture. For a cell, let *C* be the
characters coded with any of the column's codes by any of the block's coders, and *R* the
characters of the row's text. Then:

- references: maximal runs of characters in *C* ∩ *R* (so overlapping or touching codings
  merge into one, and a sub-code's passage counts for its theme once);
- characters: the size of *C* ∩ *R*; coverage: characters ÷ size of *R* × 100;
- words: words (by :mod:`qualcode.domain.words`) with at least one character in *C* ∩ *R*,
  each counted once;
- presence: 1 when references > 0; transcripts: transcripts with a reference; cases: the
  row's cases whose text holds a reference;
- row % and column %: references ÷ the row's (column's) total references × 100.

:data:`COUNTING_RULES` states the same in the words the outputs and the README use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import groupby
from operator import itemgetter

Interval = tuple[int, int]
"""A half-open ``(start, end)`` range of code points."""
Intervals = tuple[Interval, ...]
CodingSpan = tuple[int, int, int, int, int]
"""``(transcript_id, code_id, coder_id, start, end)``: all a count needs of one coding."""
TurnSpan = tuple[int, int, str | None]
"""``(start, end, speaker)`` of one turn."""

PERCENT_DECIMALS = 2
TOTAL = "Total"


class Measure(StrEnum):
    REFERENCES = "references"
    WORDS = "words"
    CHARACTERS = "characters"
    COVERAGE = "coverage"
    PRESENCE = "presence"
    TRANSCRIPTS = "transcripts"
    CASES = "cases"
    ROW_PCT = "row-pct"
    COL_PCT = "col-pct"
    PASSAGES = "passages"


NUMERIC_MEASURES = tuple(m for m in Measure if m is not Measure.PASSAGES)

MEASURE_DESCRIPTIONS: Mapping[Measure, str] = {
    Measure.REFERENCES: "coding references: separate stretches of coded text in the row's text",
    Measure.WORDS: "words with at least one character coded in the row's text",
    Measure.CHARACTERS: "coded characters (code points) in the row's text",
    Measure.COVERAGE: "coverage %: coded characters ÷ characters of the row's text × 100",
    Measure.PRESENCE: "presence: 1 when the cell has a reference, else 0 (totals count them)",
    Measure.TRANSCRIPTS: "transcripts with at least one reference in the cell",
    Measure.CASES: "cases (of the row) whose text holds at least one reference in the cell",
    Measure.ROW_PCT: "row %: references ÷ the row's total references × 100 "
    "(denominator: the Total column of references)",
    Measure.COL_PCT: "column %: references ÷ the column's total references × 100 "
    "(denominator: the Total row of references)",
    Measure.PASSAGES: "the coded passages of each cell (framework matrix)",
}

COUNTING_RULES: tuple[str, ...] = (
    "Merging: codings that overlap or touch are merged into one reference before counting "
    "(a coder's codings of one code; with several coders in one block, all their codings).",
    "Roll-up: with columns 'themes' (the default) a theme's column holds the theme's own "
    "codings and all its sub-codes' codings, merged, so a passage coded with a sub-code and "
    "its theme counts once; with 'codes' each code has only its own codings; a code named "
    "in a list includes its sub-codes.",
    "Row text: each row counts only its own text. A case reads the text assigned to it (a "
    "whole transcript, or only one speaker's turns), a transcript all its text, a speaker "
    "the utterances of their turns, an attribute value the text of the cases with that "
    "value. Coded text outside a row's text does not count for that row.",
    "References: separate stretches of coded text inside the row's text (a coded passage "
    "that leaves a case's turns and comes back counts once for each part inside them).",
    "Characters: coded code points inside the row's text. Coverage %: coded characters ÷ "
    "characters of the row's text × 100.",
    "Words: a word counts once when any of its characters is coded inside the row's text "
    "(a passage that starts or ends mid-word counts that word once). Words are runs of "
    "letters or digits, joined by hyphens or apostrophes ('family-centred', "
    "'7-årig' and 'don't' are one word each).",
    "Presence: 1 when a cell has a reference. Transcripts: transcripts with a reference in "
    "the cell. Cases: the row's cases whose text holds a reference in the cell.",
    "Row % and column %: the cell's references ÷ the row's (column's) total references × "
    "100; the denominators are the Total column (row) of references.",
    "Totals: references, characters, words and presence add up the cells (a passage coded "
    "with two themes counts in both; presence totals count the rows or columns where the "
    "code is present). Transcripts, cases and coverage totals count each transcript, case "
    "or character once, so coverage never exceeds 100 %.",
)


# -- interval helpers ----------------------------------------------------------------------


def merge_intervals(spans: Iterable[Interval]) -> list[Interval]:
    """Union overlapping and touching spans into sorted, disjoint, non-touching intervals
    (the rule of :func:`qualcode.domain.spans.merge_spans`, as plain tuples for speed).
    Empty or reversed spans are dropped."""
    merged: list[Interval] = []
    current_start = current_end = -1
    for start, end in sorted(spans):
        if end <= start:
            continue
        if start <= current_end:
            if end > current_end:
                current_end = end
            continue
        if current_end >= 0:
            merged.append((current_start, current_end))
        current_start, current_end = start, end
    if current_end >= 0:
        merged.append((current_start, current_end))
    return merged


def intersect_intervals(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """Pieces of ``first`` ∩ ``second`` (both sorted and disjoint), in order."""
    pieces: list[Interval] = []
    if not first or not second:
        return pieces
    next_first, next_second = iter(first).__next__, iter(second).__next__
    a_start, a_end = next_first()
    b_start, b_end = next_second()
    try:  # a two-pointer walk; it ends when either list runs out
        while True:
            start = a_start if a_start > b_start else b_start
            end = a_end if a_end < b_end else b_end
            if start < end:
                pieces.append((start, end))
            if a_end < b_end:
                a_start, a_end = next_first()
            else:
                b_start, b_end = next_second()
    except StopIteration:
        return pieces


def clip_intervals(spans: Sequence[Interval], region: Sequence[Interval]) -> Sequence[Interval]:
    """``spans`` ∩ ``region`` (both sorted and disjoint), returning ``spans`` itself when
    one region interval holds them all and nothing when the two do not meet (the common
    cases: whole-transcript rows, and rows in other parts of a transcript)."""
    if not spans or not region:
        return ()
    first, last = spans[0][0], spans[-1][1]
    if last <= region[0][0] or region[-1][1] <= first:
        return ()
    if len(region) == 1 and region[0][0] <= first and last <= region[0][1]:
        return spans
    return intersect_intervals(spans, region)


def intersection_length(first: Sequence[Interval], second: Sequence[Interval]) -> int:
    """Number of code points in ``first`` ∩ ``second`` (both sorted and disjoint)."""
    return sum(end - start for start, end in clip_intervals(first, second))


def overlaps(first: Sequence[Interval], second: Sequence[Interval]) -> bool:
    """Whether two sorted, disjoint interval lists share at least one code point."""
    i = j = 0
    while i < len(first) and j < len(second):
        if first[i][0] < second[j][1] and second[j][0] < first[i][1]:
            return True
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return False


def total_length(spans: Iterable[Interval]) -> int:
    return sum(end - start for start, end in spans)


_WORD, _JOINER, _OTHER = ord("w"), ord("j"), ord(" ")
_JOINERS = "'’-‐"  # the characters WORD_PATTERN lets join two runs of letters/digits
_NOT_LATIN1 = re.compile(r"[^\x00-\xff]")


def _character_class(char: str) -> int:
    if char.isalnum() or char == "_":  # exactly what \w means in a str pattern
        return _WORD
    return _JOINER if char in _JOINERS else _OTHER


_LATIN1_CLASSES = bytes(_character_class(chr(byte)) for byte in range(256))


def word_mask(text: str) -> bytes:
    """One byte per code point of ``text``: ``w`` inside a word (by
    :data:`~qualcode.domain.words.WORD_PATTERN`, joining hyphens and apostrophes
    included), a space elsewhere. Built with C-speed bytes operations, so words can be
    counted in any span without running the tokenizer again."""
    try:
        classes = text.encode("latin-1").translate(_LATIN1_CLASSES)
    except UnicodeEncodeError:
        patched = bytearray(text.encode("latin-1", "replace").translate(_LATIN1_CLASSES))
        for match in _NOT_LATIN1.finditer(text):
            patched[match.start()] = _character_class(match.group())
        classes = bytes(patched)
    # A joiner between two word characters is inside the word. Two passes catch every
    # one: the first misses only joiners whose left letter it has just consumed.
    joined = classes.replace(b"wjw", b"www").replace(b"wjw", b"www")
    return joined.replace(b"j", b" ")


def count_coded_words(mask: bytes, pieces: Sequence[Interval]) -> int:
    """Words with at least one character inside ``pieces`` (sorted, disjoint,
    non-touching), each counted once; ``mask`` is the text's :func:`word_mask`.

    In a piece the words are the word starts inside it plus the word the piece opens
    in; a word reaching across the gap to the previous piece was already counted."""
    total = 0
    previous_end = -1
    for start, end in pieces:
        found = mask.count(b" w", start, end)
        if mask[start] == _WORD:
            found += 1
            if previous_end > 0 and mask.find(b" ", previous_end - 1, start + 1) == -1:
                found -= 1  # the same word runs from the previous piece into this one
        total += found
        previous_end = end
    return total


# -- what a matrix is made of --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowPart:
    """A row's text inside one transcript: merged ``spans``, and for the cases measure the
    row's cases present there with their own spans (``(case_id, spans)``)."""

    row: int
    spans: Intervals
    cases: tuple[tuple[int, Intervals], ...] = ()


@dataclass(frozen=True, slots=True)
class MatrixSettings:
    """What was asked for, in words, for the outputs' notes."""

    rows: str = "cases"
    columns: str = "themes"
    coders: tuple[str, ...] = ()
    separate_coders: bool = False
    filters: tuple[str, ...] = ()

    def describe(self) -> list[tuple[str, str]]:
        coders = ", ".join(self.coders) or "(none)"
        mode = "separately (one block per coder)" if self.separate_coders else "as their union"
        return [
            ("rows", self.rows),
            ("columns", self.columns),
            ("coders", f"{coders}, {mode}"),
            ("filters", "; ".join(self.filters) or "none"),
        ]


@dataclass(frozen=True, slots=True)
class MatrixLayout:
    """Everything a count needs besides the codings, keyed by database ids.

    ``parts`` maps a transcript id to its rows' text; ``code_columns`` a code id to the
    columns it counts for (a code may count for several, e.g. a listed theme and a listed
    sub-code); ``coder_groups`` a coder id to its block. Codings of other codes or coders
    are ignored."""

    row_dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    column_codes: tuple[int, ...]
    groups: tuple[str, ...]
    parts: Mapping[int, tuple[RowPart, ...]]
    code_columns: Mapping[int, tuple[int, ...]]
    coder_groups: Mapping[int, int]
    transcript_names: Mapping[int, str] = field(default_factory=dict)
    code_paths: Mapping[int, str] = field(default_factory=dict)
    coder_names: Mapping[int, str] = field(default_factory=dict)
    row_cases: tuple[int | None, ...] = ()
    settings: MatrixSettings = field(default_factory=MatrixSettings)

    def row_characters(self) -> list[int]:
        """Characters of each row's text (coverage denominators)."""
        sizes = [0] * len(self.rows)
        for parts in self.parts.values():
            for part in parts:
                sizes[part.row] += total_length(part.spans)
        return sizes

    def total_characters(self) -> int:
        """Characters in the union of all rows' text."""
        return sum(
            total_length(merge_intervals(s for p in parts for s in p.spans))
            for parts in self.parts.values()
        )


@dataclass(frozen=True, slots=True)
class CellCounts:
    """One cell's numbers. ``coverage`` is a percentage, ``None`` when the row has no
    text; ``words`` is ``None`` when words were not counted."""

    references: int = 0
    characters: int = 0
    words: int | None = None
    coverage: float | None = None
    presence: int = 0
    transcripts: int = 0
    cases: int = 0


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of coded text in a cell: where it is, who says it, which of the column's
    codes and which coders cover it."""

    transcript: str
    start: int
    end: int
    text: str
    speakers: tuple[str, ...]
    codes: tuple[str, ...]
    coders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FrameworkSummary:
    """A researcher's summary of one case × code cell."""

    case: str
    code: str
    text: str
    author: str | None
    updated_at: str


@dataclass(frozen=True, slots=True)
class MatrixBlock:
    """One coder group's cells: ``grid[row][column]`` with the Total row last and the
    Total column last (so the grid is (rows + 1) × (columns + 1))."""

    group: str
    grid: tuple[tuple[CellCounts, ...], ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    """A counted matrix. ``passages`` (when asked for) are keyed by (block, row, column);
    ``summaries`` (rows = cases) by (row, column)."""

    row_dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    blocks: tuple[MatrixBlock, ...]
    row_characters: tuple[int, ...]
    total_characters: int
    settings: MatrixSettings
    words_counted: bool = True
    passages: Mapping[tuple[int, int, int], tuple[Passage, ...]] | None = None
    summaries: Mapping[tuple[int, int], FrameworkSummary] = field(default_factory=dict)

    def value(self, measure: Measure, block: int, row: int, column: int) -> int | float | None:
        """A numeric measure of a cell; ``row == len(rows)`` / ``column == len(columns)``
        address the totals. Percentages are rounded to :data:`PERCENT_DECIMALS`."""
        grid = self.blocks[block].grid
        cell = grid[row][column]
        if measure is Measure.REFERENCES:
            return cell.references
        if measure is Measure.CHARACTERS:
            return cell.characters
        if measure is Measure.WORDS:
            return cell.words
        if measure is Measure.COVERAGE:
            return None if cell.coverage is None else round(cell.coverage, PERCENT_DECIMALS)
        if measure is Measure.PRESENCE:
            return cell.presence
        if measure is Measure.TRANSCRIPTS:
            return cell.transcripts
        if measure is Measure.CASES:
            return cell.cases
        if measure is Measure.ROW_PCT:
            return percent(cell.references, grid[row][-1].references)
        if measure is Measure.COL_PCT:
            return percent(cell.references, grid[-1][column].references)
        raise ValueError(f"{measure.value} is not a numeric measure")

    def cell_passages(self, block: int, row: int, column: int) -> tuple[Passage, ...]:
        return () if self.passages is None else self.passages.get((block, row, column), ())


def percent(part: int, whole: int) -> float | None:
    """``part`` ÷ ``whole`` × 100, rounded; ``None`` when ``whole`` is 0."""
    return None if whole == 0 else round(100.0 * part / whole, PERCENT_DECIMALS)


# -- counting ------------------------------------------------------------------------------


class _Tally:
    """Running sums while transcripts stream past (flat lists, index (g·R + r)·C + c)."""

    def __init__(self, layout: MatrixLayout) -> None:
        self.groups = max(1, len(layout.groups))
        self.n_rows = len(layout.rows)
        self.n_cols = len(layout.columns)
        cells = self.groups * self.n_rows * self.n_cols
        self.references = [0] * cells
        self.characters = [0] * cells
        self.words = [0] * cells
        self.transcripts = [0] * cells
        self.cases: list[set[int] | None] = [None] * cells
        self.row_covered = [0] * (self.groups * self.n_rows)
        self.row_transcripts = [0] * (self.groups * self.n_rows)
        self.column_covered = [0] * (self.groups * self.n_cols)
        self.column_transcripts = [0] * (self.groups * self.n_cols)
        self.all_covered = [0] * self.groups
        self.all_transcripts = [0] * self.groups


class _TranscriptContext:
    """What one transcript contributes besides its codings."""

    def __init__(
        self,
        transcript_id: int,
        parts: tuple[RowPart, ...],
        text_of: Callable[[int], str] | None,
        turns_of: Callable[[int], Sequence[TurnSpan]] | None,
    ) -> None:
        self.transcript_id = transcript_id
        self.parts = parts
        self.all_rows = merge_intervals(s for part in parts for s in part.spans)
        self._text_of = text_of
        self._turns_of = turns_of
        self._text: str | None = None
        self._mask: bytes | None = None
        self._turns: Sequence[TurnSpan] | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._text_of is not None
            self._text = self._text_of(self.transcript_id)
        return self._text

    @property
    def mask(self) -> bytes:
        if self._mask is None:
            self._mask = word_mask(self.text)
        return self._mask

    def speakers(self, start: int, end: int) -> tuple[str, ...]:
        if self._turns is None:
            self._turns = self._turns_of(self.transcript_id) if self._turns_of else ()
        found: dict[str, None] = {}
        for turn_start, turn_end, speaker in self._turns:
            if turn_start < end and start < turn_end and speaker is not None:
                found.setdefault(speaker, None)
        return tuple(found)


_NO_KEYS: Mapping[int, tuple[int, ...]] = {}


def count_matrix(
    layout: MatrixLayout,
    codings: Iterable[CodingSpan],
    *,
    text_of: Callable[[int], str] | None = None,
    turns_of: Callable[[int], Sequence[TurnSpan]] | None = None,
    collect_passages: bool = False,
    summaries: Mapping[tuple[int, int], FrameworkSummary] | None = None,
) -> Matrix:
    """Count a matrix from codings grouped by transcript (e.g. ordered by transcript id).

    Only one transcript's codings are held at a time. ``text_of(transcript_id)`` is
    needed for words and passages (words are ``None`` without it); ``turns_of`` gives
    passages their speakers."""
    if collect_passages and text_of is None:
        raise ValueError("passages need the transcripts' text")
    tally = _Tally(layout)
    passages: dict[tuple[int, int, int], list[Passage]] | None = {} if collect_passages else None
    # Which cells (group · columns + column) each code × coder counts for.
    keys_of = {
        code_id: {
            coder_id: tuple(group * tally.n_cols + column for column in columns)
            for coder_id, group in layout.coder_groups.items()
        }
        for code_id, columns in layout.code_columns.items()
    }
    for transcript_id, rows in groupby(codings, key=itemgetter(0)):
        parts = layout.parts.get(transcript_id)
        if not parts:
            continue
        context = _TranscriptContext(transcript_id, parts, text_of, turns_of)
        by_key: dict[int, list[Interval]] = {}
        raw: dict[int, list[tuple[int, int, int, int]]] = {}
        for _, code_id, coder_id, start, end in rows:
            keys = keys_of.get(code_id, _NO_KEYS).get(coder_id, ())
            for key in keys:
                spans = by_key.get(key)
                if spans is None:
                    spans = by_key[key] = []
                spans.append((start, end))
                if passages is not None:
                    raw.setdefault(key, []).append((start, end, code_id, coder_id))
        _count_transcript(layout, tally, context, by_key, raw, text_of is not None, passages)
    if passages is not None:
        for found in passages.values():
            found.sort(key=lambda p: (p.transcript, p.start))
    return _finish(layout, tally, text_of is not None, passages, summaries or {})


def _count_transcript(
    layout: MatrixLayout,
    tally: _Tally,
    context: _TranscriptContext,
    by_key: dict[int, list[Interval]],
    raw: dict[int, list[tuple[int, int, int, int]]],
    with_words: bool,
    passages: dict[tuple[int, int, int], list[Passage]] | None,
) -> None:
    n_rows, n_cols = tally.n_rows, tally.n_cols
    group_spans: dict[int, list[Interval]] = {}
    rows_hit: set[tuple[int, int]] = set()
    for key in sorted(by_key):
        group, column = divmod(key, n_cols)
        merged = merge_intervals(by_key[key])
        if not merged:
            continue
        group_spans.setdefault(group, []).extend(merged)
        for part in context.parts:
            pieces = clip_intervals(merged, part.spans)
            if not pieces:
                continue
            rows_hit.add((group, part.row))
            cell = (group * n_rows + part.row) * n_cols + column
            tally.references[cell] += len(pieces)
            tally.characters[cell] += total_length(pieces)
            tally.transcripts[cell] += 1
            if with_words:
                tally.words[cell] += count_coded_words(context.mask, pieces)
            for case_id, case_spans in part.cases:
                if case_spans is part.spans or overlaps(pieces, case_spans):
                    found = tally.cases[cell]
                    if found is None:
                        found = tally.cases[cell] = set()
                    found.add(case_id)
            if passages is not None:
                cell_key = (group, part.row, column)
                _add_passages(layout, context, raw[key], pieces, passages, cell_key)
        covered = intersection_length(merged, context.all_rows)
        if covered:
            tally.column_covered[group * n_cols + column] += covered
            tally.column_transcripts[group * n_cols + column] += 1
    for group, spans in group_spans.items():
        merged_all = merge_intervals(spans)
        for part in context.parts:
            covered = intersection_length(merged_all, part.spans)
            tally.row_covered[group * n_rows + part.row] += covered
        for group_row in rows_hit:
            if group_row[0] == group:
                tally.row_transcripts[group * n_rows + group_row[1]] += 1
        covered = intersection_length(merged_all, context.all_rows)
        if covered:
            tally.all_covered[group] += covered
            tally.all_transcripts[group] += 1


def _add_passages(
    layout: MatrixLayout,
    context: _TranscriptContext,
    raw: list[tuple[int, int, int, int]],
    pieces: Sequence[Interval],
    passages: dict[tuple[int, int, int], list[Passage]],
    key: tuple[int, int, int],
) -> None:
    found = passages.setdefault(key, [])
    name = layout.transcript_names.get(context.transcript_id, str(context.transcript_id))
    order = {code_id: index for index, code_id in enumerate(layout.code_paths)}
    for start, end in pieces:
        codes = sorted(
            {code for s, e, code, _ in raw if s < end and start < e}, key=lambda c: order.get(c, 0)
        )
        coders = sorted(
            {layout.coder_names.get(c, str(c)) for s, e, _, c in raw if s < end and start < e}
        )
        found.append(
            Passage(
                transcript=name,
                start=start,
                end=end,
                text=context.text[start:end],
                speakers=context.speakers(start, end),
                codes=tuple(layout.code_paths.get(c, str(c)) for c in codes),
                coders=tuple(coders),
            )
        )


def _finish(
    layout: MatrixLayout,
    tally: _Tally,
    with_words: bool,
    passages: dict[tuple[int, int, int], list[Passage]] | None,
    summaries: Mapping[tuple[int, int], FrameworkSummary],
) -> Matrix:
    n_rows, n_cols = tally.n_rows, tally.n_cols
    row_chars = layout.row_characters()
    all_chars = layout.total_characters()
    blocks: list[MatrixBlock] = []
    for group in range(tally.groups):
        grid: list[list[CellCounts]] = []
        column_sums = [
            [0, 0, 0, 0] for _ in range(n_cols + 1)
        ]  # references, chars, words, presence
        column_cases: list[set[int]] = [set() for _ in range(n_cols + 1)]
        for row in range(n_rows):
            line: list[CellCounts] = []
            sums = [0, 0, 0, 0]
            row_cases: set[int] = set()
            for column in range(n_cols):
                cell = (group * n_rows + row) * n_cols + column
                cases = tally.cases[cell] or set()
                values = (
                    tally.references[cell],
                    tally.characters[cell],
                    tally.words[cell],
                    int(tally.references[cell] > 0),
                )
                line.append(
                    CellCounts(
                        references=values[0],
                        characters=values[1],
                        words=values[2] if with_words else None,
                        coverage=_coverage(values[1], row_chars[row]),
                        presence=values[3],
                        transcripts=tally.transcripts[cell],
                        cases=len(cases),
                    )
                )
                for index, value in enumerate(values):
                    sums[index] += value
                    column_sums[column][index] += value
                row_cases |= cases
                column_cases[column] |= cases
            line.append(
                CellCounts(
                    references=sums[0],
                    characters=sums[1],
                    words=sums[2] if with_words else None,
                    coverage=_coverage(tally.row_covered[group * n_rows + row], row_chars[row]),
                    presence=sums[3],
                    transcripts=tally.row_transcripts[group * n_rows + row],
                    cases=len(row_cases),
                )
            )
            for index, value in enumerate(sums):
                column_sums[n_cols][index] += value
            column_cases[n_cols] |= row_cases
            grid.append(line)
        totals: list[CellCounts] = []
        for column in range(n_cols + 1):
            refs, chars, words, presence = column_sums[column]
            if column < n_cols:
                covered = tally.column_covered[group * n_cols + column]
                transcripts = tally.column_transcripts[group * n_cols + column]
            else:
                covered, transcripts = tally.all_covered[group], tally.all_transcripts[group]
            totals.append(
                CellCounts(
                    references=refs,
                    characters=chars,
                    words=words if with_words else None,
                    coverage=_coverage(covered, all_chars),
                    presence=presence,
                    transcripts=transcripts,
                    cases=len(column_cases[column]),
                )
            )
        grid.append(totals)
        label = layout.groups[group] if layout.groups else ""
        blocks.append(MatrixBlock(label, tuple(tuple(line) for line in grid)))
    return Matrix(
        row_dimension=layout.row_dimension,
        rows=layout.rows,
        columns=layout.columns,
        blocks=tuple(blocks),
        row_characters=tuple(row_chars),
        total_characters=all_chars,
        settings=layout.settings,
        words_counted=with_words,
        passages=None if passages is None else {k: tuple(v) for k, v in passages.items()},
        summaries=summaries,
    )


def _coverage(covered: int, size: int) -> float | None:
    return None if size == 0 else 100.0 * covered / size
