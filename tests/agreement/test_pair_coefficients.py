"""Scott's pi, Brennan–Prediger and Gwet's AC1 against independent implementations.

nltk's ``AnnotationTask`` (pi, S, alpha) and irrCAC (AC1, Brennan–Prediger) see one
0/1 rating per unit and coder, expanded from the 2×2 table or from generated codings;
our statistics see only the counts.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings

from qualcode.domain.agreement import PairCounts, compare_spans, merge_intervals
from qualcode.domain.statistics import Measure
from qualcode.domain.statistics.brennan_prediger import brennan_prediger
from qualcode.domain.statistics.gwet_ac1 import gwet_ac1
from qualcode.domain.statistics.scott_pi import scott_pi
from tests.conftest import Cli
from tests.domain.test_agreement import codings, expand
from tests.hypothesis_profiles import examples

TOLERANCE = 1e-9


def table_arrays(counts: PairCounts) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Per-unit ratings of the two coders behind a 2×2 table."""
    a = [1] * counts.both + [1] * counts.a_only + [0] * counts.b_only + [0] * counts.neither
    b = [1] * counts.both + [0] * counts.a_only + [1] * counts.b_only + [0] * counts.neither
    return np.array(a), np.array(b)


def nltk_task(ratings: Sequence[npt.NDArray[Any]]) -> Any:
    # test-only dependencies (pyproject's test extra), imported when first used (nltk
    # takes over a second to import; other tests' workers need not pay for it)
    task = pytest.importorskip("nltk.metrics.agreement").AnnotationTask
    data = [(str(c), str(u), int(v)) for c, row in enumerate(ratings) for u, v in enumerate(row)]
    return task(data=data)


def irr(ratings: Sequence[npt.NDArray[Any]]) -> Any:
    pd = pytest.importorskip("pandas")
    cac = pytest.importorskip("irrCAC.raw").CAC
    frame = pd.DataFrame({f"c{i}": row for i, row in enumerate(ratings)})
    return cac(frame, categories=[0, 1], digits=15)


def check_pair(x: npt.NDArray[Any], y: npt.NDArray[Any], counts: PairCounts) -> None:
    """Our three coefficients of ``counts`` equal the packages' on ``x`` and ``y``."""
    pi, bp, ac1 = scott_pi(counts), brennan_prediger(counts), gwet_ac1(counts)
    assert not ac1.undefined
    assert not bp.undefined
    if len(x) >= 2:  # irrCAC's standard error divides by units - 1
        cac = irr([x, y])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            their_ac1 = cac.gwet()["est"]["coefficient_value"]
            their_bp = cac.bp()["est"]["coefficient_value"]
        assert abs(ac1.value - their_ac1) < TOLERANCE
        assert abs(bp.value - their_bp) < TOLERANCE
    task = nltk_task([x, y])
    if len({*x.tolist(), *y.tolist()}) == 2:
        # nltk's S takes q from the labels seen, so it is ours only when both were used
        assert abs(bp.value - task.S()) < TOLERANCE
        assert not pi.undefined
        assert abs(pi.value - task.pi()) < TOLERANCE
    else:  # one label throughout: pi is 0/0 (nltk divides by zero)
        assert pi == Measure(1.0, True)


@pytest.mark.parametrize(
    "counts",
    [
        PairCounts(30, 10, 5, 55),  # an ordinary table
        PairCounts(0, 1, 1, 98),  # the kappa paradox: 98 % agreement, a rare code
        PairCounts(20, 0, 0, 80),  # perfect agreement
        PairCounts(0, 50, 50, 0),  # complete disagreement
        PairCounts(40, 60, 0, 0),  # one coder coded every unit
        PairCounts(0, 0, 0, 7),  # nobody coded anything: pi undefined, BP and AC1 = 1
        PairCounts(7, 0, 0, 0),  # both coded everything
        PairCounts(1, 1, 0, 0),  # two units
    ],
    ids=["ordinary", "paradox", "perfect", "opposite", "one-codes-all", "none", "all", "two"],
)
def test_pair_coefficients_on_tables(counts: PairCounts) -> None:
    x, y = table_arrays(counts)
    check_pair(x, y, counts)


def test_the_kappa_paradox_is_what_ac1_answers() -> None:
    # 98 % agreement on a rare code: kappa and pi near zero, AC1 and B-P near agreement
    counts = PairCounts(0, 1, 1, 98)
    assert counts.kappa.value < 0
    assert scott_pi(counts).value < 0
    assert gwet_ac1(counts).value > 0.97
    assert brennan_prediger(counts).value == pytest.approx(0.96)


@settings(max_examples=examples(25), deadline=None)
@given(codings())
def test_pair_coefficients_and_alpha_on_generated_codings(
    data: tuple[int, list[list[tuple[int, int]]]],
) -> None:
    # 2–5 coders on one text: every pair against irrCAC and nltk, alpha against nltk
    length, raw = data
    merged = [merge_intervals(spans) for spans in raw]
    names = [f"c{i}" for i in range(len(raw))]
    comparison = compare_spans(names, length, merged, merged, 90)
    ratings = [expand(length, spans) for spans in merged]
    indices = itertools.combinations(range(len(raw)), 2)
    for pair, (i, j) in zip(comparison.pairs, indices, strict=True):
        check_pair(ratings[i], ratings[j], pair.counts)
    alpha = comparison.coverage.krippendorff_alpha
    if len({v for row in ratings for v in row.tolist()}) == 2:
        assert abs(alpha.value - nltk_task(ratings).alpha()) < TOLERANCE
    else:
        assert alpha.undefined


def test_json_pairs_carry_the_new_coefficients(demo_path: Path, run: Cli) -> None:
    args = ("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity")
    report = json.loads(run(*args, "--format", "json").stdout)
    for entry in report["per_code"].values():
        for level in (entry["pooled"], *entry["per_transcript"].values()):
            (pair,) = level["pairs"]
            counts = PairCounts(pair["both"], pair["a_only"], pair["b_only"], pair["neither"])
            for key, function in (
                ("scott_pi", scott_pi),
                ("brennan_prediger", brennan_prediger),
                ("gwet_ac1", gwet_ac1),
            ):
                measure = function(counts)
                assert pair[key] == measure.value
                assert pair[f"{key}_undefined"] is measure.undefined
    assert set(report["definitions"]) >= {"scott_pi", "brennan_prediger", "gwet_ac1"}
    table = run(*args).stdout
    assert "Gwet's AC1 (Gwet 2008)" in table  # each definition is printed with the rules


def test_stats_chooses_what_is_computed(demo_path: Path, run: Cli) -> None:
    args = ("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity")
    report = json.loads(run(*args, "--stats", "kappa,ac1", "--format", "json").stdout)
    pair = report["per_code"]["continuity"]["pooled"]["pairs"][0]
    assert "kappa" in pair
    assert "gwet_ac1" in pair
    assert "scott_pi" not in pair
    assert "krippendorff_alpha" not in report["per_code"]["continuity"]["pooled"]
    header = next(csv.reader(io.StringIO(run(*args, "--stats", "pi", "--format", "csv").stdout)))
    assert "scott_pi" in header
    assert "kappa" not in header
    refused = run(*args, "--stats", "kappa,cronbach", expect=1)
    assert refused.stderr.startswith("Error: --stats: unknown statistic 'cronbach'")
    assert refused.stderr.count("\n") == 1
