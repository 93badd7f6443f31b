"""Scoring many units at once (keyword evidence, the keyword prior, the best codes) gives
what scoring each unit on its own gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.suggestions import KeywordBaseline, ranked, with_keywords

WORDS = ["wait", "waiting", "long", "money", "grant", "meeting", "school", "answer", "ab"]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
spec = st.builds(
    CodeSpec,
    name=phrase,
    label_da=st.none() | phrase,
    description=st.none() | st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    keywords=st.lists(phrase, max_size=3).map(tuple),
)
text = st.lists(st.sampled_from([*WORDS, "the", ",", "Money!", "LONG"]), max_size=12).map(" ".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(spec, min_size=1, max_size=4), st.lists(text, max_size=6))
def test_rows_of_evidence_are_each_units_evidence(specs: list[CodeSpec], texts: list[str]) -> None:
    by_path = {f"code {n}": found for n, found in enumerate(specs)}
    baseline = KeywordBaseline(by_path)
    codes = [*by_path, "not in the codebook"]
    expected = [[float(baseline.evidence(t).get(code, 0)) for code in codes] for t in texts]
    assert baseline.evidence_rows(texts, codes) == expected


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
    st.lists(st.sampled_from([0.0, 1.0, 3.0, 4.0, 7.0]), min_size=3, max_size=3),
    st.sampled_from([0.0, 0.2, 0.4]),
)
def test_the_prior_for_all_rows_at_once_is_the_prior_of_each(
    scores: list[float], evidence: list[float], weight: float
) -> None:
    import numpy

    from qualcode.matching.code_model import with_keyword_prior

    codes = ["a", "b", "c"]
    expected = with_keywords(scores, codes, dict(zip(codes, evidence, strict=True)), weight)
    found = with_keyword_prior(numpy.asarray([scores]), [evidence], weight)
    assert found.tolist() == [expected]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.9, -1.0]), min_size=4, max_size=4),
    st.integers(1, 5),
    st.sampled_from([0.0, 0.3]),
)
def test_the_best_columns_of_all_rows_are_each_rows_ranking(
    scores: list[float], limit: int, minimum: float
) -> None:
    import numpy

    from qualcode.matching.code_model import best_columns

    names = ["a", "b", "c", "d"]
    columns = best_columns(numpy.asarray([scores]), limit)[0]
    found = tuple((names[c], scores[c]) for c in columns if scores[c] >= minimum)
    assert found == ranked(scores, names, limit, minimum)
