"""Import and start-up timings, each against a floor.

``python -m benchmarks.bench_import [--small] [--keep DIR] [--repeat N] [--runs N]``

(a) transcripts: ``import_transcripts`` of every generated file into a fresh project, vs
    raw ``sqlite3`` reading the same files and ``executemany``-inserting the same
    transcript rows (name, text, sha256, characters, words) and turns into the same table
    layout;
(b) codings: ``import_codings`` of the generated CSV (parsed, validated, stored in one
    transaction), vs raw ``sqlite3`` parsing the CSV with :mod:`csv`, slicing the anchor
    text and ``executemany``-inserting the same rows into the same table and index;
(c) start-up: ``qualcode transcripts PROJECT`` and ``qualcode --help`` as whole processes
    (best and median of ``--runs``), vs ``python -c pass``.

Both sides of (a) and (b) are checked to have stored the same rows. The table printed at
the end is Markdown, ready for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from benchmarks.make_project import (
    DEFAULT_SEED,
    GeneratedFiles,
    ProjectSize,
    build_project,
    code_paths,
    reuse_or_generate,
    size_from_arguments,
)
from benchmarks.raw_sqlite import (
    CODING_DIGEST,
    TRANSCRIPT_DIGEST,
    TURN_DIGEST,
    check_same_rows,
    raw_add_codebook,
    raw_create,
    raw_import_codings,
    raw_import_transcripts,
)

IMPORT_SECONDS_TARGET = 20.0
CODINGS_RATIO_TARGET = 2.0
STARTUP_SECONDS_TARGET = 0.4

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StepResult:
    """One line of the results table. ``passed`` is None for steps without a target."""

    step: str
    rows: str
    qualcode: str
    floor: str
    ratio: float | None
    target: str
    passed: bool | None
    load: float


@dataclass(slots=True)
class Report:
    results: list[StepResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_average() -> float:
    return os.getloadavg()[0]


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``action`` (after a full garbage collection, so earlier steps'
    garbage is not charged to it), and its result."""
    gc.collect()
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def seconds_text(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else ("PASS" if passed else "FAIL")


# --- (a) and (b) ----------------------------------------------------------------------


@dataclass(slots=True)
class ImportTimes:
    transcripts: list[tuple[float, float, float]] = field(default_factory=list)
    codebook: list[float] = field(default_factory=list)
    codings: list[tuple[float, float, float]] = field(default_factory=list)
    turns: int = 0
    codings_count: int = 0


def run_import_round(files: GeneratedFiles, work: Path, times: ImportTimes) -> None:
    """One round of (a) then (b) into fresh databases, raw sqlite3 first each time."""
    from qualcode.services.codebook import import_codebook
    from qualcode.services.coding import import_codings
    from qualcode.services.project import init_project
    from qualcode.services.transcripts import import_transcripts

    for leftover in work.glob("*.sqlite*"):
        leftover.unlink()
    raw_db, ours_db = work / "raw.sqlite", work / "qualcode.sqlite"
    paths = list(files.transcript_paths)
    raw = raw_create(raw_db)
    project = init_project(ours_db)
    try:
        load = load_average()
        raw_seconds, _ = timed(lambda: raw_import_transcripts(raw, paths))
        ours_seconds, _ = timed(lambda: import_transcripts(project, paths))
        times.transcripts.append((ours_seconds, raw_seconds, load))
        check_same_rows(ours_db, raw_db, TRANSCRIPT_DIGEST, "transcripts")
        times.turns = check_same_rows(ours_db, raw_db, TURN_DIGEST, "turns")

        raw_add_codebook(raw)
        codebook_seconds, _ = timed(lambda: import_codebook(project, files.codebook_path))
        times.codebook.append(codebook_seconds)

        load = load_average()
        raw_seconds, _ = timed(lambda: raw_import_codings(raw, files.codings_path))
        ours_seconds, _ = timed(lambda: import_codings(project, files.codings_path))
        times.codings.append((ours_seconds, raw_seconds, load))
        times.codings_count = check_same_rows(ours_db, raw_db, CODING_DIGEST, "codings")
    finally:
        raw.close()
        project.close()


def import_results(files: GeneratedFiles, times: ImportTimes) -> list[StepResult]:
    """Best round of each step (least disturbed by other work on the machine)."""
    ours, raw, load = min(times.transcripts)
    size = files.size
    results = [
        StepResult(
            step=f"transcript import ({size.transcripts} files × {size.words:,} words)",
            rows=f"{size.transcripts} + {times.turns:,} turns",
            qualcode=seconds_text(ours),
            floor=seconds_text(raw),
            ratio=ours / raw,
            target=f"≤ {IMPORT_SECONDS_TARGET:g} s",
            passed=ours <= IMPORT_SECONDS_TARGET,
            load=load,
        ),
        StepResult(
            step="codebook import (YAML, 2 levels)",
            rows=str(len(code_paths())),
            qualcode=seconds_text(min(times.codebook)),
            floor="—",
            ratio=None,
            target="—",
            passed=None,
            load=load,
        ),
    ]
    ours, raw, load = min(times.codings)
    ratio = ours / raw
    results.append(
        StepResult(
            step="codings bulk import (CSV)",
            rows=f"{times.codings_count:,}",
            qualcode=seconds_text(ours),
            floor=seconds_text(raw),
            ratio=ratio,
            target=f"≤ {CODINGS_RATIO_TARGET:g}× raw",
            passed=ratio <= CODINGS_RATIO_TARGET,
            load=load,
        )
    )
    return results


# --- (c) start-up ---------------------------------------------------------------------


def qualcode_executable() -> str:
    """The ``qualcode`` console script of this interpreter (not a version-manager shim,
    which would add its own start-up), else the one on PATH."""
    beside = Path(sys.executable).parent / "qualcode"
    if beside.exists():
        return str(beside)
    found = shutil.which("qualcode")
    if found is None:
        raise SystemExit("qualcode is not installed (pip install -e .)")
    return found


def process_seconds(argv: Sequence[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` whole runs of ``argv`` after one warm-up run."""
    times: list[float] = []
    for run in range(runs + 1):
        started = time.perf_counter()
        completed = subprocess.run(argv, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if completed.returncode != 0:
            error = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SystemExit(f"{' '.join(argv)} failed: {error[-1] if error else '?'}")
        if run:
            times.append(elapsed)
    return times


def startup_project(work: Path, data_root: Path, report: Report) -> Path:
    """The demo project when ``qualcode demo`` works, else a small synthetic one."""
    demo = work / "demo.qualcode"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo}{suffix}").unlink(missing_ok=True)
    completed = subprocess.run(
        [qualcode_executable(), "demo", "--path", str(demo)], capture_output=True, check=False
    )
    if completed.returncode == 0:
        report.notes.append("start-up measured on the demo project (`qualcode demo`).")
        return demo
    lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
    reason = lines[-1] if lines else f"exit {completed.returncode}"
    small, _ = reuse_or_generate(data_root / "small", size_from_arguments(True, None, None, None))
    location = work / "small.qualcode"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{location}{suffix}").unlink(missing_ok=True)
    build_project(small, location).close()
    report.notes.append(
        "`qualcode demo` failed, so start-up was measured on the small synthetic project "
        f"(10 transcripts, 2,000 codings); demo error: {reason}"
    )
    return location


def first_transcript(project: Path) -> str:
    connection = sqlite3.connect(f"{project.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (name,) = connection.execute("SELECT min(name) FROM transcript").fetchone()
    finally:
        connection.close()
    return str(name)


def startup_results(project: Path, runs: int) -> list[StepResult]:
    executable = qualcode_executable()
    load = load_average()
    floor = process_seconds([sys.executable, "-c", "pass"], runs)
    results = [
        StepResult(
            step="`python -c pass` (floor)",
            rows=f"{runs} runs",
            qualcode="—",
            floor=f"{statistics.median(floor):.3f} (best {min(floor):.3f})",
            ratio=None,
            target="—",
            passed=None,
            load=load,
        )
    ]
    first = first_transcript(project)
    # (label, argv, held to the target): the listings read SQLite with the standard
    # library; `log` still opens the project through SQLAlchemy, as every writing
    # command does, and is shown for comparison.
    listings = ("transcripts", "info", "codebook", "cases")
    commands = [
        (f"`qualcode {name} PROJECT`", [executable, name, str(project)], True) for name in listings
    ]
    commands += [
        (
            "`qualcode show PROJECT T --span 0:200`",
            [executable, "show", str(project), first, "--span", "0:200"],
            True,
        ),
        ("`qualcode --help`", [executable, "--help"], True),
        ("`qualcode log PROJECT` (SQLAlchemy path)", [executable, "log", str(project)], False),
    ]
    shim = shutil.which("qualcode")
    if shim is not None and Path(shim).resolve() != Path(executable).resolve():
        commands.append(
            (
                f"`qualcode transcripts` via PATH ({shim})",
                [shim, "transcripts", str(project)],
                False,
            )
        )
    for label, argv, held in commands:
        load = load_average()
        seconds = process_seconds(argv, runs)
        median = statistics.median(seconds)
        results.append(
            StepResult(
                step=label,
                rows=f"{runs} runs",
                qualcode=f"{median:.3f} (best {min(seconds):.3f})",
                floor=f"{statistics.median(floor):.3f}",
                ratio=median / statistics.median(floor),
                target=f"median ≤ {STARTUP_SECONDS_TARGET:g} s" if held else "—",
                passed=median <= STARTUP_SECONDS_TARGET if held else None,
                load=load,
            )
        )
    return results


# --- report ---------------------------------------------------------------------------


def markdown_table(results: Sequence[StepResult]) -> str:
    header = ("step", "rows", "qualcode s", "raw sqlite3 / floor s", "ratio", "target", "result")
    lines = [
        "| " + " | ".join((*header, "load 1 min")) + " |",
        "|" + "---|" * (len(header) + 1),
    ]
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        cells = (r.step, r.rows, r.qualcode, r.floor, ratio, r.target, verdict(r.passed))
        lines.append("| " + " | ".join((*cells, f"{r.load:.2f}")) + " |")
    return "\n".join(lines)


def machine_line() -> str:
    import sqlalchemy

    return (
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {os.cpu_count()} cores "
        f"({platform.machine()}), Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}; load average "
        + "/".join(f"{x:.2f}" for x in os.getloadavg())
    )


@contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-") as folder:
        yield Path(folder)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_import",
        description="Time qualcode's imports and start-up against raw sqlite3 and python.",
    )
    parser.add_argument("--small", action="store_true", help="10 files × 1,500 words, 2,000")
    parser.add_argument("--transcripts", type=int, help="override the number of files")
    parser.add_argument("--words", type=int, help="override words of speech per file")
    parser.add_argument("--codings", type=int, help="override the number of codings")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="generate into (or reuse) DIR and keep it"
    )
    parser.add_argument("--repeat", type=int, default=1, help="import rounds; best is shown")
    parser.add_argument("--runs", type=int, default=10, help="runs per start-up command")
    parser.add_argument("--skip-imports", action="store_true", help="only time start-up")
    parser.add_argument("--skip-startup", action="store_true", help="only time imports")
    args = parser.parse_args(argv)
    size: ProjectSize = size_from_arguments(args.small, args.transcripts, args.words, args.codings)
    report = Report()
    print(machine_line(), flush=True)
    with work_folder(args.keep) as work:
        databases = work / "databases"
        databases.mkdir(exist_ok=True)
        if not args.skip_imports:
            label = f"{size.transcripts}x{size.words}x{size.codings}-seed{args.seed}"
            seconds, (files, reused) = timed(
                lambda: reuse_or_generate(work / label, size, seed=args.seed)
            )
            print(
                f"data: {'reused' if reused else 'generated'} {files.root} "
                f"({files.characters:,} characters) in {seconds:.1f} s",
                flush=True,
            )
            times = ImportTimes()
            for round_number in range(1, args.repeat + 1):
                run_import_round(files, databases, times)
                ours, raw, _ = times.transcripts[-1]
                ours_c, raw_c, _ = times.codings[-1]
                print(
                    f"round {round_number}: transcripts {ours:.2f} s (raw {raw:.2f} s), "
                    f"codings {ours_c:.2f} s (raw {raw_c:.2f} s)",
                    flush=True,
                )
            report.results.extend(import_results(files, times))
        if not args.skip_startup:
            project = startup_project(databases, work, report)
            report.results.extend(startup_results(project, args.runs))
    print()
    print(markdown_table(report.results))
    for note in report.notes:
        print(f"\nnote: {note}")
    print(f"\nload average at the end: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
