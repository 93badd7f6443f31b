"""Reading memos back: ``qualcode memos`` (``qualcode memo`` writes them)."""

from __future__ import annotations

import click

from qualcode.cli.base import format_option, open_existing, project_argument, write_output


@click.command()
@project_argument
@click.option("--transcript", help="Only memos on this transcript.")
@click.option("--code", "code_path", help="Only memos on this code and its sub-codes.")
@click.option("--project-only", is_flag=True, help="Only memos on the project itself.")
@click.option(
    "--all",
    "with_codings",
    is_flag=True,
    help="Add the memos of codings (of the transcript or code given), after the others.",
)
@format_option("table", "json", "csv")
@click.option("-o", "--output", default="-", help="File to write (default: standard output).")
def memos(
    project: str,
    transcript: str | None,
    code_path: str | None,
    project_only: bool,
    with_codings: bool,
    output_format: str,
    output: str,
) -> None:
    """List PROJECT's memos on the project, transcripts and codes, oldest first: id,
    target ("project", "transcript NAME", "code PATH"), author, created (UTC), text.

    Coding memos are listed by `qualcode codings`; --all adds them here too, as target
    "coding ID" without an id of their own (author: the coding's coder; created: when the
    coding was made)."""
    from qualcode.exporters.tables import render_csv, render_json, render_table
    from qualcode.services.memos import MEMO_FIELDS, list_memos

    found = list_memos(
        open_existing(project),
        transcript=transcript,
        code_path=code_path,
        project_only=project_only,
        with_codings=with_codings,
    )
    if output_format == "json":
        write_output(render_json([memo.as_record() for memo in found]), output)
    elif output_format == "csv":
        write_output(render_csv(MEMO_FIELDS, [memo.as_row() for memo in found]), output)
    else:
        write_output(
            render_table(MEMO_FIELDS, [memo.as_row() for memo in found], max_cell=60), output
        )
