"""Project-level commands: init, demo, open, info, log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli.arguments import COUNT
from qualcode.cli.base import format_option, open_existing, project_argument
from qualcode.domain.errors import FieldError
from qualcode.domain.text_entry import enter_coder

if TYPE_CHECKING:
    from qualcode.domain.project_summary import ProjectSummary
    from qualcode.services.project import Project


@click.command()
@project_argument
@click.option(
    "--from",
    "backup",
    type=click.Path(path_type=Path),
    help="Restore this backup (from `qualcode backup`) into the new project.",
)
def init(project: str, backup: Path | None) -> None:
    """Create a new, empty project at PROJECT (a file path, or a SQLAlchemy URL).

    With --from BACKUP the new project holds everything in the backup (a JSON backup or a
    backed-up project file), on either backend."""
    if backup is not None:
        from qualcode.services.maintenance import restore_project

        restored, rows = restore_project(backup, project)
        click.echo(
            f"created project {restored.location} from {backup}: {rows.get('transcript', 0):,} "
            f"transcripts, {rows.get('coding', 0):,} codings, {rows.get('event_log', 0):,} events"
        )
        return
    from qualcode.services.project import init_project

    opened = init_project(project)
    click.echo(f"created project {opened.location}")


@click.command("open")
@project_argument
@click.option("--coder", help="Your coder name (needed the first time; remembered per project).")
@click.option("--blind", is_flag=True, help="Show only your own codings and counts.")
def open_project_command(project: str, coder: str | None, blind: bool) -> None:
    """Open PROJECT in the coding workspace (press ? there for the keys).

    The first time without --coder, a terminal asks for your coder name (enter takes
    your login name); it is remembered for the project. When standard input or output
    is not a terminal (a pipe, a script), the project's summary is printed instead."""
    _open_workspace(open_existing(project), coder, blind)


def _open_workspace(project: Project, coder: str | None, blind: bool) -> None:
    """Open the workspace as ``coder``, else as the coder remembered for the project,
    else (the first time) as the name asked for in the terminal. Not in a terminal: the
    project's summary, and a note of the login name a terminal would offer."""
    import sys

    from qualcode.tui.config import remembered_coder

    chosen = enter_coder(coder) if coder is not None else remembered_coder(project.location)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        login = _login_name()
        if chosen is None and login is not None:  # never silently the login name
            click.echo(f"coding as {login} (your login name); --coder NAME to change", err=True)
        from qualcode.services.project import project_summary

        _print_summary(project_summary(project), "text")
        click.echo(
            "not a terminal: printed the summary instead of opening the coding workspace",
            err=True,
        )
        return
    from qualcode.tui import run_workspace
    from qualcode.tui.config import remember_coder

    if chosen is None:
        chosen = _ask_coder()
    remember_coder(project.location, chosen)
    run_workspace(project, chosen, blind=True if blind else None)


def _login_name() -> str | None:
    import getpass

    try:
        return getpass.getuser().strip() or None
    except (OSError, KeyError):  # no USER variable and no password entry
        return None


def _ask_coder() -> str:
    """Ask once for the coder name, offering the login name (enter takes it)."""
    while True:
        typed = click.prompt(
            "Your coder name (remembered for this project; --coder NAME sets it)",
            default=_login_name(),
            err=True,
        )
        if str(typed).strip():
            return str(typed).strip()


@click.command()
@project_argument
@format_option("text", "json")
def info(project: str, output_format: str) -> None:
    """Summarise PROJECT: transcripts, words, codes, coders, codings, cases."""
    from qualcode.services import quick_listings

    summary = quick_listings.project_summary(project)
    if summary is None:
        from qualcode.services.project import project_summary

        summary = project_summary(open_existing(project))
    _print_summary(summary, output_format)


def _print_summary(summary: ProjectSummary, output_format: str) -> None:
    from qualcode.exporters.tables import render_json

    if output_format == "json":
        click.echo(render_json(summary.as_dict()), nl=False)
        return
    c = summary.counts
    click.echo(f"project      {summary.location}")
    click.echo(f"transcripts  {c.transcripts} ({c.words:,} words, {c.turns} turns)")
    click.echo(f"codes        {c.codes}")
    click.echo(f"cases        {c.cases}")
    click.echo(
        f"coders       {c.coders}" + (f" ({', '.join(summary.coders)})" if summary.coders else "")
    )
    click.echo(f"codings      {c.codings}")
    click.echo(f"memos        {c.memos} (and {c.coding_memos} on codings)")


@click.command()
@project_argument
@click.option("--limit", type=COUNT, default=20, show_default=True, help="How many recent events.")
@format_option("table", "json")
def log(project: str, limit: int, output_format: str) -> None:
    """Show the most recent actions recorded in PROJECT's event log."""
    from qualcode.exporters.tables import render_json, render_table

    opened = open_existing(project)
    from qualcode.services.status import latest_events

    headers = ("id", "at", "action", "coder", "summary")
    rows = [(e.id, e.at, e.action, e.coder, e.summary) for e in latest_events(opened, limit)]
    if output_format == "json":
        click.echo(render_json([dict(zip(headers, row, strict=True)) for row in rows]), nl=False)
    else:
        click.echo(render_table(headers, rows, max_cell=70), nl=False)
        from qualcode.services.suggestions import accepted_count

        accepted = accepted_count(opened)
        if accepted:  # for a methods section: how many codings came from suggestions
            are = (
                "coding is an accepted suggestion"
                if accepted == 1
                else "codings are accepted suggestions"
            )
            click.echo(f"{accepted} {are} (qualcode suggest)")


@click.command("round")
@project_argument
@click.argument("step", type=click.Choice(["start", "reveal"]))
def blind_round(project: str, step: str) -> None:
    """Start a blind coding round in PROJECT, or reveal it.

    start: every workspace shows each coder only their own codings, counts and memos
    (open ones switch at once); reveal: blind coding is no longer required, and the
    agreement and reconciliation screens open. Starting a round that is already open, or
    revealing when none is, is refused (exit 1, nothing changed)."""
    from qualcode.services.blind_rounds import reveal_round, start_round

    opened = open_existing(project)
    if step == "start":
        start_round(opened)
        click.echo("blind round started: each coder sees only their own work until the reveal")
    else:
        reveal_round(opened)
        click.echo("blind round revealed: agreement and reconciliation are open")


@click.command()
@project_argument
@format_option("table", "json")
def who(project: str, output_format: str) -> None:
    """List who has PROJECT open in a workspace now, and in which transcript."""
    from qualcode.exporters.tables import render_json, render_table
    from qualcode.services.live import who as open_now

    present = open_now(open_existing(project))
    rows = [(p.coder, p.transcript or "") for p in present]
    if output_format == "json":
        found = [{"coder": p.coder, "transcript": p.transcript} for p in present]
        click.echo(render_json(found), nl=False)
    elif not rows:
        click.echo("nobody has the project open in a workspace")
    else:
        click.echo(render_table(("coder", "transcript"), rows, max_cell=70), nl=False)


@click.command()
@click.option(
    "--path",
    "location",
    help="A new file to build the demo project in (default: your user data folder, where "
    "an earlier demo is kept beside the new one). An existing file is never replaced.",
)
@click.option("--no-open", is_flag=True, help="Print the summary instead of opening it.")
@click.option(
    "--coder",
    help="Your coder name in the demo, remembered for it as `qualcode PROJECT --coder` "
    "does (without it: asked the first time; default: your login name).",
)
def demo(location: str | None, no_open: bool, coder: str | None) -> None:
    """Build a fresh demo project from the sample transcripts and codebook, and open it."""
    from qualcode.services.demo import build_demo

    if location is not None and not location.strip():
        reason = "cannot be empty; give a new file name, or leave --path out for the default one"
        raise FieldError("path", reason)
    # Checked before anything is built, so a refused name leaves nothing behind.
    coder = enter_coder(coder) if coder is not None else None
    project = build_demo(
        location,
        progress=lambda line: click.echo(line, err=True),
        replace=_may_replace(location),
    )
    if coder is not None:
        # The project is new and the name explicit: remember it even when the workspace
        # is not opened now, so a later `qualcode PROJECT` codes as this coder.
        from qualcode.tui.config import remember_coder

        remember_coder(project.location, coder)
    if no_open:
        from qualcode.services.project import project_summary

        _print_summary(project_summary(project), "text")
        click.echo(f"\nTry: qualcode transcripts {project.location}")
        return
    _open_workspace(project, coder, False)


def _may_replace(location: str | None) -> bool:
    """Whether ``demo --path`` may move an existing file aside: only when the user says
    so at a terminal (a script gets the one-line refusal instead)."""
    import os
    import sys

    if not location or not os.path.isfile(location) or os.path.islink(location):
        return False
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    return click.confirm(
        f"{location} exists. Build the demo there anyway? The file is kept beside it "
        "(NAME.before-demo-N), not deleted",
        default=False,
        err=True,
    )


@click.command()
@project_argument
@click.argument("transcript")
@click.option("--coder", required=True, help="Whose work is done.")
@click.option("--undo", is_flag=True, help="Mark the transcript as not done again.")
def done(project: str, transcript: str, coder: str, undo: bool) -> None:
    """Mark TRANSCRIPT done for a coder (agreement compares only finished transcripts)."""
    from qualcode.services.status import mark_done

    mark_done(open_existing(project), transcript, coder, done=not undo)
    click.echo(f"{transcript}: {'not done' if undo else 'done'} for {coder}")
