"""Agreement statistics against independent packages on expanded per-unit arrays.

sklearn's ``cohen_kappa_score``, statsmodels' ``fleiss_kappa`` and the ``krippendorff``
package see one 0/1 rating per character and coder; our sweep sees only the spans.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import krippendorff
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement import (
    Comparison,
    Interval,
    PairCounts,
    compare_spans,
    coverage_by_mask,
    krippendorff_alpha_nominal,
    landis_koch_band,
    merge_intervals,
    segment_counts,
)
from qualcode.domain.agreement_units import UnitGrid
from qualcode.domain.spans import merge_spans
from tests.hypothesis_profiles import examples

TOLERANCE = 1e-9

# --- generated codings ---------------------------------------------------------------


@st.composite
def coder_spans(draw: st.DrawFn, length: int) -> list[tuple[int, int]]:
    """One coder's raw codings: random, whole-text, duplicate, nested and touching."""
    spans: list[tuple[int, int]] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["random", "whole", "duplicate", "nested", "touching"]))
        if kind == "whole":
            spans.append((0, length))
        elif kind == "duplicate" and spans:
            spans.append(draw(st.sampled_from(spans)))
        elif kind == "nested" and spans:
            start, end = draw(st.sampled_from(spans))
            inner = draw(st.integers(start, end - 1))
            spans.append((inner, draw(st.integers(inner + 1, end))))
        elif kind == "touching" and spans and spans[-1][1] < length:
            start = spans[-1][1]
            spans.append((start, draw(st.integers(start + 1, length))))
        else:
            start = draw(st.integers(0, length - 1))
            spans.append((start, draw(st.integers(start + 1, length))))
    return spans


@st.composite
def codings(draw: st.DrawFn) -> tuple[int, list[list[tuple[int, int]]]]:
    length = draw(st.integers(1, 120))
    coders = draw(st.integers(2, 5))
    return length, [draw(coder_spans(length)) for _ in range(coders)]


def expand(length: int, spans: Sequence[tuple[int, int]]) -> npt.NDArray[Any]:
    """The per-character 0/1 ratings of one coder (any coding covering counts once)."""
    ratings = np.zeros(length, dtype=int)
    for start, end in spans:
        ratings[start:end] = 1
    return ratings


def compare(
    length: int, raw: Sequence[Sequence[tuple[int, int]]], threshold: int = 90
) -> Comparison:
    merged = [merge_intervals(spans) for spans in raw]
    names = [f"c{i}" for i in range(len(raw))]
    return compare_spans(names, length, merged, merged, threshold)


def sklearn_kappa(x: npt.NDArray[Any], y: npt.NDArray[Any]) -> float:
    # imported here, not at collection: sklearn costs ~0.65 s a process
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(x, y))


def brute_segments(a: Sequence[Interval], b: Sequence[Interval], threshold: int) -> tuple[int, int]:
    """Agreeing segments of a and of b, by character sets and fractions."""

    def agrees(x: Interval, others: Sequence[Interval]) -> bool:
        mine = set(range(*x))
        for other in others:
            theirs = set(range(*other))
            if mine & theirs and len(mine & theirs) * 100 >= threshold * len(mine | theirs):
                return True
        return False

    return sum(agrees(x, b) for x in a), sum(agrees(y, a) for y in b)


# --- properties ----------------------------------------------------------------------


@settings(max_examples=examples(300), deadline=None)
@given(codings())
def test_pairwise_kappa_and_percent_match_sklearn(
    data: tuple[int, list[list[tuple[int, int]]]],
) -> None:
    length, raw = data
    arrays = [expand(length, spans) for spans in raw]
    result = compare(length, raw)
    pairs = iter(result.pairs)
    for i in range(len(raw)):
        for j in range(i + 1, len(raw)):
            pair = next(pairs)
            x, y = arrays[i], arrays[j]
            counts = pair.counts
            assert counts == PairCounts(
                int(np.sum(x & y)), int(np.sum(x & ~y & 1)), int(np.sum(~x & y & 1)),
                int(np.sum((1 - x) & (1 - y))),
            )  # fmt: skip
            assert counts.percent_agreement == pytest.approx(100 * np.mean(x == y), abs=TOLERANCE)
            assert counts.disagreement == pytest.approx(100 * np.mean(x != y), abs=TOLERANCE)
            kappa = counts.kappa
            if kappa.undefined:
                # 0/0 only when both rated every character the same single way
                assert len(set(x) | set(y)) == 1
                assert kappa.value == 1.0
                assert np.isnan(sklearn_kappa(x, y))
            else:
                assert abs(kappa.value - sklearn_kappa(x, y)) < TOLERANCE


@settings(max_examples=examples(300), deadline=None)
@given(codings())
def test_alpha_fleiss_and_all_agree_match_packages(
    data: tuple[int, list[list[tuple[int, int]]]],
) -> None:
    # imported here, not at collection: statsmodels (with scipy.stats) costs ~1 s a process
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    length, raw = data
    matrix = np.array([expand(length, spans) for spans in raw])
    coverage = compare(length, raw).coverage
    alpha = coverage.krippendorff_alpha
    if alpha.undefined:
        assert len(np.unique(matrix)) == 1
        assert alpha.value == 1.0
    else:
        expected = krippendorff.alpha(
            reliability_data=matrix, level_of_measurement="nominal", value_domain=[0, 1]
        )
        assert abs(alpha.value - expected) < TOLERANCE
        general = krippendorff_alpha_nominal(matrix.tolist())
        assert abs(alpha.value - general.value) < TOLERANCE
    fleiss = coverage.fleiss_kappa
    if len(raw) < 3:
        assert fleiss is None
    else:
        assert fleiss is not None
        table, _ = aggregate_raters(matrix.T, n_cat=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected_fleiss = float(fleiss_kappa(table, method="fleiss"))
        if fleiss.undefined:
            assert np.isnan(expected_fleiss)
            assert fleiss.value == 1.0
        else:
            assert abs(fleiss.value - expected_fleiss) < TOLERANCE
    all_same = np.all(matrix == matrix[0], axis=0)
    assert coverage.percent_all_agree == pytest.approx(100 * np.mean(all_same), abs=TOLERANCE)
    assert coverage.units == length


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8))
def test_merge_intervals_follows_merge_spans(raw: list[tuple[int, int]]) -> None:
    """The sweep's tuple merge and the domain's Span merge apply one rule."""
    assert merge_intervals(raw) == [(s.start, s.end) for s in merge_spans(raw)]


@settings(max_examples=examples(300), deadline=None)
@given(codings(), st.integers(0, 100))
def test_segment_agreement_matches_brute_force(
    data: tuple[int, list[list[tuple[int, int]]]], threshold: int
) -> None:
    _length, raw = data
    merged = [merge_intervals(spans) for spans in raw]
    counts = segment_counts(merged[0], merged[1], threshold)
    assert (counts.a_agreed, counts.b_agreed) == brute_segments(merged[0], merged[1], threshold)
    assert (counts.a_total, counts.b_total) == (len(merged[0]), len(merged[1]))


@settings(max_examples=examples(200), deadline=None)
@given(codings(), st.data())
def test_turn_units_match_expanded_units(
    data: tuple[int, list[list[tuple[int, int]]]], draw: st.DataObject
) -> None:
    """Unit k is coded when any of its characters is; units weigh equally."""
    length, raw = data
    cuts = sorted(draw.draw(st.sets(st.integers(0, length), min_size=2, max_size=12)))
    # units from pairs of cut points, leaving gaps between some of them
    units = [(s, e) for s, e in itertools.pairwise(cuts) if draw.draw(st.booleans())]
    if not units:
        units = [(cuts[0], cuts[1])]
    grid = UnitGrid.from_spans(units)
    merged = [merge_intervals(spans) for spans in raw]
    result = compare_spans(
        [f"c{i}" for i in range(len(raw))], len(grid), [grid.to_units(m) for m in merged],
        merged, 90,
    )  # fmt: skip
    chars = [expand(length, spans) for spans in raw]
    per_unit = [np.array([int(c[s:e].any()) for s, e in units]) for c in chars]
    pair = result.pairs[0]
    x, y = per_unit[0], per_unit[1]
    assert pair.counts.both == int(np.sum(x & y))
    assert pair.counts.units == len(units)
    if not pair.counts.kappa.undefined:
        assert abs(pair.counts.kappa.value - sklearn_kappa(x, y)) < TOLERANCE
    alpha = result.coverage.krippendorff_alpha
    if not alpha.undefined:
        expected = krippendorff.alpha(
            reliability_data=np.array(per_unit), level_of_measurement="nominal",
            value_domain=[0, 1],
        )  # fmt: skip
        assert abs(alpha.value - expected) < TOLERANCE


@settings(max_examples=examples(100), deadline=None)
@given(codings(), codings())
def test_pooled_equals_kappa_over_concatenated_transcripts(
    first: tuple[int, list[list[tuple[int, int]]]],
    second: tuple[int, list[list[tuple[int, int]]]],
) -> None:
    """Pooling sums the 2×2 tables: the same as one long text (character-weighted)."""
    (length_1, raw_1), (length_2, raw_2) = first, second
    raw_1, raw_2 = raw_1[:2], raw_2[:2]
    pooled = compare(length_1, raw_1) + compare(length_2, raw_2)
    x = np.concatenate([expand(length_1, raw_1[0]), expand(length_2, raw_2[0])])
    y = np.concatenate([expand(length_1, raw_1[1]), expand(length_2, raw_2[1])])
    kappa = pooled.pairs[0].counts.kappa
    if not kappa.undefined:
        assert abs(kappa.value - sklearn_kappa(x, y)) < TOLERANCE
    assert pooled.coverage.units == length_1 + length_2


# --- pinned cases --------------------------------------------------------------------


def test_half_overlapping_spans_give_the_textbook_kappa() -> None:
    # 100 characters; A codes 10–30, B codes 20–40: 10 both, 10 A only, 10 B only,
    # 70 neither. po = .80, pA = pB = .20, pe = .2·.2 + .8·.8 = .68,
    # kappa = (.80 − .68) / (1 − .68) = .375. Tools that count only coded characters
    # (po = 10/30) or multiply the chance terms get something else.
    pair = compare(100, [[(10, 30)], [(20, 40)]]).pairs[0]
    assert pair.counts == PairCounts(both=10, a_only=10, b_only=10, neither=70)
    assert pair.counts.percent_agreement == 80.0
    assert pair.counts.kappa.value == pytest.approx(0.375, abs=1e-15)
    assert not pair.counts.kappa.undefined


@pytest.mark.parametrize(
    "a_codings",
    [
        [(10, 30), (20, 40)],  # A overlaps their own coding
        [(10, 40), (10, 40)],  # A coded the same passage twice
        [(10, 25), (25, 40)],  # A's two codings touch
        [(10, 40), (15, 20)],  # A nested a coding inside another
    ],
)
def test_a_coders_own_overlaps_never_raise_agreement(a_codings: list[tuple[int, int]]) -> None:
    b_codings = [(20, 40)]
    once = compare(100, [[(10, 40)], b_codings])
    twice = compare(100, [a_codings, b_codings])
    assert twice == once
    assert twice.pairs[0].counts == PairCounts(both=20, a_only=10, b_only=0, neither=70)
    assert twice.pairs[0].segment.a_total == 1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([], [], (1.0, True)),  # nobody coded anything: 0/0
        ([(0, 50)], [(0, 50)], (1.0, True)),  # both coded everything: 0/0
        ([(0, 50)], [], (0.0, False)),  # one coded everything, the other nothing
        ([(0, 25)], [(0, 25)], (1.0, False)),  # identical, with both categories present
    ],
)
def test_identical_ratings_are_flagged_undefined(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: tuple[float, bool]
) -> None:
    result = compare(50, [a, b])
    kappa = result.pairs[0].counts.kappa
    alpha = result.coverage.krippendorff_alpha
    assert (kappa.value, kappa.undefined) == expected
    assert alpha.undefined == expected[1]
    if alpha.undefined:
        assert alpha.value == 1.0


def test_alpha_reproduces_krippendorffs_published_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers ×
    12 units, nominal: alpha = 0.743."""
    rows: list[list[int | None]] = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    alpha = krippendorff_alpha_nominal(rows)
    assert round(alpha.value, 3) == 0.743
    as_floats = [[np.nan if v is None else v for v in row] for row in rows]
    expected = krippendorff.alpha(reliability_data=as_floats, level_of_measurement="nominal")
    assert abs(alpha.value - expected) < TOLERANCE


@pytest.mark.parametrize(
    ("a", "b", "threshold", "agrees"),
    [
        ((0, 29), (0, 100), 29, True),  # 29/100 meets 29 % (29/100*100 is 28.999… in floats)
        ((0, 28), (0, 100), 29, False),
        ((0, 90), (0, 100), 90, True),  # exactly 90 % meets the default threshold
        ((5, 95), (0, 100), 90, True),
        ((6, 95), (0, 100), 90, False),  # 89 %
        ((0, 10), (10, 20), 0, False),  # touching is not overlapping, even at 0 %
        ((0, 10), (9, 20), 0, True),  # any overlap meets 0 %
    ],
)
def test_segment_threshold_is_an_exact_integer_comparison(
    a: tuple[int, int], b: tuple[int, int], threshold: int, agrees: bool
) -> None:
    counts = segment_counts([a], [b], threshold)
    assert (counts.a_agreed, counts.b_agreed) == (int(agrees), int(agrees))


def test_segment_agreement_counts_each_direction() -> None:
    # A's one long passage overlaps B's two halves at 50 % each: none agree at 90 %,
    # B's exact copy of A's second passage agrees both ways.
    a = [(0, 100), (200, 250)]
    b = [(0, 50), (51, 100), (200, 250), (300, 310)]
    counts = segment_counts(a, b, 90)
    assert (counts.a_agreed, counts.a_total, counts.b_agreed, counts.b_total) == (1, 2, 1, 4)
    assert counts.percent == pytest.approx(100 * 2 / 6)


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.20, "slight"),
        (0.21, "fair"),
        (0.41, "moderate"),
        (0.80, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_landis_koch_bands(value: float, band: str) -> None:
    assert landis_koch_band(value) == band


@settings(max_examples=examples(200), deadline=None)
@given(
    st.integers(1, 60),
    st.lists(
        st.lists(st.tuples(st.integers(0, 59), st.integers(1, 30)), max_size=4),
        min_size=1,
        max_size=10,
    ),
)
def test_sweep_masks_match_per_character_masks(
    length: int, raw: list[list[tuple[int, int]]]
) -> None:
    """Both sweep paths (up to 6 coders: list by mask; more: dict) against brute force."""
    spans = [
        merge_intervals((min(s, length - 1), min(s + w, length)) for s, w in coder) for coder in raw
    ]
    expected: dict[int, int] = {}
    for char in range(length):
        mask = sum(1 << i for i, mine in enumerate(spans) if any(s <= char < e for s, e in mine))
        expected[mask] = expected.get(mask, 0) + 1
    assert coverage_by_mask(length, spans) == expected
