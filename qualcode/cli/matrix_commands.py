"""Matrix, co-occurrence, report and framework-summary commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qualcode.cli.base import (
    full_precision_option,
    open_existing,
    output_options,
    project_argument,
    raw_cells_option,
    set_option,
    write_output,
)
from qualcode.domain.errors import InputError
from qualcode.exporters.matrix_formats import (
    COOCCURRENCE_RENDERERS,
    MATRIX_RENDERERS,
    REPORT_RENDERERS,
    render_matrix,
)

if TYPE_CHECKING:
    from qualcode.domain.matrices import Measure
    from qualcode.services.matrices import MatrixRequest

F = TypeVar("F", bound=Callable[..., Any])

MATRIX_FORMATS = tuple(MATRIX_RENDERERS)
COOCCURRENCE_FORMATS = tuple(COOCCURRENCE_RENDERERS)
REPORT_FORMATS = tuple(REPORT_RENDERERS)
MEASURE_NAMES = (
    "references, words, characters, coverage, presence, transcripts, cases, row-pct, "
    "col-pct, passages or all"
)


def _filter_options(function: F) -> F:
    """--coder, --separate-coders, --transcript, --case and --where."""
    function = click.option(
        "--separate-coders",
        is_flag=True,
        help="One block of columns per coder instead of the coders' union.",
    )(function)
    return _text_filter_options(function)


def _text_filter_options(function: F) -> F:
    """--coder (merged), --transcript, --case and --where."""
    options = [
        click.option(
            "--where",
            multiple=True,
            metavar="ATTRIBUTE=VALUE",
            help="Only cases with this attribute value (repeatable; one attribute's values "
            "are alternatives).",
        ),
        click.option("--case", "cases", multiple=True, help="Only this case's text (repeatable)."),
        click.option("--transcript", multiple=True, help="Only this transcript (repeatable)."),
        click.option(
            "--coder", "coders", multiple=True, help="Only this coder (repeatable; default all)."
        ),
    ]
    for option in options:
        function = option(function)
    return function


def _parse_measures(values: Sequence[str], default: Sequence[str]) -> list[Measure]:
    from qualcode.domain.matrices import Measure

    names = [n.strip() for value in values for n in value.split(",") if n.strip()] or default
    chosen: list[Measure] = []
    for name in names:
        if name == "all":
            chosen.extend(m for m in Measure if m not in chosen)
            continue
        try:
            measure = Measure(name)
        except ValueError:
            raise InputError(
                "--measure", f"unknown measure {name!r} (use {MEASURE_NAMES})"
            ) from None
        if measure not in chosen:
            chosen.append(measure)
    return chosen


def _request(
    rows: str,
    columns: str,
    coders: tuple[str, ...],
    separate_coders: bool,
    transcript: tuple[str, ...],
    cases: tuple[str, ...],
    where: tuple[str, ...],
    measures: Sequence[Measure] = (),
) -> MatrixRequest:
    from qualcode.domain.matrices import Measure
    from qualcode.services.matrices import MatrixRequest

    return MatrixRequest(
        rows=rows,
        columns=columns,
        coders=coders,
        separate_coders=separate_coders,
        transcripts=transcript,
        cases=cases,
        where=where,
        words=Measure.WORDS in measures,
        passages=Measure.PASSAGES in measures,
    )


@click.command()
@project_argument
@click.option(
    "--rows",
    default="cases",
    show_default=True,
    help="cases | transcripts | speakers | attribute:NAME | attribute:A,attribute:B (crossed).",
)
@click.option(
    "--cols",
    "columns",
    default="themes",
    show_default=True,
    help="themes (sub-codes rolled up) | codes (each code's own codings) | CODE,CODE,... "
    "(each with its sub-codes).",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    help=f"{MEASURE_NAMES} (repeatable or comma-separated). Default: references for csv and "
    "md, all for xlsx, html, json and --long.",
)
@_filter_options
@click.option("--long", "long_form", is_flag=True, help="CSV: tidy long, one line per value.")
@output_options(
    *MATRIX_FORMATS,
    default=lambda options: "csv" if options["long_form"] else "md",
    example="matrix",
)
@raw_cells_option
@full_precision_option
@set_option(codes="columns", transcripts="transcript")
def matrix(
    project: str,
    rows: str,
    columns: str,
    measures: tuple[str, ...],
    coders: tuple[str, ...],
    separate_coders: bool,
    transcript: tuple[str, ...],
    cases: tuple[str, ...],
    where: tuple[str, ...],
    long_form: bool,
    output_format: str,
    output: str | None,
) -> None:
    """Theme-by-case matrix of PROJECT: rows × codes, counted by the rules in the README
    ("Counting rules"), with Total row and column. Text formats go to standard output
    unless -o is given."""
    from qualcode.services.matrices import build_matrix

    chosen_format = output_format
    if long_form and chosen_format != "csv":
        raise InputError("--long", "tidy long output is a CSV layout: use it with --format csv")
    one_table = chosen_format in ("csv", "md") and not long_form
    chosen = _parse_measures(measures, ["references"] if one_table else ["all"])
    if chosen_format == "csv" and not long_form and len(chosen) > 1:
        names = ", ".join(m.value for m in chosen)
        raise InputError(
            "--measure", f"a wide CSV holds one measure, not {names}: give one, or add --long"
        )
    request = _request(rows, columns, coders, separate_coders, transcript, cases, where, chosen)
    built = build_matrix(open_existing(project), request)
    write_output(render_matrix(built, chosen_format, chosen, long=long_form), output)


@click.command()
@project_argument
@click.option(
    "--cols",
    "columns",
    default="codes",
    show_default=True,
    help="codes (each code's own codings) | themes (sub-codes rolled up) | CODE,CODE,...",
)
@click.option(
    "--measure",
    type=click.Choice(["count", "coefficient", "both"]),
    help="count (overlap events), coefficient (n12/(n1+n2-n12)) or both. "
    "Default: count for csv, both otherwise.",
)
@_filter_options
@output_options(*COOCCURRENCE_FORMATS, default="md", example="cooccurrence")
@raw_cells_option
@full_precision_option
def cooccurrence(
    project: str,
    columns: str,
    measure: str | None,
    coders: tuple[str, ...],
    separate_coders: bool,
    transcript: tuple[str, ...],
    cases: tuple[str, ...],
    where: tuple[str, ...],
    output_format: str,
    output: str | None,
) -> None:
    """Code × code co-occurrence in PROJECT: overlap events of two codes' references in
    the same transcript, and the coefficient n12/(n1+n2-n12)."""
    from qualcode.exporters import matrix_cooccurrence as export
    from qualcode.services.matrices import build_cooccurrence

    chosen_format = output_format
    wanted = measure or ("count" if chosen_format == "csv" else "both")
    if chosen_format == "csv" and wanted == "both":
        raise InputError("--measure", "a CSV holds one measure: count or coefficient")
    measures = export.COOCCURRENCE_MEASURES if wanted == "both" else (wanted,)
    request = _request("cases", columns, coders, separate_coders, transcript, cases, where)
    built = build_cooccurrence(open_existing(project), request)
    write_output(COOCCURRENCE_RENDERERS[chosen_format](built, measures), output)


@click.command()
@project_argument
@click.option("--code", "code_path", required=True, help="The theme or code (with sub-codes).")
@_text_filter_options
@output_options(*REPORT_FORMATS, default="md", example="report")
def report(
    project: str,
    code_path: str,
    coders: tuple[str, ...],
    transcript: tuple[str, ...],
    cases: tuple[str, ...],
    where: tuple[str, ...],
    output_format: str,
    output: str | None,
) -> None:
    """Quotes by theme: every passage of CODE in PROJECT, grouped by case with the case's
    attribute values and framework summary, ready to paste into a report. The chosen
    coders' passages are merged."""
    from qualcode.services.reports import build_theme_report

    built = build_theme_report(
        open_existing(project),
        code_path,
        coders=coders,
        transcripts=transcript,
        cases=cases,
        where=where,
    )
    write_output(REPORT_RENDERERS[output_format](built), output)


@click.command()
@project_argument
@click.argument("case")
@click.argument("code_path", metavar="CODE")
@click.argument("text", required=False)
@click.option(
    "--author", help="Who wrote the summary (during a blind round: you, to see or set your own)."
)
def summary(project: str, case: str, code_path: str, text: str | None, author: str | None) -> None:
    """Framework-matrix summary of CASE × CODE: set it to TEXT (an empty TEXT removes it),
    or without TEXT show it. Summaries appear beside the passages in matrix and report
    outputs."""
    from qualcode.services.matrices import get_framework_summary, set_framework_summary

    opened = open_existing(project)
    if text is None:
        found = get_framework_summary(opened, case, code_path, reader=author)
        if found is None:
            click.echo(f"no summary for {case} × {code_path}")
        else:
            by = f" ({found.author}, {found.updated_at})" if found.author else ""
            click.echo(f"{found.case} × {found.code}{by}:\n{found.text}")
        return
    stored = set_framework_summary(opened, case, code_path, text, author)
    if stored is None:
        click.echo(f"summary removed: {case} × {code_path}")
    else:
        click.echo(f"summary set: {stored.case} × {stored.code}")
