"""Pilot's "wait until the app is idle", made to hold on a busy machine.

Textual's Pilot takes the app to be idle when, during a 20 ms sleep, the process used
almost no CPU. On a loaded machine (the suite runs in parallel, and some tests start eight
processes at once) the process may simply not have been given a CPU: the app looks idle
while its work is still queued, and the test then asserts on a screen that is not done.
Here a sleep counts as idle only if the event loop's thread also spent (almost) no time
waiting for a CPU in that sleep (Linux: /proc/thread-self/schedstat); where that file is
missing, Textual's rule applies unchanged."""

from __future__ import annotations

from asyncio import sleep
from pathlib import Path
from time import monotonic, process_time
from typing import Any

from textual._wait import SLEEP_GRANULARITY, SLEEP_IDLE

SCHEDSTAT = Path("/proc/thread-self/schedstat")
# An idle app sleeps through the window and then waits only to be woken (a few ms at
# most); an app with work pending but no CPU waits for most of the window.
QUEUED_AT_MOST_S = SLEEP_GRANULARITY / 2


def queued_seconds() -> float:
    """Time this thread has spent runnable but waiting for a CPU (0 where unknown)."""
    try:
        return int(SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


async def wait_for_idle(min_sleep: float = SLEEP_GRANULARITY, max_sleep: float = 1) -> None:
    """Textual's ``wait_for_idle`` (same arguments, seconds), except that a sleep in which
    the thread waited for a CPU proves nothing and is not taken as idle."""
    start = monotonic()
    while True:
        cpu, queued = process_time(), queued_seconds()
        await sleep(SLEEP_GRANULARITY)
        cpu_elapsed = process_time() - cpu
        queued_elapsed = queued_seconds() - queued
        elapsed = monotonic() - start
        if elapsed >= max_sleep:
            break
        if elapsed > min_sleep and cpu_elapsed < SLEEP_IDLE and queued_elapsed < QUEUED_AT_MOST_S:
            break


async def footer_composed(pilot: Any, attempts: int = 100) -> None:
    """Wait until the active screen's footer shows its keys. Textual's footer composes
    them after a refresh once the screen's bindings are known; a test that opens another
    screen (a dialog) before that, on a busy machine, leaves the screen underneath without
    a footer for good (a screen in the background is not recomposed)."""
    from textual.widgets import Footer

    for _ in range(attempts):
        footers = list(pilot.app.screen.query(Footer))
        if all(footer.children for footer in footers):
            return
        await pilot.pause()
