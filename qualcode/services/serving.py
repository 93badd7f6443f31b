"""The workspace in a browser (``qualcode serve``): an HTTP server from ``textual-serve``
that starts one workspace process per browser tab and relays its screen and keys over a
websocket.

Access: every request must carry the server's token, a random ``secrets.token_urlsafe``
string printed in the one URL the command shows (``?token=…``); the page that URL opens
gets it as an HttpOnly, SameSite=Strict cookie, which its stylesheets, script and
websocket then carry. Anything else is ``403 Forbidden`` with a body that says nothing
about the project, and a websocket opened from a page of another origin is refused too.
The token keeps out whoever can reach the port but was not given the URL; it is no
encryption (plain HTTP: whoever can read the traffic reads the token and the
transcripts) and no identity (whoever has the URL is in).

Each browser session is its own workspace process (``qualcode serve --session``) and so
its own coder: the one named by ``--coder``, else the name the workspace asks for when
it opens. The project location and coder reach that process through its environment,
never its command line (a PostgreSQL URL may hold a password that ``ps`` would show).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.domain.errors import FieldError, QualcodeError
from qualcode.services.error_lines import error_line, one_line

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.app_service import AppService

SESSION_PROJECT = "QUALCODE_SERVE_PROJECT"  # environment of a session: the project location
SESSION_CODER = "QUALCODE_SERVE_CODER"  # ...and the coder, when --coder fixed it
TOKEN_PARAMETER = "token"
STOP_SECONDS = 5.0  # how long stopping waits for open sessions to close their workspaces
INSTALL_HINT = "qualcode serve needs textual-serve: pip install 'textual-serve>=1.1.3,<1.2'"
FORBIDDEN = "403: Forbidden. Open the address `qualcode serve` printed, token included.\n"


@dataclass(frozen=True, slots=True)
class Serving:
    """Where the server listens: ``url`` is the address to open, token included."""

    host: str
    port: int
    token: str

    @property
    def url(self) -> str:
        shown = socket.gethostname() if is_any_interface(self.host) else self.host
        if ":" in shown:  # an IPv6 address in a URL is bracketed
            shown = f"[{shown}]"
        return f"http://{shown}:{self.port}/?{TOKEN_PARAMETER}={self.token}"


def is_local(host: str) -> bool:
    """Whether ``host`` names only this machine (a loopback address or ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def check_host(host: str) -> str:
    """``host`` if it names an interface; an empty or blank one is a :class:`FieldError`
    (``host``): the server would take it as every interface, which nobody means by
    leaving it empty. Whether it can be bound is found out by binding it."""
    if not host.strip():
        raise FieldError(
            "host",
            "name an interface to listen on (127.0.0.1: this computer only; 0.0.0.0: "
            "every interface); an empty one would mean every interface",
        )
    return host


def is_any_interface(host: str) -> bool:
    """Whether ``host`` is the wildcard address (every interface: ``0.0.0.0``, ``::``)."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host == ""


def serve_workspace(
    location: str,
    *,
    host: str,
    port: int,
    coder: str | None,
    on_ready: Callable[[Serving], None],
    on_problem: Callable[[str], None],
) -> None:
    """Serve the workspace of the project at ``location`` (already opened once by the
    caller, so it is known to open) on ``host``:``port`` (0: any free port) until SIGINT
    or SIGTERM, then close every browser session's workspace and return. ``on_ready`` is
    called once the port is bound; ``on_problem`` with one line for each problem the
    server meets while running (a session that failed to start, a broken connection; an
    unexpected one's traceback goes to the error log). A port in use or a host that
    cannot be bound, or an empty one (:func:`check_host`), is a :class:`FieldError`
    (``port`` / ``host``)."""
    check_host(host)
    # exec (POSIX shells): the shell textual-serve starts it with gives way to the session
    try:  # a dependency of qualcode; missing only from an environment installed by hand
        import aiohttp_jinja2  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError as error:
        raise QualcodeError(INSTALL_HINT) from error
    command = f"{shlex.quote(sys.executable)} -m qualcode serve --session"
    if os.name == "posix":
        command = f"exec {command}"
    server = _TokenServer(command, secrets.token_urlsafe(32), title=_title(location))
    session = {SESSION_PROJECT: location, SESSION_CODER: coder}
    with _problems_as_lines(on_problem):
        asyncio.run(server.run(host, port, on_ready, session))


class _OneLine(logging.Handler):
    """What textual-serve and aiohttp log, as the one line of services/error_lines."""

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.tell = tell

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            self.tell(error_line(error, where="qualcode serve").text)
        else:
            self.tell(one_line(record.getMessage()))


@contextmanager
def _problems_as_lines(tell: Callable[[str], None]) -> Iterator[None]:
    handler = _OneLine(tell)
    loggers = [logging.getLogger(name) for name in ("textual-serve", "aiohttp")]
    kept = [(log.propagate, log.level) for log in loggers]
    for log in loggers:
        log.addHandler(handler)
        log.propagate = False  # never the root logger's traceback on the terminal
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for log, (propagate, level) in zip(loggers, kept, strict=True):
            log.removeHandler(handler)
            log.propagate, log.level = propagate, level


@contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """``values`` in this process's environment (None: unset), which textual-serve copies
    into every session it starts; as they were afterwards."""
    before = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _set(name, value)
        yield
    finally:
        for name, value in before.items():
            _set(name, value)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _cells(request: web.Request, name: str, default: int) -> int:
    """The terminal's width or height the page asked for (a sane number of cells)."""
    given = request.query.get(name, "")
    return int(given) if given.isdigit() and 0 < int(given) <= 2000 else default


def _session_class() -> type[AppService]:
    """textual-serve's session (one workspace process) that closes its tab when the
    process ends, not only when it says it is quitting."""
    from textual_serve.app_service import AppService

    class Session(AppService):
        async def run(self) -> None:
            await super().run()
            await self.remote_close()

    return Session


def _title(location: str) -> str:
    name = Path(location).stem if "://" not in location else location.rsplit("/", 1)[-1]
    return f"qualcode — {name}"


def _bind_error(error: OSError, host: str, port: int) -> FieldError:
    if isinstance(error, socket.gaierror):
        return FieldError("host", f"{host!r} is not an address or name of this machine")
    if error.errno == errno.EADDRINUSE:
        return FieldError("port", f"port {port} is in use on {host}; choose another (0: any)")
    reason = error.strerror or type(error).__name__
    return FieldError("host", f"cannot listen on {host} port {port}: {reason}")


class _TokenServer:
    """textual-serve's server with a token on every request (see the module)."""

    def __init__(self, command: str, token: str, *, title: str) -> None:
        from textual_serve.server import Server

        self.inner = Server(command, title=title)
        self.token = token
        self.port = 0
        self.sockets: set[web.WebSocketResponse] = set()  # of the open tabs

    def cookie(self) -> str:
        return f"qualcode-{self.port}"  # cookies ignore ports: one name per server

    def _has_token(self, given: str | None) -> bool:
        if given is None:
            return False
        return secrets.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    def application(self) -> web.Application:
        import aiohttp_jinja2
        import jinja2
        from aiohttp import web

        @web.middleware
        async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
            from_query = self._has_token(request.query.get(TOKEN_PARAMETER))
            if not (from_query or self._has_token(request.cookies.get(self.cookie()))):
                return web.Response(status=403, text=FORBIDDEN)
            origin = request.headers.get("Origin")
            if origin is not None and origin != f"{request.scheme}://{request.host}":
                return web.Response(status=403, text=FORBIDDEN)  # another site's page
            response: web.StreamResponse = await handler(request)
            if from_query and not response.prepared:
                response.set_cookie(
                    self.cookie(), self.token, httponly=True, samesite="Strict", path="/"
                )
            return response

        app = web.Application(middlewares=[guard])
        inner = self.inner
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(inner.templates_path))
        app.add_routes(
            [
                web.get("/", self.index, name="index"),
                web.get("/ws", self.tab, name="websocket"),
                web.get("/download/{key}", inner.handle_download, name="download"),
                web.static("/static", inner.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self._close_sessions)
        return app

    async def index(self, request: web.Request) -> web.StreamResponse:
        """The page: textual-serve's template, its addresses taken from the request (a
        browser on another machine reaches the server by the name it used)."""
        import aiohttp_jinja2

        origin = f"{request.scheme}://{request.host}"
        font_size = request.query.get("fontsize", "16")
        context = {
            "font_size": int(font_size) if font_size.isdigit() and len(font_size) < 3 else 16,
            "app_websocket_url": "ws" + origin.removeprefix("http") + "/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.inner.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
        # Nothing but this server: the template would fetch a web font from a third party
        # (the browser falls back to a local monospace font).
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            f"style-src 'self' 'unsafe-inline'; connect-src 'self' ws://{request.host}; "
            "frame-ancestors 'none'"
        )
        return response

    async def tab(self, request: web.Request) -> web.StreamResponse:
        """One browser tab: its own workspace process, for as long as both live. The
        tab is told when the workspace ends for any reason (quit, failed to start,
        crashed), so the page says "Session ended" instead of staying blank."""
        from aiohttp import web

        websocket = web.WebSocketResponse(heartbeat=15)

        async def close() -> None:
            await websocket.close()

        await websocket.prepare(request)
        self.sockets.add(websocket)
        session = _session_class()(
            self.inner.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.inner.download_manager,
        )
        try:
            await session.start(_cells(request, "width", 80), _cells(request, "height", 24))
            await self.inner._process_messages(websocket, session)  # textual.js's protocol
        finally:
            self.sockets.discard(websocket)
            await session.stop()  # the workspace quits as it would on ctrl+q
            await websocket.close()
        return websocket

    async def _close_sessions(self, _app: web.Application) -> None:
        """Stopping: every tab's websocket is closed while its handler still reads it
        (the browser's answer ends the handler's loop at once), and each handler then
        tells its workspace to quit; the server waits for them up to STOP_SECONDS."""
        from aiohttp import WSCloseCode

        await asyncio.gather(
            *(socket.close(code=WSCloseCode.GOING_AWAY) for socket in list(self.sockets))
        )

    async def run(
        self,
        host: str,
        port: int,
        on_ready: Callable[[Serving], None],
        session: dict[str, str | None],
    ) -> None:
        """Listen until SIGINT or SIGTERM; sessions get ``session`` in their environment."""
        from aiohttp import web

        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=STOP_SECONDS)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            try:
                await site.start()
            except OSError as error:
                raise _bind_error(error, host, port) from error
            self.port = runner.addresses[0][1]
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with suppress(NotImplementedError):  # Windows: Ctrl-C interrupts instead
                    loop.add_signal_handler(signum, stop.set)
            with _environment(session):
                on_ready(Serving(host, self.port, self.token))
                await stop.wait()
        finally:
            await runner.cleanup()
