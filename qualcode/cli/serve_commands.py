"""`qualcode serve`: the workspace in a browser (see :mod:`qualcode.services.serving`)."""

from __future__ import annotations

import click

from qualcode.cli.arguments import bounded_int
from qualcode.cli.base import open_existing

# The names services.serving gives a session's environment (spelled out: loading the CLI
# loads no service; tests/browser/test_serve_command.py keeps the two equal)
SESSION_PROJECT = "QUALCODE_SERVE_PROJECT"
SESSION_CODER = "QUALCODE_SERVE_CODER"


@click.command()
@click.argument("project", metavar="PROJECT", envvar=SESSION_PROJECT)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (not empty); anything but this computer's own is "
    "announced with a warning once listening.",
)
@click.option(
    "--port",
    type=bounded_int(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port; the address printed says which).",
)
@click.option(
    "--coder",
    envvar=SESSION_CODER,
    help="Every browser session codes as this coder (default: each is asked on opening).",
)
@click.option("--session", is_flag=True, hidden=True, help="Run one browser session (internal).")
def serve(project: str, host: str, port: int, coder: str | None, session: bool) -> None:
    """Serve PROJECT's workspace to web browsers, at the address printed (Ctrl-C stops).

    Each browser tab is a workspace of its own, for the coder named by --coder or, without
    it, the name the tab asks for; coders in browsers and terminals see each other's work
    as it happens. The address carries a token: a request without it is refused. Only
    this computer can connect unless --host names another interface (say 0.0.0.0); the
    connection is plain HTTP, so use that only on a network you trust."""
    from qualcode.domain.text_entry import enter_coder
    from qualcode.services.serving import check_host, is_local

    chosen = None if coder is None else enter_coder(coder)
    if session:
        _run_session(project, chosen)
        return
    check_host(host)
    opened = open_existing(project)
    from qualcode.services.integrity import ensure_project_sound

    try:
        ensure_project_sound(opened)  # refused here once, not in every browser tab
    finally:
        opened.close()
    from qualcode.services.serving import Serving, serve_workspace

    def ready(serving: Serving) -> None:
        # only now: a host that cannot be bound is an error, not a false alarm first
        if not is_local(host):
            click.echo(
                f"warning: listening on {host}, not only on this computer: anyone who can "
                f"reach port {serving.port} and has the address printed can open the "
                "project; the traffic is not encrypted (whoever can read it sees the token "
                "and the transcripts)",
                err=True,
            )
        who = f"as {chosen}" if chosen else "each asked for a coder name"
        click.echo(f"serving {opened.location} at {serving.url}")
        click.echo(f"each browser tab is a workspace of its own ({who}); Ctrl-C stops")

    def problem(line: str) -> None:
        click.echo(f"warning: {line}", err=True)

    serve_workspace(project, host=host, port=port, coder=chosen, on_ready=ready, on_problem=problem)
    click.echo("stopped serving")


def _run_session(location: str, coder: str | None) -> None:
    """One browser tab's workspace, started by the server with textual-serve's web driver
    on its standard streams. Ctrl-C in the server's terminal reaches this process too (one
    process group); it is ignored here: the server closes its sessions itself."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from qualcode.tui import run_served_workspace

    run_served_workspace(open_existing(location), coder)
