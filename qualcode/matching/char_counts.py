"""Counting character n-grams inside word bounds through the words, and known terms of
any analyser (numpy and scipy, from the ``suggest`` extra; no scikit-learn, so a cached
model scores without importing it).

A text's ``char_wb`` n-grams are the n-grams of its words, word by word, so its counts
are the sum of its words' counts: ``(texts × words) @ (words × n-grams)``, one sparse
product in compiled code. Only the distinct words (tens of thousands, where a large
project has hundreds of thousands of sentences) are split into n-grams in Python. Gives
the counts scikit-learn's ``CountVectorizer`` gives with the same analyser (vocabulary
sorted, the same document-frequency and size limits), in a fraction of its time and
memory.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

import numpy
from scipy import sparse


class _Index(dict[str, int]):
    """Numbers for words in the order first seen (``index[word]`` adds a new one)."""

    def __missing__(self, key: str) -> int:
        self[key] = number = len(self)
        return number


def char_counts(
    texts: Sequence[str],
    grams_of_word: Callable[[str], list[str]],
    vocabulary: dict[str, int] | None = None,
    *,
    min_df: int = 1,
    max_terms: int | None = None,
) -> tuple[Any, list[str]]:
    """Counts (float32 CSR, one row per text) of the n-grams ``grams_of_word`` gives for
    each lower-cased, whitespace-separated word, and the terms of the columns.

    With a ``vocabulary`` (term → column) only its terms are counted, in its columns.
    Without, the terms are those in at least ``min_df`` texts, the ``max_terms`` most
    frequent of them (by total count), sorted; when no term is in ``min_df`` texts every
    term is kept. Raises ``ValueError`` when the texts have no term at all."""
    words = _Index()
    ends, found = array("q", [0]), array("q")
    for text in texts:
        found.extend(map(words.__getitem__, text.lower().split()))
        ends.append(len(found))
    by_text = _ones(found, ends, len(words))
    terms = _Index() if vocabulary is None else vocabulary
    gram_ends, grams = array("q", [0]), array("q")
    for word in words:
        if vocabulary is None:
            grams.extend(map(terms.__getitem__, grams_of_word(word)))
        else:
            grams.extend(
                column for column in map(vocabulary.get, grams_of_word(word)) if column is not None
            )
        gram_ends.append(len(grams))
    by_word = _ones(grams, gram_ends, len(terms))
    if vocabulary is not None:
        names = [""] * len(vocabulary)
        for term, column in vocabulary.items():
            names[column] = term
        return (by_text @ by_word).tocsr(), names
    if not terms:
        raise ValueError("empty vocabulary: the texts have no terms")
    counts = (by_text @ by_word).tocsr()
    kept = _kept_terms(counts, min_df, max_terms)
    del counts
    names = list(terms)
    order = sorted(kept.tolist(), key=names.__getitem__)  # scikit-learn sorts its terms
    return (by_text @ by_word[:, order]).tocsr(), [names[column] for column in order]


def known_counts(
    texts: Sequence[str], terms_of_text: Callable[[str], list[str]], vocabulary: dict[str, int]
) -> Any:
    """Counts (float32 CSR, one row per text) of the ``vocabulary``'s terms (term ->
    column) among the terms ``terms_of_text`` gives for each text; others are ignored."""
    ends, found = array("q", [0]), array("q")
    unknown = repeat(-1)
    for text in texts:  # each term looked up in compiled code; unknown ones are -1
        found.extend(map(vocabulary.get, terms_of_text(text), unknown))
        ends.append(len(found))
    columns = numpy.frombuffer(found, dtype=numpy.int64)
    known = columns >= 0
    kept_ends = numpy.concatenate([[0], numpy.cumsum(known)])[numpy.frombuffer(ends, numpy.int64)]
    counts = sparse.csr_matrix(
        (numpy.ones(int(known.sum()), dtype=numpy.float32), columns[known], kept_ends),
        shape=(len(texts), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts


def _ones(columns: array[int], ends: array[int], width: int) -> Any:
    """A float32 CSR matrix with a 1 at each of ``columns``, row ``i`` ending at
    ``ends[i + 1]`` (a column listed twice in a row counts 2)."""
    return sparse.csr_matrix(
        (
            numpy.ones(len(columns), dtype=numpy.float32),
            numpy.frombuffer(columns, dtype=numpy.int64),
            numpy.frombuffer(ends, dtype=numpy.int64),
        ),
        shape=(len(ends) - 1, width),
    )


def _kept_terms(counts: Any, min_df: int, max_terms: int | None) -> Any:
    """Columns in at least ``min_df`` rows (all, if none is), at most ``max_terms`` of
    them: the largest column sums (ties: the first column)."""
    frequency = numpy.bincount(counts.indices, minlength=counts.shape[1])
    kept = numpy.flatnonzero(frequency >= min_df)
    if not len(kept):
        kept = numpy.arange(counts.shape[1])
    if max_terms is not None and len(kept) > max_terms:
        totals = numpy.bincount(counts.indices, weights=counts.data, minlength=counts.shape[1])
        kept = kept[numpy.argsort(-totals[kept], kind="stable")[:max_terms]]
    return kept
