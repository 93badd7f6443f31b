"""Agreement timings: qualcode's interval sweep against per-character package calls.

``python -m benchmarks.bench_agreement [--small] [--keep DIR] [--repeat N]
[--baseline-transcripts N]``

(a) qualcode: ``services.agreement.compare_coders`` for all coders of the synthetic
    project (500 transcripts, 40 codes, 3 coders, 150,000 codings by default): loading
    from the database plus every statistic (percent agreement, Cohen's kappa and segment
    agreement per pair, Krippendorff's alpha, Fleiss' kappa, all-agree percent, per
    transcript, pooled and mean). Best of ``--repeat``; the load and the computation are
    also timed apart.
(b) baseline: the same transcript × code cells expanded to one 0/1 array per coder and
    character, then scikit-learn's ``cohen_kappa_score`` and numpy percent agreement per
    pair, ``krippendorff.alpha`` and statsmodels' ``fleiss_kappa`` per cell. This is far
    too slow for the whole project, so it runs on the first ``--baseline-transcripts``
    transcripts and is scaled to the whole project by characters (its cost is linear in
    text length × codes); qualcode's computation on the same subset is timed too, for a
    direct ratio. Segment agreement has no per-character counterpart and is left out of
    the baseline (which flatters the baseline).

Every subset value is compared with the baseline's (largest difference printed).

(c) the new statistics: Krippendorff's unitizing alpha alone over the whole project
    (≤ 2 s: it grows with codings, not text), the bootstrap's cost per 1,000 resamples
    (units and whole transcripts), and the whole process a researcher runs —
    ``qualcode agreement P --coders A B C --format json -o r.json`` in a subprocess,
    ``--process-runs`` times (5): median wall time, median CPU time and the highest
    peak resident memory, VmHWM (target ≤ 1.5 s and ≤ 200 MiB).

The table printed at the end is Markdown, ready for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.bench_import import (
    StepResult,
    load_average,
    machine_line,
    seconds_text,
    timed,
    work_folder,
)
from benchmarks.make_project import (
    CODERS,
    DEFAULT_SEED,
    build_project,
    reuse_or_generate,
    size_from_arguments,
)
from qualcode.domain.agreement_intervals import IntervalSettings, Resampling
from qualcode.domain.agreement_report import (
    DEFAULT_THRESHOLD,
    AgreementReport,
    TranscriptUnits,
    agreement_report,
)
from qualcode.domain.cycle_collection import paused
from qualcode.domain.statistics import Statistic, unitized_alpha
from qualcode.services.agreement import (
    ComparisonData,
    compare_coders,
    load_comparison,
)
from qualcode.services.agreement_columns import statistic_columns
from qualcode.services.agreement_sweep import sweep_comparer
from qualcode.services.project import Project, open_project

SECONDS_TARGET = 2.0
RATIO_TARGET = 50.0
PROCESS_SECONDS_TARGET = 1.5
PROCESS_MIB_TARGET = 200.0

Cell = tuple[list[float], float, float]
"""Per-character results of one transcript × code: kappas per pair (NaN when 0/0),
alpha, Fleiss' kappa."""


def project_for(work: Path, small: bool, transcripts: int | None, seed: int) -> Project:
    """The synthetic project, built once per size and seed and reused from ``work``."""
    size = size_from_arguments(small, transcripts, None, None)
    label = f"{size.transcripts}x{size.words}x{size.codings}-seed{seed}"
    files, reused = reuse_or_generate(work / label, size, seed=seed)
    location = work / f"{label}.qualcode"
    marker = work / f"{label}.built"
    if reused and location.exists() and marker.exists():
        print(f"project: reused {location}", flush=True)
        return open_project(location)
    for stale in (location, Path(f"{location}-wal"), Path(f"{location}-shm")):
        stale.unlink(missing_ok=True)
    seconds, project = timed(lambda: build_project(files, location))
    marker.write_text("built\n", encoding="utf-8")
    print(f"project: built {location} in {seconds:.1f} s", flush=True)
    return project


# The child reports its own peak, its memory's high-water mark (VmHWM): the peak the
# kernel keeps for a process (ru_maxrss) counts the parent's memory, which the child
# shares between fork and exec.
_CHILD = """
import atexit, resource, sys
def report():
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(l for l in status if l.startswith("VmHWM:"))
        peak = int(line.split()[1])
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"peak-kib {peak}\\n")
atexit.register(report)
sys.argv[0] = "qualcode"
from qualcode.cli import main
main()
"""


def whole_process(
    location: Path, coders: Sequence[str], out: Path, runs: int = 5
) -> tuple[float, float, float]:
    """``qualcode agreement … --format json -o out`` as a researcher runs it, ``runs``
    times: the median wall and CPU seconds of the child processes and the highest peak
    resident MiB (VmHWM) of any of them."""
    command = [sys.executable, "-c", _CHILD, "agreement", str(location), "--coders", *coders]
    measured: list[tuple[float, float, float]] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--format", "json", "-o", str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        peak = next(line for line in done.stderr.splitlines() if line.startswith("peak-kib "))
        measured.append((wall, cpu, int(peak.split()[1]) / 1024))  # Linux reports KiB
    return (
        statistics.median(wall for wall, _, _ in measured),
        statistics.median(cpu for _, cpu, _ in measured),
        max(peak for _, _, peak in measured),
    )


def at_once(
    data: ComparisonData,
    transcripts: Sequence[TranscriptUnits] | None = None,
    statistics: Sequence[Statistic] | None = None,
) -> AgreementReport:
    """The statistics as ``qualcode agreement`` computes them: every transcript × code at
    once (services/agreement_sweep.py) and the statistic columns as arrays."""
    compare = sweep_comparer(data, DEFAULT_THRESHOLD)
    return agreement_report(
        data.coders,
        data.codes,
        data.transcripts if transcripts is None else transcripts,
        data.codings if compare is None else (),
        statistics=statistics,
        columns=statistic_columns,
        compare=compare,
    )


def bootstrap_seconds(report: AgreementReport, by: Resampling) -> float:
    """CPU seconds of 1,000 bootstrap resamples of every pooled kappa and alpha."""
    from qualcode.services.agreement_intervals import report_intervals

    settings = IntervalSettings(95, 1000, 1, by)
    return cpu_seconds(lambda: report_intervals(report, settings))


def cpu_seconds(action: Callable[[], object]) -> float:
    """Process CPU time ``action`` takes (steadier than wall time on a shared machine)."""
    started = time.process_time()
    action()
    return time.process_time() - started


def per_character(data: ComparisonData, names: Sequence[str]) -> dict[tuple[str, str], Cell]:
    """The baseline: expand each cell of ``names`` × every code to arrays, call packages."""
    import krippendorff
    import numpy as np
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    lengths = {t.name: t.length for t in data.transcripts}
    coder_index = {c: i for i, c in enumerate(data.coders)}
    wanted = set(names)
    spans: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for _, transcript, code, coder, start, end in data.codings:
        if transcript in wanted:
            spans.setdefault((transcript, code), []).append((coder_index[coder], start, end))
    k = len(data.coders)
    results: dict[tuple[str, str], Cell] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            for code in data.codes:
                ratings = np.zeros((k, lengths[name]), dtype=np.int8)
                for index, start, end in spans.get((name, code), []):
                    ratings[index, start:end] = 1
                kappas = []
                for i in range(k):
                    for j in range(i + 1, k):
                        kappas.append(float(cohen_kappa_score(ratings[i], ratings[j])))
                        float(np.mean(ratings[i] == ratings[j]))  # percent agreement
                alpha = float(
                    krippendorff.alpha(
                        reliability_data=ratings,
                        level_of_measurement="nominal",
                        value_domain=[0, 1],
                    )
                )
                table, _ = aggregate_raters(ratings.T, n_cat=2)
                fleiss = float(fleiss_kappa(table, method="fleiss")) if k >= 3 else math.nan
                results[(name, code)] = (kappas, alpha, fleiss)
    return results


def largest_difference(report: AgreementReport, baseline: dict[tuple[str, str], Cell]) -> float:
    """The largest |qualcode − baseline| over every defined statistic of the subset
    (undefined ones must be NaN in the baseline; ``inf`` if they are not)."""
    worst = 0.0
    for code in report.codes:
        for name, comparison in code.per_transcript:
            if (name, code.code) not in baseline:
                continue
            kappas, alpha, fleiss = baseline[(name, code.code)]
            ours = [p.counts.kappa for p in comparison.pairs]
            ours.append(comparison.coverage.krippendorff_alpha)
            their = [*kappas, alpha]
            fleiss_ours = comparison.coverage.fleiss_kappa
            if fleiss_ours is not None:
                ours.append(fleiss_ours)
                their.append(fleiss)
            for statistic, value in zip(ours, their, strict=True):
                if statistic.undefined:
                    worst = worst if math.isnan(value) else math.inf
                else:
                    worst = max(worst, abs(statistic.value - value))
    return worst


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_agreement",
        description="Time qualcode's agreement statistics against per-character packages.",
    )
    parser.add_argument("--small", action="store_true", help="10 files × 1,500 words, 2,000")
    parser.add_argument("--transcripts", type=int, help="override the number of files")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build into (or reuse) DIR")
    parser.add_argument("--repeat", type=int, default=3, help="qualcode rounds; best is shown")
    parser.add_argument(
        "--baseline-transcripts", type=int, default=10, help="transcripts the baseline runs on"
    )
    parser.add_argument(
        "--process-runs", type=int, default=5, help="runs of the whole command (median shown)"
    )
    args = parser.parse_args(argv)
    print(machine_line(), flush=True)
    coders = list(CODERS)
    with work_folder(args.keep) as work:
        project = project_for(work, args.small, args.transcripts, args.seed)
        rounds = []
        for round_number in range(1, args.repeat + 1):
            load = load_average()
            seconds, cpu = timed(lambda: cpu_seconds(lambda: compare_coders(project, coders)))
            rounds.append((seconds, load, cpu))
            print(
                f"round {round_number}: compare_coders {seconds:.3f} s (CPU {cpu:.3f} s)",
                flush=True,
            )
        best, best_load, best_cpu = min(rounds)
        least_cpu = min(cpu for _, _, cpu in rounds)
        # the parts apart, with the collector paused as compare_coders pauses it
        with paused():
            load_seconds, data = timed(lambda: load_comparison(project, coders))
            compute_seconds, _ = timed(lambda: at_once(data))
            codings = data.codings
            cell_by_cell_seconds, _ = timed(
                lambda: agreement_report(data.coders, data.codes, data.transcripts, codings)
            )
        subset = data.transcripts[: args.baseline_transcripts]
        names = [t.name for t in subset]
        subset_data = [c for c in codings if c[1] in set(names)]  # c[1]: transcript
        with paused():
            ours_subset, subset_report = timed(lambda: at_once(data, subset))
        with paused():
            full_report = at_once(data)
            unitized_cpu = cpu_seconds(
                lambda: at_once(data, statistics=(unitized_alpha.STATISTIC,))
            )
        per_thousand = {by: bootstrap_seconds(full_report, by) for by in Resampling}
        process_load = load_average()
        process = whole_process(
            Path(project.location), coders, work / "agreement.json", args.process_runs
        )
        baseline_load = load_average()
        baseline_seconds, baseline = timed(lambda: per_character(data, names))
        project.close()
    total_characters = sum(t.length for t in data.transcripts)
    subset_characters = sum(t.length for t in subset)
    scale = total_characters / subset_characters
    baseline_full = baseline_seconds * scale
    difference = largest_difference(subset_report, baseline)
    cells = len(data.transcripts) * len(data.codes)
    print(
        f"\n{len(data.transcripts)} transcripts ({total_characters:,} characters) × "
        f"{len(data.codes)} codes = {cells:,} cells, {len(data.coders)} coders, "
        f"{len(codings):,} codings"
    )
    print(
        f"load {load_seconds:.3f} s + statistics {compute_seconds:.3f} s (every cell at once; "
        f"the domain's cell-by-cell reference takes {cell_by_cell_seconds:.3f} s)"
    )
    print(
        f"compare_coders: best {best:.3f} s wall ({best_cpu:.3f} s CPU); least CPU of any "
        f"round {least_cpu:.3f} s (the machine is shared: CPU time is the steadier figure)"
    )
    print(
        f"baseline on {len(names)} transcripts ({subset_characters:,} characters): "
        f"{baseline_seconds:.2f} s; qualcode on the same: {ours_subset:.4f} s; "
        f"largest difference {difference:.2e}"
    )
    process_wall, process_cpu, process_mib = process
    print(
        f"alpha-U alone (sweep included): {unitized_cpu:.3f} s CPU; bootstrap per 1,000 "
        f"resamples: units {per_thousand[Resampling.UNIT]:.3f} s, transcripts "
        f"{per_thousand[Resampling.TRANSCRIPT]:.3f} s CPU"
    )
    print(
        f"qualcode agreement --format json -o, median of {args.process_runs} runs: "
        f"{process_wall:.2f} s wall, {process_cpu:.2f} s CPU; peak (VmHWM) {process_mib:.0f} MiB"
    )
    direct_ratio = baseline_seconds / ours_subset
    full_ratio = baseline_full / best
    results = [
        StepResult(
            "all statistics, whole project (load + compute)",
            f"{len(codings):,} codings, {cells:,} cells",
            seconds_text(best),
            f"{seconds_text(baseline_full)} (scaled ×{scale:.1f} from {len(names)} transcripts)",
            full_ratio,
            f"≤ {SECONDS_TARGET:g} s and ≥ {RATIO_TARGET:g}×",
            best <= SECONDS_TARGET and full_ratio >= RATIO_TARGET,
            best_load,
        ),
        StepResult(
            f"statistics only, first {len(names)} transcripts",
            f"{len(subset_data):,} codings, {len(names) * len(data.codes):,} cells",
            f"{ours_subset:.4f}",
            f"{baseline_seconds:.2f} (measured)",
            direct_ratio,
            f"≥ {RATIO_TARGET:g}×",
            direct_ratio >= RATIO_TARGET,
            baseline_load,
        ),
        StepResult(
            "unitizing alpha alone (sweep included)",
            f"{len(codings):,} codings",
            f"{unitized_cpu:.3f} (CPU)",
            "—",
            None,
            f"≤ {SECONDS_TARGET:g} s",
            unitized_cpu <= SECONDS_TARGET,
            best_load,
        ),
        StepResult(
            "bootstrap, 1,000 resamples (units / transcripts)",
            f"{len(data.codes)} codes × pooled kappa and alpha",
            f"{per_thousand[Resampling.UNIT]:.3f} / {per_thousand[Resampling.TRANSCRIPT]:.3f}",
            "—",
            None,
            "a few seconds for 2,000",
            2 * max(per_thousand.values()) <= 5,
            best_load,
        ),
        StepResult(
            "whole process: agreement --format json -o (median wall / CPU, peak MiB)",
            f"{len(data.codes)} codes, every statistic",
            f"{process_wall:.2f} / {process_cpu:.2f}, {process_mib:.0f} MiB",
            "—",
            None,
            f"≤ {PROCESS_SECONDS_TARGET:g} s, ≤ {PROCESS_MIB_TARGET:g} MiB",
            process_cpu <= PROCESS_SECONDS_TARGET and process_mib <= PROCESS_MIB_TARGET,
            process_load,
        ),
    ]
    print()
    print(markdown_table(results))


def markdown_table(results: Sequence[StepResult]) -> str:
    header = ("step", "work", "qualcode s", "per-character packages s", "ratio", "target")
    lines = [
        "| " + " | ".join((*header, "result", "load 1 min")) + " |",
        "|" + "---|" * (len(header) + 2),
    ]
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.0f}×"
        verdict = "—" if r.passed is None else ("PASS" if r.passed else "FAIL")
        cells = (r.step, r.rows, r.qualcode, r.floor, ratio, r.target, verdict, f"{r.load:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
