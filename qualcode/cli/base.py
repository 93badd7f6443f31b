"""Shared CLI plumbing: error handling, option decorators, output helpers."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from qualcode.domain.errors import NotFoundError, QualcodeError

if TYPE_CHECKING:
    from qualcode.services.project import Project

F = TypeVar("F", bound=Callable[..., Any])
# Where open_existing leaves the opened project's location (ctx.meta is shared by every
# context of one command line), so an error about something missing can name it.
PROJECT_KEY = "qualcode.project"


class QualcodeGroup(click.Group):
    """A group where ``qualcode PROJECT`` means ``qualcode open PROJECT``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            _check_command_line(ctx, args)
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["open", *args]
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            _usage_error(error, ctx)

    def invoke(self, ctx: click.Context) -> Any:
        """A user mistake prints one line on stderr and exits 1 — never a traceback. A
        mistyped command line (a missing option, a value of the wrong kind) is one line
        too, pointing to the command's help, with click's exit code 2."""
        try:
            return super().invoke(ctx)
        except QualcodeError as error:
            where = ctx.meta.get(PROJECT_KEY)
            if isinstance(error, NotFoundError) and where and not str(error).startswith(where):
                error = NotFoundError(f"{where}: {error}")  # name the project looked in
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)
        except click.UsageError as error:
            _usage_error(error, ctx)


def _check_command_line(ctx: click.Context, args: list[str]) -> None:
    """Undecodable bytes in any argument: one line naming it, before anything runs."""
    from qualcode.cli.arguments import check_arguments

    try:
        check_arguments(args)
    except QualcodeError as error:
        click.echo(f"Error: {error}", err=True)
        ctx.exit(1)


def _usage_error(error: click.UsageError, ctx: click.Context) -> NoReturn:
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        raise error  # a bare `qualcode` or command group: click shows the help
    command = (error.ctx or ctx).command_path
    message = " ".join(error.format_message().split())
    click.echo(f"Error: {message} (see: {command} --help)", err=True)
    ctx.exit(error.exit_code)


def project_argument(function: F) -> F:
    return click.argument("project", metavar="PROJECT")(function)


def format_option(*choices: str, default: str | None = None) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(choices),
            default=default or choices[0],
            show_default=True,
            help="Output format.",
        )(function)

    return decorate


def raw_cells_option(function: F) -> F:
    """``--raw-cells`` for a command that writes CSV or XLSX: CSV cells exactly as stored
    (by default text beginning with = + - @ tab or CR gets a leading ', so a
    spreadsheet cannot run it as a formula; see :mod:`qualcode.exporters.safe_cells`)."""

    @functools.wraps(function)
    def run(*args: Any, raw_cells: bool, **kwargs: Any) -> Any:
        if not raw_cells:
            return function(*args, **kwargs)
        from qualcode.exporters.safe_cells import raw_cells as keep_raw

        with keep_raw():
            return function(*args, **kwargs)

    return click.option(
        "--raw-cells",
        is_flag=True,
        help="CSV: write text cells exactly as stored, even those a spreadsheet would run "
        "as a formula (= + - @ tab CR; by default they get a leading ').",
    )(cast(F, run))


def open_existing(location: str) -> Project:
    """Open a project for a command (imported lazily: SQLAlchemy loads here)."""
    from qualcode.services.project import open_project

    project = open_project(location)
    click.get_current_context().meta[PROJECT_KEY] = project.location
    if project.upgrade_backup:
        click.echo(
            f"note: {project.location} was upgraded from schema version "
            f"{project.migrated_from}; the project as it was is saved in {project.upgrade_backup}",
            err=True,
        )
    return project


def write_output(content: str | bytes, destination: str | None) -> None:
    """Write an export to a file through the one writer (:mod:`qualcode.files.writing`:
    an earlier export of that name is replaced, nothing else), or text to standard
    output when ``destination`` is None or ``-``."""
    if destination in (None, "-"):
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return
    from qualcode.files.writing import write_file

    assert destination is not None
    write_file(destination, content)
    click.echo(f"wrote {destination}", err=True)
