"""Segment thresholds with decimals (`--threshold 66.7`), compared exactly as fractions."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement import merge_intervals, segment_counts
from qualcode.domain.agreement_report import parse_threshold, threshold_text
from qualcode.domain.errors import FieldError
from tests.conftest import Cli
from tests.hypothesis_profiles import examples


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("90", Fraction(90)),  # a whole percent
        ("66.7", Fraction(667, 10)),  # one decimal: exactly 667/10, not the float
        (" 0.000001 ", Fraction(1, 1_000_000)),  # six decimals, spaces trimmed
        ("100", Fraction(100)),  # the top
        ("100.0", Fraction(100)),  # the top with a decimal
        ("0", Fraction(0)),  # any overlap
    ],
    ids=["whole", "one-decimal", "six-decimals", "hundred", "hundred-point-zero", "zero"],
)
def test_typed_thresholds_are_exact(typed: str, expected: Fraction) -> None:
    assert parse_threshold(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "100.5",  # above 100
        "-1",  # negative
        "66.1234567",  # seven decimals
        "1e2",  # exponent
        "nan",  # not a number
        "66,7",  # decimal comma
        "",  # nothing
        "2/3",  # a fraction is not a typed percent
    ],
    ids=["above", "negative", "seven-decimals", "exponent", "nan", "comma", "empty", "slash"],
)
def test_other_thresholds_are_a_field_error(typed: str) -> None:
    with pytest.raises(FieldError) as raised:
        parse_threshold(typed)
    assert raised.value.field == "threshold"


@pytest.mark.parametrize(
    ("a", "b", "threshold", "agrees"),
    [
        ((0, 667), (0, 1000), "66.7", True),  # exactly 66.7 %
        ((0, 666), (0, 1000), "66.7", False),  # 66.6 %
        ((0, 2), (0, 3), "66.666", True),  # 2/3 is above 66.666 %
        ((0, 2), (0, 3), "66.667", False),  # ... and below 66.667 %
        ((0, 1), (0, 10), "10.0", True),  # 10 % meets 10.0 (0.1 is not exact in floats)
    ],
    ids=["exact", "just-below", "two-thirds-above", "two-thirds-below", "tenth"],
)
def test_fractional_threshold_comparison_is_exact(
    a: tuple[int, int], b: tuple[int, int], threshold: str, agrees: bool
) -> None:
    counts = segment_counts([a], [b], parse_threshold(threshold))
    assert (counts.a_agreed, counts.b_agreed) == (int(agrees), int(agrees))


intervals = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30)), max_size=6).map(
    lambda raw: merge_intervals([(s, s + n) for s, n in raw])
)


@settings(max_examples=examples(50), deadline=None)
@given(intervals, intervals, st.integers(0, 100_000).map(lambda n: Fraction(n, 1000)))
def test_fractional_segments_match_rationals(
    a: list[tuple[int, int]], b: list[tuple[int, int]], threshold: Fraction
) -> None:
    def agreed(mine: list[tuple[int, int]], theirs: list[tuple[int, int]]) -> int:
        count = 0
        for s, e in mine:
            for t, f in theirs:
                inter = min(e, f) - max(s, t)
                if inter > 0 and Fraction(100 * inter, max(e, f) - min(s, t)) >= threshold:
                    count += 1
                    break
        return count

    counts = segment_counts(a, b, threshold)
    assert (counts.a_agreed, counts.b_agreed) == (agreed(a, b), agreed(b, a))


def test_cli_takes_a_fractional_threshold(demo_path: Path, run: Cli) -> None:
    args = ("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity")
    table = run(*args, "--threshold", "66.7").stdout
    assert "segment threshold 66.7%" in table
    report = json.loads(run(*args, "--threshold", "66.7", "--format", "json").stdout)
    assert report["threshold"] == 66.7
    lower = json.loads(run(*args, "--threshold", "66", "--format", "json").stdout)
    assert lower["threshold"] == 66
    # a lower bar never agrees on fewer segments
    for code, entry in report["per_code"].items():
        assert (
            lower["per_code"][code]["pooled"]["pairs"][0]["segment"]["agreed"]
            >= (entry["pooled"]["pairs"][0]["segment"]["agreed"])
        )
    # a value of the wrong kind is a usage error (exit 2), like --ci 100
    for typed in ("66.7.1", "100.5"):
        refused = run(*args, "--threshold", typed, expect=2)
        assert refused.stderr.startswith(
            "Error: Invalid value for '--threshold': a percent from 0 to 100"
        )
        assert refused.stderr.count("\n") == 1


def test_threshold_text_is_as_typed() -> None:
    assert [threshold_text(parse_threshold(t)) for t in ("90", "66.7", "0.5")] == [
        "90",
        "66.7",
        "0.5",
    ]
