"""The suggestion model's variants (``benchmarks/bench_suggest.py --variants``): each a
:class:`~qualcode.matching.code_model.Settings`, measured leave-one-transcript-out on
the same projects and coders, beside the better baseline of each.

The rows of earlier sessions stay (BENCHMARKS.md reports them), so every figure there
can be rerun with ``--only TEXT``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from qualcode.domain.suggestions import UnitKind
from qualcode.matching.code_model import DEFAULT, Settings
from qualcode.services.suggestion_evaluation import BASELINES, evaluate_folds
from qualcode.services.suggestions import Corpus, train_on


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the variants table: ``coder`` evaluated on ``corpus``, models
    learning from ``coders``."""

    label: str
    corpus: Corpus
    coder: str
    coders: tuple[str, ...]


LATE_AFTERNOON = Settings(weak_weight=0.5, keyword_prior=0.2)
"""The default from 19:21 until the written interviews: codebook texts at 0.5, keyword
prior 0.2 (the rows before "new default" vary it, so they measure what they measured)."""
BEFORE = replace(LATE_AFTERNOON, ranking="ovr", prior=0.0, context=0.0, reach=1)
"""The model as first built (issue 17): word 1–2 and character 2–5 n-grams, SGD on the
log loss, balanced classes, codebook texts at 0.5, keyword prior 0.2."""
SOFTMAX = replace(LATE_AFTERNOON, ranking="softmax", context=0.5, prior=0.0, reach=1)
OVR_CONTEXT = replace(LATE_AFTERNOON, ranking="ovr", context=0.5, prior=0.3, reach=1)
"""The best one-classifier-per-code model: neighbours × 0.5, code prior 0.3."""
NO_KEYWORDS = replace(LATE_AFTERNOON, keyword_prior=0.0)
"""The default without the keyword prior (the written interviews do without it)."""
SOFTER = replace(NO_KEYWORDS, weak_weight=2.0)
VARIANTS: tuple[tuple[str, Settings], ...] = (
    ("before (word 1-2 + char 2-5, SGD, balanced, keyword prior 0.2)", BEFORE),
    ("classes not balanced", replace(BEFORE, balanced=False)),
    ("code frequency prior 0.3", replace(BEFORE, prior=0.3)),
    ("code frequency prior 0.5", replace(BEFORE, prior=0.5)),
    ("Platt-calibrated scores (3-fold)", replace(BEFORE, calibrate=True)),
    ("softmax over codes × coded gate", replace(BEFORE, ranking="softmax")),
    ("codebook texts weigh 0", replace(BEFORE, weak_weight=0.0)),
    ("codebook texts weigh 2", replace(BEFORE, weak_weight=2.0)),
    ("no keyword prior", replace(BEFORE, keyword_prior=0.0)),
    ("keyword prior 0.4", replace(BEFORE, keyword_prior=0.4)),
    ("keyword evidence as features", replace(BEFORE, keyword_feature=True)),
    ("context: neighbours × 0.3", replace(BEFORE, context=0.3)),
    ("context: neighbours × 0.5", replace(BEFORE, context=0.5)),
    ("context: neighbours × 1", replace(BEFORE, context=1.0)),
    ("terms in 1 text kept (min_df 1)", replace(BEFORE, min_df=1)),
    ("words 1-1", replace(BEFORE, word_ngrams=(1, 1))),
    ("words 1-3", replace(BEFORE, word_ngrams=(1, 3))),
    ("char 3-6", replace(BEFORE, char_ngrams=(3, 6))),
    ("char 2-4", replace(BEFORE, char_ngrams=(2, 4))),
    ("char n-grams only", replace(BEFORE, blocks=("char",))),
    ("snowball stemming (main language)", replace(BEFORE, stem=True)),
    ("ridge classifier", replace(BEFORE, classifier="ridge")),
    ("linear SVM", replace(BEFORE, classifier="svm")),
    ("linear SVM, Platt-calibrated", replace(BEFORE, classifier="svm", calibrate=True)),
    ("logistic regression (liblinear)", replace(BEFORE, classifier="logistic")),
    ("ovr: context 0.5 + prior 0.3", OVR_CONTEXT),
    ("ovr: context 0.5 + prior 0.3 + stemming", replace(OVR_CONTEXT, stem=True)),
    ("ovr: context 0.5 + prior 0.3 + min_df 1", replace(OVR_CONTEXT, min_df=1)),
    ("ovr: context 0.5 + prior 0.3 + keyword features", replace(OVR_CONTEXT, keyword_feature=True)),
    ("ovr: context 0.5 + prior 0.3, SGD seed 1", replace(OVR_CONTEXT, seed=1)),
    ("ovr: context 0.5 + prior 0.3, SGD seed 2", replace(OVR_CONTEXT, seed=2)),
    ("combo: softmax + context 0.5", SOFTMAX),
    ("combo: softmax + context 0.3", replace(SOFTMAX, context=0.3)),
    ("combo: softmax + context 0.5 + min_df 1", replace(SOFTMAX, min_df=1)),
    ("combo: softmax + context 0.5 + keyword prior 0.4", replace(SOFTMAX, keyword_prior=0.4)),
    ("combo: softmax + context 0.5, C 1", replace(SOFTMAX, strength=1.0)),
    ("combo: softmax + context 0.5, C 16", replace(SOFTMAX, strength=16.0)),
    ("combo: softmax + context 0.5, not balanced", replace(SOFTMAX, balanced=False)),
    ("combo: softmax + context 0.5 over 2 each side", replace(SOFTMAX, reach=2)),
    ("combo: softmax + context 0.5, char only", replace(SOFTMAX, blocks=("char",))),
    ("combo: softmax + context 0.5 + keyword features", replace(SOFTMAX, keyword_feature=True)),
    (
        "final: softmax + context 0.5 over 2 each side, C 16",
        replace(SOFTMAX, reach=2, strength=16.0),
    ),
    (
        "final: softmax + context 0.5 over 2 each side, min_df 1",
        replace(SOFTMAX, reach=2, min_df=1),
    ),
    (
        "final: softmax + context 0.5 over 2, not balanced",
        replace(SOFTMAX, reach=2, balanced=False),
    ),
    ("final: softmax + context 0.3 over 2 each side", replace(SOFTMAX, reach=2, context=0.3)),
    ("now: softmax + context 0.5 over 2 each side (the default 19:21)", LATE_AFTERNOON),
    ("now + stemming", replace(LATE_AFTERNOON, stem=True)),
    ("now, L-BFGS tolerance 1e-4", replace(LATE_AFTERNOON, tolerance=1e-4)),
    ("now, L-BFGS tolerance 1e-2", replace(LATE_AFTERNOON, tolerance=1e-2)),
    # measured on the hand-written interviews (BENCHMARKS.md, 2026-12-07 evening)
    ("sweep: no context", replace(LATE_AFTERNOON, context=0.0)),
    ("sweep: context 0.25", replace(LATE_AFTERNOON, context=0.25)),
    ("sweep: context 1", replace(LATE_AFTERNOON, context=1.0)),
    ("sweep: neighbours 1 each side", replace(LATE_AFTERNOON, reach=1)),
    ("sweep: neighbours 3 each side", replace(LATE_AFTERNOON, reach=3)),
    ("sweep: codebook texts weigh 0", replace(LATE_AFTERNOON, weak_weight=0.0)),
    ("sweep: codebook texts weigh 1", replace(LATE_AFTERNOON, weak_weight=1.0)),
    ("sweep: codebook texts weigh 2", replace(LATE_AFTERNOON, weak_weight=2.0)),
    ("sweep: no keyword prior", replace(LATE_AFTERNOON, keyword_prior=0.0)),
    ("sweep: keyword prior 0.4", replace(LATE_AFTERNOON, keyword_prior=0.4)),
    ("sweep: C 1", replace(LATE_AFTERNOON, strength=1.0)),
    ("sweep: C 16", replace(LATE_AFTERNOON, strength=16.0)),
    ("sweep: classes not balanced", replace(LATE_AFTERNOON, balanced=False)),
    ("sweep: terms in 1 text kept (min_df 1)", replace(LATE_AFTERNOON, min_df=1)),
    ("sweep: char n-grams only", replace(LATE_AFTERNOON, blocks=("char",))),
    ("sweep: words 1-1", replace(LATE_AFTERNOON, word_ngrams=(1, 1))),
    ("sweep: char 3-6", replace(LATE_AFTERNOON, char_ngrams=(3, 6))),
    ("sweep: one classifier per code (SGD), context 0.5, prior 0.3", replace(OVR_CONTEXT, reach=2)),
    ("kw: keyword prior 0.1", replace(LATE_AFTERNOON, keyword_prior=0.1)),
    ("kw: keyword prior 0.05", replace(LATE_AFTERNOON, keyword_prior=0.05)),
    ("kw: no keyword prior", NO_KEYWORDS),
    (
        "kw: no keyword prior, keyword evidence as features",
        replace(NO_KEYWORDS, keyword_feature=True),
    ),
    ("kw: no keyword prior, C 16", replace(NO_KEYWORDS, strength=16.0)),
    ("kw: no keyword prior, codebook texts weigh 1", replace(NO_KEYWORDS, weak_weight=1.0)),
    ("kw: no keyword prior, codebook texts weigh 2", replace(NO_KEYWORDS, weak_weight=2.0)),
    ("kw2: … weigh 2, C 16", replace(NO_KEYWORDS, weak_weight=2.0, strength=16.0)),
    ("kw2: … weigh 2, C 8", replace(NO_KEYWORDS, weak_weight=2.0, strength=8.0)),
    ("kw2: … weigh 3", replace(NO_KEYWORDS, weak_weight=3.0)),
    ("kw2: … weigh 4", replace(NO_KEYWORDS, weak_weight=4.0)),
    ("kw2: … weigh 2, not balanced", replace(NO_KEYWORDS, weak_weight=2.0, balanced=False)),
    ("kw2: … weigh 2, keyword prior 0.05", replace(SOFTER, keyword_prior=0.05)),
    ("new default: no keyword prior, codebook texts weigh 3", DEFAULT),
    ("new: C 16", replace(DEFAULT, strength=16.0)),
    ("new: context 0.25", replace(DEFAULT, context=0.25)),
    ("new: neighbours 3 each side", replace(DEFAULT, reach=3)),
    ("new: codebook texts weigh 6", replace(DEFAULT, weak_weight=6.0)),
    ("new: keyword prior 0.05", replace(DEFAULT, keyword_prior=0.05)),
    ("new: classes not balanced", replace(DEFAULT, balanced=False)),
    ("new: char n-grams only", replace(DEFAULT, blocks=("char",))),
    ("new: terms in 1 text kept (min_df 1)", replace(DEFAULT, min_df=1)),
    ("new2: min_df 1, char n-grams only", replace(DEFAULT, min_df=1, blocks=("char",))),
    ("new2: min_df 1, codebook texts weigh 6", replace(DEFAULT, min_df=1, weak_weight=6.0)),
)


def compare_variants(columns: Sequence[Column], only: str | None = None) -> None:
    """Print one row per variant (those whose name has one of the ``|``-separated parts
    of ``only``): per column
    precision@1 with the margin over the better baseline, then precision@3 of the last
    column, and the CPU time to train one model on the whole of the last column's
    project."""
    last = columns[-1]
    train_on(last.corpus, last.coders)  # imports and first-call costs out of the timing
    heads = " | ".join(f"{column.label} p@1 (margin)" for column in columns)
    print(
        f"\n| variant | {heads} | {last.label} p@3 | train one {last.label} model, CPU |"
        f"\n|---|{'---:|' * (len(columns) + 2)}",
        flush=True,
    )
    baselines: list[str] = []
    for name, settings in VARIANTS:
        if only is not None and not any(part in name for part in only.split("|")):
            continue
        cells = []
        found: dict[str, Any] = {}
        for column in columns:
            found = evaluate_column(column, settings)
            cells.append(with_margin(found))
            baselines.append(f"{column.label}: {better_baseline(found)}")
        cells.append(share(found["model"]["precision_at_3"]))
        started = time.process_time()
        train_on(last.corpus, last.coders, settings=settings)
        cpu = time.process_time() - started
        print(f"| {name} | {' | '.join(cells)} | {cpu:.2f} s |", flush=True)
    print("\nbetter baseline (p@1): " + "; ".join(dict.fromkeys(baselines)), flush=True)


def evaluate_column(column: Column, settings: Settings = DEFAULT) -> dict[str, Any]:
    """Leave-one-transcript-out over every transcript the column's coder coded."""
    folds = [[name] for name in column.corpus.coded_transcripts(column.coder)]
    return evaluate_folds(
        column.corpus, column.coder, column.coders, folds, UnitKind.SENTENCE, settings=settings
    ).as_dict()


def share(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"


def better_baseline(found: dict[str, Any]) -> str:
    name = max(BASELINES, key=lambda key: found[key]["precision_at_1"] or 0.0)
    return f"{name} {share(found[name]['precision_at_1'])}"


def margin(found: dict[str, Any]) -> float:
    """precision@1 of the model minus that of the better baseline."""
    model = found["model"]["precision_at_1"] or 0.0
    return float(model - max(found[key]["precision_at_1"] or 0.0 for key in BASELINES))


def with_margin(found: dict[str, Any]) -> str:
    return f"{found['model']['precision_at_1'] or 0.0:.3f} ({margin(found):+.3f})"
