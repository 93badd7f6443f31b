"""Team and safety commands: check, backup, transcript replace/edit, anonymize, and
``codebook PROJECT rename``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli.base import format_option, open_existing, project_argument

if TYPE_CHECKING:
    from qualcode.services.maintenance import CheckReport


@click.command()
@project_argument
@click.option(
    "--reviewed",
    "reviewed",
    type=int,
    multiple=True,
    metavar="ID",
    help="Clear the needs-review flag of coding ID first (repeatable).",
)
@click.option("--coder", help="Who reviewed (recorded with --reviewed).")
@format_option("text", "json")
def check(project: str, reviewed: tuple[int, ...], coder: str | None, output_format: str) -> None:
    """Check PROJECT for damage: foreign keys, spans inside their text, anchor texts that
    match it, a consistent event log. Exits 1 with a list when anything is wrong.

    Codings that a transcript edit could not re-anchor with confidence are listed as
    needing review (that alone is not a failure); --reviewed ID clears the flag."""
    from qualcode.exporters.tables import render_json
    from qualcode.services.maintenance import check_project, mark_reviewed

    opened = open_existing(project)
    if reviewed:
        cleared = mark_reviewed(opened, reviewed, coder)
        click.echo(f"marked {cleared} coding(s) as reviewed", err=True)
    report = check_project(opened)
    if output_format == "json":
        click.echo(render_json(report.as_dict()), nl=False)
    else:
        _print_report(report)
    if not report.ok:
        click.echo(f"Error: {len(report.problems)} problem(s) found in {opened.location}", err=True)
        raise SystemExit(1)


def _print_report(report: CheckReport) -> None:
    checked = (
        f"checked {report.transcripts} transcripts, {report.spans:,} spans, "
        f"{report.events:,} events"
    )
    if report.ok:
        click.echo(f"{checked}: no problems")
    else:
        click.echo(f"{checked}: {len(report.problems)} problem(s)")
        for problem in report.problems:
            click.echo(f"  {problem.area}: {problem.message}")
    if report.flagged:
        click.echo(f"needs review ({len(report.flagged)}):")
        for flagged in report.flagged:
            click.echo(
                f"  coding {flagged.id}: {flagged.transcript} {flagged.start}:{flagged.end} "
                f"by {flagged.coder}: {flagged.note}"
            )


@click.command()
@project_argument
@click.argument("destination", metavar="DEST", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Write a JSON backup (any backend).")
def backup(project: str, destination: Path, as_json: bool) -> None:
    """Back up PROJECT to DEST, consistently even while coders work.

    A SQLite project is copied with SQLite's online backup API (DEST is a project file you
    can open); a PostgreSQL project, or any with --json, is written as a complete JSON
    backup. `qualcode init --from DEST NEW_PROJECT` restores either."""
    from qualcode.services.maintenance import backup_project

    result = backup_project(open_existing(project), destination, as_json=as_json)
    rows = result.rows
    click.echo(
        f"backed up to {result.path} ({result.format}): {rows.get('transcript', 0)} "
        f"transcripts, {rows.get('code', 0)} codes, {rows.get('coding', 0)} codings, "
        f"{rows.get('event_log', 0)} events"
    )


@click.command("rename")
@click.argument("code_path", metavar="CODE")
@click.argument("new_name", metavar="NEW_NAME")
@click.option("--coder", required=True, help="Who renames (recorded in the log).")
@click.pass_obj
def codebook_rename(project: str, code_path: str, new_name: str, coder: str) -> None:
    """Rename CODE (its path) to NEW_NAME; refused with who-did-what when another coder
    renamed it meanwhile."""
    from qualcode.services.codebook_rename import rename_code

    result = rename_code(open_existing(project), code_path, new_name, coder)
    if result.changed:
        click.echo(f"renamed {result.before} to {result.after}")
    else:
        click.echo(f"{result.before}: already named so; nothing changed")
