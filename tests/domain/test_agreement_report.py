"""Assembling agreement over transcripts × codes: selection, skipping, units, pooling."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qualcode.domain.agreement_report import (
    CodingSpan,
    ExcludedTranscript,
    TranscriptUnits,
    agreement_report,
    select_transcripts,
)
from qualcode.domain.agreement_units import Unit, UnitGrid
from qualcode.domain.sentences import sentence_spans


def coding(
    transcript: str, code: str, coder: str, start: int, end: int, cid: int = 0
) -> CodingSpan:
    return CodingSpan(cid, transcript, code, coder, start, end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two sentences on one line
        ("Yes. We did.", ["Yes.", "We did."]),
        # closing quote stays with its sentence; ellipsis ends one
        ('She said "no." Then… nothing', ['She said "no."', "Then…", "nothing"]),
        # a single line break does not end a sentence; a blank line does
        ("one line\nwraps here\n\nnew paragraph", ["one line\nwraps here", "new paragraph"]),
        # punctuation inside a word or number does not split
        ("It cost 2.5 kr. at 10:30", ["It cost 2.5 kr.", "at 10:30"]),
        # whitespace only: no sentence
        ("  \n\n  ", []),
        # Danish letters inside sentences
        ("Vi fik hjælp! Så gik det bedre?", ["Vi fik hjælp!", "Så gik det bedre?"]),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_sentences_stay_inside_regions() -> None:
    text = "I: Hello. How are you?\nR: Fine. Thanks."
    regions = [(3, 22), (26, len(text))]
    found = [text[s:e] for s, e in sentence_spans(text, regions)]
    assert found == ["Hello.", "How are you?", "Fine.", "Thanks."]


def test_unit_grid_maps_character_spans_to_touched_units() -> None:
    grid = UnitGrid.from_spans([(3, 10), (14, 20), (24, 30)])
    # inside unit 0; across the gap into unit 1; only in the gap (a label): nothing
    assert grid.to_units([(4, 5)]) == [(0, 1)]
    assert grid.to_units([(9, 15)]) == [(0, 2)]
    assert grid.to_units([(10, 14)]) == []
    assert grid.to_units([(0, 3), (20, 24)]) == []
    assert grid.to_units([(0, 100)]) == [(0, 3)]
    with pytest.raises(ValueError, match="sorted"):
        UnitGrid.from_spans([(5, 10), (8, 12)])


def test_select_transcripts_by_done_marks_or_coding() -> None:
    candidates = ["t1", "t2", "t3"]
    done = {"t1": {"anna"}, "t2": {"anna"}}
    coded = {"t1": {"anna", "bo"}, "t2": {"anna"}, "t3": {"anna", "bo"}}
    compared, excluded, basis = select_transcripts(candidates, ["anna", "bo"], done, coded)
    # anna uses done marks (t3 not marked); bo marked nothing, so coding counts (t2 not coded)
    assert compared == ["t1"]
    assert excluded == [
        ExcludedTranscript("t2", "not coded by bo"),
        ExcludedTranscript("t3", "not marked done by anna"),
    ]
    assert basis == [("anna", "marked done"), ("bo", "coded at all")]


def test_report_skips_invalid_codings_and_lists_them() -> None:
    transcripts = [TranscriptUnits("t", 100)]
    good = [coding("t", "c", "anna", 10, 30), coding("t", "c", "bo", 20, 40)]
    bad = [
        coding("t", "c", "anna", 90, 120, cid=7),  # out of range
        coding("t", "c", "bo", 50, 40, cid=8),  # reversed
        coding("t", "c", "bo", 60, 60, cid=9),  # empty
    ]
    report = agreement_report(["anna", "bo"], ["c"], transcripts, good + bad)
    assert [(s.coding.coding_id, s.reason.split(" (")[0]) for s in report.skipped] == [
        (7, "span 90:120 is out of range"),
        (8, "span 50:40 is reversed"),
        (9, "span 60:60 is empty"),
    ]
    valid_only = agreement_report(["anna", "bo"], ["c"], transcripts, good)
    assert report.codes == valid_only.codes


def test_pooled_and_mean_are_both_reported() -> None:
    transcripts = [TranscriptUnits("short", 40), TranscriptUnits("long", 400)]
    codings = [
        coding("short", "c", "anna", 0, 20),
        coding("short", "c", "bo", 10, 30),
        coding("long", "c", "anna", 0, 200),
        coding("long", "c", "bo", 0, 200),
    ]
    report = agreement_report(["anna", "bo"], ["c"], transcripts, codings)
    (code,) = report.codes
    per = dict(code.per_transcript)
    short_kappa = per["short"].pairs[0].counts.kappa.value
    long_kappa = per["long"].pairs[0].counts.kappa.value
    assert long_kappa == 1.0
    assert code.mean.pairs[0].kappa == pytest.approx((short_kappa + long_kappa) / 2)
    # pooled = one 440-character text: the long, perfectly agreed transcript dominates
    x = np.r_[np.ones(20), np.zeros(20), np.ones(200), np.zeros(200)]
    y = np.r_[np.zeros(10), np.ones(20), np.zeros(10), np.ones(200), np.zeros(200)]
    # imported here, not at collection: sklearn costs ~0.65 s a process
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(x, y)
    assert code.pooled.pairs[0].counts.kappa.value == pytest.approx(expected, abs=1e-12)
    assert code.mean.transcripts == 2


def test_mean_counts_undefined_transcripts_as_one() -> None:
    transcripts = [TranscriptUnits("coded", 100), TranscriptUnits("untouched", 100)]
    codings = [coding("coded", "c", "anna", 0, 50), coding("coded", "c", "bo", 50, 100)]
    (code,) = agreement_report(["anna", "bo"], ["c"], transcripts, codings).codes
    mean = code.mean.pairs[0]
    coded_kappa = dict(code.per_transcript)["coded"].pairs[0].counts.kappa
    assert coded_kappa.value == pytest.approx(-1.0)
    assert mean.kappa == pytest.approx(0.0)  # (-1 + 1) / 2
    assert mean.kappa_undefined == 1


def test_turn_units_and_transcripts_without_units() -> None:
    grid = UnitGrid.from_spans([(0, 10), (20, 30), (40, 50)])
    transcripts = [TranscriptUnits("turns", 50, grid), TranscriptUnits("plain", 50, None)]
    codings = [coding("turns", "c", "anna", 2, 3), coding("turns", "c", "bo", 8, 22)]
    report = agreement_report(["anna", "bo"], ["c"], transcripts, codings, unit=Unit.TURN)
    reason = "no turns (its text is not divided into speaker turns)"
    assert report.excluded == (ExcludedTranscript("plain", reason),)
    pair = dict(report.codes[0].per_transcript)["turns"].pairs[0]
    # turn 1 coded by both, turn 2 only by bo, turn 3 by neither
    assert (pair.counts.both, pair.counts.a_only, pair.counts.b_only, pair.counts.neither) == (
        1,
        0,
        1,
        1,
    )
    # segment agreement still compares the passages in characters
    assert pair.segment.agreed == 0


def test_transcript_units_are_presence() -> None:
    transcripts = [TranscriptUnits(name, 100) for name in ("t1", "t2", "t3")]
    codings = [
        coding("t1", "c", "anna", 0, 5),
        coding("t1", "c", "bo", 50, 60),
        coding("t2", "c", "anna", 0, 5),
    ]
    report = agreement_report(["anna", "bo"], ["c"], transcripts, codings, unit=Unit.TRANSCRIPT)
    counts = report.codes[0].pooled.pairs[0].counts
    assert (counts.both, counts.a_only, counts.b_only, counts.neither) == (1, 1, 0, 1)


def test_report_needs_two_different_coders() -> None:
    with pytest.raises(ValueError, match="two different coders"):
        agreement_report(["anna", "anna"], ["c"], [TranscriptUnits("t", 5)], [])
