"""REFI-QDA commands: export (.qdc/.qdpx), import-project, merge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.arguments import bounded_float
from qualcode.cli.base import (
    format_option,
    open_existing,
    output_options,
    project_argument,
    write_output,
)
from qualcode.domain.errors import InputError

if TYPE_CHECKING:
    from qualcode.files.archives import ArchiveLimits
    from qualcode.services.merge_report import MergeReport


def _limits_options(function: Any) -> Any:
    function = click.option(
        "--max-size",
        type=bounded_float(1, 1024 * 1024),  # up to a terabyte
        default=2048.0,
        show_default=True,
        help="Refuse a .qdpx whose entries expand to more than this many MB.",
    )(function)
    return click.option(
        "--max-ratio",
        type=bounded_float(1, 1e9),
        default=100.0,
        show_default=True,
        help="Refuse a .qdpx compressed more than this ratio (each entry, and all together).",
    )(function)


def _limits(max_size: float, max_ratio: float) -> ArchiveLimits:
    from qualcode.importers.refi_zip import qdpx_limits

    return qdpx_limits(max_total_bytes=int(max_size * 1024 * 1024), max_ratio=max_ratio)


@click.command("export")
@project_argument
@output_options("qdpx", "qdc", example="project")
def export(project: str, output_format: str, output: str | None) -> None:
    """Export PROJECT for NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA 1.5): qdpx, the
    whole project, or qdc, the codebook (the -o suffix names it).

    A .qdpx holds users (coders), the codebook, variables and cases, every transcript's
    text, and each coding as a selection with its coder; memos become notes. GUIDs are
    stored in the project, so exporting twice gives the same identities.
    """
    from qualcode.services.refi import export_qdc, export_qdpx

    opened = open_existing(project)
    if output_format == "qdc":
        write_output(export_qdc(opened), output)
        return
    assert output is not None  # a binary format: output_options asked for a file
    stats = export_qdpx(opened, Path(output))
    click.echo(
        f"wrote {output}: {stats.sources} sources, {stats.codings} codings, "
        f"{stats.notes} notes ({stats.bytes:,} bytes)"
    )


@click.command("import-project")
@project_argument
@click.argument("file", type=click.Path(path_type=Path))
@_limits_options
@format_option("text", "json")
def import_project(
    project: str, file: Path, max_size: float, max_ratio: float, output_format: str
) -> None:
    """Import FILE.qdpx (from NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode) into
    PROJECT, a new project file (created) or an empty project.

    Non-text sources are skipped and counted; unknown elements are reported. Hostile
    files (paths leaving the archive, zip bombs, DTDs/entities, positions outside the
    text, broken XML) are refused and nothing is written.
    """
    from qualcode.services.refi import import_project as run_import

    result = run_import(project, file, limits=_limits(max_size, max_ratio))
    _print_report(result.report, output_format)
    if output_format == "text":
        click.echo(f"{'created' if result.created else 'filled'} project {result.location}")


@click.command()
@project_argument
@click.argument("other")
@click.option("--dry-run", is_flag=True, help="Report what would happen; change nothing.")
@click.option(
    "--rename-coder",
    "renames",
    multiple=True,
    metavar="OLD=NEW",
    help="Bring OTHER's coder OLD in as NEW (OLD=OLD: the same person as ours). Repeatable.",
)
@click.option("-v", "--verbose", is_flag=True, help="Name every matched and added item.")
@_limits_options
@format_option("text", "json")
def merge(
    project: str,
    other: str,
    dry_run: bool,
    renames: tuple[str, ...],
    verbose: bool,
    max_size: float,
    max_ratio: float,
    output_format: str,
) -> None:
    """Merge OTHER (a .qdpx file or another qualcode project) into PROJECT.

    OTHER's coders come in as their own layers. Transcripts match by text, then fuzzily
    (codings re-mapped through the edits; any that cannot be placed are listed). Codes
    match by GUID, then name; near-duplicate names are suggested, not merged. One
    transaction.
    """
    from qualcode.services.refi import merge_projects

    mapping: dict[str, str] = {}
    for item in renames:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise InputError("--rename-coder", f"expected OLD=NEW, got {item!r}")
        mapping[old.strip()] = new.strip()
    report = merge_projects(
        open_existing(project),
        other,
        renames=mapping,
        dry_run=dry_run,
        limits=_limits(max_size, max_ratio),
    )
    _print_report(report, output_format, verbose=verbose)


def _print_report(report: MergeReport, output_format: str, *, verbose: bool = False) -> None:
    if output_format == "json":
        from qualcode.exporters.tables import render_json

        click.echo(render_json(report.as_dict()), nl=False)
        return
    for line in report.lines(verbose=verbose):
        click.echo(line)
