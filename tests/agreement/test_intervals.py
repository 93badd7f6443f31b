"""Bootstrap confidence intervals: the arrays evaluate the same formulas as the scalar
statistics, draws follow the seed, transcripts are drawn whole, Krippendorff's verdict
reads the lower bound."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement import NO_SEGMENTS, Coverage, PairAgreement, PairCounts
from qualcode.domain.agreement_intervals import IntervalSettings, Resampling, verdict
from qualcode.domain.agreement_report import (
    AgreementReport,
    CodingSpan,
    TranscriptUnits,
    agreement_report,
)
from qualcode.domain.statistics import DEFAULT, Scope
from qualcode.services.agreement_intervals import _values, report_intervals
from tests.conftest import Cli
from tests.hypothesis_profiles import examples

FRACTIONAL = [s for s in DEFAULT if s.pair_fraction or s.coverage_fraction]


@settings(max_examples=examples(50), deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 10**6), min_size=4, max_size=4), min_size=1, max_size=5),
    st.lists(st.lists(st.integers(0, 10**5), min_size=4, max_size=4), min_size=1, max_size=5),
)
def test_arrays_evaluate_the_scalar_formulas(
    tables: list[list[int]], coverages: list[list[int]]
) -> None:
    # every statistic with a fraction: the vectorised value of each row is the scalar one
    for statistic in FRACTIONAL:
        if statistic.scope is Scope.PAIR:
            rows = tables
            scalar = [
                statistic.of_pair(PairAgreement("a", "b", PairCounts(*row), NO_SEGMENTS))
                for row in rows
                if statistic.of_pair is not None
            ]
        else:
            rows = coverages
            scalar = [
                statistic.of_coders(Coverage(tuple(row)))
                for row in rows
                if statistic.of_coders is not None
            ]
        values = _values(statistic, np.array(rows, dtype=np.float64))
        for measure, value in zip(scalar, values, strict=True):
            if measure.undefined:
                assert np.isnan(value)
            else:
                assert abs(measure.value - value) < 1e-9


@pytest.mark.parametrize(
    ("low", "word"),
    [
        (0.95, "reliable"),  # well above
        (0.800, "reliable"),  # the bound itself
        (0.7999, "tentative"),  # just below .800
        (0.667, "tentative"),  # the lower bound itself
        (0.6669, "not reliable"),  # just below .667
        (-0.2, "not reliable"),  # worse than chance
    ],
    ids=["above", "at-800", "below-800", "at-667", "below-667", "negative"],
)
def test_krippendorffs_rule_on_the_lower_bound(low: float, word: str) -> None:
    assert verdict(low) == word


def small_report() -> AgreementReport:
    transcripts = [TranscriptUnits(f"t{i}", 50 + 7 * i) for i in range(6)]
    codings = []
    for i in range(6):
        codings += [
            CodingSpan(3 * i, f"t{i}", "x", "ann", 5, 20 + i),
            CodingSpan(3 * i + 1, f"t{i}", "x", "bo", 3 + i, 22),
            CodingSpan(3 * i + 2, f"t{i}", "x", "cy", 6, 18 + 2 * i),
        ]
    return agreement_report(("ann", "bo", "cy"), ("x",), transcripts, codings)


@pytest.mark.parametrize("by", list(Resampling), ids=[r.value for r in Resampling])
def test_the_seed_decides_the_draws(by: Resampling) -> None:
    report = small_report()
    first = report_intervals(report, IntervalSettings(95, 500, 11, by))
    again = report_intervals(report, IntervalSettings(95, 500, 11, by))
    other = report_intervals(report, IntervalSettings(95, 500, 12, by))
    assert first == again
    assert first.bounds != other.bounds
    bounds = first.of("x", "krippendorff_alpha")
    assert bounds is not None
    low, high = bounds
    assert low <= high


def test_transcripts_are_drawn_whole() -> None:
    # each resample of whole transcripts is a sum of whole tables: with one transcript
    # coded differently from the rest, every draw's alpha is one of few values
    report = small_report()
    settings_ = IntervalSettings(100 - 1e-9, 300, 3, Resampling.TRANSCRIPT)
    found = report_intervals(report, settings_)
    bounds = found.of("x", "kappa", 0)
    assert bounds is not None
    per_transcript = [c.pairs[0].counts.kappa.value for _, c in report.codes[0].per_transcript]
    # the extremes of pooled draws cannot go beyond the extremes of single transcripts
    assert min(per_transcript) - 1e-9 <= bounds[0] <= bounds[1] <= max(per_transcript) + 1e-9


def test_cli_intervals_in_json_csv_and_table(demo_path: Path, run: Cli) -> None:
    args = ("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity")
    asked = ("--ci", "95", "--bootstrap", "300", "--seed", "5")
    text = run(*args, *asked, "--format", "json").stdout
    report = json.loads(text)
    # whole transcripts by default: a transcript's characters are not independent
    assert report["intervals"] == {"level": 95.0, "resamples": 300, "seed": 5, "by": "transcript"}
    assert any("Krippendorff 2004" in rule for rule in report["rules"])
    for entry in report["per_code"].values():
        pooled = entry["pooled"]
        low, high = pooled["alpha_ci"]
        assert low <= high
        assert pooled["alpha_verdict"] == verdict(low)
        assert len(pooled["pairs"][0]["kappa_ci"]) == 2
        assert "alpha_ci" not in next(iter(entry["per_transcript"].values()))
    assert run(*args, *asked, "--format", "json").stdout == text  # the seed decides
    by_unit = json.loads(run(*args, *asked, "--ci-by", "unit", "--format", "json").stdout)
    assert by_unit["intervals"]["by"] == "unit"
    assert any("too narrow" in rule for rule in by_unit["rules"])  # the rule warns
    # characters drawn one by one give narrower intervals than whole transcripts
    for code, entry in report["per_code"].items():
        (kappa,) = entry["pooled"]["pairs"]
        (narrow,) = by_unit["per_code"][code]["pooled"]["pairs"]
        if kappa["kappa_ci"] is not None:
            wide = kappa["kappa_ci"][1] - kappa["kappa_ci"][0]
            assert narrow["kappa_ci"][1] - narrow["kappa_ci"][0] < wide
    rows = list(csv.DictReader(io.StringIO(run(*args, *asked, "--format", "csv").stdout)))
    pooled_rows = [r for r in rows if r["level"] == "pooled"]
    assert all(r["alpha_verdict"] for r in pooled_rows)
    assert all(not r["alpha_ci_low"] for r in rows if r["level"] != "pooled")
    table = run(*args, *asked).stdout
    assert "95% CI" in table
    assert "verdict" in table
    refused = run(*args, "--ci", "120", expect=2)  # a usage error, as click's
    assert refused.stderr.startswith("Error: ")
    assert "--ci" in refused.stderr
    assert refused.stderr.count("\n") == 1
