"""Agreement commands: agreement, disagreements, reconcile."""

from __future__ import annotations

import atexit
import functools
import gc
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from qualcode.cli.arguments import COUNT, bounded_float, bounded_int
from qualcode.cli.base import (
    format_option,
    full_precision_option,
    open_existing,
    output_options,
    project_argument,
    raw_cells_option,
    set_option,
    write_output,
)
from qualcode.domain.cycle_collection import paused
from qualcode.domain.errors import InputError
from qualcode.domain.spans import span_text

if TYPE_CHECKING:
    from fractions import Fraction  # not at start-up: it imports decimal

    from qualcode.services.reconcile import Disagreement

# The option choices are spelled out (tests check them against the domain enums) so that
# loading the CLI does not import the agreement modules: start-up time matters.
# The bootstrap's limits and defaults as domain/agreement_intervals states them (LEVELS,
# RESAMPLES, DEFAULT_RESAMPLES, Resampling, DEFAULT_RESAMPLING), repeated here so
# start-up imports no statistics module; tests/test_import_hygiene.py checks they agree.
LEVELS = (50.0, 99.9)
RESAMPLES = (100, 100_000)
DEFAULT_RESAMPLES = 2000
UNITS = ("character", "turn", "sentence", "transcript")
RESAMPLING = ("unit", "transcript")
DEFAULT_RESAMPLING = "transcript"
ORIGINS = ("human", "suggested")
STRATEGIES = ("union", "intersection", "majority", "a", "b")
CHOICES = ("a", "b", "both", "neither", "edit")
GREEDY_OPTIONS = ("--coders", "--code", "--transcript", "--origin")
F = TypeVar("F", bound=Callable[..., Any])


def collector_paused(command: F) -> F:
    """``command`` with Python's cyclic garbage collector paused from its first heavy
    import to the last byte it writes (:func:`qualcode.domain.cycle_collection.paused`):
    an agreement report is millions of objects and no reference cycles, and the
    collector's scans cost a fifth of the imports and more of the report."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with paused():
            try:
                return command(*args, **kwargs)
            finally:
                _skip_the_final_scan()

    return cast(F, run)


def _skip_the_final_scan() -> None:
    """At interpreter exit, move every object into the collector's permanent generation
    (:func:`gc.freeze`) before the collections Python runs while shutting down: those
    would scan the million objects a large report left behind only to find no cycles
    (0.13 s of a 2 s agreement run). Registered at exit, after every byte is written
    and every file closed, so nothing is skipped that a command or a test still needs;
    objects are still freed by reference counting, and an in-process caller (a test)
    is not affected until its own process ends."""
    global _exit_registered
    if not _exit_registered:
        _exit_registered = True
        atexit.register(gc.freeze)


_exit_registered = False


class ManyValuesCommand(click.Command):
    """A command whose ``--coders``, ``--code``, ``--transcript`` and ``--origin`` take
    several values in a row (``--coders anna bo chloe``): every argument after such an option, up to
    the next option, is another value of it. Name PROJECT before these options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_values(args, GREEDY_OPTIONS))


def spread_values(args: Sequence[str], greedy: Sequence[str]) -> list[str]:
    """``["--coders", "a", "b"]`` → ``["--coders", "a", "--coders", "b"]``."""
    result: list[str] = []
    collecting: str | None = None
    have_value = False
    for index, arg in enumerate(args):
        if arg == "--":
            result.extend(args[index:])
            break
        if arg.startswith("-") and len(arg) > 1 and not arg[1].isdigit():
            name, equals, _ = arg.partition("=")
            collecting = name if name in greedy else None
            have_value = bool(equals)
            result.append(arg)
        elif collecting is not None:
            if have_value:
                result.append(collecting)
            result.append(arg)
            have_value = True
        else:
            result.append(arg)
    return result


class Threshold(click.ParamType["Fraction"]):
    """A segment threshold: a percent from 0 to 100 with decimals, read exactly
    (:func:`qualcode.domain.agreement_report.parse_threshold`); a wrong one is a usage
    error (exit 2), as for every option value of the wrong kind."""

    name = "percent"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Fraction:
        from fractions import Fraction

        from qualcode.domain.agreement_report import parse_threshold
        from qualcode.domain.errors import FieldError

        if isinstance(value, Fraction):
            return value
        try:
            return parse_threshold(str(value))
        except FieldError as error:
            self.fail(error.reason, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "PERCENT"


class OriginValue(click.ParamType[str]):
    """``ORIGIN`` or ``CODER=ORIGIN`` with ORIGIN one of :data:`ORIGINS`: a wrong origin
    is a usage error (exit 2); whether the coder is compared is the service's to say."""

    name = "origin"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        text = str(value)
        origin = text.rpartition("=")[2].strip().lower()
        if origin not in ORIGINS:
            self.fail(
                f"{text!r}: the origin is {' or '.join(ORIGINS)}, alone (every coder) or "
                "as CODER=ORIGIN",
                param,
                ctx,
            )
        return text

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[CODER=]human|suggested"


def _coders_option(metavar: str) -> Callable[[F], F]:
    return click.option(
        "--coders",
        multiple=True,
        required=True,
        metavar=metavar,
        help="The coders to compare, one after another.",
    )


_code_option = click.option(
    "--code",
    "codes",
    multiple=True,
    metavar="CODE...",
    help="Only these codes (each with its sub-codes; each compared on its own codings).",
)
_transcript_option = click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    metavar="NAME...",
    help="Only these transcripts (still only those every coder finished).",
)


@click.command(cls=ManyValuesCommand)
@project_argument
@_coders_option("A B [C...]")
@_code_option
@_transcript_option
@click.option(
    "--unit",
    type=click.Choice(UNITS),
    default="character",
    show_default=True,
    help="What one unit is; a turn or sentence counts as coded if any character in it is.",
)
@click.option(
    "--threshold",
    type=Threshold(),
    default="90",
    show_default=True,
    help="Segment agreement: minimum intersection/union, percent (decimals allowed: 66.7).",
)
@click.option(
    "--stats",
    "stats",
    multiple=True,
    metavar="NAME,...",
    help="Only these statistics (agree, disagree, kappa, pi, bp, ac1, segment, alpha, "
    "alpha-u, fleiss, all-agree); default: all.",
)
@click.option(
    "--ci",
    "ci_level",
    type=bounded_float(*LEVELS),
    metavar="PERCENT",
    help="Bootstrap confidence intervals of the pooled kappa and alpha at this level "
    "(95), with Krippendorff's verdict on alpha's lower bound.",
)
@click.option(
    "--bootstrap",
    "resamples",
    type=bounded_int(*RESAMPLES),
    default=DEFAULT_RESAMPLES,
    show_default=True,
    metavar="N",
    help="With --ci: how many resamples.",
)
@click.option(
    "--seed",
    type=bounded_int(0, 2**63 - 1),
    default=1,
    show_default=True,
    help="With --ci: the random seed (the same seed gives the same intervals).",
)
@click.option(
    "--ci-by",
    type=click.Choice(RESAMPLING),
    default=DEFAULT_RESAMPLING,
    show_default=True,
    help="With --ci: resample whole transcripts (the units of one transcript hang "
    "together; needs 5 or more), or units as if independent (too narrow).",
)
@click.option(
    "--per-transcript",
    is_flag=True,
    help="Table format: add per-transcript rows (the other formats always have them).",
)
@click.option("--pretty", is_flag=True, help="JSON only: indented for people (default: compact).")
@click.option(
    "--origin",
    "origins",
    type=OriginValue(),
    multiple=True,
    help="Only codings made by hand (human) or accepted from `qualcode suggest` "
    "(suggested): of every coder, or of one (anna=suggested bo=human compares anna's "
    "accepted suggestions with bo's own coding).",
)
@output_options("table", "json", "csv", "xlsx", "html", example="agreement")
@raw_cells_option
@full_precision_option
@set_option(codes="codes", transcripts="transcripts")
@collector_paused
def agreement(
    project: str,
    coders: tuple[str, ...],
    codes: tuple[str, ...],
    transcripts: tuple[str, ...],
    unit: str,
    threshold: Fraction,
    stats: tuple[str, ...],
    ci_level: float | None,
    resamples: int,
    seed: int,
    ci_by: str,
    per_transcript: bool,
    pretty: bool,
    origins: tuple[str, ...],
    output_format: str,
    output: str | None,
) -> None:
    """Inter-coder agreement of two or more coders, per code: percent agreement, Cohen's
    kappa, Scott's pi, Brennan–Prediger, Gwet's AC1 and segment agreement per pair,
    Krippendorff's alpha and unitizing alpha (and Fleiss' kappa for three or more
    coders), per transcript, pooled and as a mean."""
    from qualcode.domain.agreement_intervals import IntervalSettings, Resampling
    from qualcode.services.agreement import compare_coders

    check_agreement_options(click.get_current_context(), coders, stats, ci_level)
    if pretty and output_format != "json":
        from qualcode.domain.errors import FieldError

        raise FieldError("pretty", f"indents JSON only; this is {output_format} (--format json)")
    intervals = None
    if ci_level is not None:
        intervals = IntervalSettings(ci_level, resamples, seed, Resampling(ci_by))

    report = compare_coders(
        open_existing(project),
        coders,
        codes=codes,
        transcripts=transcripts,
        unit=unit,
        threshold=threshold,
        stats=stats,
        intervals=intervals,
        origin=origins,
    )
    if output_format == "xlsx":
        from qualcode.exporters.agreement_documents import report_xlsx

        write_output(report_xlsx(report), output)
        return
    if output_format == "html":
        from qualcode.exporters.agreement_documents import report_html

        text = report_html(report)
    elif output_format == "json":
        from qualcode.exporters.agreement_json import report_json

        write_output(report_json(report, pretty=pretty), output)
        return
    elif output_format == "csv":
        from qualcode.exporters.agreement import render_report_csv

        text = render_report_csv(report)
    else:
        from qualcode.exporters.agreement import render_report_table

        text = render_report_table(report, per_transcript=per_transcript)
    write_output(text, output)


INTERVAL_OPTIONS = {"resamples": "bootstrap", "seed": "seed", "ci_by": "ci_by"}
"""The options that only say how --ci's intervals are made: parameter -> field name."""


def check_agreement_options(
    ctx: click.Context, coders: Sequence[str], stats: Sequence[str], ci_level: float | None
) -> None:
    """Refuse, before anything is read, options that would be silently ignored: an
    interval option (``--bootstrap``, ``--seed``, ``--ci-by``) given without ``--ci``,
    and ``--stats`` naming only statistics that do not apply to this many coders
    (Fleiss' kappa needs three). Each is a :class:`FieldError` naming the option."""
    from click.core import ParameterSource

    from qualcode.domain.errors import FieldError

    if ci_level is None:
        for parameter, field in INTERVAL_OPTIONS.items():
            if ctx.get_parameter_source(parameter) is not ParameterSource.DEFAULT:
                raise FieldError(field, "needs --ci PERCENT (it says how the intervals are made)")
    if stats:
        from qualcode.domain.statistics.registry import choose

        count = len(dict.fromkeys(coders))
        chosen = choose(stats)
        if not any(s.applies(count) for s in chosen):
            needs = "; ".join(
                f"{s.option_name} needs {s.min_coders} or more coders" for s in chosen
            )
            raise FieldError("stats", f"{needs}, and {count} are compared")


@click.command(cls=ManyValuesCommand)
@project_argument
@_coders_option("A B")
@_code_option
@_transcript_option
@click.option("--all", "include_agreed", is_flag=True, help="Also list where they agree.")
@format_option("table", "json", "csv")
@raw_cells_option
def disagreements(
    project: str,
    coders: tuple[str, ...],
    codes: tuple[str, ...],
    transcripts: tuple[str, ...],
    include_agreed: bool,
    output_format: str,
) -> None:
    """List where two coders' codings differ: each region (START:END) with both coders'
    spans in it and its text — what `reconcile --at` settles."""
    from qualcode.exporters.tables import render_csv, render_json, render_table
    from qualcode.services.reconcile import list_disagreements
    from qualcode.services.transcripts import get_transcript

    opened = open_existing(project)
    found, data = list_disagreements(
        opened, coders, codes=codes, transcripts=transcripts, include_agreed=include_agreed
    )
    texts = {name: get_transcript(opened, name).text for name in {d.transcript for d in found}}
    a, b = data.coders
    headers = ("transcript", "code", "at", "agreed", a, b, "text")
    rows = [_disagreement_row(d, texts[d.transcript]) for d in found]
    if output_format == "json":
        records = [
            {
                "transcript": d.transcript,
                "code": d.code,
                "start": d.region.start,
                "end": d.region.end,
                "agreed": d.region.agreed,
                "a": [[s.start, s.end] for s in d.region.a],
                "b": [[s.start, s.end] for s in d.region.b],
                "text": span_text(texts[d.transcript], d.region.start, d.region.end),
            }
            for d in found
        ]
        click.echo(render_json({"coders": [a, b], "regions": records}), nl=False)
    elif output_format == "csv":
        click.echo(render_csv(headers, rows), nl=False)
    else:
        click.echo(render_table(headers, rows, max_cell=60), nl=False)
        for excluded in data.excluded:
            click.echo(f"left out {excluded.transcript}: {excluded.reason}", err=True)


def _disagreement_row(found: Disagreement, text: str) -> tuple[str, str, str, str, str, str, str]:
    region = found.region

    def spans(items: Sequence[Any]) -> str:
        return " ".join(f"{s.start}:{s.end}" for s in items) or "-"

    return (
        found.transcript,
        found.code,
        f"{region.start}:{region.end}",
        "yes" if region.agreed else "no",
        spans(region.a),
        spans(region.b),
        span_text(text, region.start, region.end),
    )


@click.command(cls=ManyValuesCommand)
@project_argument
@_coders_option("A B [C D E]")
@click.option(
    "--into",
    default="consensus",
    show_default=True,
    help="The coder layer that receives the result (never one of the compared coders).",
)
@click.option(
    "--strategy",
    type=click.Choice(STRATEGIES),
    help="Bulk: what anyone coded (union), everyone (intersection), more than half "
    "(majority; for two coders = intersection), or, for two coders, all of a's or b's.",
)
@click.option(
    "--min",
    "minimum",
    type=COUNT,
    metavar="N",
    help="Bulk, instead of --strategy: what at least N of the coders coded.",
)
@_code_option
@_transcript_option
@click.option("--replace", is_flag=True, help="Bulk: replace the layer's existing codings.")
@click.option("--at", "region", metavar="START:END", help="One region, as `disagreements` lists.")
@click.option(
    "--choose",
    type=click.Choice(CHOICES),
    help="With --at: keep a's, b's, both (the whole region), neither, or an edit.",
)
@click.option("--span", "spans", multiple=True, metavar="START:END", help="With --choose edit.")
def reconcile(
    project: str,
    coders: tuple[str, ...],
    into: str,
    strategy: str | None,
    minimum: int | None,
    codes: tuple[str, ...],
    transcripts: tuple[str, ...],
    replace: bool,
    region: str | None,
    choose: str | None,
    spans: tuple[str, ...],
) -> None:
    """Write the coders' consensus into a separate coder layer (default `consensus`),
    leaving their own codings untouched: in bulk for two to five coders with --strategy
    or --min, or, for two coders, one region at a time with --transcript NAME --code
    CODE --at START:END --choose CHOICE."""
    from qualcode.domain.spans import parse_span

    opened = open_existing(project)
    if region is None:
        if strategy is None and minimum is None:
            raise InputError("reconcile", "give --strategy or --min (bulk) or --at with --choose")
        if choose or spans:
            raise InputError("--choose", "--choose and --span go with --at START:END")
        from qualcode.services.reconcile import join_names
        from qualcode.services.reconcile import reconcile as reconcile_all

        result = reconcile_all(
            opened,
            coders,
            into=into,
            strategy=strategy,
            minimum=minimum,
            codes=codes,
            transcripts=transcripts,
            replace=replace,
        )
        click.echo(
            f"{result.into}: {result.created} coding(s) from {join_names(result.coders)} "
            f"({result.rule}) over {result.transcripts} transcript(s) × "
            f"{result.codes} code(s); {result.replaced} replaced"
        )
        for excluded in result.excluded:
            click.echo(f"left out {excluded.transcript}: {excluded.reason}", err=True)
        for skipped in result.skipped:
            click.echo(f"skipped coding {skipped.coding.coding_id}: {skipped.reason}", err=True)
        return
    if strategy is not None or minimum is not None or replace:
        raise InputError("--at", "--strategy, --min and --replace are for bulk reconciliation")
    if choose is None:
        raise InputError("--at", "say how to settle it with --choose")
    if len(transcripts) != 1 or len(codes) != 1:
        raise InputError("--at", "give exactly one --transcript and one --code")
    at = parse_span(region, "--at")
    edited = [(s.start, s.end) for s in (parse_span(value) for value in spans)]
    from qualcode.services.reconcile import resolve_disagreement

    created = resolve_disagreement(
        opened,
        coders,
        transcripts[0],
        codes[0],
        (at.start, at.end),
        choose,
        into=into,
        spans=edited,
    )
    kept = " ".join(f"{c.start}:{c.end}" for c in created) or "nothing"
    click.echo(f"{into.strip()}: {transcripts[0]} {at.start}:{at.end} settled ({choose}): {kept}")
