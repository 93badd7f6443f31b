"""The learner: scores in [0, 1], and a model stored as JSON scores exactly as trained."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qualcode.matching.code_model import CLASSIFIERS, CodeModel, train

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
    model = train(TEXTS, LABELS, CODES, [1.0] * len(TEXTS), classifier=classifier)
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
