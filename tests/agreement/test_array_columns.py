"""The array form of the statistic columns (services/agreement_columns.py) gives the
scalar path's values bit for bit, for random comparisons of two to four coders."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement import Comparison, compare_spans, merge_intervals
from qualcode.domain.agreement_report import statistic_columns as scalar_columns
from qualcode.domain.statistics import DEFAULT
from qualcode.services.agreement_columns import MAX_UNITS
from qualcode.services.agreement_columns import statistic_columns as array_columns

CODERS = ("a", "b", "c", "d")


@st.composite
def comparisons(draw: st.DrawFn) -> tuple[int, list[Comparison]]:
    """One code's comparisons: each transcript a length (0 allowed: a defined percent
    but 0/0 coefficients) and each coder's random spans inside it."""
    k = draw(st.integers(2, 4))
    found: list[Comparison] = []
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.sampled_from([0, 1, 7, 50, 1000, MAX_UNITS - 1]))
        spans = []
        for _ in range(k):
            bounds = draw(st.lists(st.integers(0, length), max_size=6)) if length else []
            pairs = sorted(zip(bounds[::2], bounds[1::2], strict=False))
            spans.append(merge_intervals([(s, e) for s, e in pairs if s < e]))
        found.append(compare_spans(CODERS[:k], length, spans, spans, 90))
    return k, found


@settings(max_examples=80, deadline=None)
@given(comparisons())
def test_array_columns_equal_scalar_columns(case: tuple[int, list[Comparison]]) -> None:
    k, found = case
    statistics = [s for s in DEFAULT if s.applies(k)]
    pairs = k * (k - 1) // 2
    expected = scalar_columns(statistics, found, pairs)
    got = array_columns(statistics, found, pairs)
    assert got.keys() == expected.keys()
    for key, column in expected.items():
        # identical doubles (so identical JSON text), flags and parts
        assert got[key].values.tobytes() == column.values.tobytes(), key
        assert got[key].values.tolist() == column.values.tolist(), key
        assert got[key].undefined == column.undefined, key
        assert got[key].parts == column.parts, key
        assert [repr(v) for v in got[key].values] == [repr(v) for v in column.values], key


def test_large_counts_take_the_scalar_path() -> None:
    """A transcript past MAX_UNITS is computed one value at a time, with the same result."""
    spans = [[(0, 3 * MAX_UNITS)], [(5, MAX_UNITS)]]
    found = [compare_spans(CODERS[:2], 4 * MAX_UNITS, spans, spans, 90)]
    statistics = [s for s in DEFAULT if s.applies(2)]
    expected = scalar_columns(statistics, found, 1)
    got = array_columns(statistics, found, 1)
    assert {k: c.values.tolist() for k, c in got.items()} == {
        k: c.values.tolist() for k, c in expected.items()
    }
