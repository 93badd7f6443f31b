"""Matrix timings on the large synthetic project, against one hand-written SQL aggregate.

``python -m benchmarks.bench_matrix [--small] [--keep DIR] [--repeat N]``

The synthetic project (``benchmarks/make_project.py``: 500 transcripts, 40 codes in 10
themes, 150,000 codings by 3 coders) gets cases first: one case per interview, and in
every focus group one case per respondent covering only that speaker's turns, with two
attributes. Then, best of ``--repeat`` each:

(a) qualcode: ``services.matrices.build_matrix`` of themes × cases, all coders' union,
    with every numeric measure (references, words, characters, coverage, presence,
    transcripts, cases; row % and column % follow from references). Also with words left
    out, since words are the one measure that needs the transcripts' text.
(b) floor: one hand-written SQL statement on raw ``sqlite3`` computing the references of
    the same matrix: sub-codes rolled up to themes by a recursive CTE, overlapping and
    touching codings merged by window functions (gaps and islands), the merged runs cut
    by the cases' assigned spans and counted per case × theme. Its numbers are checked
    to equal (a)'s references, cell by cell.
(c) XLSX export of (a) with every numeric measure (one sheet each, heat maps, about);
    then, once, the framework matrix with every passage and its full workbook.
(d) memory: peak RSS of separate processes that open the project and then build the
    matrix, or only open it, or load every coding as objects (``list_codings``), which
    the matrix avoids; and the Python allocation peak of the matrix (tracemalloc).

The table printed at the end is Markdown, ready for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from benchmarks.bench_import import (
    StepResult,
    load_average,
    machine_line,
    markdown_table,
    seconds_text,
    timed,
    verdict,
    work_folder,
)
from benchmarks.make_project import (
    DEFAULT_SEED,
    build_project,
    reuse_or_generate,
    size_from_arguments,
)
from qualcode.domain.matrices import NUMERIC_MEASURES, Matrix, Measure
from qualcode.services.project import Project, open_project

T = TypeVar("T")
SECONDS_TARGET = 1.0
RATIO_TARGET = 3.0
XLSX_TARGET = 5.0

REFERENCES_SQL = """
WITH RECURSIVE theme(code_id, theme_id) AS (
    SELECT id, id FROM code WHERE parent_id IS NULL
    UNION ALL
    SELECT code.id, theme.theme_id FROM code JOIN theme ON code.parent_id = theme.code_id
),
spans AS (
    SELECT coding.transcript_id AS tid, theme.theme_id AS theme,
           coding.start_offset AS s, coding.end_offset AS e
    FROM coding JOIN theme ON theme.code_id = coding.code_id
),
flagged AS (
    SELECT tid, theme, s, e,
           CASE WHEN s <= MAX(e) OVER (
                    PARTITION BY tid, theme ORDER BY s, e
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 0 ELSE 1 END AS opens
    FROM spans
),
islands AS (
    SELECT tid, theme, s, e,
           SUM(opens) OVER (PARTITION BY tid, theme ORDER BY s, e ROWS UNBOUNDED PRECEDING)
               AS island
    FROM flagged
),
merged AS (
    SELECT tid, theme, MIN(s) AS s, MAX(e) AS e FROM islands GROUP BY tid, theme, island
)
SELECT assignment.case_id, merged.theme, COUNT(*)
FROM merged
JOIN case_assignment AS assignment
  ON assignment.transcript_id = merged.tid
 AND assignment.start_offset < merged.e AND merged.s < assignment.end_offset
GROUP BY assignment.case_id, merged.theme
"""


def add_cases(project: Project, folder: Path) -> int:
    """One case per interview (whole transcript) and per focus-group respondent (their
    turns only), with attributes language and setting; returns the number of cases."""
    from qualcode.services.cases import import_cases
    from qualcode.services.transcripts import list_transcripts

    path = folder / "bench-cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["case", "transcript", "speaker", "language", "setting"])
        for transcript in list_transcripts(project):
            language = transcript.name.rsplit("-", 1)[-1]
            respondents = [s for s in transcript.speakers if s != "Interviewer"]
            if len(respondents) == 1:
                writer.writerow([transcript.name, transcript.name, "", language, "interview"])
            else:
                for speaker in respondents:
                    name = f"{transcript.name} {speaker}"
                    writer.writerow([name, transcript.name, speaker, language, "focus group"])
    return import_cases(project, path).cases


def project_with_cases(work: Path, small: bool, seed: int) -> tuple[Path, int]:
    size = size_from_arguments(small, None, None, None)
    label = f"{size.transcripts}x{size.words}x{size.codings}-seed{seed}"
    files, reused = reuse_or_generate(work / label, size, seed=seed)
    location = work / f"{label}-cases.qualcode"
    marker = work / f"{label}-cases.built"
    if reused and location.exists() and marker.exists():
        print(f"project: reused {location}", flush=True)
        return location, int(marker.read_text(encoding="utf-8"))
    for stale in (location, Path(f"{location}-wal"), Path(f"{location}-shm")):
        stale.unlink(missing_ok=True)
    seconds, project = timed(lambda: build_project(files, location))
    cases = add_cases(project, work)
    project.close()
    marker.write_text(f"{cases}\n", encoding="utf-8")
    print(f"project: built {location} with {cases} cases in {seconds:.1f} s", flush=True)
    return location, cases


def sql_references(location: Path) -> dict[tuple[int, int], int]:
    connection = sqlite3.connect(location)
    try:
        return {(case, theme): n for case, theme, n in connection.execute(REFERENCES_SQL)}
    finally:
        connection.close()


def matrix_references(project: Project, matrix: Matrix) -> dict[tuple[int, int], int]:
    """(case id, theme id) -> references, for comparing with the SQL."""
    with project.reading() as uow:
        case_ids = {name: uow.cases.id_of(name) for name in matrix.rows}
        theme_ids = {c.path: c.id for c in uow.codebook.codes() if c.parent_id is None}
    found: dict[tuple[int, int], int] = {}
    for row, case in enumerate(matrix.rows):
        for column, theme in enumerate(matrix.columns):
            value = matrix.value(Measure.REFERENCES, 0, row, column)
            case_id = case_ids[case]
            if isinstance(value, int) and value and case_id is not None:
                found[(case_id, theme_ids[theme])] = value
    return found


def best(action: Callable[[], T], label: str, repeat: int) -> tuple[float, float, T]:
    """Best seconds of ``repeat`` runs, the load average before them, the first result."""
    load = load_average()
    runs = [timed(action) for _ in range(repeat)]
    seconds = min(r[0] for r in runs)
    print(f"{label}: best {seconds:.3f} s of {[round(r[0], 3) for r in runs]}", flush=True)
    return seconds, load, runs[0][1]


MEMORY_SCRIPT = """
import sys
from qualcode.services.project import open_project
project = open_project(sys.argv[1])
if sys.argv[2] == "matrix":
    from qualcode.services.matrices import MatrixRequest, build_matrix
    build_matrix(project, MatrixRequest())
elif sys.argv[2] == "codings":
    from qualcode.services.coding import list_codings
    list_codings(project)
else:
    from qualcode.services.transcripts import list_transcripts
    list_transcripts(project)
# VmHWM is this process image's own peak (ru_maxrss would carry the parent's over exec).
print(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
"""


def peak_rss_mb(location: Path, what: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(location), what],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(output.split()[-1]) / 1024  # VmHWM is in KiB


def python_peak_mb(project: Project) -> float:
    import tracemalloc

    from qualcode.services.matrices import MatrixRequest, build_matrix

    tracemalloc.start()
    build_matrix(project, MatrixRequest())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def main(argv: Sequence[str] | None = None) -> None:
    from qualcode.exporters.matrix_xlsx import matrix_xlsx
    from qualcode.services.matrices import MatrixRequest, build_matrix

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_matrix",
        description="Time themes × cases matrices against one hand-written SQL aggregate.",
    )
    parser.add_argument("--small", action="store_true", help="10 files × 1,500 words, 2,000")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build into (or reuse) DIR")
    parser.add_argument("--repeat", type=int, default=5, help="runs per step; best is shown")
    args = parser.parse_args(argv)
    print(machine_line(), flush=True)
    results: list[StepResult] = []
    with work_folder(args.keep) as work:
        location, case_count = project_with_cases(work, args.small, args.seed)
        copy = work / "bench-matrix.qualcode"  # the runs never write to the kept project
        shutil.copyfile(location, copy)
        project = open_project(copy)
        request = MatrixRequest()
        rows = f"{case_count} cases × themes"

        repeat = args.repeat
        sql_s, sql_load, sql_cells = best(lambda: sql_references(copy), "SQL", repeat)
        ours_s, load, matrix = best(lambda: build_matrix(project, request), "matrix", repeat)
        if matrix_references(project, matrix) != sql_cells:
            raise SystemExit("the SQL aggregate and qualcode disagree on references")
        print("references: SQL and qualcode agree on every cell", flush=True)
        no_words = MatrixRequest(words=False)
        plain_s, plain_load, _ = best(lambda: build_matrix(project, no_words), "words off", repeat)
        xlsx_s, xlsx_load, workbook = best(
            lambda: matrix_xlsx(matrix, NUMERIC_MEASURES), "xlsx", repeat
        )
        ratio = ours_s / sql_s
        results += [
            StepResult(
                "SQL aggregate: references only (raw sqlite3, one statement)",
                rows, "—", seconds_text(sql_s), None, "—", None, sql_load,
            ),
            StepResult(
                "matrix, every numeric measure", rows, seconds_text(ours_s), seconds_text(sql_s),
                ratio, f"≤ {SECONDS_TARGET:g} s, ≤ {RATIO_TARGET:g}× SQL",
                ours_s <= SECONDS_TARGET and ratio <= RATIO_TARGET, load,
            ),
            StepResult(
                "matrix without words (no transcript text read)", rows, seconds_text(plain_s),
                seconds_text(sql_s), plain_s / sql_s, "—", None, plain_load,
            ),
            StepResult(
                f"XLSX export, {len(NUMERIC_MEASURES)} measure sheets "
                f"({len(workbook) // 1024} KiB)",
                rows, seconds_text(xlsx_s), "—", None, f"≤ {XLSX_TARGET:g} s",
                xlsx_s <= XLSX_TARGET, xlsx_load,
            ),
        ]  # fmt: skip
        with_passages = MatrixRequest(passages=True)
        framework_s, framework_load, framework = best(
            lambda: build_matrix(project, with_passages), "passages", 1
        )
        passage_count = sum(len(found) for found in (framework.passages or {}).values())
        all_measures = [*NUMERIC_MEASURES, Measure.PASSAGES]
        full_s, full_load, full = best(lambda: matrix_xlsx(framework, all_measures), "xlsx all", 1)
        results += [
            StepResult(
                f"framework matrix: every measure and {passage_count:,} passages (one run)",
                rows, seconds_text(framework_s), "—", None, "—", None, framework_load,
            ),
            StepResult(
                f"XLSX export with framework and passages sheets ({len(full) // 1024} KiB, "
                "one run)",
                rows, seconds_text(full_s), "—", None, "—", None, full_load,
            ),
        ]  # fmt: skip
        traced = python_peak_mb(project)
        project.close()
        memory = {what: peak_rss_mb(copy, what) for what in ("open", "matrix", "codings")}
        print(f"peak RSS MB: {memory}; matrix Python allocations peak {traced:.1f} MB")
        results.append(
            StepResult(
                f"peak RSS: matrix {memory['matrix']:.0f} MB (Python allocations peak "
                f"{traced:.0f} MB); open only {memory['open']:.0f} MB; all codings as "
                f"objects {memory['codings']:.0f} MB",
                rows,
                "—",
                "—",
                None,
                "memory bounded",
                None,
                load_average(),
            )
        )
        # The copy, and any backup a schema upgrade made of it when it was opened.
        for stale in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm"), *work.glob(f"{copy.stem}.*")):
            stale.unlink(missing_ok=True)
    print()
    print(markdown_table(results))
    verdicts = [verdict(r.passed) for r in results if r.passed is not None]
    print(f"\ntargets: {', '.join(verdicts)}")


if __name__ == "__main__":
    main()
