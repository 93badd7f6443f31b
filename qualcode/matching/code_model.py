"""The suggestion learner: one logistic regression per code over TF-IDF of words and
character n-grams (scikit-learn; the optional ``qualcode[suggest]`` extra).

Character n-grams inside word boundaries carry Danish compounds and inflections
("sagsbehandler", "sagsbehandleren", "sagsbehandlerskift") that whole words miss. The
model is stored as JSON with its arrays as base64 float32 — vocabulary, idf weights,
coefficients — never as a pickle, so a cached model read from a project cannot run code.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any

from qualcode.domain.errors import QualcodeError

INSTALL_HINT = "code suggestions need scikit-learn: pip install 'qualcode[suggest]'"
STEM_HINT = "stemming needs snowballstemmer: pip install snowballstemmer"
FORMAT = 2
"""Version of the stored model's JSON; a cache of another version is retrained."""

CLASSIFIERS = ("sgd", "logistic", "svm", "ridge")
"""Linear classifiers :func:`train` can fit (BENCHMARKS.md compares them); all give a
weight vector and an intercept per code, scored through the logistic function."""
RANKINGS = ("ovr", "softmax")
STEMMERS = {"da": "danish", "en": "english"}
"""Snowball stemmers by a transcript language code (other languages are not stemmed)."""
EVIDENCE_SCALE = 1 / 3
"""Keyword evidence (3 per name or keyword phrase) as a feature value: 1 per phrase."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How a model is trained. Every field is one switch the benchmark
    (``benchmarks/bench_suggest.py --variants``) measures; the defaults are the best
    measured (BENCHMARKS.md)."""

    classifier: str = "sgd"
    blocks: tuple[str, ...] = ("word", "char")
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    balanced: bool = True
    """Weigh each code's positives and negatives equally, so rare codes still rank."""
    stem: bool = False
    """Stem words (snowball, the project's main language) before the word block. Measured
    no gain (BENCHMARKS.md), so ``snowballstemmer`` is not a dependency of the extra."""
    context: float = 0.5
    """Weight of the neighbouring units' features added to a unit's own (0: none)."""
    reach: int = 2
    """How many units before and after a unit are its neighbours (with ``context``)."""
    keyword_feature: bool = False
    """Each code's keyword evidence in the unit as features the classifier weighs."""
    ranking: str = "softmax"
    """``ovr``: one binary classifier per code; ``softmax``: one multinomial over the codes
    of coded units times a binary 'coded at all' gate, so scores compare across codes."""
    calibrate: bool = False
    """Platt-scale each code's decision values on 3-fold out-of-sample predictions."""
    prior: float = 0.0
    """How much of each code's log prior odds (weighted positives against negatives in
    training) is added to its decision value: balanced classes rank codes as if all were
    equally common; 1 puts their frequency back in full, 0 leaves it out."""
    weak_weight: float = 3.0
    """Weight of one codebook text (definition, example, keywords) against a coded unit:
    3 since the hand-written interviews (BENCHMARKS.md: +0.035 to +0.07 precision@1 over
    0.5 with the keyword prior, on the demo and the written interviews alike)."""
    keyword_prior: float = 0.0
    """How far keyword evidence raises a score afterwards (``with_keywords``; 0: not).
    Off since the hand-written interviews: their speakers rarely use the codebook's
    words, and the codebook texts, weighed more, carry the keywords to the model."""
    epochs: int = 15
    alpha: float = 1e-4
    """Regularisation of SGD (larger: simpler weights)."""
    tolerance: float = 1e-3
    """Where the softmax's L-BFGS stops: 1e-3 trains the demo in 0.70 s CPU instead of
    1.09 s (scikit-learn's 1e-4) for precision@1 0.003–0.006 lower; 1e-2 loses 0.05."""
    strength: float = 4.0
    """C of the logistic regressions (softmax, liblinear): larger fits the examples closer."""
    seed: int = 0
    min_df: int = 2
    max_terms: int = 40_000
    """Per feature block, the most frequent terms kept: bounds the model (codes × terms
    float32 weights in the project's cache) on a large project; the demo has fewer."""
    """Terms kept: those in at least this many distinct texts (codebook texts count)."""
    """Of the SGD's shuffling (the benchmark's spread over seeds shows its noise)."""
    max_examples: int = 40_000
    """Distinct training examples kept at most: a larger project's are sampled down,
    stratified by label set (rare codes whole) and reweighted, so training time and
    memory stop growing with the project (the demo has 1,825; sampled with ``seed``)."""


DEFAULT = Settings()
SCORE_CHUNK = 20_000
"""Texts counted at once when scoring (bounds the sparse counts held in memory)."""


class MissingLearnerError(QualcodeError):
    """scikit-learn (or snowballstemmer, for stemming) is not installed."""


def _sklearn(training: bool = False) -> Any:
    """numpy and scipy's sparse matrices — all that scoring a stored model needs, so a
    cached model scores without importing scikit-learn (about 1 s of start-up) — and with
    ``training``, scikit-learn's vectoriser; or say in one line how to install them."""
    try:
        import numpy
        from scipy import sparse

        if training:
            from sklearn.feature_extraction.text import CountVectorizer

            return numpy, sparse, CountVectorizer, None
    except ImportError as error:
        raise MissingLearnerError(INSTALL_HINT) from error
    return numpy, sparse, None, None


_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class _Stemmed:
    """A preprocessor: lower-case words of two or more characters, each stemmed
    (remembered, since the same words recur in every unit)."""

    def __init__(self, language: str) -> None:
        try:
            import snowballstemmer
        except ImportError as error:
            raise MissingLearnerError(STEM_HINT) from error
        self.stem = snowballstemmer.stemmer(language).stemWord
        self.seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        seen = self.seen
        words = []
        for word in _TOKEN.findall(text.lower()):
            stem = seen.get(word)
            if stem is None:
                stem = seen[word] = self.stem(word)
            words.append(stem)
        return " ".join(words)


class CharGrams:
    """The character n-grams scikit-learn's ``char_wb`` analyser gives (each lower-cased
    word padded with a space on both sides, n-grams of every length in range, a word
    shorter than the shortest counted once), remembered per word: words recur in every
    unit, and building their n-grams was the larger part of training time."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high
        self.seen: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        grams: list[str] = []
        seen = self.seen
        for word in text.lower().split():
            found = seen.get(word)
            if found is None:
                found = seen[word] = self.of_word(word)
            grams += found
        return grams

    def of_word(self, word: str) -> list[str]:
        padded = f" {word} "
        grams = []
        for size in range(self.low, self.high + 1):
            if size >= len(padded):
                grams.append(padded)  # a word this short counts once, whole
                break
            grams += [padded[at : at + size] for at in range(len(padded) - size + 1)]
        return grams


class WordGrams:
    """The word n-grams scikit-learn's ``word`` analyser gives with :data:`_TOKEN` (of the
    lower-cased text, or of its stems), so a stored model's word block can be counted
    without scikit-learn."""

    def __init__(self, low: int, high: int, stemmer: str | None = None) -> None:
        self.low, self.high = low, high
        self.prepare: Callable[[str], str] = _Stemmed(stemmer) if stemmer else str.lower

    def __call__(self, text: str) -> list[str]:
        tokens = _TOKEN.findall(self.prepare(text))
        grams = list(tokens) if self.low == 1 else []
        for size in range(max(2, self.low), self.high + 1):  # runs of `size` tokens
            grams += map(" ".join, zip(*(tokens[at:] for at in range(size)), strict=False))
        return grams


def _vectoriser(
    block: _Block,
    vocabulary: dict[str, int] | None = None,
    min_df: int = 1,
    max_terms: int | None = None,
) -> Any:
    """Counts of word n-grams (stemmed or not), or of character n-grams inside word
    bounds; fitting keeps the ``max_terms`` most frequent terms seen in at least
    ``min_df`` texts."""
    numpy, _, count_vectoriser, _ = _sklearn(training=True)
    shape: dict[str, Any] = (
        {"analyzer": "word", "token_pattern": _TOKEN.pattern, "ngram_range": block.ngrams}
        if block.kind == "word"
        else {"analyzer": CharGrams(*block.ngrams)}
    )
    if block.kind == "word" and block.stemmer is not None:
        shape["preprocessor"] = _Stemmed(block.stemmer)
    return count_vectoriser(
        lowercase=True,
        vocabulary=vocabulary,
        min_df=1 if vocabulary else min_df,
        max_features=None if vocabulary else max_terms,
        dtype=numpy.float32,
        **shape,
    )


@dataclass(slots=True)
class _Block:
    """One feature block: how its terms are counted, its vocabulary and idf weights."""

    kind: str
    ngrams: tuple[int, int]
    stemmer: str | None
    terms: list[str]
    idf: Any  # numpy float32 vector
    vocabulary: dict[str, int] | None = field(default=None, repr=False, compare=False)
    """Term -> column, made from :attr:`terms` when first needed."""

    def transform(self, texts: Sequence[str]) -> Any:
        """Sublinear TF × idf, each row of unit length (a row without known terms is 0)."""
        if self.vocabulary is None or len(self.vocabulary) != len(self.terms):
            self.vocabulary = {term: index for index, term in enumerate(self.terms)}
        counts, rows = _distinct_counts(self, self.vocabulary, texts)
        return self.weigh(counts)[rows]

    def weigh(self, raw_counts: Any) -> Any:
        """Term counts (a CSR matrix over :attr:`terms`) as :meth:`transform` gives them,
        computed in place (float32 counts are changed: on a large project a copy of
        them is a few hundred MB)."""
        numpy, _, _, _ = _sklearn()
        counts = raw_counts.astype(numpy.float32, copy=False)
        numpy.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= self.idf.take(counts.indices)
        lengths = numpy.diff(counts.indptr)
        squares = numpy.zeros(len(lengths), dtype=numpy.float32)
        filled = lengths > 0
        squares[filled] = numpy.add.reduceat(counts.data * counts.data, counts.indptr[:-1][filled])
        norms = numpy.sqrt(squares)
        norms[norms == 0] = 1.0
        counts.data *= numpy.repeat(1.0 / norms, lengths)
        return counts


def _distinct_counts(
    block: _Block, vocabulary: dict[str, int], texts: Sequence[str]
) -> tuple[Any, Any]:
    """Counts of ``vocabulary``'s terms in the distinct ``texts`` (several coders' units
    share their texts), and for each text the row of its counts."""
    numpy, _, _, _ = _sklearn()
    position: dict[str, int] = {}
    rows = numpy.fromiter(
        (position.setdefault(text, len(position)) for text in texts), numpy.int64, len(texts)
    )
    distinct = list(position)
    from qualcode.matching.char_counts import char_counts, known_counts

    if block.kind == "char":
        return char_counts(distinct, CharGrams(*block.ngrams).of_word, vocabulary)[0], rows
    return known_counts(distinct, WordGrams(*block.ngrams, block.stemmer), vocabulary), rows


def _fit_block(
    kind: str, texts: Sequence[str], settings: Settings, language: str | None
) -> tuple[_Block, Any]:
    """A block fitted on distinct ``texts``, and their features in it (one counting pass)."""
    numpy, _, _, _ = _sklearn()
    ngrams = settings.word_ngrams if kind == "word" else settings.char_ngrams
    stemmer = STEMMERS.get(language or "") if kind == "word" and settings.stem else None
    block = _Block(kind, ngrams, stemmer, [], None)
    if kind == "char":  # through the distinct words: a fraction of the vectoriser's time
        from qualcode.matching.char_counts import char_counts

        counts, block.terms = char_counts(
            texts,
            CharGrams(*ngrams).of_word,
            min_df=settings.min_df,
            max_terms=settings.max_terms,
        )
    else:
        vectoriser = _vectoriser(block, min_df=settings.min_df, max_terms=settings.max_terms)
        try:
            counts = vectoriser.fit_transform(texts)
        except ValueError:  # too little text for any term to occur twice
            vectoriser.min_df = 1
            counts = vectoriser.fit_transform(texts)
        block.terms = [""] * len(vectoriser.vocabulary_)
        for term, index in vectoriser.vocabulary_.items():
            block.terms[index] = term
    frequency = numpy.bincount(counts.indices, minlength=len(block.terms))
    block.idf = (numpy.log((1 + counts.shape[0]) / (1 + frequency)) + 1.0).astype(numpy.float32)
    return block, block.weigh(counts)


@dataclass(slots=True)
class CodeModel:
    """A trained model: ``codes`` in column order, feature blocks, and per code a weight
    vector and an intercept (with ``softmax`` ranking, one more row: the gate).
    :meth:`scores` gives each code's score in [0, 1] for a text."""

    codes: list[str]
    blocks: list[_Block]
    weights: Any  # numpy float32 matrix, rows × features
    intercepts: Any  # numpy float32 vector
    context: float = 0.0
    evidence: bool = False
    ranking: str = "ovr"

    def decisions(
        self,
        texts: Sequence[str],
        neighbours: Sequence[Sequence[int]] | None = None,
        evidence: Sequence[Sequence[float]] | None = None,
    ) -> Any:
        """Per text, each weight row's decision value (float32): the weights times the
        text's features, plus :attr:`context` times its ``neighbours``' (indices into
        ``texts``), plus keyword ``evidence`` per code when the model was trained with it
        (missing evidence counts as none). A linear model's decision of a mix of rows is
        the mix of their decisions, so the mixed features are never built; texts are
        counted a chunk at a time, so memory stays bounded on a whole large project."""
        numpy, _, _, _ = _sklearn()
        decision = numpy.zeros((len(texts), self.weights.shape[0]), dtype=numpy.float32)
        for first in range(0, len(texts), SCORE_CHUNK):
            chunk = texts[first : first + SCORE_CHUNK]
            column = 0
            for block in self.blocks:
                part = self.weights[:, column : column + len(block.terms)]
                decision[first : first + len(chunk)] += block.transform(chunk) @ part.T
                column += len(block.terms)
        if self.context and neighbours is not None:
            adjacency = _adjacency(neighbours, self.context, len(texts))
            decision += adjacency @ decision
        if self.evidence and evidence is not None and len(evidence):
            values = numpy.asarray(evidence, dtype=numpy.float32) * EVIDENCE_SCALE
            decision += values @ self.weights[:, -len(self.codes) :].T
        return decision + self.intercepts

    def scores(
        self,
        texts: Sequence[str],
        neighbours: Sequence[Sequence[int]] | None = None,
        evidence: Sequence[Sequence[float]] | None = None,
    ) -> list[list[float]]:
        """Per text, each code's score in [0, 1]: the logistic of its decision value, or
        with ``softmax`` ranking the probability of the code among codes times that of
        the text being coded at all."""
        found: list[list[float]] = self.probabilities(texts, neighbours, evidence).tolist()
        return found

    def probabilities(
        self,
        texts: Sequence[str],
        neighbours: Sequence[Sequence[int]] | None = None,
        evidence: Sequence[Sequence[float]] | None = None,
    ) -> Any:
        """:meth:`scores` as a float64 array (texts × codes)."""
        numpy, _, _, _ = _sklearn()
        if not texts:
            return numpy.zeros((0, len(self.codes)))
        decision = numpy.asarray(self.decisions(texts, neighbours, evidence))
        if self.ranking == "softmax":
            codes = decision[:, :-1]
            shares = numpy.exp(codes - codes.max(axis=1, keepdims=True))
            shares /= shares.sum(axis=1, keepdims=True)
            coded = 1.0 / (1.0 + numpy.exp(-numpy.clip(decision[:, -1:], -30, 30)))
            probabilities = shares * coded
        else:
            probabilities = 1.0 / (1.0 + numpy.exp(-numpy.clip(decision, -30, 30)))
        return probabilities.astype(numpy.float64)

    def to_json(self) -> dict[str, object]:
        """A plain JSON value (lists, strings, numbers; arrays as base64 float32)."""
        return {
            "format": FORMAT,
            "codes": self.codes,
            "blocks": [
                {
                    "kind": block.kind,
                    "ngrams": list(block.ngrams),
                    "stemmer": block.stemmer,
                    "terms": block.terms,
                    "idf": _pack(block.idf),
                }
                for block in self.blocks
            ],
            "weights": _pack(self.weights),
            "shape": list(self.weights.shape),
            "intercepts": _pack(self.intercepts),
            "context": self.context,
            "evidence": self.evidence,
            "ranking": self.ranking,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> CodeModel | None:
        """The model :meth:`to_json` stored, or ``None`` when it is of another format or
        malformed (the caller trains afresh)."""
        numpy, _, _, _ = _sklearn()
        try:
            if value.get("format") != FORMAT:
                return None
            blocks = [_block_of(b) for b in value["blocks"]]
            rows, columns = (int(n) for n in value["shape"])
            weights = _unpack(value["weights"]).reshape(rows, columns)
            intercepts = _unpack(value["intercepts"])
            codes = [str(code) for code in value["codes"]]
            context, evidence, ranking = value["context"], value["evidence"], value["ranking"]
            features = sum(len(block.terms) for block in blocks) + (len(codes) if evidence else 0)
            gate = 1 if ranking == "softmax" else 0
            if (
                rows != len(codes) + gate
                or columns != features
                or intercepts.shape != (rows,)
                or ranking not in RANKINGS
                or not isinstance(context, int | float)
                or not isinstance(evidence, bool)
            ):
                return None
            if any(len(b.idf) != len(b.terms) for b in blocks) or not numpy.all(
                numpy.isfinite(weights)
            ):
                return None
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(codes, blocks, weights, intercepts, float(context), evidence, ranking)


def _block_of(value: dict[str, Any]) -> _Block:
    low, high = (int(n) for n in value["ngrams"])
    stemmer = value["stemmer"]
    if value["kind"] not in ("word", "char") or not 1 <= low <= high <= 8:
        raise ValueError("not a feature block")
    if stemmer is not None and stemmer not in STEMMERS.values():
        raise ValueError("unknown stemmer")
    terms = [str(term) for term in value["terms"]]
    return _Block(str(value["kind"]), (low, high), stemmer, terms, _unpack(value["idf"]))


def _with_evidence(
    matrix: Any, evidence: Sequence[Sequence[float]] | None, evidence_columns: int
) -> Any:
    """``matrix`` and then the keyword evidence columns (``evidence_columns`` of them;
    zeros when not given)."""
    numpy, sparse, _, _ = _sklearn()
    values = (
        numpy.asarray(evidence, dtype=numpy.float32) * EVIDENCE_SCALE
        if evidence is not None and len(evidence)
        else numpy.zeros((matrix.shape[0], evidence_columns), numpy.float32)
    )
    return sparse.hstack([matrix, sparse.csr_matrix(values)]).tocsr()


def _adjacency(neighbours: Sequence[Sequence[int]], context: float, size: int) -> Any:
    """The ``size`` × ``size`` sparse matrix with ``context`` at (row, neighbour)."""
    numpy, sparse, _, _ = _sklearn()
    rows = numpy.repeat(numpy.arange(len(neighbours)), [len(found) for found in neighbours])
    columns = numpy.fromiter(
        (column for found in neighbours for column in found), numpy.int64, len(rows)
    )
    values = numpy.full(len(rows), context, numpy.float32)
    return sparse.csr_matrix((values, (rows, columns)), shape=(size, size))


def with_keyword_prior(probabilities: Any, evidence: Any, weight: float) -> Any:
    """:func:`qualcode.domain.suggestions.with_keywords` for every row at once:
    ``(p + w·k) / (1 + w·k)`` with ``k`` the keyword evidence (texts × codes, float64)."""
    numpy, _, _, _ = _sklearn()
    boost = weight * numpy.asarray(evidence, dtype=numpy.float64).reshape(probabilities.shape)
    return (probabilities + boost) / (1.0 + boost)


def best_columns(scores: Any, limit: int) -> Any:
    """Per row of ``scores``, the columns of its ``limit`` highest, best first; ties in
    column order (as :func:`qualcode.domain.suggestions.ranked` orders them)."""
    numpy, _, _, _ = _sklearn()
    return numpy.argsort(-scores, axis=1, kind="stable")[:, :limit]


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


def train(
    texts: Sequence[str],
    labels: Sequence[frozenset[str]],
    codes: Sequence[str],
    weights: Sequence[float],
    *,
    settings: Settings = DEFAULT,
    neighbours: Sequence[Sequence[int]] | None = None,
    evidence: Sequence[Sequence[float]] | None = None,
    language: str | None = None,
    optional: Sequence[bool] | None = None,
) -> CodeModel:
    """Fit the model ``settings`` describe: a text is positive for the codes in its label
    set and negative for the others. ``weights`` weigh the texts (weak codebook examples
    less than coded units); ``neighbours`` (indices) and ``evidence`` (keyword evidence
    per code) are used when the settings ask for them; ``language`` ("da", "en") picks the
    stemmer. A code without a positive text always scores low; one without a negative
    text, high. With more distinct examples than ``settings.max_examples``, the
    ``optional`` ones (default: all) are sampled down, stratified by label set
    (:func:`~qualcode.matching.model_fit.capped`); the others are always kept."""
    numpy, sparse, _, _ = _sklearn(training=True)
    from qualcode.matching.model_fit import capped

    if settings.classifier not in CLASSIFIERS or settings.ranking not in RANKINGS:
        raise ValueError(f"unknown classifier or ranking in {settings}")
    position: dict[str, int] = {}  # several coders' units share their texts: count each once
    ids = [position.setdefault(text, len(position)) for text in texts]
    mixing, first, sample_weight = _examples(ids, labels, weights, neighbours, settings.context)
    labels = [labels[row] for row in first]
    kept, sample_weight = capped(
        labels,
        sample_weight,
        [True] * len(first) if optional is None else [optional[row] for row in first],
        settings.max_examples,
        settings.seed,
    )
    if len(kept) < len(first):  # a very large project: count only the texts kept rows read
        first = [first[row] for row in kept]
        labels = [labels[row] for row in kept]
        mixing = mixing[kept]
    read = numpy.unique(mixing.indices)
    mixing = mixing[:, read].tocsr()
    distinct = list(position)
    read_texts = [distinct[index] for index in read]
    fitted = [_fit_block(kind, read_texts, settings, language) for kind in settings.blocks]
    blocks = [block for block, _ in fitted]
    base = [matrix for _, matrix in fitted]  # column blocks: a stacked copy is not needed
    del fitted
    model = CodeModel(
        list(codes),
        blocks,
        None,
        None,
        settings.context,
        settings.keyword_feature,
        settings.ranking,
    )
    if settings.keyword_feature:  # evidence belongs to examples, not texts: build the rows
        chosen = [evidence[row] for row in first] if evidence is not None else None
        base = [_with_evidence((mixing @ sparse.hstack(base)).tocsr(), chosen, len(codes))]
        mixing = sparse.identity(len(first), dtype=numpy.float32, format="csr")
    if settings.ranking == "softmax":
        model.weights, model.intercepts = _softmax(
            mixing, base, labels, codes, sample_weight, settings
        )
        return model
    features = (mixing @ sparse.hstack(base).tocsr()).tocsr()
    coefficients = numpy.zeros((len(codes), features.shape[1]), dtype=numpy.float32)
    intercepts = numpy.zeros(len(codes), dtype=numpy.float32)
    for row, code in enumerate(codes):
        target = numpy.fromiter((code in label for label in labels), bool, len(labels))
        coefficients[row], intercepts[row] = _binary(features, target, sample_weight, settings)
        if settings.prior:
            positive = float(sample_weight[target].sum())
            negative = float(sample_weight[~target].sum())
            intercepts[row] += settings.prior * numpy.log((positive + 1) / (negative + 1))
    model.weights, model.intercepts = coefficients, intercepts
    return model


def _examples(
    ids: Sequence[int],
    labels: Sequence[frozenset[str]],
    weights: Sequence[float],
    neighbours: Sequence[Sequence[int]] | None,
    context: float,
) -> tuple[Any, list[int], Any]:
    """The training examples: one per distinct text, label and neighbouring texts,
    weighing the sum of the rows it stands for (two coders who left the same sentence
    uncoded give one example of weight 2, fitted in half the time), in the order of
    their first rows. Returns the matrix that mixes distinct texts' features into each
    example's (its text, plus ``context`` times each neighbour's), the first row each
    example stands for, and the weights. Built in arrays: a large project has
    hundreds of thousands of rows."""
    numpy, sparse, _, _ = _sklearn()
    count = len(ids)
    texts = numpy.asarray(ids, dtype=numpy.int64).reshape(count)
    near = neighbours if context and neighbours is not None else [()] * count
    sizes = numpy.fromiter(map(len, near), numpy.int64, count)
    around = texts[numpy.fromiter(chain.from_iterable(near), numpy.int64, int(sizes.sum()))]
    label_ids: dict[frozenset[str], int] = {}
    keys = numpy.full((count, 2 + int(sizes.max(initial=0))), -1, dtype=numpy.int64)
    keys[:, 0] = texts
    keys[:, 1] = numpy.fromiter(
        (label_ids.setdefault(label, len(label_ids)) for label in labels), numpy.int64, count
    )
    owner = numpy.repeat(numpy.arange(count), sizes)
    place = numpy.arange(len(around)) - numpy.repeat(numpy.cumsum(sizes) - sizes, sizes)
    keys[owner, 2 + place] = around
    _, first, example = numpy.unique(keys, axis=0, return_index=True, return_inverse=True)
    order = numpy.argsort(first)  # examples in the order of their first rows
    rank = numpy.empty_like(order)
    rank[order] = numpy.arange(len(order))
    first = first[order]
    total = numpy.bincount(
        rank[example.reshape(count)],
        weights=numpy.asarray(weights, dtype=numpy.float64),
        minlength=len(first),
    )
    # each example's row of the mixing: its own text (1), then its neighbours (context)
    widths = sizes[first] + 1
    starts = numpy.concatenate([[0], numpy.cumsum(widths)])
    columns = numpy.empty(int(starts[-1]), dtype=numpy.int64)
    columns[starts[:-1]] = texts[first]
    own_start = numpy.cumsum(sizes) - sizes
    inner = numpy.arange(int(starts[-1])) - numpy.repeat(starts[:-1], widths)
    neighbour = inner > 0
    source = numpy.repeat(own_start[first], widths) + inner - 1
    columns[neighbour] = around[source[neighbour]]
    values = numpy.where(neighbour, numpy.float32(context), numpy.float32(1.0))
    mixing = sparse.csr_matrix(
        (values.astype(numpy.float32), columns, starts),
        shape=(len(first), int(texts.max(initial=-1)) + 1),
    )
    mixing.sum_duplicates()  # a neighbour with the example's own text adds to it
    return mixing, first.tolist(), total


def _binary(
    features: Any, target: Any, sample_weight: Any, settings: Settings
) -> tuple[Any, float]:
    """One code's weight vector and intercept (Platt-scaled when the settings say so)."""
    numpy, _, _, _ = _sklearn()
    positives = int(target.sum())
    if positives in (0, len(target)):
        return numpy.zeros(features.shape[1], numpy.float32), -8.0 if positives == 0 else 8.0
    if settings.balanced:  # by weight, so that merged rows count as the rows they stand for
        total, positive = sample_weight.sum(), sample_weight[target].sum()
        sample_weight = sample_weight * numpy.where(
            target, total / (2 * positive), total / (2 * (total - positive))
        )
    fitted = _classifier(settings, len(target)).fit(features, target, sample_weight=sample_weight)
    coefficients, intercept = numpy.ravel(fitted.coef_), float(numpy.ravel(fitted.intercept_)[0])
    if settings.calibrate and min(positives, len(target) - positives) >= 3:
        slope, offset = _platt(features, target, sample_weight, settings)
        coefficients, intercept = coefficients * slope, intercept * slope + offset
    return coefficients, intercept


def _platt(
    features: Any, target: Any, sample_weight: Any, settings: Settings
) -> tuple[float, float]:
    """Slope and offset mapping decision values to calibrated log-odds, fitted on
    decision values each predicted by a model that did not see the text (3 folds)."""
    numpy, _, _, _ = _sklearn()
    from sklearn.linear_model import LogisticRegression

    decisions = numpy.zeros(len(target))
    folds = numpy.arange(len(target)) % 3
    for fold in range(3):
        held, kept = folds == fold, folds != fold
        if target[kept].all() or not target[kept].any():
            return 1.0, 0.0
        model = _classifier(settings, int(kept.sum())).fit(
            features[kept], target[kept], sample_weight=sample_weight[kept]
        )
        decisions[held] = model.decision_function(features[held])
    scaler = LogisticRegression(C=1e4).fit(decisions.reshape(-1, 1), target)
    return float(scaler.coef_[0, 0]), float(scaler.intercept_[0])


def _softmax(
    mixing: Any,
    base: Sequence[Any],
    labels: Sequence[frozenset[str]],
    codes: Sequence[str],
    sample_weight: Any,
    settings: Settings,
) -> tuple[Any, Any]:
    """Weights of one multinomial over the codes, fitted on coded examples (one with two
    codes counts once for each, at half weight), and a last row: the binary gate, fitted
    on every example. Examples are the rows ``mixing @ hstack(base)`` (never built)."""
    numpy, _, _, _ = _sklearn()
    from qualcode.matching.model_fit import fit_logistic

    index = {code: position for position, code in enumerate(codes)}
    rows, classes, weights = [], [], []
    for row, label in enumerate(labels):
        for code in label:
            rows.append(row)
            classes.append(index[code])
            weights.append(sample_weight[row] / len(label))
    width = sum(part.shape[1] for part in base)
    coefficients = numpy.zeros((len(codes) + 1, width), dtype=numpy.float32)
    intercepts = numpy.full(len(codes) + 1, -8.0, dtype=numpy.float32)
    fit = partial(
        fit_logistic,
        strength=settings.strength,
        tolerance=settings.tolerance,
        balanced=settings.balanced,
    )
    present = sorted(set(classes))
    if len(present) >= 2:
        found, weights_, offsets = fit(mixing[rows], base, classes, weights)
        if len(found) == 2:  # one row, for the second class: split it in two
            weights_ = numpy.vstack([-weights_[0] / 2, weights_[0] / 2])
            offsets = numpy.asarray([-offsets[0] / 2, offsets[0] / 2])
        coefficients[found] = weights_
        intercepts[found] = offsets
    elif present:
        intercepts[present[0]] = 8.0
    coded = numpy.fromiter((bool(label) for label in labels), numpy.int64, len(labels))
    if 0 < coded.sum() < len(coded):  # the gate: a binary logistic regression
        _, gate, offsets = fit(mixing, base, coded, sample_weight)
        coefficients[-1], intercepts[-1] = gate[0], offsets[0]
    else:
        intercepts[-1] = 8.0 if coded.any() else -8.0
    return coefficients, intercepts


SGD_UPDATES = 60_000
"""Updates per code SGD makes at most: on a large project fewer passes over the examples
(at least :data:`SGD_MIN_EPOCHS`) reach the same fit, so training time stops growing
with the square of the project (epochs × examples)."""
SGD_MIN_EPOCHS = 3


def _classifier(settings: Settings, rows: int) -> Any:
    """An unfitted binary classifier for ``rows`` examples (classes are balanced through
    the sample weights, see :func:`_binary`)."""
    from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
    from sklearn.svm import LinearSVC

    balance = None  # balanced by the sample weights (see _binary)
    if settings.classifier == "sgd":  # a few passes of stochastic gradient descent on the log loss
        return SGDClassifier(
            loss="log_loss",
            alpha=settings.alpha,
            class_weight=balance,
            max_iter=max(SGD_MIN_EPOCHS, min(settings.epochs, -(-SGD_UPDATES // max(1, rows)))),
            tol=None,
            random_state=settings.seed,
        )
    if settings.classifier == "logistic":
        return LogisticRegression(C=settings.strength, solver="liblinear", class_weight=balance)
    if settings.classifier == "svm":
        return LinearSVC(C=0.5, class_weight=balance)
    return RidgeClassifier(alpha=1.0, class_weight=balance, solver="sparse_cg")
