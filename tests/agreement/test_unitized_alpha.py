"""Krippendorff's unitizing alpha (αU): published values, and the sweep against a
direct exact-fraction reading of the papers' formulas.

Sources of the published values:
- DKPro Agreement's unit tests (dkpro-statistics, ``UnitizingAgreementTest``): a
  continuum of length 10, coder A one unit at offset 1 of length 8, coder B units at 2, 4
  and 6 of length 1: D_o = 0.9100, D_e = 0.5351, αU = −0.70035; and one unit of length 1
  among three coders on a continuum of 20: αU = 0.
- Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed.,
  p. 254 (as DKPro's ``Krippendorff2004Test`` transcribes it): a continuum from 150 to
  450, category c: D_o = 0.0144, D_e = 0.0532, αU = 0.7286; category k (identical
  units): D_o = 0, D_e = 0.0490, αU = 1.
- Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological
  Methodology 25: 47–76, p. 57: four pairs of coders on 24 units. D_o is printed for A–D
  (0.03125, 2.26736, 0.02777, 0.38715); αU (.553, −.926, .679, .066) is for the
  continuous limit, which DKPro approximates by stretching the continuum 50,000-fold and
  checks to ±0.02, noting an error in the paper's D_e (``l_ik + l_hj + 1``); we do the same.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.agreement_report import CodingSpan, TranscriptUnits, agreement_report
from qualcode.domain.statistics.unitized_alpha import (
    Sections,
    disagreements,
    pooled_sections,
    sections,
    unitized_alpha,
)
from tests.conftest import Cli
from tests.hypothesis_profiles import examples

Units = list[tuple[int, int]]


def by_offset(pairs: Sequence[tuple[int, int]], stretch: float = 1, origin: int = 0) -> Units:
    """Units given as (offset, length), as the sources print them."""
    return [
        (int(b * stretch) - origin, int(b * stretch) - origin + int(n * stretch)) for b, n in pairs
    ]


# --- published values -----------------------------------------------------------------


def test_dkpro_published_example() -> None:
    found = sections(10, [by_offset([(1, 8)]), by_offset([(2, 1), (4, 1), (6, 1)])])
    observed, expected = disagreements(found)
    assert round(float(observed), 4) == 0.9100
    assert round(float(expected), 4) == 0.5352  # printed 0.5351 ± 0.0001 (0.535185…)
    assert abs(unitized_alpha(found).value - -0.70035) < 5e-6
    assert unitized_alpha(found).value == pytest.approx(float(1 - observed / expected), abs=1e-15)


def test_dkpro_single_unit_is_zero() -> None:
    found = sections(20, [[(0, 1)], [], []])
    assert unitized_alpha(found).value == 0.0


def test_no_unit_at_all_is_undefined() -> None:
    measure = unitized_alpha(sections(20, [[], []]))
    assert measure.undefined
    assert measure.value == 1.0


@pytest.mark.parametrize(
    ("i", "j", "observed", "expected", "alpha"),
    [
        # category c: the coders' units differ in length and position
        ([(225, 70), (370, 30)], [(220, 80), (355, 20), (400, 20)], 0.0144, 0.0532, 0.7286),
        # category k: identical units
        ([(180, 60), (300, 50)], [(180, 60), (300, 50)], 0.0000, 0.0490, 1.0000),
    ],
    ids=["c", "k"],
)
def test_krippendorff_2004_example(
    i: list[tuple[int, int]],
    j: list[tuple[int, int]],
    observed: float,
    expected: float,
    alpha: float,
) -> None:
    found = sections(300, [by_offset(i, origin=150), by_offset(j, origin=150)])
    d_o, d_e = disagreements(found)
    assert abs(float(d_o) - observed) < 0.00005
    assert abs(float(d_e) - expected) < 0.00005
    assert abs(unitized_alpha(found).value - alpha) < 0.00005


KRIPPENDORFF_1995 = {
    "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
    "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
    "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
    "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)], [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)]),
}


@pytest.mark.parametrize(
    ("category", "observed", "alpha"),
    [
        ("A", 0.03125, 0.553),  # Bertha and Bill
        ("B", 2.26736, -0.926),  # John and Jill: one long unit against many short ones
        ("C", 0.02777, 0.679),  # Gerret and Gill
        ("D", 0.38715, 0.066),  # Heather and Hill: units covering everything
    ],
    ids=["A", "B", "C", "D"],
)
def test_krippendorff_1995_example(category: str, observed: float, alpha: float) -> None:
    first, second = KRIPPENDORFF_1995[category]
    found = sections(24, [by_offset(first), by_offset(second)])
    assert abs(float(disagreements(found)[0]) - observed) < 0.00001
    stretch = 50_000
    limit = sections(24 * stretch, [by_offset(first, stretch), by_offset(second, stretch)])
    assert abs(unitized_alpha(limit).value - alpha) < 0.02


# --- the papers' formulas, read directly ----------------------------------------------


def reference(continua: Sequence[tuple[int, Sequence[Units]]]) -> Fraction | None:
    """αU by the formulas of Krippendorff (2004), every section pair visited, exact;
    ``None`` when the expected disagreement is 0 (0/0: no unit at all, or units that
    leave no gap a unit could fall in, such as every coder marking the whole of a
    one-character continuum).

    ``continua``: (length, units of each coder) per transcript, laid end to end; a
    coder's gaps are the rest of each transcript (never joined across transcripts)."""
    coders = len(continua[0][1])
    total = sum(length for length, _ in continua)
    # every coder's sections as (begin, length, is_unit), on the joined continuum
    per_coder: list[list[tuple[int, int, bool]]] = [[] for _ in range(coders)]
    offset = 0
    for length, units_by_coder in continua:
        for coder, units in enumerate(units_by_coder):
            position = 0
            for start, end in units:
                if start > position:
                    per_coder[coder].append((offset + position, start - position, False))
                per_coder[coder].append((offset + start, end - start, True))
                position = end
            if length > position:
                per_coder[coder].append((offset + position, length - position, False))
        offset += length

    def delta(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
        (bg, lg, ug), (bh, lh, uh) = g, h
        if ug and uh and -lg < bg - bh < lh:
            return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
        if ug and not uh and bh <= bg and bg + lg <= bh + lh:
            return lg * lg
        if uh and not ug and bg <= bh and bh + lh <= bg + lg:
            return lh * lh
        return 0

    observed_sum = sum(
        delta(g, h)
        for i in range(coders)
        for j in range(coders)
        if i != j
        for g in per_coder[i]
        for h in per_coder[j]
    )
    d_o = Fraction(observed_sum, coders * (coders - 1) * total * total)
    marked = [s for own in per_coder for s in own if s[2]]
    gaps = [s for own in per_coder for s in own if not s[2]]
    n = len(marked)
    expected_sum = sum(
        Fraction(n - 1, 3) * (2 * lg**3 - 3 * lg**2 + lg)
        + lg * lg * sum(lh - lg + 1 for _, lh, _ in gaps if lh >= lg)
        for _, lg, _ in marked
    )
    denominator = coders * total * (coders * total - 1) - sum(lg * (lg - 1) for _, lg, _ in marked)
    d_e = Fraction(2, total) * expected_sum / denominator
    return None if d_e == 0 else 1 - d_o / d_e


def defined(value: Fraction | None) -> Fraction:
    assert value is not None
    return value


@st.composite
def coder_units(draw: st.DrawFn, length: int) -> Units:
    """Sorted, non-overlapping units (touching allowed) inside ``[0, length)``."""
    cuts = sorted(draw(st.lists(st.integers(0, length), max_size=8)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [(start, end) for start, end in pairs if start < end]


@st.composite
def studies(draw: st.DrawFn) -> list[tuple[int, list[Units]]]:
    coders = draw(st.integers(2, 5))
    lengths = draw(st.lists(st.integers(1, 40), min_size=1, max_size=3))
    return [(n, [draw(coder_units(n)) for _ in range(coders)]) for n in lengths]


@settings(max_examples=examples(50), deadline=None)
@given(studies())
def test_the_sweep_equals_the_papers_formulas(study: list[tuple[int, list[Units]]]) -> None:
    coders = len(study[0][1])
    pooled = pooled_sections([sections(n, units) for n, units in study], coders)
    measure = unitized_alpha(pooled)
    expected = reference(study)
    if not any(units for _, per_coder in study for units in per_coder):
        assert expected is None
    if expected is None:
        assert measure.undefined
        return
    assert not measure.undefined
    assert abs(measure.value - float(expected)) < 1e-12


@given(studies())
@settings(max_examples=examples(20), deadline=None)
def test_pooling_is_laying_end_to_end(study: list[tuple[int, list[Units]]]) -> None:
    coders = len(study[0][1])
    parts = [sections(n, units) for n, units in study]
    added = parts[0]
    for part in parts[1:]:
        added = added + part
    assert added == pooled_sections(parts, coders)


def test_cost_follows_the_codings_not_the_text() -> None:
    # a trillion-character continuum with three units: no per-character work is done
    length = 10**12
    found = sections(length, [[(10, 10**9)], [(20, 10**9 + 5), (2 * 10**9, 2 * 10**9 + 1)]])
    assert found == Sections(2, length, found.observed, found.units, found.gaps)
    assert -1 <= unitized_alpha(found).value <= 1


# --- in reports -----------------------------------------------------------------------


def test_report_gives_unitized_alpha_per_transcript_pooled_and_mean() -> None:
    transcripts = [TranscriptUnits("t1", 30), TranscriptUnits("t2", 20)]
    codings = [
        CodingSpan(1, "t1", "x", "ann", 2, 10),
        CodingSpan(2, "t1", "x", "bo", 3, 12),
        CodingSpan(3, "t1", "x", "cy", 2, 9),
        CodingSpan(4, "t2", "x", "ann", 0, 5),
        CodingSpan(5, "t2", "x", "cy", 4, 8),
    ]
    report = agreement_report(("ann", "bo", "cy"), ("x", "y"), transcripts, codings)
    x, y = report.codes
    t1 = [[(2, 10)], [(3, 12)], [(2, 9)]]
    t2: list[Units] = [[(0, 5)], [], [(4, 8)]]
    per: dict[str, Sections] = {}
    for name, comparison in x.per_transcript:
        assert comparison.coverage.sections is not None
        per[name] = comparison.coverage.sections
    assert unitized_alpha(per["t1"]).value == pytest.approx(
        float(defined(reference([(30, t1)]))), 1e-12
    )
    pooled = x.pooled.coverage.sections
    assert pooled is not None
    expected = float(defined(reference([(30, t1), (20, t2)])))
    assert unitized_alpha(pooled).value == pytest.approx(expected, abs=1e-12)
    mean = x.mean.values["unitized_alpha"]
    values = [unitized_alpha(per[name]).value for name in ("t1", "t2")]
    assert mean.value == pytest.approx(sum(values) / 2, abs=1e-15)
    assert y.mean.values["unitized_alpha"].all_undefined  # a code nobody applied


def test_json_and_stats_name(demo_path: Path, run: Cli) -> None:
    args = ("agreement", demo_path, "--coders", "anna", "bo", "--code", "continuity")
    report = json.loads(run(*args, "--stats", "alpha-u", "--format", "json").stdout)
    entry = report["per_code"]["continuity"]
    assert isinstance(entry["pooled"]["unitized_alpha"], float)
    assert entry["pooled"]["unitized_alpha_undefined"] is False
    assert "unitized_alpha_undefined_transcripts" in entry["mean"]
    assert all("unitized_alpha" in t for t in entry["per_transcript"].values())
    assert "kappa" not in entry["pooled"]["pairs"][0]
