"""Regions, strategies and choices of reconciliation, against character sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.errors import InputError
from qualcode.domain.reconciliation import (
    Choice,
    Region,
    Strategy,
    reconcile_spans,
    regions,
    resolve,
)
from qualcode.domain.spans import Span, merge_spans
from tests.hypothesis_profiles import examples

spans_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=6,
)


def chars(spans: list[Span] | tuple[Span, ...]) -> set[int]:
    return {c for s in spans for c in range(s.start, s.end)}


@settings(max_examples=examples(300), deadline=None)
@given(spans_strategy, spans_strategy)
def test_strategies_are_set_operations(
    raw_a: list[tuple[int, int]], raw_b: list[tuple[int, int]]
) -> None:
    a, b = merge_spans(raw_a), merge_spans(raw_b)
    expected = {
        Strategy.UNION: chars(a) | chars(b),
        Strategy.INTERSECTION: chars(a) & chars(b),
        Strategy.A: chars(a),
        Strategy.B: chars(b),
    }
    for strategy, wanted in expected.items():
        result = reconcile_spans(a, b, strategy)
        assert chars(result) == wanted
        assert result == merge_spans([(s.start, s.end) for s in result])  # merged


@settings(max_examples=examples(300), deadline=None)
@given(spans_strategy, spans_strategy)
def test_regions_partition_both_coders(
    raw_a: list[tuple[int, int]], raw_b: list[tuple[int, int]]
) -> None:
    a, b = merge_spans(raw_a), merge_spans(raw_b)
    found = regions(a, b)
    assert [(r.start, r.end) for r in found] == [
        (s.start, s.end) for s in merge_spans(raw_a + raw_b)
    ]
    assert [s for r in found for s in r.a] == a
    assert [s for r in found for s in r.b] == b
    for region in found:
        assert region.agreed == (chars(region.a) == chars(region.b))


REGION = Region(10, 30, (Span(10, 20),), (Span(15, 30),))


@pytest.mark.parametrize(
    ("choice", "edited", "expected"),
    [
        (Choice.A, [], [Span(10, 20)]),
        (Choice.B, [], [Span(15, 30)]),
        (Choice.BOTH, [], [Span(10, 30)]),
        (Choice.NEITHER, [], []),
        # edited spans are merged
        (Choice.EDIT, [Span(12, 18), Span(18, 25)], [Span(12, 25)]),
    ],
)
def test_resolve(choice: Choice, edited: list[Span], expected: list[Span]) -> None:
    assert resolve(REGION, choice, edited) == expected


@pytest.mark.parametrize(
    ("choice", "edited", "message"),
    [
        (Choice.EDIT, [], "an edit needs at least one span"),
        (Choice.EDIT, [Span(5, 12)], "span 5:12 is not inside the disagreement 10:30"),
        (Choice.A, [Span(12, 18)], "spans are only given with the choice 'edit'"),
    ],
)
def test_resolve_refuses(choice: Choice, edited: list[Span], message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve(REGION, choice, edited)
