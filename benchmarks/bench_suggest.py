"""Code suggestions: leave-one-transcript-out quality, training and suggestion times, RSS.

``python -m benchmarks.bench_suggest [--transcripts 24] [--variants] [--keep DIR]``

Runs ``qualcode suggest --evaluate`` (the service behind it) on

(a) the demo project (8 transcripts, two coders: each evaluated, learning from both), and
(b) a fictional project written for this benchmark (``benchmarks/suggest_corpus.py``:
    alternately English and Danish interviews, coded by one imperfect coder with the
    starter codebook),

and reports precision@1, precision@3 and recall@3 of the suggestions beside the two
baselines (most frequent code; keyword match), the training time (all folds, and one
model on the whole project), the time to suggest for one transcript from the cached
model (from memory, and from the project's cache table after a restart), and the
process's peak RSS. ``--variants`` also compares classifiers, feature blocks and the
weight of the codebook's texts on (b). Targets (issue 17), on (b): precision@3 ≥ 0.6 and
precision@1 at least 0.15 above the better baseline; training < 30 s; suggestions
< 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.bench_import import machine_line, work_folder
from benchmarks.suggest_corpus import BenchTranscript, bench_corpus
from qualcode.domain.suggestions import FrequencyBaseline, KeywordBaseline, RankingScore, UnitKind
from qualcode.matching.code_model import DEFAULT, Settings
from qualcode.services import suggestions
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.demo import build_demo
from qualcode.services.project import Project, init_project, open_project
from qualcode.services.suggestion_evaluation import BASELINES, evaluate, evaluate_folds
from qualcode.services.suggestions import Corpus, read_corpus, scored, train_on
from qualcode.services.transcripts import import_transcripts

REPO = Path(__file__).resolve().parent.parent
CODEBOOK = REPO / "codebooks" / "family-collaboration.yaml"
CODER = "bench"


def build_bench_project(
    folder: Path, corpus: list[BenchTranscript], name: str = "suggest-bench"
) -> Project:
    """A fictional project in ``folder``: codebook, transcripts and the coder's codings."""
    project = init_project(folder / f"{name}.qualcode")
    import_codebook(project, CODEBOOK)
    paths = []
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(("transcript", "code", "coder", "start", "end", "memo"))
    for transcript in corpus:
        path = folder / name / f"{transcript.name}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(transcript.text, encoding="utf-8")
        paths.append(path)
        for code, start, end in transcript.codings:
            writer.writerow((transcript.name, code, CODER, start, end, ""))
    import_transcripts(project, paths)
    codings = folder / name / "codings.csv"
    codings.write_text(rows.getvalue(), encoding="utf-8")
    import_codings(project, codings)
    return project


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _share(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "–"


def quality_rows(label: str, result: dict[str, Any]) -> list[str]:
    """Markdown rows: the model and both baselines."""
    rows = []
    for key, name in (
        ("model", "suggestions"),
        ("most_frequent", "most frequent code"),
        ("keyword", "keyword match"),
    ):
        measures = result[key]
        rows.append(
            f"| {label} | {name} | {measures['units']} | {_share(measures['precision_at_1'])} | "
            f"{_share(measures['precision_at_3'])} | {_share(measures['recall_at_3'])} |"
        )
    return rows


def timings(
    label: str, project: Project, coders: list[str], coder: str, folds: dict[str, Any]
) -> str:
    """A row of the times table: all folds of the evaluation (``folds``), one model on the
    whole project, then suggestions for one transcript, first from the in-memory model,
    then from the project's cache table (memory cleared); wall clock and CPU time (the
    CPU time is what a shared, loaded machine does not inflate)."""
    transcript = folds["transcripts"][0]

    def clocked(action: Callable[[], object]) -> str:
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return f"{1000 * wall:.0f} ms (CPU {1000 * cpu:.0f})"

    def suggesting() -> object:
        return suggestions.suggest(project, coder, transcripts=[transcript], train_coders=coders)

    suggestions._MEMORY.clear()
    trained = clocked(lambda: suggestions.cached_or_trained(project, coders, UnitKind.SENTENCE))
    suggesting()
    memory = clocked(suggesting)
    suggestions._MEMORY.clear()
    cached = clocked(suggesting)
    return (
        f"| {label} | {len(folds['transcripts'])} | {folds['train_seconds']:.2f} s | "
        f"{trained} | {memory} / {cached} |"
    )


def unseen_wording(corpus: Corpus, settings: Settings = DEFAULT) -> dict[str, Any]:
    """Suggestions for statements worded as in no training transcript (``corpus``:
    :func:`unseen_corpus`): 20 transcripts use every core clause of each code but its
    last; 6 more, held out together, use only the last (openers, tails, names and fillers
    are shared, as in speech)."""
    return evaluate_folds(
        corpus,
        CODER,
        [CODER],
        [[transcript.name for transcript in UNSEEN]],
        UnitKind.SENTENCE,
        settings=settings,
    ).as_dict()


def unseen_corpus(folder: Path) -> Corpus:
    path = folder / "unseen-wording.qualcode"
    if path.exists():
        project = open_project(path)
    else:
        seen = bench_corpus(20, seed=17, clauses=slice(None, -1))
        project = build_bench_project(folder, seen + UNSEEN, name="unseen-wording")
    with project.reading() as uow:
        return read_corpus(uow, [CODER], UnitKind.SENTENCE)


UNSEEN = bench_corpus(6, seed=99, clauses=slice(-1, None), prefix="unseen")

BEFORE = Settings(ranking="ovr", prior=0.0, context=0.0, reach=1)
"""The model as first built (issue 17): word 1–2 and character 2–5 n-grams, SGD on the
log loss, balanced classes, codebook texts at 0.5, keyword prior 0.2."""
SOFTMAX = Settings(ranking="softmax", context=0.5, prior=0.0, reach=1)
OVR_CONTEXT = Settings(ranking="ovr", context=0.5, prior=0.3, reach=1)
"""The best one-classifier-per-code model: neighbours × 0.5, code prior 0.3."""
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
    ("now: softmax + context 0.5 over 2 each side (the default)", DEFAULT),
    ("now + stemming", replace(DEFAULT, stem=True)),
    ("now, L-BFGS tolerance 1e-4", replace(DEFAULT, tolerance=1e-4)),
    ("now, L-BFGS tolerance 1e-2", replace(DEFAULT, tolerance=1e-2)),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=24)
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--keep", type=Path)
    parser.add_argument(
        "--only", help="only the variants whose name has this (skips the quality and time tables)"
    )
    arguments = parser.parse_args()
    print(machine_line())
    if arguments.only is not None:
        with work_folder(arguments.keep) as folder:
            demo = build_demo(folder / "demo.qualcode", progress=lambda _line: None)
            compare_variants(folder, demo, arguments.only)
        return
    quality = [
        "| project | ranking | coded units | precision@1 | precision@3 | recall@3 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    times = [
        "| project | folds | training, all folds | one model, whole project | "
        "suggest one transcript (memory / project cache) |",
        "|---|---:|---:|---:|---:|",
    ]
    with work_folder(arguments.keep) as folder:
        demo = build_demo(folder / "demo.qualcode", progress=lambda _line: None)
        for coder in ("anna", "bo"):
            result: dict[str, Any] = evaluate(demo, coder).as_dict()
            quality += quality_rows(f"demo ({coder})", result)
        times.append(timings("demo", demo, ["anna", "bo"], "anna", result))
        bench = build_bench_project(folder, bench_corpus(arguments.transcripts))
        result = evaluate(bench, CODER).as_dict()
        label = f"fictional ({arguments.transcripts} transcripts)"
        quality += quality_rows(label, result)
        times.append(timings(label, bench, [CODER], CODER, result))
        quality += quality_rows("fictional, unseen wording", unseen_wording(unseen_corpus(folder)))
        print("\n".join(quality))
        print()
        print("\n".join(times))
        print(f"\npeak RSS {peak_rss_mib():.0f} MiB")
        if arguments.variants:
            compare_variants(folder, demo)


def compare_variants(folder: Path, demo: Project, only: str | None = None) -> None:
    """Each variant: leave-one-transcript-out on the demo (anna and bo, learning from
    both) and on unseen wording; the better baseline and the margin over it; the CPU
    time to train one model on the whole demo project."""
    with demo.reading() as uow:
        corpus = read_corpus(uow, ["anna", "bo"], UnitKind.SENTENCE)
    unseen = unseen_corpus(folder)
    train_on(corpus, ["anna", "bo"])  # imports and first-call costs out of the timing
    print(
        "\n| variant | demo anna p@1 (margin) | demo bo p@1 (margin) | "
        "unseen wording p@1 (margin) | train one demo model, CPU |\n|---|---:|---:|---:|---:|"
    )
    baselines: list[str] = []
    for name, settings in VARIANTS:
        if only is not None and only not in name:
            continue
        cells = []
        for coder in ("anna", "bo"):
            folds = [[transcript] for transcript in corpus.coded_transcripts(coder)]
            found = evaluate_folds(
                corpus, coder, ["anna", "bo"], folds, UnitKind.SENTENCE, settings=settings
            ).as_dict()
            cells.append(_with_margin(found))
            baselines.append(f"demo {coder}: {_better_baseline(found)}")
        found = unseen_wording(unseen, settings)
        cells.append(_with_margin(found))
        baselines.append(f"unseen wording: {_better_baseline(found)}")
        started = time.process_time()
        train_on(corpus, ["anna", "bo"], settings=settings)
        cpu = time.process_time() - started
        print(f"| {name} | {' | '.join(cells)} | {cpu:.2f} s |", flush=True)
    print("\nbetter baseline (p@1): " + "; ".join(dict.fromkeys(baselines)))
    for coder, other in (("anna", "bo"), ("bo", "anna")):
        print(f"{other} as a ranking of {coder}'s units: {human_ceiling(corpus, coder, other)}")
    print(learning_curve(corpus, "anna", (1, 3, 5, 7)), flush=True)


def learning_curve(corpus: Corpus, coder: str, sizes: Sequence[int]) -> str:
    """precision@1 of the model and the keyword baseline when each held-out transcript's
    model learns from only ``size`` of the other transcripts (the next ones in name
    order): how fast the suggestions improve with more coded transcripts."""
    names = corpus.coded_transcripts(coder)
    cells = []
    for size in sizes:
        model_score, keyword_score = RankingScore(), RankingScore()
        for position, held in enumerate(names):
            others = [names[(position + step) % len(names)] for step in range(1, len(names))]
            leave_out = {held, *others[size:]}
            model = train_on(corpus, ["anna", "bo"], leave_out=leave_out)
            frequent = FrequencyBaseline(
                corpus.training_units(["anna", "bo"], leave_out), model.codes
            )
            keyword = KeywordBaseline(corpus.specs, frequent)
            units = corpus.labelled(coder, held)
            for unit, row in zip(units, scored(model, keyword, units), strict=True):
                order = sorted(range(len(model.codes)), key=lambda i: -row[i])
                model_score.add([model.codes[i] for i in order], unit.codes)
                keyword_score.add(keyword.rank(unit.text), unit.codes)
        model_p, keyword_p = (
            score.as_dict()["precision_at_1"] for score in (model_score, keyword_score)
        )
        cells.append(f"{size}: {_share(model_p)} (keyword {_share(keyword_p)})")
    return f"{coder}, training transcripts → p@1: " + "; ".join(cells)


def _better_baseline(found: dict[str, Any]) -> str:
    name = max(BASELINES, key=lambda key: found[key]["precision_at_1"] or 0.0)
    return f"{name} {_share(found[name]['precision_at_1'])}"


def _with_margin(found: dict[str, Any]) -> str:
    model = found["model"]["precision_at_1"] or 0.0
    better = max(found[key]["precision_at_1"] or 0.0 for key in BASELINES)
    return f"{model:.3f} ({model - better:+.3f})"


def human_ceiling(corpus: Corpus, coder: str, other: str) -> str:
    """How often ``other``'s codes would be right at rank 1 on the units ``coder`` coded
    (the same units and the same hit rule as precision@1): the agreement of two humans,
    a ceiling for a model learning from such codings. ``other`` leaving a unit uncoded is
    a miss; with several codes the expected hit of picking one of them."""
    units = hits = 0
    expected = 0.0
    for transcript in corpus.coded_transcripts(coder):
        theirs = corpus.labelled(other, transcript)
        for unit, guess in zip(corpus.labelled(coder, transcript), theirs, strict=True):
            if not unit.codes:
                continue
            units += 1
            hits += bool(unit.codes & guess.codes)
            expected += len(unit.codes & guess.codes) / len(guess.codes) if guess.codes else 0
    return (
        f"p@1 {expected / units:.3f} (any of theirs right: {hits / units:.3f}) over {units} units"
    )


if __name__ == "__main__":
    main()
