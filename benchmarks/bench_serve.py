"""The workspace in a browser: ``qualcode serve`` driven by headless Chromium.

``python -m benchmarks.bench_serve [--opens 3] [--codings 10] [--commits 20]`` serves a
project with one sample transcript (parent-01-en, 40 turns) and one code, opens the
printed address in the system's Chromium (over the DevTools protocol, as the browser test
does: ``tests/browser/chromium.py``) and reports, in seconds or milliseconds:

- server start: from starting ``qualcode serve`` to the address printed;
- first paint: from navigating to the address until the page's terminal shows the coder
  question (the page, its script, the websocket and a new workspace process started
  and drawn), and from there until the workspace shows the transcript after the name
  and enter (median of ``--opens`` tabs, each a new session);
- code key: from the shortcut key on a selected turn until the code's count changed in
  the page's terminal (median of ``--codings``);
- another coder's commit: from ``apply_code`` returning in this process until the count
  changed in the page (median and 95th percentile of ``--commits``, one every 0.2 s);
- stop: Ctrl-C with the tab open until the server exited.

"Shows" is read from xterm.js's buffer, polled every 10 ms, so each figure is within
about 10 ms plus one DevTools round trip of the paint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.spans import Span
from qualcode.services.codebook_edit import add_code
from qualcode.services.coding import apply_code
from qualcode.services.project import init_project, open_project
from qualcode.services.transcripts import get_transcript, import_transcripts
from tests.browser.chromium import CHROMIUM, Page, headless_chromium

REPO = Path(__file__).resolve().parent.parent
TRANSCRIPT = REPO / "transcripts" / "parent-01-en.txt"
CODE, SHORTCUT = "support", "s"
WAIT_S = 30.0
POLL_S = 0.01


def build(location: Path) -> None:
    project = init_project(location)
    import_transcripts(project, [TRANSCRIPT])
    add_code(project, CodeSpec(CODE, shortcut=SHORTCUT), None, "bench")
    project.close()


async def shown(page: Page, text: str) -> float:
    """Wait until the page's terminal shows ``text``; the moment it was seen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while text not in await page.screen():
        if loop.time() > deadline:
            raise TimeoutError(f"{text!r} not shown within {WAIT_S} s")
        await asyncio.sleep(POLL_S)
    return time.monotonic()


def count(n: int) -> str:
    return f"{n}/{n} {CODE}"  # the codebook's count: this transcript / the project


async def measure(location: Path, profile: Path, opens: int, codings: int, commits: int) -> None:
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "qualcode", "serve", str(location), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    found = re.search(r"http://\S+", server.stdout.readline())
    assert found, "the server printed no address"
    url = found.group(0)
    print(f"server start           {time.monotonic() - started:6.2f} s")
    turns = get_transcript(project := open_project(location), TRANSCRIPT.stem).turns
    try:
        async with headless_chromium(profile) as page:
            firsts, workspaces = [], []
            for number in range(opens):
                navigated = time.monotonic()
                await page.send("Page.navigate", url=url)
                firsts.append(await shown(page, "Your coder name") - navigated)
                asked = time.monotonic()
                await page.evaluate("window.__terminal.focus()")
                await page.press(*f"coder{number}", "Enter")
                await shown(page, "coder coder")
                workspaces.append(await shown(page, "Interviewer: Thank you") - asked)
            print(f"first paint (question) {_seconds(firsts)}")
            print(f"name to workspace      {_seconds(workspaces)}")
            keys = []
            for n in range(1, codings + 1):
                await page.press("]", "T")
                await shown(page, "│ selection")
                pressed = time.monotonic()
                await page.press(SHORTCUT)
                keys.append(await shown(page, count(n)) - pressed)
            print(f"code key to painted    {_ms(keys)}")
            lags = []
            for n, turn in enumerate(turns[codings + 1 : codings + 1 + commits], codings + 1):
                apply_code(project, TRANSCRIPT.stem, CODE, "anna", span=Span(turn.start, turn.end))
                committed = time.monotonic()
                lags.append(await shown(page, count(n)) - committed)
                await asyncio.sleep(0.2)
            print(f"commit to painted      {_ms(lags)}")
            stopping = time.monotonic()
            server.send_signal(signal.SIGINT)
            server.wait(WAIT_S)
            print(f"stop with a tab open   {time.monotonic() - stopping:6.2f} s")
    finally:
        project.close()
        if server.poll() is None:
            server.kill()
            server.wait()


def _seconds(values: list[float]) -> str:
    each = ", ".join(f"{v:.2f}" for v in values)
    return f"{statistics.median(values):6.2f} s  ({each})"


def _ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return f"median {statistics.median(ms):4.0f} ms, p95 {p95:4.0f} ms, max {max(ms):4.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opens", type=int, default=3)
    parser.add_argument("--codings", type=int, default=10)
    parser.add_argument("--commits", type=int, default=20)
    options = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("no chromium on PATH (Debian: apt-get install chromium)")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        location = Path(folder) / "serve.qualcode"
        build(location)
        asyncio.run(
            measure(
                location, Path(folder) / "profile", options.opens, options.codings, options.commits
            )
        )


if __name__ == "__main__":
    main()
