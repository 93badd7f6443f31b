"""Reading memos back and correcting them: ``qualcode memos`` lists, ``memos PROJECT edit``
and ``memos PROJECT delete`` change one (``qualcode memo`` writes them)."""

from __future__ import annotations

import click

from qualcode.cli.arguments import ID
from qualcode.cli.base import (
    open_existing,
    output_options,
    project_argument,
    raw_cells_option,
    write_output,
)


class _ListingGroup(click.Group):
    """The listing's options may follow PROJECT; everything from a subcommand's name on
    is the subcommand's (so `edit ID TEXT --author NAME` and `edit --help` reach it)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        valued = {
            name
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag
            for name in param.opts
        }
        for index, arg in enumerate(args):
            if index > 0 and arg in self.commands and args[index - 1] not in valued:
                return super().parse_args(ctx, [*args[:index], "--", *args[index:]])
        return super().parse_args(ctx, args)


@click.group(
    cls=_ListingGroup,
    invoke_without_command=True,
    context_settings={"allow_interspersed_args": True},
)
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
@output_options("table", "json", "csv", example="memos")
@click.pass_context
@raw_cells_option
def memos(
    ctx: click.Context,
    project: str,
    transcript: str | None,
    code_path: str | None,
    project_only: bool,
    with_codings: bool,
    output_format: str,
    output: str | None,
) -> None:
    """List PROJECT's memos on the project, transcripts and codes, oldest first: id,
    target ("project", "transcript NAME", "code PATH"), author, created (UTC), text;
    `edit ID TEXT` corrects one, `delete ID` removes one (the event log keeps the old text).

    Coding memos are listed by `qualcode codings`; --all adds them here too, as target
    "coding ID" without an id of their own (author: the coding's coder; created: when the
    coding was made)."""
    ctx.obj = project
    if ctx.invoked_subcommand is not None:
        return
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


@memos.command("edit")
@click.argument("memo_id", metavar="ID", type=ID)
@click.argument("text")
@click.option("--author", help="The memo's author from now on (default: unchanged).")
@click.pass_obj
def memos_edit(project: str, memo_id: int, text: str, author: str | None) -> None:
    """Replace memo ID's text with TEXT (and its author with --author). The old text stays
    in the event log; a coding's memo is changed with `qualcode memo --coding ID`."""
    from qualcode.services.memos import edit_memo

    described, changed = edit_memo(open_existing(project), memo_id, text, author=author)
    click.echo(f"memo {described} {'edited' if changed else 'unchanged'}")


@memos.command("delete")
@click.argument("memo_id", metavar="ID", type=ID)
@click.option("--author", help="Who deletes it (during a blind round: only your own memo).")
@click.pass_obj
def memos_delete(project: str, memo_id: int, author: str | None) -> None:
    """Delete memo ID (its text stays in the event log)."""
    from qualcode.services.memos import delete_memo

    click.echo(f"memo {delete_memo(open_existing(project), memo_id, editor=author)} deleted")
