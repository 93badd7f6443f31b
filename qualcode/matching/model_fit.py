"""Fitting the suggestion model without building its feature matrix, and the cap on
training examples for very large projects (numpy and scipy, from the ``suggest`` extra).

A training example's features are its text's features plus ``context`` times each
neighbouring text's: ``X = mixing @ base``, where ``base`` holds one row per distinct
text and ``mixing`` a handful of entries per example. ``X`` has about five times the
entries of ``base`` (each example repeats its neighbours' terms), and on a project of
850,000 units it took 7 GiB. A linear model only ever needs ``X @ W`` and ``X.T @ R``,
which are ``mixing @ (base @ W)`` and ``base.T @ (mixing.T @ R)``: :func:`fit_logistic`
fits through those products, so ``X`` is never built.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy
from scipy import sparse


def fit_logistic(
    mixing: Any,
    base: Sequence[Any],
    classes: Any,
    sample_weight: Any,
    *,
    strength: float,
    tolerance: float,
    balanced: bool,
    max_iter: int = 200,
) -> tuple[Any, Any, Any]:
    """A logistic regression on the rows ``mixing @ hstack(base)`` (sparse; neither the
    product nor the stack is formed: ``base`` is a list of column blocks with one row per
    text) with integer ``classes`` (at least two) and ``sample_weight`` per row.

    The objective and the optimiser are scikit-learn's ``LogisticRegression`` (lbfgs,
    ``C=strength``, ``tol=tolerance``, ``class_weight="balanced"`` when ``balanced``):
    the weighted mean log loss (multinomial, or binary with two classes) plus
    ``1 / (2 C Σweights)`` times the squared weights, minimised by L-BFGS-B from zero.
    Returns the classes present (sorted), the weights (float32; one row per class, or one
    row for the second class when there are two; columns no row uses stay 0, as they get
    no gradient) and the intercepts."""
    from scipy import optimize

    present, target = numpy.unique(numpy.asarray(classes), return_inverse=True)
    weight = numpy.asarray(sample_weight, dtype=numpy.float64).copy()
    if balanced:  # as scikit-learn's, with weighted class counts
        counts = numpy.bincount(target, weights=weight, minlength=len(present))
        weight *= (weight.sum() / (len(present) * counts))[target]
    total = float(weight.sum())
    share = weight / total
    penalty = 1.0 / (strength * total)
    mix = sparse.csr_matrix(mixing, dtype=numpy.float32)
    mix_t = mix.T  # a view (CSC): products with it need no copy
    parts = [sparse.csr_matrix(part, dtype=numpy.float32) for part in base]
    starts = numpy.cumsum([0] + [part.shape[1] for part in parts])
    # only the terms of the texts the rows read get weights (the others get no gradient):
    # found by a product, as a copy of those texts' features could be hundreds of MB
    read = numpy.zeros((1, mix.shape[1]), dtype=numpy.float32)
    read[0, numpy.unique(mix.indices)] = 1.0
    terms = numpy.concatenate(
        [
            numpy.sort(sparse.csr_matrix(sparse.csr_matrix(read) @ part).indices) + start
            for part, start in zip(parts, starts, strict=False)
        ]
    )
    binary = len(present) == 2
    k, width = (1 if binary else len(present)), len(terms)
    picked = numpy.arange(len(target))
    full = numpy.zeros((int(starts[-1]), k), dtype=numpy.float32)
    pieces = list(zip(parts, starts[:-1], starts[1:], strict=True))

    def loss_and_gradient(flat: Any) -> tuple[float, Any]:
        coefficients = flat[: k * width].reshape(k, width)
        full[terms] = coefficients.T
        per_text = sum(part @ full[start:end] for part, start, end in pieces)
        decision = numpy.asarray(mix @ per_text, dtype=numpy.float64) + flat[k * width :]
        if binary:  # log(1 + e^z) - t·z, and its slope sigmoid(z) - t
            z = decision[:, 0]
            loss = float(share @ (numpy.logaddexp(0.0, z) - target * z))
            residual = (0.5 * (1.0 + numpy.tanh(0.5 * z)) - target)[:, None]
        else:  # log Σ e^z - z[class], and its slope softmax(z) - onehot
            top = decision.max(axis=1, keepdims=True)
            residual = numpy.exp(decision - top)
            sums = residual.sum(axis=1, keepdims=True)
            log_sum = (numpy.log(sums) + top)[:, 0]
            loss = float(share @ (log_sum - decision[picked, target]))
            residual /= sums
            residual[picked, target] -= 1.0
        loss += 0.5 * penalty * float((coefficients * coefficients).sum())
        residual *= share[:, None]
        back = mix_t @ residual.astype(numpy.float32)
        slopes = numpy.vstack([part.T @ back for part, _, _ in pieces])  # .T: views
        gradient = numpy.asarray(slopes[terms], dtype=numpy.float64).T
        gradient += penalty * coefficients
        return loss, numpy.concatenate([gradient.ravel(), residual.sum(axis=0)])

    found = optimize.minimize(
        loss_and_gradient,
        numpy.zeros(k * (width + 1)),
        method="L-BFGS-B",
        jac=True,
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": tolerance,
            "ftol": 64 * numpy.finfo(float).eps,
        },
    )
    coefficients = numpy.zeros((k, int(starts[-1])), dtype=numpy.float32)
    coefficients[:, terms] = found.x[: k * width].reshape(k, width)
    return present, coefficients, found.x[k * width :].astype(numpy.float32)


def capped(
    strata: Sequence[Hashable], weights: Any, optional: Any, cap: int, seed: int
) -> tuple[Any, Any]:
    """About ``cap`` of the rows (all of them when there are no more), by stratified
    sampling: the ``optional`` rows of each stratum (e.g. a label set) are sampled down to
    one common limit, chosen as high as the cap allows but at least 1, so small strata
    (rare codes) are kept whole and only the largest are cut; rows not ``optional`` are
    always kept (so more than ``cap`` rows are kept only when the fixed rows and one row
    per stratum are more). A cut stratum's kept rows weigh what its optional rows weighed,
    so weighted class frequencies, and the probabilities a model fits to them, stay as
    they were.
    Deterministic for a ``seed``. Returns the kept rows' indices (ascending) and their
    weights (float64)."""
    weights = numpy.asarray(weights, dtype=numpy.float64)
    if len(strata) <= cap:
        return numpy.arange(len(strata)), weights.copy()
    groups: dict[Hashable, list[int]] = {}
    fixed: list[int] = []
    for row, (stratum, free) in enumerate(zip(strata, optional, strict=True)):
        if free:
            groups.setdefault(stratum, []).append(row)
        else:
            fixed.append(row)
    # at least one row of each stratum, so no code drops out of training
    limit = max(1, _common_limit(sorted(len(rows) for rows in groups.values()), cap - len(fixed)))
    random = numpy.random.default_rng(seed)
    kept = [numpy.asarray(fixed, dtype=numpy.int64)]
    new = weights.copy()
    for rows in groups.values():
        members = numpy.asarray(rows, dtype=numpy.int64)
        if len(members) > limit:
            chosen = numpy.sort(random.choice(members, size=limit, replace=False))
            new[chosen] *= weights[members].sum() / weights[chosen].sum()
            members = chosen
        kept.append(members)
    chosen_rows = numpy.sort(numpy.concatenate(kept))
    return chosen_rows, new[chosen_rows]


def _common_limit(sizes: Sequence[int], budget: int) -> int:
    """The largest ``limit`` with ``sum(min(size, limit)) <= budget`` (``sizes`` ascending)."""
    remaining = max(0, budget)
    for position, size in enumerate(sizes):
        left = len(sizes) - position
        if size * left > remaining:
            return remaining // left
        remaining -= size
    return max(sizes, default=0)
