"""The learner: scores in [0, 1], and a model stored as JSON scores exactly as trained."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.matching.code_model import CLASSIFIERS, CharGrams, CodeModel, Settings, train

TEXTS = [
    "we waited weeks for an answer",
    "the answer took weeks",
    "nobody answered for weeks",
    "the meeting went well",
    "we met at the meeting",
    "a meeting at school",
    "the grant was paid late",
    "money was paid",
    "the grant money",
    "it was a tuesday",
    "the weather was grey",
]
LABELS = [
    frozenset({c}) if c else frozenset()
    for c in ["wait"] * 3 + ["meet"] * 3 + ["money"] * 3 + [None] * 2
]
CODES = ["wait", "meet", "money", "never"]


@pytest.mark.parametrize("classifier", CLASSIFIERS)
def test_each_classifier_ranks_the_trained_code_first(classifier: str) -> None:
    model = train(
        TEXTS, LABELS, CODES, [1.0] * len(TEXTS), settings=Settings(classifier=classifier)
    )
    scores = model.scores(["weeks of waiting for an answer", "a grant paid"])
    assert all(0.0 <= value <= 1.0 for row in scores for value in row)
    assert [CODES[row.index(max(row))] for row in scores] == ["wait", "money"]
    assert scores[0][CODES.index("never")] < 0.01  # no positive example: always low


def test_a_stored_model_scores_exactly_as_trained() -> None:
    model = train(TEXTS, LABELS, CODES, [1.0] * len(TEXTS))
    stored = json.loads(json.dumps(model.to_json()))
    restored = CodeModel.from_json(stored)
    assert restored is not None
    probe = ["a meeting about money", "nothing known here", ""]
    assert restored.scores(probe) == model.scores(probe)


def _tampered(change: str) -> dict[str, Any]:
    value: dict[str, Any] = train(TEXTS, LABELS, CODES, [1.0] * len(TEXTS)).to_json()
    if change == "format":
        value["format"] = 99
    elif change == "shape":
        value["shape"] = [2, 3]
    elif change == "codes":
        value["codes"] = value["codes"][:-1]
    elif change == "base64":
        value["weights"] = "not base64!"
    elif change == "missing":
        del value["blocks"]
    elif change == "idf":
        value["blocks"][0]["idf"] = value["blocks"][1]["idf"]
    return value


@pytest.mark.parametrize(
    "change",
    [
        "format",  # a model written by another version
        "shape",  # weights that do not fit the vocabulary
        "codes",  # fewer codes than weight rows
        "base64",  # an array that is not base64
        "missing",  # a key left out
        "idf",  # idf weights of the wrong length
    ],
)
def test_a_damaged_cache_is_not_used(change: str) -> None:
    assert CodeModel.from_json(_tampered(change)) is None


SWITCHES = [
    Settings(),  # the default
    Settings(context=0.5, prior=0.0),  # neighbours' features added
    Settings(keyword_feature=True),  # keyword evidence as features
    Settings(ranking="softmax"),  # softmax over codes × a coded gate
    Settings(calibrate=True, classifier="svm"),  # Platt-scaled SVM
    Settings(blocks=("char",), char_ngrams=(3, 4), balanced=False),  # one block, unbalanced
]
SWITCH_IDS = ["default", "context", "keyword-feature", "softmax", "calibrated", "char-only"]
NEAR = [(1,), (0, 2), (1,), (4,), (3, 5), (4,), (7,), (6, 8), (7,), (), ()]
EVIDENCE = [[float(text.count("week")), float(text.count("meet")), 0.0, 0.0] for text in TEXTS]


@pytest.mark.parametrize("settings", SWITCHES, ids=SWITCH_IDS)
def test_every_switch_trains_ranks_and_survives_storage(settings: Settings) -> None:
    model = train(
        TEXTS,
        LABELS,
        CODES,
        [1.0] * len(TEXTS),
        settings=settings,
        neighbours=NEAR,
        evidence=EVIDENCE,
    )
    probe = ["weeks of waiting for an answer", "a meeting at the school", "the grant was paid"]
    near, evidence = [(), (), ()], [[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0.0, 0, 0, 0]]
    scores = model.scores(probe, near, evidence)
    assert all(0.0 <= value <= 1.0 for row in scores for value in row)
    assert [CODES[row.index(max(row))] for row in scores] == ["wait", "meet", "money"]
    restored = CodeModel.from_json(json.loads(json.dumps(model.to_json())))
    assert restored is not None
    assert restored.scores(probe, near, evidence) == scores


def test_repeated_examples_train_the_same_model_as_doubled_weights() -> None:
    # two coders leaving the same sentence uncoded are one example of weight 2
    twice = train(TEXTS * 2, LABELS * 2, CODES, [1.0] * (2 * len(TEXTS)))
    doubled = train(TEXTS, LABELS, CODES, [2.0] * len(TEXTS))
    probe = ["weeks of waiting", "money for the meeting"]
    assert twice.scores(probe) == doubled.scores(probe)


def test_the_frequency_prior_favours_the_common_code_on_an_ambiguous_text() -> None:
    texts = ["blue sky"] * 2 + ["blue sea"] * 8 + ["green grass"] * 10
    labels = [frozenset({"sky"})] * 2 + [frozenset({"sea"})] * 8 + [frozenset()] * 10
    weights = [1.0] * len(texts)
    codes = ["sky", "sea"]

    def margin(prior: float) -> float:
        sky, sea = train(
            texts, labels, codes, weights, settings=Settings(ranking="ovr", prior=prior)
        ).scores(["blue"])[0]
        return sea - sky

    assert margin(1.0) > margin(0.0)


def test_context_lets_a_neighbour_decide_an_empty_sentence() -> None:
    texts = ["we waited for weeks", "yes", "the grant was paid", "yes"] * 3
    labels = [
        frozenset({"wait"}),
        frozenset({"wait"}),
        frozenset({"money"}),
        frozenset({"money"}),
    ] * 3
    near = [tuple(n for n in (i - 1, i + 1) if 0 <= n < len(texts)) for i in range(len(texts))]
    model = train(
        texts,
        labels,
        ["wait", "money"],
        [1.0] * len(texts),
        settings=Settings(context=0.5, min_df=1),
        neighbours=near,
    )
    after_wait, after_money = model.scores(
        ["weeks of waiting", "yes", "a grant", "yes"], [(1,), (0,), (3,), (2,)]
    )[1::2]
    assert after_wait[0] > after_wait[1]
    assert after_money[1] > after_money[0]


@settings(max_examples=80, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab æøÅé.\n\t\u00a0\u2028X"), max_size=30),
    st.sampled_from([(2, 5), (3, 6), (1, 1), (4, 8)]),
)
def test_remembered_character_grams_are_scikit_learns(text: str, sizes: tuple[int, int]) -> None:
    # the model stored before this analyser replaced char_wb must read the same terms
    # imported here, not at collection: sklearn costs ~0.65 s a process
    from sklearn.feature_extraction.text import CountVectorizer

    expected = CountVectorizer(analyzer="char_wb", ngram_range=sizes).build_analyzer()
    grams = CharGrams(*sizes)
    assert grams(text) == expected(text)
    assert grams(text) == expected(text)  # the second time from the remembered words
