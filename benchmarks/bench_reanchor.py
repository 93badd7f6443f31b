"""How long `transcript replace` of a long transcript holds the project's write lock.

``python -m benchmarks.bench_reanchor [--characters 300000] [--codings 2000]``

Builds a project with one transcript of ``--characters`` characters coded ``--codings``
times, writes an edited copy (a line inserted near the start, a word changed throughout,
a paragraph dropped), and runs ``qualcode transcript replace`` in a subprocess while a
probe process tries to take the write lock (``BEGIN IMMEDIATE`` with no busy wait) every
5 ms. Reported: the replace's wall time and the longest stretch the probe found the lock
taken — what another coder would wait (or see "project is busy" after the busy timeout).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.make_project import DANISH_WORDS as _WORDS
from qualcode.services.project import init_project

_PROBE = """
import json, sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
stop, longest, since = sys.argv[2], 0.0, None
while True:
    now = time.perf_counter()
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        if since is not None:
            longest, since = max(longest, now - since), None
    except sqlite3.OperationalError:
        since = now if since is None else since
    try:
        open(stop).close()
        break
    except FileNotFoundError:
        time.sleep(0.005)
print(json.dumps({"longest_lock_s": longest}))
"""


def _text(characters: int) -> str:
    chosen = random.Random(5)
    lines = []
    size = 0
    while size < characters:
        line = f"{chosen.choice(['I', 'Mette'])}: " + " ".join(chosen.choices(_WORDS, k=14))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def run(characters: int, codings: int, folder: Path) -> dict[str, float]:
    text = _text(characters)
    source = folder / "long.txt"
    source.write_text(text, encoding="utf-8")
    project = folder / "bench.qualcode"
    init_project(project).close()
    qualcode = [sys.executable, "-m", "qualcode"]
    subprocess.run([*qualcode, "import", str(project), str(source)], check=True, stdout=-3)
    subprocess.run([*qualcode, "codebook", str(project), "import", _codebook(folder)], check=True)
    rows = folder / "codings.csv"
    chosen = random.Random(9)
    with rows.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["transcript", "code", "coder", "start", "end"])
        for _ in range(codings):
            start = chosen.randrange(0, len(text) - 400)
            writer.writerow(["long", "theme", "anna", start, start + chosen.randrange(20, 400)])
    subprocess.run([*qualcode, "codings", str(project), "import", str(rows)], check=True, stdout=-3)
    middle = len(text) // 2
    edited = "I: (recording starts)\n" + text[:middle] + text[middle + 500 :]
    edited = edited.replace(" barn ", " barnet ")
    new = folder / "long-v2.txt"
    new.write_text(edited, encoding="utf-8")

    stop = folder / "stop"
    probe = subprocess.Popen(
        [sys.executable, "-c", _PROBE, str(project), str(stop)], stdout=subprocess.PIPE
    )
    time.sleep(0.3)
    started = time.perf_counter()
    subprocess.run(
        [*qualcode, "transcript", "replace", str(project), "long", str(new)],
        check=True,
        stdout=-3,
    )
    elapsed = time.perf_counter() - started
    time.sleep(0.3)
    stop.touch()
    report, _ = probe.communicate(timeout=30)
    return {"replace_s": elapsed, **json.loads(report)}


def _codebook(folder: Path) -> str:
    path = folder / "codebook.yaml"
    path.write_text("codes:\n  - name: theme\n", encoding="utf-8")
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--characters", type=int, default=300_000)
    parser.add_argument("--codings", type=int, default=2000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = run(arguments.characters, arguments.codings, Path(folder))
    print(
        f"{arguments.characters:,} characters, {arguments.codings:,} codings: replace took "
        f"{figures['replace_s']:.1f} s; the write lock was held at most "
        f"{figures['longest_lock_s']:.2f} s at a time"
    )


if __name__ == "__main__":
    main()
