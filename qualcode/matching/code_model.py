"""The suggestion learner: one logistic regression per code over TF-IDF of words and
character n-grams (scikit-learn; the optional ``qualcode[suggest]`` extra).

Character n-grams inside word boundaries carry Danish compounds and inflections
("sagsbehandler", "sagsbehandleren", "sagsbehandlerskift") that whole words miss. The
model is stored as JSON with its arrays as base64 float32 — vocabulary, idf weights,
coefficients — never as a pickle, so a cached model read from a project cannot run code.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.domain.errors import QualcodeError

INSTALL_HINT = "code suggestions need scikit-learn: pip install 'qualcode[suggest]'"
FORMAT = 1
"""Version of the stored model's JSON; a cache of another version is retrained."""

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
MIN_DF = 2
FEATURE_BLOCKS: tuple[str, ...] = ("word", "char")
"""Feature blocks a model is trained with (the benchmark compares subsets)."""
REGULARISATION = 4.0  # C of the (slower) logistic regression, kept for comparison
SGD_ALPHA = 1e-4
SGD_EPOCHS = 15


class MissingLearnerError(QualcodeError):
    """scikit-learn is not installed (the ``suggest`` extra)."""


def _sklearn() -> Any:
    """Import what training needs, or say in one line how to install it."""
    try:
        import numpy
        from scipy import sparse
        from sklearn.feature_extraction.text import CountVectorizer
    except ImportError as error:
        raise MissingLearnerError(INSTALL_HINT) from error
    return numpy, sparse, CountVectorizer, None


def _vectoriser(kind: str, vocabulary: dict[str, int] | None = None) -> Any:
    """Counts of words and word pairs, or of 2–5 character n-grams inside word bounds."""
    _, _, count_vectoriser, _ = _sklearn()
    shape: dict[str, Any] = (
        {"analyzer": "word", "ngram_range": WORD_NGRAMS, "token_pattern": r"(?u)\b\w\w+\b"}
        if kind == "word"
        else {"analyzer": "char_wb", "ngram_range": CHAR_NGRAMS}
    )
    return count_vectoriser(
        lowercase=True, vocabulary=vocabulary, min_df=1 if vocabulary else MIN_DF, **shape
    )


@dataclass(slots=True)
class _Block:
    """One feature block: a fitted vocabulary and its idf weights."""

    kind: str
    terms: list[str]
    idf: Any  # numpy float32 vector

    def transform(self, texts: Sequence[str]) -> Any:
        """Sublinear TF × idf, each row of unit length (a row without known terms is 0)."""
        vocabulary = {term: index for index, term in enumerate(self.terms)}
        return self.weigh(_vectoriser(self.kind, vocabulary).transform(texts))

    def weigh(self, raw_counts: Any) -> Any:
        """Term counts (a sparse matrix over :attr:`terms`) as :meth:`transform` gives them."""
        numpy, sparse, _, _ = _sklearn()
        counts = raw_counts.astype(numpy.float32)
        counts.data = 1.0 + numpy.log(counts.data)
        weighted = counts @ sparse.diags(self.idf)
        norms = numpy.sqrt(weighted.multiply(weighted).sum(axis=1)).A1
        norms[norms == 0] = 1.0
        return sparse.diags((1.0 / norms).astype(numpy.float32)) @ weighted


def _fit_block(kind: str, texts: Sequence[str]) -> tuple[_Block, Any]:
    """A block fitted on ``texts``, and the texts' features in it (one counting pass)."""
    numpy, _, _, _ = _sklearn()
    vectoriser = _vectoriser(kind)
    try:
        counts = vectoriser.fit_transform(texts)
    except ValueError:  # too little text for any term to occur twice
        vectoriser = _vectoriser(kind, None)
        vectoriser.min_df = 1
        counts = vectoriser.fit_transform(texts)
    terms = [""] * len(vectoriser.vocabulary_)
    for term, index in vectoriser.vocabulary_.items():
        terms[index] = term
    documents = len(texts)
    frequency = numpy.bincount(counts.indices, minlength=len(terms))
    idf = numpy.log((1 + documents) / (1 + frequency)) + 1.0
    block = _Block(kind, terms, idf.astype(numpy.float32))
    return block, block.weigh(counts)


@dataclass(slots=True)
class CodeModel:
    """A trained model: ``codes`` in column order, feature blocks, and per code a weight
    vector and an intercept. :meth:`scores` gives each code's probability for a text."""

    codes: list[str]
    blocks: list[_Block]
    weights: Any  # numpy float32 matrix, codes × features
    intercepts: Any  # numpy float32 vector

    def features(self, texts: Sequence[str]) -> Any:
        _, sparse, _, _ = _sklearn()
        return sparse.hstack([block.transform(texts) for block in self.blocks]).tocsr()

    def scores(self, texts: Sequence[str]) -> list[list[float]]:
        """Per text, each code's score in [0, 1] (the logistic of its decision value)."""
        if not texts:
            return []
        numpy, _, _, _ = _sklearn()
        decision = self.features(texts) @ self.weights.T + self.intercepts
        probabilities = 1.0 / (1.0 + numpy.exp(-numpy.clip(decision, -30, 30)))
        return [[float(value) for value in row] for row in numpy.asarray(probabilities)]

    def to_json(self) -> dict[str, object]:
        """A plain JSON value (lists, strings, numbers; arrays as base64 float32)."""
        return {
            "format": FORMAT,
            "codes": self.codes,
            "blocks": [
                {"kind": block.kind, "terms": block.terms, "idf": _pack(block.idf)}
                for block in self.blocks
            ],
            "weights": _pack(self.weights),
            "shape": list(self.weights.shape),
            "intercepts": _pack(self.intercepts),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> CodeModel | None:
        """The model :meth:`to_json` stored, or ``None`` when it is of another format or
        malformed (the caller trains afresh)."""
        numpy, _, _, _ = _sklearn()
        try:
            if value.get("format") != FORMAT:
                return None
            blocks = [
                _Block(str(b["kind"]), [str(t) for t in b["terms"]], _unpack(b["idf"]))
                for b in value["blocks"]
            ]
            rows, columns = (int(n) for n in value["shape"])
            weights = _unpack(value["weights"]).reshape(rows, columns)
            intercepts = _unpack(value["intercepts"])
            codes = [str(code) for code in value["codes"]]
            features = sum(len(block.terms) for block in blocks)
            if rows != len(codes) or columns != features or intercepts.shape != (rows,):
                return None
            if any(len(b.idf) != len(b.terms) for b in blocks) or not numpy.all(
                numpy.isfinite(weights)
            ):
                return None
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(codes, blocks, weights, intercepts)


def _pack(array: Any) -> str:
    numpy, _, _, _ = _sklearn()
    return base64.b64encode(numpy.ascontiguousarray(array, dtype="<f4").tobytes()).decode()


def _unpack(text: object) -> Any:
    numpy, _, _, _ = _sklearn()
    if not isinstance(text, str):
        raise TypeError("not an array")
    return numpy.frombuffer(base64.b64decode(text, validate=True), dtype="<f4").astype(
        numpy.float32
    )


CLASSIFIERS = ("sgd", "logistic", "svm", "ridge")
"""Linear classifiers :func:`train` can fit (BENCHMARKS.md compares them); all give a
weight vector and an intercept per code, scored through the logistic function."""


def train(
    texts: Sequence[str],
    labels: Sequence[frozenset[str]],
    codes: Sequence[str],
    weights: Sequence[float],
    *,
    classifier: str = "sgd",
) -> CodeModel:
    """Fit one linear classifier per code: a text is positive for the codes in its label
    set and negative for the others. ``weights`` weigh the texts (weak codebook examples
    less than coded units). A code without a positive text always scores low; one
    without a negative text, high."""
    numpy, sparse, _, _ = _sklearn()
    fitted = [_fit_block(kind, texts) for kind in FEATURE_BLOCKS]
    model = CodeModel(list(codes), [block for block, _ in fitted], None, None)
    features = sparse.hstack([matrix for _, matrix in fitted]).tocsr()
    sample_weight = numpy.asarray(weights, dtype=numpy.float64)
    coefficients = numpy.zeros((len(codes), features.shape[1]), dtype=numpy.float32)
    intercepts = numpy.zeros(len(codes), dtype=numpy.float32)
    for row, code in enumerate(codes):
        target = numpy.fromiter((code in label for label in labels), bool, len(labels))
        positives = int(target.sum())
        if positives in (0, len(labels)):
            intercepts[row] = -8.0 if positives == 0 else 8.0
            continue
        fitted = _classifier(classifier).fit(features, target, sample_weight=sample_weight)
        coefficients[row] = numpy.ravel(fitted.coef_)
        intercepts[row] = numpy.ravel(fitted.intercept_)[0]
    model.weights, model.intercepts = coefficients, intercepts
    return model


def _classifier(name: str) -> Any:
    """An unfitted binary classifier; classes are balanced so rare codes still rank."""
    from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
    from sklearn.svm import LinearSVC

    if name == "sgd":  # a few passes of stochastic gradient descent on the log loss
        return SGDClassifier(
            loss="log_loss",
            alpha=SGD_ALPHA,
            class_weight="balanced",
            max_iter=SGD_EPOCHS,
            tol=None,
            random_state=0,
        )
    if name == "logistic":
        return LogisticRegression(C=REGULARISATION, solver="liblinear", class_weight="balanced")
    if name == "svm":
        return LinearSVC(C=0.5, class_weight="balanced")
    if name == "ridge":
        return RidgeClassifier(alpha=1.0, class_weight="balanced", solver="sparse_cg")
    raise ValueError(f"unknown classifier {name!r}")
