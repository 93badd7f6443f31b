"""Many coders writing to one project at once: throughput and correctness.

``python -m benchmarks.bench_stress [--processes 8] [--codings 500] [--postgres URL]``

Each of ``--processes`` worker processes is a different coder; once all have opened the
project they start together and each applies ``--codings`` codings through
``services.coding.apply_code`` (one transaction and one event per coding, exactly what
``qualcode code`` does). Reported: wall time from the common start to the last commit,
codings per second, retries taken by the write-lock backoff, and any error a coder saw.
SQLite runs on a fresh project file (WAL); PostgreSQL on a fresh database of the server
named by ``--postgres`` (or ``QUALCODE_TEST_POSTGRES_URL``).

The tests in ``tests/team`` run the same workers and check the outcome (exact counts, no
duplicate events, ``qualcode check`` clean).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path

from qualcode.domain.errors import QualcodeError
from qualcode.domain.spans import Span
from qualcode.services.codebook import import_codebook, list_codes
from qualcode.services.coding import apply_code
from qualcode.services.project import init_project, open_project
from qualcode.services.transcripts import get_transcript, import_transcripts

REPO = Path(__file__).resolve().parent.parent
STRESS_TRANSCRIPT = REPO / "transcripts" / "parent-01-en.txt"
STRESS_CODEBOOK = REPO / "codebooks" / "family-collaboration.yaml"
START_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class CoderOutcome:
    """What one worker did: codings stored, seconds from the common start to its last
    commit, write-lock retries, and the errors it met (message per failed coding)."""

    coder: str
    applied: int
    seconds: float
    retries: int
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StressResult:
    backend: str
    processes: int
    per_process: int
    seconds: float
    outcomes: tuple[CoderOutcome, ...]

    @property
    def applied(self) -> int:
        return sum(o.applied for o in self.outcomes)

    @property
    def per_second(self) -> float:
        return self.applied / self.seconds if self.seconds else 0.0

    @property
    def retries(self) -> int:
        return sum(o.retries for o in self.outcomes)

    @property
    def errors(self) -> list[str]:
        return [error for o in self.outcomes for error in o.errors]


def prepare_project(location: str) -> tuple[str, list[str], int]:
    """Create the project at ``location`` with one transcript and the sample codebook;
    returns the transcript name, the code paths and the text length."""
    project = init_project(location)
    try:
        name = import_transcripts(project, [STRESS_TRANSCRIPT])[0].name
        import_codebook(project, STRESS_CODEBOOK)
        codes = [code.path for code in list_codes(project)]
        length = len(get_transcript(project, name).text)
    finally:
        project.close()
    return name, codes, length


def planned_span(coder_index: int, number: int, length: int) -> Span:
    """The ``number``-th span coder ``coder_index`` codes: spread over the text, 8 to 47
    code points long, often overlapping other coders' spans."""
    start = (coder_index * 7919 + number * 131) % (length - 60)
    return Span(start, start + 8 + (number * 17 + coder_index) % 40)


def coder_worker(
    location: str,
    coder_index: int,
    count: int,
    transcript: str,
    codes: list[str],
    length: int,
    barrier: Barrier,
    results: multiprocessing.Queue[CoderOutcome],
) -> None:
    """Apply ``count`` codings as coder ``coder-N`` (run in its own process)."""
    coder = f"coder-{coder_index + 1}"
    errors: list[str] = []
    applied = 0
    project = open_project(location)
    try:
        barrier.wait(START_TIMEOUT_S)
        began = time.perf_counter()
        for number in range(count):
            code = codes[(coder_index + number) % len(codes)]
            try:
                apply_code(
                    project,
                    transcript,
                    code,
                    coder,
                    span=planned_span(coder_index, number, length),
                )
                applied += 1
            except QualcodeError as error:
                errors.append(str(error))
        seconds = time.perf_counter() - began
        results.put(CoderOutcome(coder, applied, seconds, project.retries, tuple(errors)))
    finally:
        project.close()


def run_stress(location: str, processes: int = 8, per_process: int = 500) -> StressResult:
    """Prepare a fresh project at ``location`` and let ``processes`` coders write to it at
    once. Workers are spawned (not forked) so each has its own connections."""
    transcript, codes, length = prepare_project(location)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results: multiprocessing.Queue[CoderOutcome] = context.Queue()
    workers = [
        context.Process(
            target=coder_worker,
            args=(location, index, per_process, transcript, codes, length, barrier, results),
        )
        for index in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes: list[CoderOutcome] = []
    try:
        barrier.wait(START_TIMEOUT_S)
        began = time.perf_counter()
        for _ in workers:
            outcomes.append(results.get(timeout=600))
        seconds = time.perf_counter() - began
    except (queue.Empty, threading.BrokenBarrierError) as error:
        raise RuntimeError(f"stress workers did not finish: {error!r}") from error
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    backend = "postgresql" if "://" in location else "sqlite"
    return StressResult(backend, processes, per_process, seconds, tuple(outcomes))


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server (dropped afterwards); yields its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"qc_stress_{uuid.uuid4().hex[:10]}"
    admin = make_url(server_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(result: StressResult) -> str:
    return (
        f"| {result.backend} | {result.processes} × {result.per_process} | {result.applied:,} "
        f"| {result.seconds:.2f} | {result.per_second:,.0f} | {result.retries} "
        f"| {len(result.errors)} | {os.getloadavg()[0]:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--codings", type=int, default=500, help="codings per process")
    parser.add_argument("--postgres", default=os.environ.get("QUALCODE_TEST_POSTGRES_URL"))
    arguments = parser.parse_args(argv)
    print("| backend | coders × codings | stored | seconds | codings/s | retries | errors | load |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "stress.qualcode")
        print(_report(run_stress(location, arguments.processes, arguments.codings)), flush=True)
    if arguments.postgres:
        with fresh_postgres_database(arguments.postgres) as url:
            print(_report(run_stress(url, arguments.processes, arguments.codings)), flush=True)
    else:
        print("(PostgreSQL skipped: give --postgres URL or set QUALCODE_TEST_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
