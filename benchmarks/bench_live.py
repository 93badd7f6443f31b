"""Live updates: how soon a workspace shows another coder's commit, and what waiting costs.

``python -m benchmarks.bench_live [--writers 4] [--codings 30] [--every 0.2] [--idle 10]
[--postgres URL]``

A real workspace (the Textual app, headless under ``run_test``) is open on a project
holding one sample transcript and the sample codebook. ``--writers`` worker processes,
each a different coder, apply ``--codings`` codings each through
``services.coding.apply_code``, one every ``--every`` seconds, and note the wall-clock
time when each commit returned. The workspace notes when it applied each of those codings
to its state (the transcript's stripes and the codebook's counts; Textual paints that
state on its next refresh, within a frame). Reported: latency from commit to applied,
median and 95th percentile, and how many arrived.

Idle cost: the process's CPU time over ``--idle`` seconds with nothing happening, once with
live updates following the project and once with them stopped (the difference is the
polling). SQLite on a fresh project file; PostgreSQL on a fresh database of the server
named by ``--postgres`` (or ``QUALCODE_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from benchmarks.bench_stress import STRESS_CODEBOOK, STRESS_TRANSCRIPT, fresh_postgres_database
from qualcode.domain.spans import Span
from qualcode.services.codebook import import_codebook, list_codes
from qualcode.services.coding import apply_code
from qualcode.services.live import LiveEvent, coding_of
from qualcode.services.project import init_project, open_project
from qualcode.services.transcripts import get_transcript, import_transcripts
from qualcode.tui import live as tui_live
from qualcode.tui.app import create_app
from qualcode.tui.screens.coding import CodingScreen

TRANSCRIPT = STRESS_TRANSCRIPT.stem


@dataclass(frozen=True, slots=True)
class LiveResult:
    backend: str
    writers: int
    sent: int
    arrived: int
    latencies_ms: tuple[float, ...]
    idle_cpu_live: float  # share of one core, live updates on
    idle_cpu_off: float  # the same, live updates stopped

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95_ms(self) -> float:
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=20, method="inclusive")[-1]


def build(location: str) -> None:
    project = init_project(location)
    import_transcripts(project, [STRESS_TRANSCRIPT])
    import_codebook(project, STRESS_CODEBOOK)
    project.close()


def _writer(location: str, coder: str, count: int, every: float, start: Barrier, sent: Any) -> None:
    """One coder: ``count`` codings, one every ``every`` seconds; (id, commit time) each."""
    project = open_project(location)
    codes = [c.path for c in list_codes(project)]
    length = len(get_transcript(project, TRANSCRIPT).text)
    seed = sum(map(ord, coder))
    start.wait()
    for number in range(count):
        begin = (seed * 7919 + number * 104729) % (length - 200)
        coding = apply_code(
            project, TRANSCRIPT, codes[number % len(codes)], coder, span=Span(begin, begin + 80)
        )[0]
        sent.put((coding.id, time.time()))
        time.sleep(every)
    project.close()


async def _watch(location: str, arguments: argparse.Namespace) -> LiveResult:
    applied: dict[int, float] = {}
    original = tui_live.apply_events

    def noting(screen: CodingScreen, events: Iterable[LiveEvent]) -> tui_live.Changes:
        events = list(events)
        changes = original(screen, events)
        now = time.time()
        for event in events:
            for key in ("coding", "after"):
                coding = coding_of(event.payload.get(key))
                if coding is not None:
                    applied.setdefault(coding.id, now)
        return changes

    tui_live.apply_events = noting  # the one place LiveUpdates.tick applies events
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(arguments.writers + 1)
    sent = context.Queue()
    app = create_app(open_project(location), "watcher", blind=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            await pilot.pause()
            idle_live = await _idle_cpu(arguments.idle)
            screen.live.stop()
            idle_off = await _idle_cpu(arguments.idle)
            screen.live = tui_live.LiveUpdates(screen)
            screen.live.start()
            workers = [
                context.Process(
                    target=_writer,
                    args=(location, f"w{n}", arguments.codings, arguments.every, start, sent),
                )
                for n in range(arguments.writers)
            ]
            for worker in workers:
                worker.start()
            await asyncio.to_thread(start.wait)
            commits: dict[int, float] = {}
            total = arguments.writers * arguments.codings
            deadline = time.monotonic() + total * arguments.every + 60
            while len(commits) < total and time.monotonic() < deadline:
                while not sent.empty():
                    coding_id, at = sent.get()
                    commits[coding_id] = at
                await asyncio.sleep(0.05)
            for worker in workers:
                await asyncio.to_thread(worker.join, 30)
            settle = time.monotonic() + 3
            while set(commits) - set(applied) and time.monotonic() < settle:
                await asyncio.sleep(0.05)
    finally:
        tui_live.apply_events = original
        app.workspace.project.close()
    latencies = tuple(1000 * max(0.0, applied[i] - at) for i, at in commits.items() if i in applied)
    backend = "postgresql" if "://" in location else "sqlite"
    return LiveResult(
        backend, arguments.writers, len(commits), len(latencies), latencies, idle_live, idle_off
    )


async def _idle_cpu(seconds: float) -> float:
    """CPU time of this process while the app waits ``seconds``, as a share of a core."""
    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu) / (time.monotonic() - wall)


def _report(result: LiveResult) -> str:
    return (
        f"| {result.backend} | {result.writers} | {result.arrived:,} of {result.sent:,} "
        f"| {result.median_ms:.0f} | {result.p95_ms:.0f} | {max(result.latencies_ms):.0f} "
        f"| {100 * result.idle_cpu_live:.2f} % | {100 * result.idle_cpu_off:.2f} % "
        f"| {os.getloadavg()[0]:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--codings", type=int, default=30, help="codings per writer")
    parser.add_argument("--every", type=float, default=0.2, help="seconds between codings")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measured")
    parser.add_argument("--postgres", default=os.environ.get("QUALCODE_TEST_POSTGRES_URL"))
    arguments = parser.parse_args(argv)
    print(
        "| backend | writers | arrived | median ms | p95 ms | max ms "
        "| idle CPU, live | idle CPU, off | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        location = str(Path(folder) / "live.qualcode")
        build(location)
        print(_report(asyncio.run(_watch(location, arguments))), flush=True)
    if arguments.postgres:
        with fresh_postgres_database(arguments.postgres) as url:
            build(url)
            print(_report(asyncio.run(_watch(url, arguments))), flush=True)
    else:
        print("(PostgreSQL skipped: give --postgres URL or set QUALCODE_TEST_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
