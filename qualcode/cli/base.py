"""Shared CLI plumbing: error handling, option decorators, output helpers."""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, cast

import click

from qualcode.domain.errors import FieldError, InputError, NotFoundError, QualcodeError
from qualcode.domain.terminal_text import visible

if TYPE_CHECKING:
    from qualcode.services.project import Project

F = TypeVar("F", bound=Callable[..., Any])
# Where open_existing leaves the opened project's location (ctx.meta is shared by every
# context of one command line), so an error about something missing can name it.
PROJECT_KEY = "qualcode.project"


class QualcodeGroup(click.Group):
    """A group where ``qualcode PROJECT`` means ``qualcode open PROJECT``.

    It is also the command line's error boundary: whatever goes wrong reaches the user as
    one line ``Error: …`` on stderr from :func:`qualcode.services.error_lines.error_line`
    — exit 1 for a user mistake, 2 for a mistyped command line, 70 for an internal error
    (its traceback in the error log), 130 when interrupted — never as a traceback. And
    everything printed passes :func:`terminal_output`, so stored text cannot send control
    characters to the terminal."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        with terminal_output():
            try:
                return super().main(args, prog_name, complete_var, standalone_mode, **extra)
            except (SystemExit, click.exceptions.Exit, click.ClickException, click.Abort):
                raise
            except BaseException as error:  # parsing the group's own options, closing
                if not standalone_mode:
                    raise
                _fail(error, prog_name or self.name or "qualcode")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            _check_command_line(ctx, args)
        try:
            if args and not args[0].startswith("-") and args[0] not in self.commands:
                _refuse_mistyped_command(args[0], self.visible_commands(ctx), ctx)
                args = ["open", *args]
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            _usage_error(error, ctx)

    def visible_commands(self, ctx: click.Context) -> list[str]:
        """The names ``--help`` lists (hidden commands are never suggested)."""
        names = self.list_commands(ctx)
        return [name for name in names if not getattr(self.commands[name], "hidden", False)]

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; every exception becomes one line on stderr (see the class)."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.NoArgsIsHelpError):
            raise
        except click.UsageError as error:
            _usage_error(error, ctx)
        except click.Abort as error:
            if isinstance(error.__context__, KeyboardInterrupt):
                _fail(error.__context__, _command(ctx))
            raise  # a declined confirmation: click says "Aborted!"
        except click.ClickException:
            raise  # click shows its own one-line message
        except OSError as error:
            if error.errno == errno.EPIPE:
                raise  # output piped into `head` that stopped reading: click exits quietly
            _fail(error, _command(ctx))
        except NotFoundError as error:
            where = ctx.meta.get(PROJECT_KEY)
            if where and not str(error).startswith(where):
                error = NotFoundError(f"{where}: {error}")  # name the project looked in
            _fail(error, _command(ctx))
        except FieldError as error:
            _fail(_as_option(error, ctx), _command(ctx))
        except Exception as error:
            _fail(error, _command(ctx))
        except KeyboardInterrupt as error:
            _fail(error, _command(ctx))


def _refuse_mistyped_command(word: str, commands: Sequence[str], ctx: click.Context) -> None:
    """``qualcode WORD ...`` opens WORD as a project unless WORD is plainly a mistyped
    command: a click usage error (exit 2) when WORD is no existing file, no URL and no
    file name (it has neither a suffix nor a folder) — naming the closest command
    (:func:`difflib.get_close_matches`) if there is one. ``qualcode missing.qualcode``
    still reaches ``open``, which says there is no such project."""
    import difflib
    import os
    from pathlib import PurePath

    if "://" in word or os.path.lexists(word):
        return
    if PurePath(word).suffix or "/" in word or os.sep in word:
        return
    close = difflib.get_close_matches(word, commands, n=1)
    if close:
        raise click.UsageError(f"No such command {word!r}; did you mean {close[0]!r}?", ctx)
    raise click.UsageError(f"No such command {word!r}, and no project file of that name.", ctx)


def _as_option(error: FieldError, ctx: click.Context) -> InputError:
    """A field error as the command line names the field: its option (``--threshold``)."""
    flag = f"--{error.field.replace('_', '-')}"
    known = _all_options(ctx.find_root().command)
    return InputError(flag, error.reason) if flag in known else error


def _all_options(command: click.Command) -> set[str]:
    """Every ``--option`` of ``command`` and of all its subcommands."""
    found = {opt for param in command.params for opt in param.opts if opt.startswith("--")}
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            found |= _all_options(sub)
    return found


def _command(ctx: click.Context) -> str:
    """The command line's command, e.g. ``qualcode matrix`` (named in the error log)."""
    return " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))


def _fail(error: BaseException, where: str) -> NoReturn:
    from qualcode.services.error_lines import error_line  # services load only when needed

    line = error_line(error, where=where)
    click.echo(f"Error: {line.text}", err=True)
    sys.exit(line.exit_code)


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


class _VisibleControls:
    """A text stream that shows control characters (other than newline and tab) instead
    of sending them on: see :func:`qualcode.domain.terminal_text.visible`. Everything
    else (encoding, isatty, fileno, ``buffer`` for deliberate binary output) is the
    wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.wrapped.write(visible(text))
        return len(text)

    def writelines(self, lines: Iterator[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


@contextmanager
def terminal_output() -> Iterator[None]:
    """While the block runs, everything written to ``sys.stdout`` and ``sys.stderr`` has
    its control characters shown visibly (ESC as ␛, CR as ␍, …). Files written with
    ``-o`` do not pass here and keep the exact text."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, _VisibleControls):
        sys.stdout = _VisibleControls(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, _VisibleControls):
        sys.stderr = _VisibleControls(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def raw_stream(stream: TextIO) -> TextIO:
    """The terminal stream under :func:`terminal_output`'s wrapper, for a renderer that
    sanitises its own text and needs to send terminal codes (rich's progress bar)."""
    return stream.wrapped if isinstance(stream, _VisibleControls) else stream


def project_argument(function: F) -> F:
    return click.argument("project", metavar="PROJECT")(function)


def set_option(*, codes: str | None = None, transcripts: str | None = None) -> Callable[[F], F]:
    """``--set NAME`` (repeatable): the members of REFI-QDA sets (see ``qualcode
    import-project``) as the command's filters. ``codes`` and ``transcripts`` name the
    command's parameters that receive them: a code set's codes replace the default code
    choice (a ``themes``/``codes`` column keyword or an empty list; given codes as well
    are refused), a document set's transcripts are the transcripts (intersected with any
    given by name). Place it between ``@click.command`` and the function."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, sets: tuple[str, ...] = (), **kwargs: Any) -> Any:
            if sets:
                _apply_sets(kwargs, sets, codes, transcripts)
            return function(*args, **kwargs)

        option = click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="NAME",
            help="Only the codes and transcripts of this REFI-QDA set (repeatable).",
        )
        return cast(F, option(wrapper))

    return decorate


def _apply_sets(
    kwargs: dict[str, Any], sets: tuple[str, ...], codes: str | None, transcripts: str | None
) -> None:
    from qualcode.services.refi import set_filter

    chosen = set_filter(open_existing(kwargs["project"]), sets)
    if codes is not None and chosen.codes:
        given = kwargs[codes]
        if isinstance(given, str):  # a matrix's columns: keywords, or codes joined by ","
            if given not in ("themes", "codes"):
                raise FieldError("set", "give the codes either with --cols or with a code set")
            kwargs[codes] = ",".join(chosen.codes)
        elif given:
            raise FieldError("set", "give the codes either with --code or with a code set")
        else:
            kwargs[codes] = chosen.codes
    if transcripts is not None and chosen.transcripts:
        given = tuple(kwargs.get(transcripts) or ())
        kept = tuple(t for t in chosen.transcripts if not given or t in given)
        if not kept:
            raise FieldError("set", "none of the set's transcripts is among those given")
        kwargs[transcripts] = kept


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


def output_options(
    *formats: str,
    default: str | Callable[[dict[str, Any]], str] | None = None,
    example: str = "export",
) -> Callable[[F], F]:
    """``--format`` and ``-o/--output`` for a command that writes one of ``formats``: the
    command receives ``output_format`` already chosen by
    :func:`qualcode.exporters.formats.choose_format` (the ``-o`` suffix names it; a
    suffix that disagrees with ``--format`` or names a format the command does not write
    is one line). ``default`` is the format without either (the first of ``formats``
    when not given; a callable gets the command's other options)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def run(*args: Any, output_format: str | None, output: str | None, **kwargs: Any) -> Any:
            from qualcode.exporters.formats import choose_format

            fallback = default(kwargs) if callable(default) else default or formats[0]
            chosen = choose_format(output_format, output, formats, fallback, example=example)
            return function(*args, output_format=chosen, output=output, **kwargs)

        described = "default" if callable(default) else f"default {default or formats[0]}"
        command = click.option(
            "-o",
            "--output",
            help="File to write (default: standard output); its suffix names the format. "
            "exports/ is the usual folder. An existing file is replaced only if qualcode "
            "wrote it and it is unchanged since.",
        )(cast(F, run))
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(formats),
            help=f"Output format (from the -o suffix when left out; else {described}).",
        )(command)

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


def full_precision_option(function: F) -> F:
    """``--full-precision`` for a command that writes CSV of computed numbers: every
    number as computed (by default rounded to the decimals its statistic is shown with;
    see :mod:`qualcode.exporters.csv_numbers`). On for the command's run only: the
    setting is a resource of the click context, undone when the context closes."""

    def keep_unrounded(context: click.Context, _parameter: click.Parameter, on: bool) -> None:
        if on:
            from qualcode.exporters.csv_numbers import full_precision

            context.with_resource(full_precision())

    return click.option(
        "--full-precision",
        is_flag=True,
        expose_value=False,
        callback=keep_unrounded,
        help="CSV: write computed numbers unrounded (by default coefficients get 3 "
        "decimals, percentages 1; JSON is always unrounded).",
    )(function)


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


def write_output(content: str | bytes | Iterable[str], destination: str | None) -> None:
    """Write an export to a file through the one writer (:mod:`qualcode.files.writing`:
    an earlier export of that name that nobody changed since is replaced, nothing
    else), or text to standard
    output when ``destination`` is None or ``-``. ``content`` may be text in pieces
    (a streamed export), written as it comes; a file appears only once it is whole."""
    if destination in (None, "-"):
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        elif isinstance(content, str):
            sys.stdout.write(content)
        else:
            for piece in content:
                sys.stdout.write(piece)
        return
    from qualcode.files.writing import open_for_writing, write_file

    assert destination is not None
    if isinstance(content, str | bytes):
        write_file(destination, content)
    else:
        with open_for_writing(destination) as stream:
            for piece in content:
                stream.write(piece.encode("utf-8"))
    click.echo(f"wrote {destination}", err=True)
