"""Counting a matrix: codings streamed per transcript, merged, cut to each row's text and
tallied into every measure (standard library only). The rules are in
:mod:`qualcode.domain.matrices`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import groupby
from operator import itemgetter

from qualcode.domain.matrices import (
    CellCounts,
    CodingSpan,
    FrameworkSummary,
    Matrix,
    MatrixBlock,
    MatrixLayout,
    Passage,
    RowPart,
    TurnSpan,
)
from qualcode.domain.matrix_intervals import (
    Interval,
    clip_intervals,
    count_coded_words,
    intersection_length,
    merge_intervals,
    overlaps,
    total_length,
    word_mask,
)
from qualcode.domain.spans import span_text


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
                text=span_text(context.text, start, end),
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
    cases_per_row, all_cases = layout.row_case_counts()
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
        row_cases=tuple(cases_per_row),
        all_cases=all_cases,
    )


def _coverage(covered: int, size: int) -> float | None:
    return None if size == 0 else 100.0 * covered / size
