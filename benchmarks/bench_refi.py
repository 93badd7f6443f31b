"""REFI-QDA benchmark: export the large synthetic project to .qdpx and import it back.

``python -m benchmarks.bench_refi [--small] [--keep DIR]`` builds (or reuses, from
``DIR``) the synthetic project of ``benchmarks/make_project.py`` (500 transcripts of 6,000
words, 150,000 codings by 3 coders), then runs each step in its own process and reports
wall time and that process's peak RSS:

- ``export (first)``: assigns the 150,000+ GUIDs, then writes the .qdpx;
- ``export (again)``: identities already stored;
- ``import-project``: the .qdpx into a new project (zip checks, streamed XML, text
  mapping, every row stored in one transaction).

Targets (issue 6): each step ≤ 30 s, peak RSS ≤ 500 MB. The imported project is checked
to hold the same number of transcripts, codes and codings as the original.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.make_project import build_project, reuse_or_generate, size_from_arguments

TIME_LIMIT_S = 30.0
RSS_LIMIT_MB = 500.0


def _child(step: str, project: Path, qdpx: Path) -> None:
    """Run one step in this (fresh) process and print its figures as JSON."""
    from qualcode.services.project import open_project
    from qualcode.services.refi import export_qdpx, import_project

    started = time.perf_counter()
    if step == "export":
        opened = open_project(project)
        stats = export_qdpx(opened, qdpx)
        opened.close()
        detail = {"sources": stats.sources, "codings": stats.codings, "bytes": stats.bytes}
    else:
        result = import_project(str(project), qdpx)
        detail = {
            "transcripts": len(result.report.transcripts_added),
            "codings": result.report.codings_added,
        }
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "peak_rss_mb": _peak_rss_kb() / 1024, **detail}))


def _peak_rss_kb() -> int:
    """This process's peak resident set. Linux's VmHWM belongs to the current program;
    ``ru_maxrss`` would also count the parent's memory copied at fork, before exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _run_step(step: str, project: Path, qdpx: Path) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_refi",
        "--child",
        step,
        str(project),
        str(qdpx),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _counts(location: Path) -> tuple[int, int, int]:
    from qualcode.services.project import open_project

    opened = open_project(location)
    with opened.reading() as uow:
        counts = uow.settings.counts()
    opened.close()
    return counts.transcripts, counts.codes, counts.codings


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_refi")
    parser.add_argument("--small", action="store_true", help="10 x 1,500 words, 2,000 codings")
    parser.add_argument("--keep", type=Path, help="folder to keep and reuse data and projects")
    parser.add_argument(
        "--child", nargs=3, metavar=("STEP", "PROJECT", "QDPX"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        step, project, qdpx = args.child
        _child(step, Path(project), Path(qdpx))
        return
    size = size_from_arguments(args.small, None, None, None)
    root = args.keep or Path(f"/tmp/qcbench-refi-{os.getpid()}")
    data = root / f"{size.transcripts}x{size.words}x{size.codings}"
    data.mkdir(parents=True, exist_ok=True)
    files, reused = reuse_or_generate(data, size)
    source = data / "source.qualcode"
    if not source.exists():
        build_project(files, source).close()
    # Every run starts from a project without identities (as one made before migration 3).
    original = root / "original.qualcode"
    shutil.copyfile(source, original)
    for path in (root / "export.qdpx", root / "imported.qualcode"):
        path.unlink(missing_ok=True)
    print(f"data: {data} ({'reused' if reused else 'generated'}), {files.characters:,} characters")
    load = os.getloadavg()[0]
    rows = []
    qdpx = root / "export.qdpx"
    for label, step, target in (
        ("export (first: assigns GUIDs)", "export", original),
        ("export (again)", "export", original),
        ("import-project", "import", root / "imported.qualcode"),
    ):
        figures = _run_step(step, target, qdpx)
        verdict = figures["seconds"] <= TIME_LIMIT_S and figures["peak_rss_mb"] <= RSS_LIMIT_MB
        rows.append((label, figures, verdict))
    print(f"load average (1 min) at start: {load:.2f}")
    print(f"{'step':32} {'seconds':>8} {'peak RSS MB':>12}  result")
    for label, figures, verdict in rows:
        print(
            f"{label:32} {figures['seconds']:8.2f} {figures['peak_rss_mb']:12.1f}  "
            f"{'PASS' if verdict else 'FAIL'} (≤ {TIME_LIMIT_S:g} s, ≤ {RSS_LIMIT_MB:g} MB)"
        )
    print(f".qdpx size: {qdpx.stat().st_size:,} bytes")
    before, after = _counts(original), _counts(root / "imported.qualcode")
    print(f"original (transcripts, codes, codings): {before}; imported: {after}")
    if before != after:
        raise SystemExit("imported project differs from the original")
    if args.keep is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
