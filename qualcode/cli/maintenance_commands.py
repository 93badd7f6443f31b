"""Team and safety commands: check, backup, transcript replace/edit, anonymize, and
``codebook PROJECT rename``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qualcode.cli.arguments import ID, bounded_float
from qualcode.cli.base import format_option, open_existing, project_argument

if TYPE_CHECKING:
    from qualcode.services.maintenance import CheckReport
    from qualcode.services.reanchor import TextChange

F = TypeVar("F", bound=Callable[..., Any])


@click.command()
@project_argument
@click.option(
    "--reviewed",
    "reviewed",
    type=ID,
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
        f"backed up to {result.path} ({result.format}): {rows.get('transcript', 0):,} "
        f"transcripts, {rows.get('code', 0):,} codes, {rows.get('coding', 0):,} codings, "
        f"{rows.get('event_log', 0):,} events"
    )


def _code_change(
    name: str, second: str, metavar: str, who: str
) -> Callable[[Callable[..., None]], click.Command]:
    """``codebook PROJECT NAME CODE METAVAR --coder NAME``: a change to one code."""

    def command(function: Callable[..., None]) -> click.Command:
        decorated = click.pass_obj(function)
        decorated = click.option("--coder", required=True, help=f"{who} (recorded in the log).")(
            decorated
        )
        decorated = click.argument(second, metavar=metavar)(decorated)
        decorated = click.argument("code_path", metavar="CODE")(decorated)
        return click.command(name)(decorated)

    return command


@_code_change("rename", "new_name", "NEW_NAME", "Who renames")
def codebook_rename(project: str, code_path: str, new_name: str, coder: str) -> None:
    """Rename CODE (its path) to NEW_NAME; refused with who-did-what when another coder
    renamed it meanwhile."""
    from qualcode.services.codebook_rename import rename_code

    result = rename_code(open_existing(project), code_path, new_name, coder)
    if result.changed:
        click.echo(f"renamed {result.before} to {result.after}")
    else:
        click.echo(f"{result.before}: already named so; nothing changed")


@_code_change("merge", "into_path", "INTO", "Who merges")
def codebook_merge(project: str, code_path: str, into_path: str, coder: str) -> None:
    """Merge CODE into INTO (their paths): CODE's codings, framework summaries and memos
    move to INTO (a coding INTO already has is dropped, its memo kept; two summaries of
    one case are joined) and CODE is deleted; refused with who-did-what when another
    coder merged or renamed either meanwhile."""
    from qualcode.services.code_merges import merge_code_path

    merged = merge_code_path(open_existing(project), code_path, into_path, coder)
    click.echo(f"merged {merged.path} into {merged.into}: {merged.describe()}")


@click.group("transcript")
def transcript_group() -> None:
    """Change a transcript's text without losing its codings: `replace` it with a new
    version of the file, or `edit` it in your $EDITOR."""


def _edit_options(function: F) -> F:
    function = click.option(
        "--dry-run", is_flag=True, help="Show where the codings would go; change nothing."
    )(function)
    function = click.option(
        "--threshold",
        type=bounded_float(0, 100),
        default=80.0,
        show_default=True,
        help="Flag a coding for review when its text is less alike than this (0-100).",
    )(function)
    return click.option("--coder", help="Who edits (recorded in the log).")(function)


@transcript_group.command("replace")
@project_argument
@click.argument("name")
@click.argument("new_file", metavar="NEWFILE", type=click.Path(path_type=Path))
@_edit_options
def transcript_replace(
    project: str,
    name: str,
    new_file: Path,
    coder: str | None,
    threshold: float,
    dry_run: bool,
) -> None:
    """Replace transcript NAME's text with NEWFILE (read like an import), re-anchoring
    every coding; codings whose text changed too much are flagged for review."""
    from qualcode.services.reanchor import replace_text, text_from_file

    change = replace_text(
        open_existing(project),
        name,
        text_from_file(new_file, name),
        coder=coder,
        threshold=threshold,
        dry_run=dry_run,
    )
    _print_change(change, dry_run)


@transcript_group.command("rename")
@project_argument
@click.argument("old")
@click.argument("new")
@click.option("--coder", help="Who renames (recorded in the log).")
def transcript_rename(project: str, old: str, new: str, coder: str | None) -> None:
    """Rename transcript OLD to NEW; its codings, cases and done marks go with it."""
    from qualcode.services.transcript_names import rename_transcript

    if rename_transcript(open_existing(project), old, new, coder=coder):
        click.echo(f"renamed {old!r} to {new.strip()!r}")
    else:
        click.echo(f"{old!r} has that name already; nothing changed")


@transcript_group.command("edit")
@project_argument
@click.argument("name")
@_edit_options
def transcript_edit(
    project: str, name: str, coder: str | None, threshold: float, dry_run: bool
) -> None:
    """Edit transcript NAME's text in $EDITOR (or $VISUAL); on saving, every coding is
    re-anchored like `transcript replace` does. Quitting without saving changes nothing."""
    from qualcode.services.reanchor import replace_text, text_from_editor
    from qualcode.services.transcripts import get_transcript

    opened = open_existing(project)
    # As bytes, so what the editor saved is decoded (and refused) by the text entrance.
    original = get_transcript(opened, name).text.encode("utf-8")
    edited = click.edit(original, extension=".txt", require_save=True)
    if edited is None:
        click.echo(f"{name}: not saved; nothing changed")
        return
    change = replace_text(
        opened,
        name,
        text_from_editor(edited, f"{name} (edited)"),
        coder=coder,
        threshold=threshold,
        dry_run=dry_run,
    )
    _print_change(change, dry_run)


def _print_change(change: TextChange, dry_run: bool) -> None:
    from qualcode.matching.anchoring import ADJUSTED, KEPT, REVIEW

    if change.unchanged:
        click.echo(f"{change.transcript}: text unchanged; nothing to do")
        return
    prefix = "(dry run, nothing changed) " if dry_run else ""
    click.echo(
        f"{prefix}{change.transcript}: {change.old_characters:,} -> "
        f"{change.new_characters:,} characters, {change.edits} edit(s), {change.turns} turns"
    )
    click.echo(
        f"codings: {change.count(KEPT)} kept, {change.count(ADJUSTED)} adjusted, "
        f"{change.count(REVIEW)} to review"
    )
    for move in change.moves:
        if move.status == KEPT:
            continue
        click.echo(
            f"  {move.status}: coding {move.id} ({move.coder}, {move.code_path}) "
            f"{move.before[0]}:{move.before[1]} -> {move.after[0]}:{move.after[1]}, "
            f"{move.similarity:.0f}% alike: {_short(move.old_text)} -> {_short(move.new_text)}"
        )
    if change.count(REVIEW) and not dry_run:
        click.echo("see them again with: qualcode check PROJECT")


def _short(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return f"“{flat}”" if len(flat) <= width else f"“{flat[: width - 1]}…”"


@click.command()
@project_argument
@click.option(
    "--map",
    "map_file",
    required=True,
    type=click.Path(path_type=Path),
    help="YAML file of 'Real name: Pseudonym' lines (kept where you put it, never stored).",
)
@click.option("--dry-run", is_flag=True, help="Show every replacement in context; change nothing.")
@click.option("--coder", help="Who pseudonymises (recorded in the log).")
def anonymize(project: str, map_file: Path, dry_run: bool, coder: str | None) -> None:
    """Replace real names of people, places and institutions across PROJECT by
    pseudonyms, with their genitives (Mettes, Mette's, Jens'), keeping every coding.

    Speaker labels, case names, memos, summaries and the event log are rewritten too.
    The map is not stored in the project; back the project up first if you need the
    original (qualcode backup PROJECT DEST)."""
    from qualcode.services.anonymize import anonymize_project
    from qualcode.storage.sqlite_file import is_url

    report = anonymize_project(open_existing(project), map_file, dry_run=dry_run, coder=coder)
    for transcript in report.transcripts:
        click.echo(
            f"{transcript.transcript}: {len(transcript.replacements)} replacement(s); "
            f"{transcript.codings_changed} of {transcript.codings} codings hold a pseudonym now"
            if not dry_run
            else f"{transcript.transcript}: {len(transcript.replacements)} replacement(s)"
        )
        if dry_run:
            for replacement, context in zip(
                transcript.replacements, transcript.contexts, strict=True
            ):
                click.echo(f"  {replacement.start:>6}  {context}")
    names = ", ".join(
        f"{name} {count}"
        + (
            f" ({', '.join(f'{form} {n}' for form, n in sorted(report.forms[name].items()))})"
            if len(report.forms[name]) > 1
            else ""
        )
        for name, count in report.per_name.items()
    )
    click.echo(f"names: {names or 'none found'}")
    if report.not_found:
        click.echo(f"not found in any transcript: {', '.join(report.not_found)}")
    other = ", ".join(f"{count} {label}" for label, count in report.elsewhere.items() if count)
    if other:
        click.echo(f"also rewritten: {other}")
    if report.renamed_transcripts:
        click.echo(
            f"transcripts {'to be ' if dry_run else ''}renamed: "
            + ", ".join(f"{old} → {new}" for old, new in report.renamed_transcripts)
        )
    if report.models_deleted:
        click.echo(
            f"deleted {report.models_deleted} saved suggestion model(s): they hold words of "
            "the texts (the next suggest trains afresh)"
        )
    if report.erased is False:
        click.echo(
            "the database server keeps the replaced rows until it vacuums them (VACUUM FULL)"
            if is_url(project)
            else f"the replaced text could not be overwritten in {project} yet (another "
            "workspace busy with it?); run the command again when it is closed"
        )
    if dry_run:
        click.echo("(dry run: nothing changed)")
