"""Coding-workspace benchmark: the app driven headless with ``run_test()``.

``python -m benchmarks.bench_tui [--small] [--keep DIR] [--runs N]`` builds (or reuses
with ``--keep``) the large synthetic project (500 transcripts x 6,000 words, 150,000
codings; ``--small``: 10 x 1,500, 2,000) plus one 50,000-word transcript with 2,000
codings, then, in a fresh process so peak RSS is the workspace's own, opens that long
transcript in the real app and reports:

- launch: from the app's Mount event until every visible transcript row has been
  painted once (target <= 300 ms), from creating the app to then, and until the screen
  settled (the transcript list, filled after the first paint, repaints the screen);
- apply: pressing a code's shortcut on a selection until the coded rows are painted
  (median of N, target <= 50 ms);
- scroll: pagedown until the new page is painted (median of N, target <= 30 ms);
- rows painted at launch against the transcript's rows (only visible rows are drawn);
- peak RSS of the measuring process (target <= 300 MB).

Painted means the last ``TranscriptRows.render_line`` call that follows the key press
(the benchmark wraps the method to time-stamp calls).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench_refi import _peak_rss_kb
from benchmarks.make_project import LARGE, SMALL, ProjectSize, build_project, reuse_or_generate

LONG_NAME = "long-interview-50k"
LONG_SIZE = ProjectSize(transcripts=1, words=50_000, codings=2000)
CODER = "bench"


def prepare(root: Path, size: ProjectSize) -> Path:
    """The project file with the synthetic project plus the long transcript."""
    location = root / f"tui-{size.transcripts}x{size.words}.qualcode"
    if location.exists():
        return location
    files, _ = reuse_or_generate(root / f"data-{size.transcripts}x{size.words}", size)
    long_files, _ = reuse_or_generate(root / "data-long", LONG_SIZE)
    project = build_project(files, location)
    from qualcode.services.coding import import_codings
    from qualcode.services.transcripts import import_transcripts

    long_text = long_files.transcript_paths[0]
    renamed = root / f"{LONG_NAME}.txt"
    renamed.write_bytes(long_text.read_bytes())
    import_transcripts(project, [renamed])
    codings = root / "long-codings.csv"
    with (
        long_files.codings_path.open(encoding="utf-8", newline="") as source,
        codings.open("w", encoding="utf-8", newline="") as target,
    ):
        reader, writer = csv.reader(source), csv.writer(target, lineterminator="\n")
        writer.writerow(next(reader))
        for row in reader:
            writer.writerow([LONG_NAME, *row[1:]])
    import_codings(project, codings)
    project.close()
    return location


async def measure(location: str, runs: int) -> dict[str, Any]:
    from textual import events
    from textual.strip import Strip

    from qualcode.services.project import open_project
    from qualcode.tui.app import create_app
    from qualcode.tui.screens.coding import CodingScreen
    from qualcode.tui.widgets.transcript_rows import TranscriptRows

    painted: list[float] = []
    original = TranscriptRows.render_line

    def timed(self: TranscriptRows, y: int) -> Strip:
        strip = original(self, y)
        painted.append(time.perf_counter())
        return strip

    TranscriptRows.render_line = timed  # type: ignore[method-assign]
    mounted: list[float] = []

    def hook(message: object) -> None:
        if isinstance(message, events.Mount) and not mounted:
            mounted.append(time.perf_counter())

    project = open_project(location)
    config = Path(tempfile.mkdtemp()) / "config.json"
    created = time.perf_counter()
    app = create_app(project, CODER, config_file=config, transcript=LONG_NAME)
    result: dict[str, Any] = {}
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.view
        # the transcript is painted when each visible row was drawn once
        rows = view.scrollable_content_region.height
        first_paint = painted[rows - 1]
        result["launch_from_mount_ms"] = (first_paint - mounted[0]) * 1000
        result["launch_from_create_ms"] = (first_paint - created) * 1000
        result["launch_settled_ms"] = (painted[-1] - mounted[0]) * 1000
        result["rows_painted_at_launch"] = len(painted)
        result["rows_in_transcript"] = len(view._lines)
        result["codings_in_transcript"] = len(view.codings)
        result["characters"] = len(view.text)
        shortcut = next(e.spec.shortcut for e in screen.entries if e.spec.shortcut)

        apply_ms: list[float] = []
        for _ in range(runs):
            await pilot.press("pagedown", "ctrl+right", "ctrl+shift+right", "ctrl+shift+right")
            await pilot.pause()
            painted.clear()
            start = time.perf_counter()
            await pilot.press(shortcut or "enter")
            await pilot.pause()
            apply_ms.append((painted[-1] - start) * 1000)
        result["apply_ms"] = apply_ms

        scroll_ms: list[float] = []
        for _ in range(runs):
            await pilot.pause()
            painted.clear()
            start = time.perf_counter()
            await pilot.press("pagedown")
            await pilot.pause()
            scroll_ms.append((painted[-1] - start) * 1000)
        result["scroll_ms"] = scroll_ms
        await pilot.press("ctrl+q")
    project.close()
    # VmHWM, not ru_maxrss: the latter counts the parent's peak (it just built the project)
    # that a child started by fork and exec inherits
    result["peak_rss_mb"] = _peak_rss_kb() / 1024
    return result


def report(size: ProjectSize, result: dict[str, Any]) -> str:
    apply_median = statistics.median(result["apply_ms"])
    scroll_median = statistics.median(result["scroll_ms"])

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "**FAIL**"

    rows = [
        ("launch: Mount -> transcript painted", f"{result['launch_from_mount_ms']:.0f} ms",
         "<= 300 ms", verdict(result["launch_from_mount_ms"] <= 300)),
        ("launch: app created -> transcript painted", f"{result['launch_from_create_ms']:.0f} ms",
         "-", "-"),
        ("launch: Mount -> screen settled (transcript list filled)",
         f"{result['launch_settled_ms']:.0f} ms", "-", "-"),
        ("apply a code, coded rows painted (median)", f"{apply_median:.1f} ms "
         f"(max {max(result['apply_ms']):.1f})", "<= 50 ms", verdict(apply_median <= 50)),
        ("scroll a page, painted (median)", f"{scroll_median:.1f} ms "
         f"(max {max(result['scroll_ms']):.1f})", "<= 30 ms", verdict(scroll_median <= 30)),
        ("render_line calls at launch / rows in transcript",
         f"{result['rows_painted_at_launch']} / {result['rows_in_transcript']:,}", "visible only",
         verdict(result["rows_painted_at_launch"] < result["rows_in_transcript"] / 10)),
        ("peak RSS", f"{result['peak_rss_mb']:.0f} MB", "<= 300 MB",
         verdict(result["peak_rss_mb"] <= 300)),
    ]  # fmt: skip
    lines = [
        f"project: {size.transcripts} transcripts x {size.words:,} words, {size.codings:,} "
        f"codings + {LONG_NAME} ({result['characters']:,} characters, "
        f"{result['codings_in_transcript']:,} codings); load 1 min {os.getloadavg()[0]:.2f}",
        "",
        "| measure | qualcode | target | result |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 x 1,500 words + the long one")
    parser.add_argument("--keep", type=Path, help="build (and reuse) data and project here")
    parser.add_argument("--runs", type=int, default=30, help="apply and scroll repetitions")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.runs))))
        return
    size = SMALL if args.small else LARGE
    root = args.keep or Path(tempfile.mkdtemp(prefix="qcbench-tui-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    location = prepare(root, size)
    print(f"project ready in {time.perf_counter() - started:.1f} s: {location}", file=sys.stderr)
    # measure on a copy, so repeated runs with --keep start from the same codings
    measured = root / "measured.qualcode"
    for suffix in ("-wal", "-shm"):
        Path(f"{measured}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(location, measured)
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_tui", "--measure", str(measured),
         "--runs", str(args.runs)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    print(report(size, json.loads(output.splitlines()[-1])))


if __name__ == "__main__":
    main()
