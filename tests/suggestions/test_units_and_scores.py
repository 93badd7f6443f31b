"""Units, their labels, and the ranking measures (pure domain logic)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement_units import UnitGrid
from qualcode.domain.codebook import CodeSpec
from qualcode.domain.suggestions import (
    FrequencyBaseline,
    KeywordBaseline,
    RankingScore,
    TextUnit,
    UnitKind,
    label_units,
    neighbours,
    ranked,
    unit_spans,
)
from qualcode.domain.transcripts import Turn

TEXT = "One two. Three four! Five six?"
SPANS = [(0, 8), (9, 20), (21, 30)]


@pytest.mark.parametrize(
    ("codings", "expected"),
    [
        ([], [set(), set(), set()]),  # nothing coded
        ([("a", 0, 8)], [{"a"}, set(), set()]),  # exactly one unit
        ([("a", 7, 10)], [{"a"}, {"a"}, set()]),  # one code point in each of two units
        ([("a", 8, 9)], [set(), set(), set()]),  # only the space between units
        ([("a", 0, 30), ("b", 22, 23)], [{"a"}, {"a"}, {"a", "b"}]),  # overlapping codings
    ],
    ids=["none", "exact", "straddles", "gap", "overlap"],
)
def test_a_unit_carries_the_codes_that_touch_it(
    codings: list[tuple[str, int, int]], expected: list[set[str]]
) -> None:
    units = label_units("t", TEXT, SPANS, codings)
    assert [set(unit.codes) for unit in units] == expected
    assert [unit.text for unit in units] == [TEXT[s:e] for s, e in SPANS]


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30)).map(sorted).filter(lambda p: p[0] < p[1]),
        max_size=5,
    )
)
def test_labels_agree_with_the_agreement_engines_units(spans: list[list[int]]) -> None:
    """A unit is coded exactly when the agreement engine counts it as coded."""
    units = label_units("t", TEXT, SPANS, [("a", s, e) for s, e in spans])
    covered = {
        i
        for s, e in UnitGrid.from_spans(SPANS).to_units([(s, e) for s, e in spans])
        for i in range(s, e)
    }
    assert {i for i, unit in enumerate(units) if unit.codes} == covered


@pytest.mark.parametrize(
    ("turns", "kind", "expected"),
    [
        ([], UnitKind.SENTENCE, SPANS),  # no speaker labels: sentences of the whole text
        ([Turn(0, 20, "A")], UnitKind.SENTENCE, SPANS[:2]),  # sentences inside turns only
        ([Turn(0, 20, "A"), Turn(21, 30, "B")], UnitKind.TURN, [(0, 20), (21, 30)]),  # turns
    ],
    ids=["whole-text", "in-turns", "turns"],
)
def test_units_are_sentences_in_turns_or_turns(
    turns: list[Turn], kind: UnitKind, expected: list[tuple[int, int]]
) -> None:
    assert unit_spans(TEXT, turns, kind) == expected


@pytest.mark.parametrize(
    ("ranking", "gold", "hit1", "hit3", "recall"),
    [
        (["a", "b", "c"], {"a"}, 1, 1, 1.0),  # right first
        (["b", "c", "a"], {"a"}, 0, 1, 1.0),  # right third
        (["b", "c", "d", "a"], {"a"}, 0, 0, 0.0),  # right fourth: missed
        (["b", "a", "c"], {"a", "d"}, 0, 1, 0.5),  # one of two codes found
    ],
    ids=["first", "third", "fourth", "half"],
)
def test_ranking_measures(
    ranking: list[str], gold: set[str], hit1: int, hit3: int, recall: float
) -> None:
    score = RankingScore()
    score.add(ranking, frozenset(gold))
    score.add(ranking, frozenset())  # an uncoded unit is not counted
    assert score.as_dict() == {
        "units": 1,
        "precision_at_1": float(hit1),
        "precision_at_3": float(hit3),
        "recall_at_3": recall,
    }


def test_no_coded_units_gives_no_measure() -> None:
    assert RankingScore().as_dict()["precision_at_1"] is None


def test_ranked_keeps_the_best_above_the_minimum() -> None:
    assert ranked([0.1, 0.9, 0.5, 0.5], ["a", "b", "c", "d"], 3, 0.2) == (
        ("b", 0.9),
        ("c", 0.5),
        ("d", 0.5),
    )
    assert ranked([0.1, 0.2], ["a", "b"], 3, 0.5) == ()


def test_baselines_rank_by_frequency_and_by_keywords() -> None:
    units = [
        TextUnit("t", 0, 1, "x", frozenset({"b"})),
        TextUnit("t", 0, 1, "x", frozenset({"b"})),
        TextUnit("t", 0, 1, "x", frozenset({"a"})),
    ]
    frequent = FrequencyBaseline(units, ["a", "b", "c"])
    assert frequent.rank("anything") == ["b", "a", "c"]
    specs = {
        "a": CodeSpec("a", keywords=("long wait",)),
        "b": CodeSpec("b"),
        "c": CodeSpec("c", description="about money and payments"),
    }
    keyword = KeywordBaseline(specs, frequent)
    assert keyword.rank("A long wait, again.")[0] == "a"
    assert keyword.rank("The payments were late.")[0] == "c"
    assert keyword.rank("Nothing here.") == ["b", "a", "c"]  # no match: most frequent first


def _unit(transcript: str, start: int, end: int) -> TextUnit:
    return TextUnit(transcript, start, end, "x")


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ([], []),  # nothing
        ([_unit("a", 0, 5)], [()]),  # a lone unit
        ([_unit("a", 0, 5), _unit("a", 6, 9), _unit("a", 9, 12)], [(1,), (0, 2), (1,)]),  # a row
        ([_unit("a", 0, 5), _unit("b", 6, 9)], [(), ()]),  # another transcript
        ([_unit("a", 0, 5), _unit("a", 6, 9), _unit("a", 0, 5)], [(1,), (0,), ()]),  # next copy
    ],
    ids=["empty", "lone", "row", "transcripts", "copies"],
)
def test_neighbours_are_the_units_beside_in_one_transcript(
    units: list[TextUnit], expected: list[tuple[int, ...]]
) -> None:
    assert neighbours(units) == expected


def test_a_wider_reach_stops_at_a_transcript_or_copy_boundary() -> None:
    row = [_unit("a", 0, 2), _unit("a", 3, 5), _unit("a", 6, 8), _unit("a", 0, 2), _unit("b", 3, 5)]
    assert neighbours(row, reach=2) == [(1, 2), (0, 2), (0, 1), (), ()]
