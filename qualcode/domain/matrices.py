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
Counting itself is in :mod:`qualcode.domain.matrix_counting`, interval arithmetic in
:mod:`qualcode.domain.matrix_intervals`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from qualcode.domain.document_info import UNKNOWN_DOCUMENT, DocumentInfo
from qualcode.domain.matrix_intervals import Intervals, merge_intervals, overlaps, total_length

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
    document: DocumentInfo = UNKNOWN_DOCUMENT
    """The project's name and language, for titles and footers (not in the notes)."""

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

    def row_case_counts(self) -> tuple[list[int], int]:
        """How many cases have text in each row's text, and in all rows' text together
        (the denominators of the cases measure: "n of m cases")."""
        found: list[set[int]] = [set() for _ in self.rows]
        for parts in self.parts.values():
            for part in parts:
                found[part.row].update(
                    case for case, spans in part.cases if overlaps(spans, part.spans)
                )
        return [len(cases) for cases in found], len(set().union(*found))

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
    row_cases: tuple[int, ...] = ()
    """Cases with text in each row's text (the cases measure's "of m"); empty when not known."""
    all_cases: int = 0
    """Cases with text in all rows' text together."""

    def value(
        self, measure: Measure, block: int, row: int, column: int, *, exact: bool = False
    ) -> int | float | None:
        """A numeric measure of a cell; ``row == len(rows)`` / ``column == len(columns)``
        address the totals. Percentages are rounded to :data:`PERCENT_DECIMALS` for
        display, or with ``exact`` left as computed (for JSON and for rounding once,
        elsewhere, to another number of decimals)."""
        places = None if exact else PERCENT_DECIMALS
        grid = self.blocks[block].grid
        cell = grid[row][column]
        if measure is Measure.REFERENCES:
            return cell.references
        if measure is Measure.CHARACTERS:
            return cell.characters
        if measure is Measure.WORDS:
            return cell.words
        if measure is Measure.COVERAGE:
            return None if cell.coverage is None else _rounded(cell.coverage, places)
        if measure is Measure.PRESENCE:
            return cell.presence
        if measure is Measure.TRANSCRIPTS:
            return cell.transcripts
        if measure is Measure.CASES:
            return cell.cases
        if measure is Measure.ROW_PCT:
            return percent(cell.references, grid[row][-1].references, places)
        if measure is Measure.COL_PCT:
            return percent(cell.references, grid[-1][column].references, places)
        raise ValueError(f"{measure.value} is not a numeric measure")

    def cell_passages(self, block: int, row: int, column: int) -> tuple[Passage, ...]:
        return () if self.passages is None else self.passages.get((block, row, column), ())


def percent(part: int, whole: int, places: int | None = PERCENT_DECIMALS) -> float | None:
    """``part`` ÷ ``whole`` × 100, rounded to ``places`` decimals (``None``: as computed);
    ``None`` when ``whole`` is 0."""
    return None if whole == 0 else _rounded(100.0 * part / whole, places)


def _rounded(value: float, places: int | None) -> float:
    # round(x, None) would give an integer
    return value if places is None else round(value, places)
