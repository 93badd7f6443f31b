"""A headless Chromium driven over the DevTools protocol (the system's browser; nothing
downloaded), with aiohttp's websocket client: open a page, read what its terminal shows,
type keys.

What the page's terminal shows is read from xterm.js itself: textual-serve's script keeps
its ``Terminal`` in a property named ``terminal`` of an object of its own, so a setter on
``Object.prototype``, installed before the page's scripts run, hands the instance to the
test as it is stored (and then stores it unchanged). Its buffer is what is painted: a
canvas or WebGL renderer leaves no text in the DOM to read.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
START_SECONDS = 20.0  # the browser's start on a busy machine

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && value.buffer.active) { window.__terminal = value; }
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""

SCREEN_TEXT = """
(() => {
  const terminal = window.__terminal;
  if (!terminal) { return ""; }
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""


class DevToolsError(RuntimeError):
    """The browser answered a command with an error."""


class Page:
    """One tab, driven through its DevTools websocket."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            reply = json.loads(message.data)
            future = self.waiting.pop(reply.get("id", -1), None)
            if future is None or future.done():
                continue
            if "error" in reply:
                future.set_exception(DevToolsError(str(reply["error"])))
            else:
                future.set_result(reply.get("result", {}))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        await self.socket.send_json({"id": number, "method": method, "params": params})
        return await asyncio.wait_for(future, START_SECONDS)

    async def evaluate(self, expression: str) -> Any:
        reply = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise DevToolsError(str(reply["exceptionDetails"]))
        return reply["result"].get("value")

    async def screen(self) -> str:
        """The text the page's terminal shows, one line per row."""
        return str(await self.evaluate(SCREEN_TEXT))

    async def wait_for_text(self, text: str, timeout: float) -> str:
        """Wait until the terminal shows ``text``; returns the screen then."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        shown = ""
        while loop.time() < deadline:
            shown = await self.screen()
            if text in shown:
                return shown
            await asyncio.sleep(0.05)
        raise AssertionError(f"{text!r} not shown within {timeout} s; the screen:\n{shown}")

    async def press(self, *keys: str) -> None:
        """Type ``keys`` as the keyboard would: each a character, or ``Enter``."""
        for key in keys:
            down: dict[str, Any] = {"type": "keyDown", "key": key}
            if key == "Enter":
                down |= {"code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
            else:
                down |= {"text": key, "unmodifiedText": key}
            await self.send("Input.dispatchKeyEvent", **down)
            await self.send("Input.dispatchKeyEvent", type="keyUp", key=key)


@asynccontextmanager
async def headless_chromium(profile: Path) -> AsyncIterator[Page]:
    """A fresh headless Chromium (its profile in ``profile``) with one blank tab, kept
    off every network but this machine's loopback."""
    assert CHROMIUM is not None
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",  # tests may run as root (CI), where the sandbox refuses to start
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1280,800",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        http = await _devtools_address(process, profile)
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{http}/json/list") as reply:
                targets = await reply.json()
            page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            async with client.ws_connect(page_url, max_msg_size=0) as socket:
                page = Page(socket)
                await page.send("Page.enable")
                await page.send("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                try:
                    yield page
                finally:
                    page.reader.cancel()
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _devtools_address(process: subprocess.Popen[bytes], profile: Path) -> str:
    """The browser's DevTools address: the port it chose is the first line of
    ``DevToolsActivePort`` in its profile folder, written once it listens."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_SECONDS
    marker = profile / "DevToolsActivePort"
    while loop.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited ({process.returncode}) on starting")
        lines = marker.read_text().split() if marker.exists() else []
        if len(lines) == 2:  # port and path: the file is whole
            return f"http://127.0.0.1:{lines[0]}"
        await asyncio.sleep(0.02)
    raise RuntimeError(f"chromium did not listen within {START_SECONDS} s")
