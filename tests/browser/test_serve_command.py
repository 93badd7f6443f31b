"""`qualcode serve` without a browser: the token guard, a session that cannot start, the
warning for other interfaces, errors as one line, Ctrl-C."""

from __future__ import annotations

import asyncio
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from qualcode.cli import serve_commands
from qualcode.services import serving
from tests.browser.conftest import NAME, STOP_S
from tests.browser.conftest import serving as served
from tests.cli.test_bad_input import one_line_error
from tests.conftest import Cli


def status(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The status, body and Set-Cookie header of a GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = reply.read().decode("utf-8")
            return reply.status, body, reply.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8"), ""


def csp(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return str(reply.headers.get("Content-Security-Policy", ""))


def test_only_requests_with_the_token_get_anything_and_problems_are_lines(tiny: Path) -> None:
    # one server for all of it: each start costs a second or more
    with served(tiny, "--coder", "bo") as server:
        base, token = server.base, server.token
        assert len(token) >= 43  # 32 random bytes, URL-safe base64
        cookie = f"qualcode-{base.rsplit(':', 1)[1].strip('/')}"
        refused = [
            base,  # the page without the token
            f"{base}?token={token[:-1]}",  # one character short
            f"{base}?token={token}x",  # one too many
            f"{base}?token=",  # empty
            f"{base}static/js/textual.js",  # the page's script
            f"{base}ws?width=80&height=24",  # the websocket that starts a workspace
            f"{base}download/anything",
            f"{base}{NAME}",  # a path that is no route
        ]
        for url in refused:
            code, body, set_cookie = status(url)
            assert (code, set_cookie) == (403, ""), url
            assert [said for said in (tiny.stem, NAME, token) if said in body] == [], body
        code, page, set_cookie = status(server.url)
        assert "frame-ancestors 'none'" in csp(server.url)  # no third-party fetches, no frames
        assert code == 200
        assert "textual-terminal" in page
        assert set_cookie.startswith(f"{cookie}={token};")
        assert {"HttpOnly", "SameSite=Strict"} <= {a.strip() for a in set_cookie.split(";")}
        # the page's own requests carry the cookie, not the token
        assert status(f"{base}static/js/textual.js", {"Cookie": f"{cookie}={token}"})[0] == 200
        assert status(f"{base}static/js/textual.js", {"Cookie": f"{cookie}=x{token}"})[0] == 403
        # a page of another site cannot use a visitor's cookie to open a session
        other = {"Cookie": f"{cookie}={token}", "Origin": "http://example.org"}
        assert status(f"{base}static/js/textual.js", other)[0] == 403
        # a tab whose workspace cannot start (the project went away meanwhile) is closed
        # (the page says the session ended), the problem is one line, the server goes on
        tiny.rename(tiny.with_name("moved.qualcode"))
        asyncio.run(open_tab(f"{base}ws?width=80&height=24&token={token}"))
        assert status(server.url)[0] == 200
        code, out, err = server.stop()
    assert code == 0
    assert err == "warning: Application failed to start\n"  # (no warning for localhost)
    assert out.startswith("each browser tab is a workspace of its own (as bo); Ctrl-C stops\n")
    assert f"{tiny}: no such project" in out  # the session's own line, passed on
    assert "Traceback" not in out + err
    assert out.endswith("\nstopped serving\n")


@pytest.mark.parametrize(
    ("host", "says"),
    [
        # TEST-NET-1: no address of this machine, cannot be bound
        ("192.0.2.1", "Error: --host: cannot listen on 192.0.2.1 port 0:"),
        # a name that never resolves
        ("nonexistent.invalid", "Error: --host: 'nonexistent.invalid' is not an address"),
        # empty would mean every interface: refused before the project is opened
        ("", "Error: --host: name an interface to listen on"),
        # blank likewise
        (" ", "Error: --host: name an interface to listen on"),
    ],
    ids=["not-this-machine", "unresolvable", "empty", "blank"],
)
def test_a_host_that_cannot_be_listened_on_is_one_line_without_a_warning(
    tiny: Path, run: Cli, host: str, says: str
) -> None:
    result = run("serve", tiny, "--host", host, "--port", "0", expect=1)
    assert one_line_error(result.stderr).startswith(says)  # no warning before it
    assert result.stdout == ""


def test_another_interface_is_announced_once_listening(tiny: Path) -> None:
    with served(tiny, "--host", "0.0.0.0") as server:
        port = server.base.rsplit(":", 1)[1].strip("/")
        code, _out, err = server.stop()
    assert code == 0
    warning = err.splitlines()[0]
    assert warning.startswith("warning: listening on 0.0.0.0, not only on this computer")
    assert f"anyone who can reach port {port} and has the address printed" in warning
    assert "not encrypted" in warning


def test_a_port_in_use_is_one_line(tiny: Path, run: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", tiny, "--port", str(port), expect=1)
    line = one_line_error(result.stderr)
    assert line == f"Error: --port: port {port} is in use on 127.0.0.1; choose another (0: any)"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--port", "65536"], "--port"),  # beyond the last port
        (["--port", "-1"], "--port"),  # negative
        (["--coder", "bo\x07"], "--coder: name"),  # a name the name entrance refuses
        (["--coder", " "], "--coder: a coder name cannot be blank"),  # blank
    ],
    ids=["port-high", "port-negative", "coder-control", "coder-blank"],
)
def test_bad_options_are_one_line(tiny: Path, run: Cli, options: list[str], says: str) -> None:
    result = run("serve", tiny, *options, expect=result_code(options))
    assert says in one_line_error(result.stderr)


def result_code(options: list[str]) -> int:
    return 2 if options[0] == "--port" else 1  # click's usage errors exit 2


def test_a_project_that_cannot_be_opened_is_one_line(tmp_path: Path, run: Cli) -> None:
    result = run("serve", tmp_path / "nowhere.qualcode", expect=1)
    assert "nowhere.qualcode: no such project" in one_line_error(result.stderr)
    other = tmp_path / "notes.qualcode"
    other.write_text("just some notes\n" * 20, encoding="utf-8")
    result = run("serve", other, expect=1)
    assert "notes.qualcode: not a qualcode project" in one_line_error(result.stderr)


def test_the_session_environment_is_named_alike_in_cli_and_service() -> None:
    assert serve_commands.SESSION_PROJECT == serving.SESSION_PROJECT
    assert serve_commands.SESSION_CODER == serving.SESSION_CODER


@pytest.mark.parametrize(
    ("host", "local", "anywhere"),
    [
        ("127.0.0.1", True, False),
        ("127.1.2.3", True, False),  # all of 127/8 is loopback
        ("localhost", True, False),
        ("LocalHost", True, False),  # names are case-blind
        ("::1", True, False),
        ("::ffff:127.0.0.1", True, False),  # IPv4's loopback written as IPv6
        ("::ffff:192.168.1.20", False, False),
        ("0.0.0.0", False, True),  # every interface
        ("::", False, True),
        ("192.168.1.20", False, False),
        ("lab-server.example.org", False, False),
    ],
    ids=lambda v: str(v),
)
def test_which_hosts_are_this_computer_only(host: str, local: bool, anywhere: bool) -> None:
    assert (serving.is_local(host), serving.is_any_interface(host)) == (local, anywhere)


def test_the_printed_address_opens_from_elsewhere_for_every_interface() -> None:
    token = "t0k"
    assert serving.Serving("127.0.0.1", 8000, token).url == "http://127.0.0.1:8000/?token=t0k"
    assert serving.Serving("::1", 8000, token).url == "http://[::1]:8000/?token=t0k"
    anywhere = serving.Serving("0.0.0.0", 8000, token).url
    assert anywhere == f"http://{socket.gethostname()}:8000/?token=t0k"


async def open_tab(url: str) -> None:
    """What a page does: open the websocket that starts a session; wait until the server
    closes it (the page then says the session ended)."""
    async with aiohttp.ClientSession() as client, client.ws_connect(url) as socket:
        async with asyncio.timeout(STOP_S):
            async for _message in socket:
                pass


def test_without_textual_serve_it_says_how_to_install_it(
    tiny: Path, run: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if not installed
    result = run("serve", tiny, "--port", "0", expect=1)
    assert one_line_error(result.stderr) == f"Error: {serving.INSTALL_HINT}"
    assert "pip install 'textual-serve" in serving.INSTALL_HINT
