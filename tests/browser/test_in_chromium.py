"""The workspace in a real browser: headless Chromium opens the address `qualcode serve`
printed, answers the coder question, codes a passage from the keyboard, and the coding is
in the project; the browser's coder is present for others, and another coder's coding
appears in the browser as it is committed. Skipped where Chromium is not installed,
except on CI (CI set), where that is a failure: `.ci/run` installs it."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from qualcode.domain.spans import Span
from qualcode.services import live
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.live import Presence
from qualcode.services.project import open_project
from qualcode.services.transcripts import get_transcript
from tests.browser.chromium import CHROMIUM, Page, headless_chromium
from tests.browser.conftest import CODE, NAME, SHORTCUT, serving

pytestmark = pytest.mark.browser

SHOW_S = 15.0  # longest wait for the page to show something (a busy machine)


@pytest.fixture(autouse=True)
def chromium_installed() -> None:
    if CHROMIUM is not None:
        return
    reason = "no chromium on PATH (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"the browser test cannot run on CI: {reason}")
    pytest.skip(reason)


def test_a_coder_in_a_browser_codes_a_passage(tiny: Path, tmp_path: Path) -> None:
    times = asyncio.run(_code_in_browser(tiny, tmp_path / "profile"))
    project = open_project(tiny)
    try:
        (coding,) = list_codings(project, coders=["bo"])  # the one coded in the browser
        first = get_transcript(project, NAME).turns[0]
    finally:
        project.close()
    assert (coding.transcript, coding.code_path) == (NAME, CODE)
    assert (coding.start, coding.end) == (first.start, first.end)
    print("seconds:", {k: round(v, 2) for k, v in times.items()})


async def _code_in_browser(location: Path, profile: Path) -> dict[str, float]:
    """Drive the page; returns seconds from navigation to each thing shown (and from
    another coder's commit to its showing)."""
    with serving(location) as server:
        async with headless_chromium(profile) as page:
            start = time.monotonic()
            await page.send("Page.navigate", url=server.url)
            await page.wait_for_text("Your coder name", SHOW_S)
            times = {"question": time.monotonic() - start}
            await page.evaluate("window.__terminal.focus()")
            await page.press(*"bo", "Enter")
            await page.wait_for_text("Mia: Long.", SHOW_S)  # the transcript
            await page.wait_for_text("coder bo", SHOW_S)  # the status line
            times["workspace"] = time.monotonic() - start
            # the first turn's text, select it (the status line says so before the code key)
            await page.press("]", "T")
            await page.wait_for_text("│ selection", SHOW_S)  # (not "│ no selection")
            await page.press(SHORTCUT)
            await page.wait_for_text(f"1/1 {CODE}", SHOW_S)  # the code's count moved
            times["coded"] = time.monotonic() - start
            times |= await _meet_a_terminal_coder(page, location)
            # Ctrl-C with the tab still open: its workspace is closed, not killed (a
            # closing workspace takes its presence row with it)
            stopping = time.monotonic()
            code, out, err = server.stop()
            times["stopping"] = time.monotonic() - stopping
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "stopped serving"
    project = open_project(location)
    try:
        assert live.who(project) == []
    finally:
        project.close()
    return times


async def _meet_a_terminal_coder(page: Page, location: Path) -> dict[str, float]:
    """The browser's coder is listed where terminal coders look (`qualcode who`), and a
    coding another coder commits appears in the browser without a key press."""
    project = open_project(location)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SHOW_S
        while Presence("bo", NAME) not in live.who(project):
            assert loop.time() < deadline, live.who(project)
            await asyncio.sleep(0.05)
        second = get_transcript(project, NAME).turns[1]
        committed = time.monotonic()
        apply_code(project, NAME, CODE, "anna", span=Span(second.start, second.end))
        await page.wait_for_text(f"2/2 {CODE}", SHOW_S)  # in the page's terminal
        return {"anna's coding shown after its commit": time.monotonic() - committed}
    finally:
        project.close()
