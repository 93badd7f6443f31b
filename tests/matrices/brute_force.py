"""An independent, per-character computation of every matrix measure.

Nothing here shares code with qualcode's counting: each transcript becomes a list of
booleans per character, coded or not, in the row or not, and every measure is read off
those lists exactly as the README's counting rules state them. Slow, obviously right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from qualcode.domain.words import WORD_PATTERN

Spans = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class BruteRow:
    """A row's text (spans per transcript id, may overlap) and the cases it counts
    (``None``: every case)."""

    spans: Mapping[int, Spans]
    members: frozenset[int] | None


def _mask(length: int, spans: Spans) -> list[bool]:
    covered = [False] * length
    for start, end in spans:
        for position in range(start, end):
            covered[position] = True
    return covered


def _runs(flags: list[bool]) -> int:
    return sum(1 for i, flag in enumerate(flags) if flag and (i == 0 or not flags[i - 1]))


def brute_matrix(
    texts: Mapping[int, str],
    case_spans: Mapping[int, Mapping[int, Spans]],
    codings: Sequence[tuple[int, int, int, int, int]],
    rows: Sequence[BruteRow],
    columns: Sequence[frozenset[int]],
    groups: Sequence[frozenset[int]],
) -> dict[tuple[int, int, int], dict[str, int | float | None]]:
    """Measures keyed by (group, row, column); row ``len(rows)`` is the Total row and
    column ``len(columns)`` the Total column."""
    results: dict[tuple[int, int, int], dict[str, int | float | None]] = {}
    n_rows, n_cols = len(rows), len(columns)
    all_cases = frozenset(case_spans)
    words = {
        tid: [(m.start(), m.end()) for m in WORD_PATTERN.finditer(t)] for tid, t in texts.items()
    }

    @cache
    def coded(tid: int, group: int, column_codes: frozenset[int]) -> list[bool]:
        spans = [
            (s, e)
            for t, code, coder, s, e in codings
            if t == tid and code in column_codes and coder in groups[group]
        ]
        return _mask(len(texts[tid]), spans)

    @cache
    def region(row: int, tid: int) -> list[bool]:
        if row == n_rows:  # the union of all rows' text
            found: list[tuple[int, int]] = []
            for r in rows:
                found.extend(r.spans.get(tid, ()))
            return _mask(len(texts[tid]), found)
        return _mask(len(texts[tid]), rows[row].spans.get(tid, ()))

    @cache
    def case_mask(case: int, tid: int) -> list[bool]:
        return _mask(len(texts[tid]), case_spans[case].get(tid, ()))

    def members(row: int) -> frozenset[int]:
        chosen = rows[row].members
        return all_cases if chosen is None else chosen

    for group in range(len(groups)):
        for column in range(n_cols + 1):
            codes = frozenset().union(*columns) if column == n_cols else columns[column]
            for row in range(n_rows + 1):
                text_size = covered = 0
                transcripts = 0
                cases: set[int] = set()
                refs = chars = word_count = 0
                for tid in texts:
                    in_row = region(row, tid)
                    in_code = coded(tid, group, codes)
                    both = [a and b for a, b in zip(in_row, in_code, strict=True)]
                    text_size += sum(in_row)
                    covered += sum(both)
                    if any(both):
                        transcripts += 1
                    refs += _runs(both)
                    chars += sum(both)
                    word_count += sum(1 for s, e in words[tid] if any(both[s:e]))
                    for r in range(n_rows) if row == n_rows else (row,):
                        row_flags = region(r, tid)
                        for case in members(r):
                            case_flags = case_mask(case, tid)
                            if any(
                                a and b and c
                                for a, b, c in zip(in_code, row_flags, case_flags, strict=True)
                            ):
                                cases.add(case)
                results[(group, row, column)] = {
                    "characters_union": covered,
                    "text_size": text_size,
                    "references": refs,
                    "characters": chars,
                    "words": word_count,
                    "transcripts": transcripts,
                    "cases": len(cases),
                    "coverage": None if text_size == 0 else 100.0 * covered / text_size,
                }
        # Totals of the additive measures add up the cells.
        for row in range(n_rows + 1):
            for column in range(n_cols + 1):
                cell = results[(group, row, column)]
                cell["presence"] = int(bool(cell["references"]))
        for measure in ("references", "characters", "words", "presence"):
            for row in range(n_rows):
                results[(group, row, n_cols)][measure] = sum(
                    _int(results[(group, row, c)][measure]) for c in range(n_cols)
                )
            for column in range(n_cols):
                results[(group, n_rows, column)][measure] = sum(
                    _int(results[(group, r, column)][measure]) for r in range(n_rows)
                )
            results[(group, n_rows, n_cols)][measure] = sum(
                _int(results[(group, r, c)][measure]) for r in range(n_rows) for c in range(n_cols)
            )
    return results


def _int(value: int | float | None) -> int:
    assert isinstance(value, int)
    return value
