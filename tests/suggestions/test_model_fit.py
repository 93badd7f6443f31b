"""Fitting on mixed rows without building them, the cap on training examples, and
counting character n-grams through the words."""

from __future__ import annotations

from collections import defaultdict

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.matching.char_counts import char_counts, known_counts
from qualcode.matching.code_model import CharGrams, Settings, WordGrams, train
from qualcode.matching.model_fit import capped, fit_logistic


def _problem(classes: int, seed: int) -> tuple[object, object, object, object]:
    """Texts' features, a mixing of three texts per example, labels and weights."""
    from scipy import sparse  # imported by the tests that use it, not at collection

    random = numpy.random.default_rng(seed)
    base = sparse.random(60, 80, density=0.1, random_state=seed, dtype=numpy.float32)
    picked = random.integers(0, 60, size=(150, 3))
    mixing = sparse.csr_matrix(
        (
            numpy.tile(numpy.asarray([1.0, 0.5, 0.5], dtype=numpy.float32), 150),
            (numpy.repeat(numpy.arange(150), 3), picked.ravel()),
        ),
        shape=(150, 60),
    )
    labels = random.integers(0, classes, size=150)
    return mixing, base.tocsr(), labels, random.uniform(0.5, 2.0, size=150)


@pytest.mark.parametrize("classes", [2, 4], ids=["binary", "multinomial"])
def test_the_fit_on_mixed_rows_is_scikit_learns_on_the_built_rows(classes: int) -> None:
    from sklearn.linear_model import LogisticRegression  # ~0.65 s: not at collection

    mixing, base, labels, weights = _problem(classes, seed=classes)
    built = (mixing @ base).tocsr()  # type: ignore[operator]
    expected = LogisticRegression(C=4.0, tol=1e-6, max_iter=300, class_weight="balanced").fit(
        built, labels, sample_weight=weights
    )
    present, coefficients, intercepts = fit_logistic(
        mixing,
        [base[:, :30], base[:, 30:]],  # type: ignore[index]  # two column blocks
        labels,
        weights,
        strength=4.0,
        tolerance=1e-8,
        balanced=True,
        max_iter=500,
    )
    assert list(present) == list(expected.classes_)
    # float32 products on both sides
    assert numpy.allclose(coefficients, expected.coef_, atol=1e-2)
    assert numpy.allclose(intercepts, expected.intercept_, atol=1e-2)


def test_a_project_under_the_cap_is_not_sampled() -> None:
    strata = ["a", "b", "b", ""]
    rows, weights = capped(strata, [1.0, 2.0, 1.0, 3.0], [True] * 4, cap=4, seed=0)
    assert rows.tolist() == [0, 1, 2, 3]
    assert weights.tolist() == [1.0, 2.0, 1.0, 3.0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["", "a", "b", "ab", "c"]), min_size=1, max_size=120),
    st.integers(1, 60),
    st.integers(0, 3),
)
def test_the_cap_keeps_fixed_rows_every_stratum_and_its_weight(
    strata: list[str], cap: int, seed: int
) -> None:
    optional = [position % 7 != 0 for position in range(len(strata))]  # every 7th is fixed
    weights = numpy.arange(1, len(strata) + 1, dtype=numpy.float64)
    rows, kept_weights = capped(strata, weights, optional, cap, seed)
    again = capped(strata, weights, optional, cap, seed)
    assert rows.tolist() == again[0].tolist()
    assert kept_weights.tolist() == again[1].tolist()
    kept = rows.tolist()
    assert sorted(set(kept)) == kept
    fixed = [row for row, free in enumerate(optional) if not free]
    assert set(fixed) <= set(kept)
    assert len(kept) <= max(cap, len(fixed) + len(set(strata)))
    before: dict[str, float] = defaultdict(float)
    whole: dict[str, int] = defaultdict(int)
    after: dict[str, float] = defaultdict(float)
    sizes: dict[str, int] = defaultdict(int)
    for row, stratum in enumerate(strata):
        if optional[row]:
            before[stratum] += weights[row]
            whole[stratum] += 1
    for row, weight in zip(kept, kept_weights.tolist(), strict=True):
        if optional[row]:
            after[strata[row]] += weight
            sizes[strata[row]] += 1
    assert after.keys() == before.keys()  # no stratum drops out
    for stratum, total in before.items():  # and each weighs what it did
        assert after[stratum] == pytest.approx(total)
    for stratum, size in sizes.items():  # a stratum is cut only to the common limit
        assert size == whole[stratum] or size == max(sizes.values())


def test_a_large_project_is_sampled_deterministically_and_a_small_one_not() -> None:
    texts = [f"sentence {n} about {'waiting' if n % 3 else 'money'} {n % 17}" for n in range(90)]
    labels = [frozenset({"wait"}) if n % 3 else frozenset() for n in range(90)]
    codes, weights = ["wait"], [1.0] * 90
    probe = ["waiting for money", "sentence about money"]

    def scores(cap: int, seed: int) -> list[list[float]]:
        found = train(texts, labels, codes, weights, settings=Settings(max_examples=cap, seed=seed))
        return found.scores(probe)

    assert scores(1_000, 0) == scores(90, 0) == scores(90, 5)  # at or under the cap: all used
    assert scores(40, 1) == scores(40, 1)
    assert scores(40, 1) != scores(90, 0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("ab æøÅé.\n\t\u00a0X"), max_size=25), max_size=12),
    st.sampled_from([1, 2, 3]),
    st.sampled_from([(2, 5), (1, 1), (3, 6)]),
)
def test_counting_through_the_words_is_the_vectorisers_count(
    texts: list[str], min_df: int, sizes: tuple[int, int]
) -> None:
    from sklearn.feature_extraction.text import CountVectorizer  # not at collection

    vectoriser = CountVectorizer(analyzer=CharGrams(*sizes), min_df=min_df, dtype=numpy.float32)
    try:
        expected = vectoriser.fit_transform(texts)
    except ValueError:  # no terms at all, or none in min_df texts (then all are kept)
        if not any(text.split() for text in texts):
            with pytest.raises(ValueError, match="empty vocabulary"):
                char_counts(texts, CharGrams(*sizes).of_word, min_df=min_df)
            return
        vectoriser.min_df = 1
        expected = vectoriser.fit_transform(texts)
    counts, terms = char_counts(texts, CharGrams(*sizes).of_word, min_df=min_df)
    assert terms == list(vectoriser.get_feature_names_out())
    assert (counts != expected).nnz == 0
    vocabulary = {term: column for column, term in enumerate(terms[::2])}  # a fixed one
    known, names = char_counts(texts, CharGrams(*sizes).of_word, vocabulary)
    fixed = CountVectorizer(analyzer=CharGrams(*sizes), vocabulary=vocabulary, dtype=numpy.float32)
    assert names == terms[::2]
    assert (known != fixed.transform(texts)).nnz == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("ab æøÅ.,-_1\n"), max_size=30), max_size=10),
    st.sampled_from([(1, 2), (1, 1), (2, 3)]),
)
def test_known_word_grams_are_counted_as_the_vectoriser_counts_them(
    texts: list[str], sizes: tuple[int, int]
) -> None:
    # a stored model's word block is counted without scikit-learn when suggesting
    from sklearn.feature_extraction.text import CountVectorizer  # not at collection

    pattern = r"(?u)\b\w\w+\b"
    every = CountVectorizer(token_pattern=pattern, ngram_range=sizes)
    try:
        terms = list(every.fit(texts).get_feature_names_out())
    except ValueError:  # no term at all
        terms = []
    vocabulary = {term: column for column, term in enumerate(terms[1::2] or ["ab"])}
    fixed = CountVectorizer(
        token_pattern=pattern, ngram_range=sizes, vocabulary=vocabulary, dtype=numpy.float32
    )
    found = known_counts(texts, WordGrams(*sizes), vocabulary)
    assert (found != fixed.transform(texts)).nnz == 0
