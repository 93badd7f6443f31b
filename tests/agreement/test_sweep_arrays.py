"""Every transcript × code compared at once as arrays (services/agreement_sweep.py)
gives the report the domain's cell-by-cell comparison gives: the same comparisons
(pair tables, segment counts, coverage, unitizing sections and alpha), the same pooled
values and columns, the same skipped codings and the same JSON text."""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from fractions import Fraction
from itertools import chain

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement_cells import CellComparisons
from qualcode.domain.agreement_intervals import IntervalSettings, Resampling
from qualcode.domain.agreement_report import (
    AgreementReport,
    TranscriptUnits,
    agreement_report,
)
from qualcode.domain.statistics import Statistic
from qualcode.domain.statistics.registry import choose
from qualcode.domain.statistics.unitized_alpha import unitized_alpha
from qualcode.exporters.agreement import report_dict
from qualcode.exporters.agreement_json import report_json
from qualcode.services.agreement import ComparisonData
from qualcode.services.agreement_columns import statistic_columns
from qualcode.services.agreement_intervals import report_intervals
from qualcode.services.agreement_sweep import fits, sweep_comparer
from tests.hypothesis_profiles import examples

CODERS = ("ann", "bo", "cy", "di", "ed")
CODES = ("x", "y", "z")
Row = tuple[int, int, int, int, int, int]


def study(
    coders: int, lengths: list[int], rows: list[tuple[int, int, int, int, int]]
) -> ComparisonData:
    """A comparison as the service reads it: transcripts t0, t1, … (ids 10, 11, …),
    codes x, y, z (ids 20, 21, 22), coders (ids 30, 31, …); ``rows`` are (transcript,
    code, coder, start, end) positions, given ids here."""
    keyed: list[Row] = [
        (number + 1, 10 + t, 20 + c, 30 + k, start, end)
        for number, (t, c, k, start, end) in enumerate(rows)
    ]
    keyed.reverse()  # any order: the comparison sorts what it needs
    return ComparisonData(
        coders=CODERS[:coders],
        codes=CODES,
        code_ids={code: 20 + i for i, code in enumerate(CODES)},
        transcripts=tuple(TranscriptUnits(f"t{i}", n) for i, n in enumerate(lengths)),
        transcript_ids={f"t{i}": 10 + i for i in range(len(lengths))},
        table=array("q", chain.from_iterable(keyed)),
        coder_ids={name: 30 + i for i, name in enumerate(CODERS[:coders])},
        excluded=(),
        basis=(),
    )


def both_ways(
    data: ComparisonData,
    threshold: Fraction | int,
    statistics: Sequence[Statistic] | None = None,
    *,
    sections: bool = True,
) -> tuple[AgreementReport, ...]:
    """(cell by cell, at once): the domain's report and the array comparison's."""
    comparer = sweep_comparer(data, threshold, sections=sections)
    assert comparer is not None
    return tuple(
        agreement_report(
            data.coders,
            data.codes,
            data.transcripts,
            data.codings if compare is None else (),
            threshold=threshold,
            statistics=statistics,
            columns=statistic_columns,
            compare=compare,
        )
        for compare in (None, comparer)
    )


def assert_same(cell_by_cell: AgreementReport, at_once: AgreementReport) -> None:
    assert at_once.skipped == cell_by_cell.skipped
    assert at_once.transcripts == cell_by_cell.transcripts
    for mine, theirs in zip(at_once.codes, cell_by_cell.codes, strict=True):
        assert isinstance(mine.per_transcript, CellComparisons)
        assert mine.per_transcript == theirs.per_transcript  # every field but the alpha cache
        for (_, got), (_, expected) in zip(mine.per_transcript, theirs.per_transcript, strict=True):
            assert got.coverage.sections is not None
            assert expected.coverage.sections is not None
            assert unitized_alpha(got.coverage.sections) == unitized_alpha(
                expected.coverage.sections
            )
        assert mine.pooled == theirs.pooled
        assert mine.pooled.coverage.sections is not None
        assert theirs.pooled.coverage.sections is not None
        assert unitized_alpha(mine.pooled.coverage.sections) == unitized_alpha(
            theirs.pooled.coverage.sections
        )
        assert mine.mean == theirs.mean
        assert mine.columns.keys() == theirs.columns.keys()
        for key, column in theirs.columns.items():
            assert mine.columns[key].values.tobytes() == column.values.tobytes(), key
            assert mine.columns[key].undefined == column.undefined, key
            assert mine.columns[key].parts == column.parts, key
    assert "".join(report_json(at_once)) == "".join(report_json(cell_by_cell))


@st.composite
def studies(draw: st.DrawFn) -> tuple[ComparisonData, Fraction]:
    """2–5 coders, 1–4 transcripts, spans that overlap, touch, nest or repeat, and a
    few invalid ones (reversed, empty, negative, past the end)."""
    coders = draw(st.integers(2, 5))
    lengths = draw(st.lists(st.sampled_from([1, 2, 7, 40, 300]), min_size=1, max_size=4))
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        t = draw(st.integers(0, len(lengths) - 1))
        start = draw(st.integers(-1, lengths[t]))
        end = draw(st.integers(-1, lengths[t] + 1))
        if draw(st.booleans()):  # mostly valid spans
            start, end = sorted((max(start, 0), min(end, lengths[t])))
            end = max(end, start + 1) if start < lengths[t] else end
        rows.append((t, draw(st.integers(0, 2)), draw(st.integers(0, coders - 1)), start, end))
    threshold = draw(st.sampled_from([Fraction(0), Fraction(667, 10), Fraction(90), Fraction(100)]))
    return study(coders, lengths, rows), threshold


@settings(max_examples=examples(50), deadline=None)
@given(studies())
def test_at_once_equals_cell_by_cell(case: tuple[ComparisonData, Fraction]) -> None:
    data, threshold = case
    assert_same(*both_ways(data, threshold))


@pytest.mark.parametrize(
    ("lengths", "rows"),
    [
        # no transcript compared (none finished by every coder): the means over none
        # still have their parts, and the JSON writes (it raised before)
        ([], []),
        # nobody coded anything: every cell agrees on absence
        ([5, 9], []),
        # one coder's touching and overlapping spans merge before they are compared
        ([50], [(0, 0, 0, 0, 10), (0, 0, 0, 10, 20), (0, 0, 0, 5, 12), (0, 0, 1, 0, 20)]),
        # a transcript of 2**25 characters: unitizing alpha's expected sums leave 64 bits
        # and are summed in Python's integers instead
        ([2**25], [(0, 0, 0, 0, 2**24), (0, 0, 1, 5, 2**25 - 3), (0, 1, 1, 3, 9)]),
        # codings of a transcript not compared and of a code not chosen are left out, even
        # invalid ones (they are not listed as skipped)
        ([30], [(0, 0, 0, 2, 9), (4, 0, 1, 0, 5), (0, 7, 1, 1, 3), (4, 1, 0, 9, 2)]),
    ],
    ids=["no-transcript", "nothing-coded", "merged", "huge-transcript", "not-compared"],
)
def test_cases(lengths: list[int], rows: list[tuple[int, int, int, int, int]]) -> None:
    cell_by_cell, at_once = both_ways(study(3, lengths, rows), 90)
    assert_same(cell_by_cell, at_once)
    dumped = json.dumps(report_dict(at_once), ensure_ascii=False, separators=(",", ":"))
    assert "".join(report_json(at_once)) == dumped + "\n"


@settings(max_examples=examples(20), deadline=None)
@given(studies(), st.sampled_from([("kappa",), ("alpha", "segment"), ("fleiss", "all-agree")]))
def test_sections_only_when_a_statistic_reads_them(
    case: tuple[ComparisonData, Fraction], names: tuple[str, ...]
) -> None:
    """Without unitizing alpha the comparisons carry no sections; every count, value and
    the JSON are those of the cell-by-cell report of the same statistics."""
    data, threshold = case
    cell_by_cell, at_once = both_ways(data, threshold, choose(names), sections=False)
    for mine, theirs in zip(at_once.codes, cell_by_cell.codes, strict=True):
        for (_, got), (_, expected) in zip(mine.per_transcript, theirs.per_transcript, strict=True):
            assert got.coverage.sections is None
            assert got.pairs == expected.pairs
            assert got.coverage.counts == expected.coverage.counts
        assert mine.pooled.pairs == theirs.pooled.pairs
        assert mine.mean == theirs.mean
    assert "".join(report_json(at_once)) == "".join(report_json(cell_by_cell))


@pytest.mark.parametrize("by", list(Resampling), ids=str)
def test_intervals_read_the_columns(by: Resampling) -> None:
    """Bootstrap intervals drawn from the columns' counts equal those drawn from the
    comparisons', resampling units or whole transcripts (which needs five or more)."""
    cells = [(t, c, k) for t in range(6) for c in range(3) for k in range(3)]
    rows = [(t, c, k, 3 * t + k, 3 * t + k + 5 + c) for t, c, k in cells]
    settings = IntervalSettings(95, 100, 7, by)
    at_once, cell_by_cell = both_ways(study(3, [20, 30, 40, 50, 25, 35], rows), 90)
    assert report_intervals(at_once, settings) == report_intervals(cell_by_cell, settings)


def test_counts_past_64_bits_take_the_cell_by_cell_path() -> None:
    data = study(2, [2**40], [(0, 0, 0, 0, 2**39), (0, 0, 1, 1, 2**40)])
    assert not fits([2**40], 3, 2, 2, 90)
    assert sweep_comparer(data, 90) is None
