"""Code suggestions: leave-one-transcript-out quality, training and suggestion times, RSS.

``python -m benchmarks.bench_suggest [--written DIR] [--written-only] [--variants]
[--only TEXT] [--transcripts 24] [--keep DIR]``

Runs ``qualcode suggest --evaluate`` (the service behind it) on

(a) the demo project (8 transcripts, two coders: each evaluated, learning from both);
(b) the written project: the interviews under ``benchmarks/suggest_written/`` (or
    ``--written DIR``), written and coded by hand with the starter codebook for this
    benchmark (``benchmarks/written_corpus.py``) — the "larger project" of issue 17;
(c) the generated project (``benchmarks/suggest_corpus.py``): its held-out transcripts
    restate clauses seen in training, so its figures are optimistic;

and reports precision@1, precision@3 and recall@3 of the suggestions beside the two
baselines (most frequent code; keyword match) and the margin over the better one, the
training time (all folds, and one model on the whole project), the time to suggest for
one transcript from the cached model (from memory, and from the project's cache table
after a restart), and the process's peak RSS; for (b) also where the model fails (per
code, confusions: ``benchmarks/suggest_diagnostics.py``). ``--written-only`` runs (b)
alone; ``--variants`` (or ``--only TEXT``) compares the model's settings
(``benchmarks/suggest_variants.py``). Targets (issue 17), on the larger project:
precision@3 ≥ 0.6 and precision@1 at least 0.15 above the better baseline; training
< 30 s; suggestions < 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_import import machine_line, work_folder
from benchmarks.suggest_corpus import BenchTranscript, bench_corpus
from benchmarks.suggest_diagnostics import (
    failure_report,
    held_out_rankings,
    human_ceiling,
    learning_curve,
)
from benchmarks.suggest_variants import Column, compare_variants, margin, share
from benchmarks.written_corpus import FOLDER, written_corpus
from qualcode.domain.suggestions import UnitKind
from qualcode.services import suggestions
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.demo import build_demo
from qualcode.services.project import Project, init_project
from qualcode.services.suggestion_evaluation import BASELINES, evaluate
from qualcode.services.suggestions import Corpus, read_corpus
from qualcode.services.transcripts import import_transcripts

REPO = Path(__file__).resolve().parent.parent
CODEBOOK = REPO / "codebooks" / "family-collaboration.yaml"
CODER = "bench"
SECOND = "second"
"""The coder of the written interviews' independent second codings (the human ceiling)."""


def build_bench_project(
    folder: Path,
    corpus: list[BenchTranscript],
    name: str = "suggest-bench",
    second: Sequence[BenchTranscript] = (),
) -> Project:
    """A fictional project in ``folder``: codebook, transcripts and the coder's codings
    (coder :data:`CODER`), and a second coder's (:data:`SECOND`) of the ``second``
    transcripts (the same texts)."""
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
    for transcript in second:
        for code, start, end in transcript.codings:
            writer.writerow((transcript.name, code, SECOND, start, end, ""))
    import_transcripts(project, paths)
    codings = folder / name / "codings.csv"
    codings.write_text(rows.getvalue(), encoding="utf-8")
    import_codings(project, codings)
    return project


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
            f"| {label} | {name} | {measures['units']} | {share(measures['precision_at_1'])} | "
            f"{share(measures['precision_at_3'])} | {share(measures['recall_at_3'])} |"
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


QUALITY_HEAD = [
    "| project | ranking | coded units | precision@1 | precision@3 | recall@3 |",
    "|---|---|---:|---:|---:|---:|",
]
TIMES_HEAD = [
    "| project | folds | training, all folds | one model, whole project | "
    "suggest one transcript (memory / project cache) |",
    "|---|---:|---:|---:|---:|",
]


def corpus_of(project: Project) -> Corpus:
    """Every coder's codings of ``project`` as training and evaluation read them."""
    with project.reading() as uow:
        return read_corpus(uow, sorted(uow.coders.ids()), UnitKind.SENTENCE)


def written_summary(corpus: list[BenchTranscript]) -> str:
    """One line: how many interviews, in which languages, words and codings."""
    danish = sum(transcript.name.endswith("-da") for transcript in corpus)
    words = sum(len(transcript.text.split()) for transcript in corpus)
    codings = sum(len(transcript.codings) for transcript in corpus)
    return (
        f"written corpus: {len(corpus)} interviews ({len(corpus) - danish} English, {danish} "
        f"Danish), {words:,} words, {codings:,} codings"
    )


def run_written(folder: Path, written: Path) -> tuple[list[str], list[str], Column]:
    """(b): quality rows, the times row, and the written project as a variants column;
    prints the corpus, the margin, where the model fails, and — where a second coder
    coded some interviews (``WRITTEN/second/``) — how often the second coder's codes are
    right first on the first coder's units, beside the model on the same units."""
    texts = written_corpus(written)
    tables = written / "second"
    second = written_corpus(written, tables) if tables.is_dir() else []
    print(written_summary(texts), flush=True)
    project = build_bench_project(folder, texts, name="written", second=second)
    result: dict[str, Any] = evaluate(project, CODER, train_coders=[CODER]).as_dict()
    label = f"written ({len(texts)} interviews)"
    rows = quality_rows(label, result)
    better = max(BASELINES, key=lambda key: result[key]["precision_at_1"] or 0.0)
    print(
        f"written: precision@1 margin over the better baseline ({better}): "
        f"{margin(result):+.3f}; precision@3 {share(result['model']['precision_at_3'])}",
        flush=True,
    )
    time_row = timings(label, project, [CODER], CODER, result)
    column = Column("written", corpus_of(project), CODER, (CODER,))
    rankings = list(held_out_rankings(column.corpus, CODER, [CODER]))
    print("\n" + failure_report(rankings))
    if second:
        names = {transcript.name for transcript in second}
        same = [ranked for ranked in rankings if ranked.unit.transcript in names]
        hits = sum(ranked.model[0] in ranked.unit.codes for ranked in same) / max(1, len(same))
        ceiling = human_ceiling(column.corpus, CODER, SECOND, names)
        print(
            f"\nsecond coder as a ranking of the first's units ({len(names)} interviews): "
            f"{ceiling}; the model's p@1 on the same units: {hits:.3f}"
        )
    return rows, [time_row], column


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=24, help="of the generated project")
    parser.add_argument(
        "--written", type=Path, default=FOLDER, help="folder of the written interviews"
    )
    parser.add_argument(
        "--written-only", action="store_true", help="only the written project (and variants)"
    )
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--curve", action="store_true", help="the written project's learning curve")
    parser.add_argument("--keep", type=Path)
    parser.add_argument(
        "--only", help="only the variants whose name has one of these |-separated parts"
    )
    arguments = parser.parse_args()
    print(machine_line(), flush=True)
    quality, times = list(QUALITY_HEAD), list(TIMES_HEAD)
    with work_folder(arguments.keep) as folder:
        rows, time_rows, written = run_written(folder, arguments.written)
        quality += rows
        times += time_rows
        columns = [written]
        if not arguments.written_only:
            demo = build_demo(folder / "demo.qualcode", progress=lambda _line: None)
            result: dict[str, Any] = {}
            for coder in ("anna", "bo"):
                result = evaluate(demo, coder, train_coders=["anna", "bo"]).as_dict()
                quality += quality_rows(f"demo ({coder})", result)
            times.append(timings("demo", demo, ["anna", "bo"], "anna", result))
            generated = build_bench_project(folder, bench_corpus(arguments.transcripts))
            result = evaluate(generated, CODER).as_dict()
            label = f"generated ({arguments.transcripts}; optimistic: clauses recur)"
            quality += quality_rows(label, result)
            times.append(timings(label, generated, [CODER], CODER, result))
            demo_corpus = corpus_of(demo)
            columns = [
                Column(f"demo {coder}", demo_corpus, coder, ("anna", "bo"))
                for coder in ("anna", "bo")
            ] + columns
            for coder, other in (("anna", "bo"), ("bo", "anna")):
                ceiling = human_ceiling(demo_corpus, coder, other)
                print(f"{other} as a ranking of {coder}'s units: {ceiling}")
        print("\n" + "\n".join(quality) + "\n\n" + "\n".join(times))
        print(f"\npeak RSS {peak_rss_mib():.0f} MiB", flush=True)
        if arguments.curve:
            sizes = [size for size in (2, 5, 11, 17, 23) if size < len(written.corpus.texts)]
            print(learning_curve(written.corpus, CODER, [CODER], sizes), flush=True)
        if arguments.variants or arguments.only is not None:
            compare_variants(columns, arguments.only)


if __name__ == "__main__":
    main()
