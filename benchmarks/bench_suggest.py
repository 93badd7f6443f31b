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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.bench_import import machine_line, work_folder
from benchmarks.suggest_corpus import BenchTranscript, bench_corpus
from qualcode.domain.suggestions import UnitKind
from qualcode.matching import code_model
from qualcode.services import suggestions
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.demo import build_demo
from qualcode.services.project import Project, init_project, open_project
from qualcode.services.suggestion_evaluation import evaluate, evaluate_folds
from qualcode.services.suggestions import read_corpus
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


def timings(project: Project, coders: list[str], coder: str, transcript: str) -> dict[str, float]:
    """One model on the whole project, then suggestions for one transcript: first from the
    in-memory model, then from the project's cache table (memory cleared)."""
    suggestions._MEMORY.clear()
    started = time.perf_counter()
    suggestions.cached_or_trained(project, coders, UnitKind.SENTENCE)
    trained = time.perf_counter() - started
    suggestions.suggest(project, coder, transcripts=[transcript], train_coders=coders)
    started = time.perf_counter()
    suggestions.suggest(project, coder, transcripts=[transcript], train_coders=coders)
    memory = time.perf_counter() - started
    suggestions._MEMORY.clear()
    started = time.perf_counter()
    suggestions.suggest(project, coder, transcripts=[transcript], train_coders=coders)
    cached = time.perf_counter() - started
    return {"train_all": trained, "suggest_memory": memory, "suggest_cache": cached}


def unseen_wording(folder: Path, classifier: str = "sgd") -> dict[str, Any]:
    """Suggestions for statements worded as in no training transcript: 20 transcripts
    use every core clause of each code but its last; 6 more, held out together, use only
    the last (openers, tails, names and fillers are shared, as in speech)."""
    path = folder / "unseen-wording.qualcode"
    if path.exists():
        project = open_project(path)
    else:
        seen = bench_corpus(20, seed=17, clauses=slice(None, -1))
        project = build_bench_project(folder, seen + UNSEEN, name="unseen-wording")
    with project.reading() as uow:
        corpus = read_corpus(uow, [CODER], UnitKind.SENTENCE)
    folds = [[transcript.name for transcript in UNSEEN]]
    return evaluate_folds(
        corpus, CODER, [CODER], folds, UnitKind.SENTENCE, classifier=classifier
    ).as_dict()


UNSEEN = bench_corpus(6, seed=99, clauses=slice(-1, None), prefix="unseen")


@contextmanager
def variant(blocks: tuple[str, ...], weak: float, keywords: float) -> Iterator[None]:
    saved = code_model.FEATURE_BLOCKS, suggestions.WEAK_WEIGHT, suggestions.KEYWORD_WEIGHT
    code_model.FEATURE_BLOCKS = blocks
    suggestions.WEAK_WEIGHT, suggestions.KEYWORD_WEIGHT = weak, keywords
    try:
        yield
    finally:
        code_model.FEATURE_BLOCKS, suggestions.WEAK_WEIGHT, suggestions.KEYWORD_WEIGHT = saved


WORDS_AND_CHARS = ("word", "char")
VARIANTS = (  # classifier, feature blocks, weight of codebook texts, keyword prior
    ("sgd", WORDS_AND_CHARS, 0.5, 0.2),  # the default
    ("sgd", WORDS_AND_CHARS, 0.5, 0.0),  # without the keyword prior
    ("sgd", ("word",), 0.5, 0.2),  # words only
    ("sgd", ("char",), 0.5, 0.2),  # character n-grams only
    ("sgd", WORDS_AND_CHARS, 0.0, 0.2),  # without the codebook's texts as examples
    ("sgd", WORDS_AND_CHARS, 2.0, 0.2),  # the codebook's texts weigh more
    ("ridge", WORDS_AND_CHARS, 0.5, 0.2),
    ("svm", WORDS_AND_CHARS, 0.5, 0.2),
    ("logistic", WORDS_AND_CHARS, 0.5, 0.2),  # liblinear: slow
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=24)
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--keep", type=Path)
    arguments = parser.parse_args()
    print(machine_line())
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
        spent = timings(demo, ["anna", "bo"], "anna", "parent-01-en")
        times.append(
            f"| demo | {len(result['transcripts'])} | {result['train_seconds']:.2f} s | "
            f"{spent['train_all']:.2f} s | {1000 * spent['suggest_memory']:.0f} / "
            f"{1000 * spent['suggest_cache']:.0f} ms |"
        )
        bench = build_bench_project(folder, bench_corpus(arguments.transcripts))
        result = evaluate(bench, CODER).as_dict()
        label = f"fictional ({arguments.transcripts} transcripts)"
        quality += quality_rows(label, result)
        spent = timings(bench, [CODER], CODER, result["transcripts"][0])
        times.append(
            f"| {label} | {len(result['transcripts'])} | {result['train_seconds']:.2f} s | "
            f"{spent['train_all']:.2f} s | {1000 * spent['suggest_memory']:.0f} / "
            f"{1000 * spent['suggest_cache']:.0f} ms |"
        )
        quality += quality_rows("fictional, unseen wording", unseen_wording(folder))
        print("\n".join(quality))
        print()
        print("\n".join(times))
        print(f"\npeak RSS {peak_rss_mib():.0f} MiB")
        if arguments.variants:
            compare_variants(folder, bench)


def compare_variants(folder: Path, bench: Project) -> None:
    """Each variant on the fictional project (leave-one-transcript-out) and on unseen
    wording, precision@1 / precision@3."""
    print(
        "\n| classifier | features | codebook weight | keyword prior | fictional p@1 / p@3 | "
        "unseen wording p@1 / p@3 | training, all folds |\n|---|---|---:|---:|---:|---:|---:|"
    )
    for classifier, blocks, weak, keywords in VARIANTS:
        with variant(blocks, weak, keywords):
            found: dict[str, Any] = evaluate(bench, CODER, classifier=classifier).as_dict()
            unseen = unseen_wording(folder, classifier)
        model, other = found["model"], unseen["model"]
        print(
            f"| {classifier} | {' + '.join(blocks)} | {weak} | {keywords} | "
            f"{_share(model['precision_at_1'])} / {_share(model['precision_at_3'])} | "
            f"{_share(other['precision_at_1'])} / {_share(other['precision_at_3'])} | "
            f"{found['train_seconds']:.1f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
