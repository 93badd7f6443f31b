"""The agreement statistics registry: what it accepts, where it puts a statistic, how
long a registration lasts, and that the report's means are the means of each
statistic's per-transcript values whatever the statistic."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement import Coverage, PairAgreement
from qualcode.domain.agreement_report import (
    CodingSpan,
    TranscriptUnits,
    agreement_report,
    mean_of,
    measure_of,
)
from qualcode.domain.statistics import (
    DEFAULT,
    Measure,
    Scope,
    Statistic,
    active,
    registered,
    using,
    with_statistic,
)
from qualcode.domain.statistics.registry import check, column_names
from qualcode.exporters.agreement import CSV_HEADERS


def _both(pair: PairAgreement) -> Measure:
    return Measure(pair.counts.both)


def _none_coded(coverage: Coverage) -> Measure:
    return Measure(coverage.counts[0])


PAIR_TOY = Statistic(key="both_units", name="both", label="both", symbol="both", of_pair=_both)
CODERS_TOY = Statistic(
    key="uncoded_units", name="uncoded", label="uncoded", symbol="unc.", of_coders=_none_coded
)


def test_default_registry_gives_the_documented_csv_columns() -> None:
    # the columns scripts read: the 2×2 table, then each statistic's, pair ones first
    assert CSV_HEADERS[:10] == (
        "code", "level", "transcript", "a", "b", "units", "both", "a_only", "b_only", "neither",
    )  # fmt: skip
    assert CSV_HEADERS[10:] == tuple(name for s in DEFAULT for name in column_names(s))
    assert [s.scope for s in DEFAULT] == sorted((s.scope for s in DEFAULT), key=list(Scope).index)


@pytest.mark.parametrize(
    ("statistic", "message"),
    [
        # the same key as Cohen's kappa
        (replace(PAIR_TOY, key="kappa"), "'kappa' is already taken"),
        # a 0/0 flag key another statistic uses
        (replace(PAIR_TOY, undefined_key="alpha_undefined"), "'alpha_undefined'"),
        # a key the reports use for the 2×2 table
        (replace(PAIR_TOY, key="both"), "'both' is already taken"),
        # a CSV column of segment agreement's parts
        (replace(PAIR_TOY, key="segment_agreed"), "'segment_agreed'"),
    ],
    ids=["key", "flag", "reserved", "column"],
)
def test_a_key_is_taken_once(statistic: Statistic, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        with_statistic(DEFAULT, statistic)


def test_a_statistic_has_one_scope() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Statistic(key="x", name="x", label="x", symbol="x")
    with pytest.raises(ValueError, match="exactly one"):
        replace(PAIR_TOY, of_coders=_none_coded)


def test_a_statistic_goes_to_the_end_of_its_scope() -> None:
    registry = with_statistic(with_statistic(DEFAULT, CODERS_TOY), PAIR_TOY)
    pairs = [s for s in registry if s.scope is Scope.PAIR]
    assert registry[: len(pairs)] == (*(s for s in DEFAULT if s.scope is Scope.PAIR), PAIR_TOY)
    assert registry[-1] == CODERS_TOY
    assert check(registry) == registry
    # into a registry without its scope: pair statistics still come first
    coders_only = tuple(s for s in DEFAULT if s.scope is Scope.CODERS)
    assert with_statistic(coders_only, PAIR_TOY) == (PAIR_TOY, *coders_only)
    assert with_statistic((), CODERS_TOY) == (CODERS_TOY,)


def test_a_registration_lasts_for_its_block_and_its_thread() -> None:
    seen: list[tuple[Statistic, ...]] = []
    with registered(PAIR_TOY) as registry:
        assert active() == registry
        with registered(CODERS_TOY):
            assert active()[-1] == CODERS_TOY
        assert active() == registry
        # another thread (another test under xdist, say) keeps the default
        thread = threading.Thread(target=lambda: seen.append(active()))
        thread.start()
        thread.join()
    assert seen == [DEFAULT]
    assert active() == DEFAULT
    with using([s for s in DEFAULT if s.key != "disagreement"]):
        assert "disagreement" not in [s.key for s in active()]
    assert active() == DEFAULT


spans = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=4)


@settings(max_examples=60, deadline=None)
@given(
    coder_count=st.integers(2, 4),
    codings=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), spans), max_size=8),
)
def test_means_are_the_means_of_each_statistics_values(
    coder_count: int, codings: list[tuple[int, int, list[tuple[int, int]]]]
) -> None:
    coders = ["anna", "bo", "cleo", "dan"][:coder_count]
    transcripts = [TranscriptUnits(f"t{i}", 50) for i in range(3)]
    records = [
        CodingSpan(0, f"t{t}", "c", coders[c % coder_count], start, min(start + length, 50))
        for t, c, found in codings
        for start, length in found
    ]
    registry = with_statistic(with_statistic(DEFAULT, PAIR_TOY), CODERS_TOY)
    (code,) = agreement_report(coders, ["c"], transcripts, records, statistics=registry).codes
    comparisons = [comparison for _, comparison in code.per_transcript]
    for statistic in registry:
        for pair in range(len(code.pooled.pairs)):
            mean = mean_of(statistic, code.mean, pair)
            if not statistic.applies(coder_count):
                assert mean is None
                continue
            assert mean is not None
            values = [measure_of(statistic, c, pair) for c in comparisons]
            assert mean.value == pytest.approx(sum(v.value for v in values) / len(values))
            assert mean.undefined == sum(v.undefined for v in values)
            for index, part in enumerate(mean.parts):
                assert part == pytest.approx(sum(v.parts[index] for v in values) / len(values))
