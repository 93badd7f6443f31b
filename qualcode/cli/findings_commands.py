"""``qualcode findings``: a draft findings chapter."""

from __future__ import annotations

import click

from qualcode.cli.arguments import bounded_int
from qualcode.cli.base import (
    open_existing,
    output_options,
    project_argument,
    set_option,
    write_output,
)
from qualcode.exporters.findings_formats import FINDINGS_RENDERERS


@click.command()
@project_argument
@click.option(
    "--code",
    "codes",
    multiple=True,
    help="Only this theme or code, with its sub-codes (repeatable; default every theme).",
)
@click.option("--coder", "coders", multiple=True, help="Only this coder (repeatable; default all).")
@click.option(
    "--where",
    multiple=True,
    metavar="ATTRIBUTE=VALUE",
    help="Only cases with this attribute value (repeatable; one attribute's values are "
    "alternatives).",
)
@click.option("--by", metavar="attribute:NAME", help="Also count per value of this attribute.")
@click.option(
    "--quotes",
    type=bounded_int(0, 100),
    default=3,
    show_default=True,
    help="Quotes per theme, spread across cases.",
)
@click.option(
    "--case-noun",
    metavar="SINGULAR/PLURAL",
    help="What a case is called, e.g. family/families (default case/cases).",
)
@click.option(
    "--label",
    default="{case}",
    show_default=True,
    help="Case label after each quote: {case} and {ATTRIBUTE} fields, e.g. "
    '"{case}, {child_age_group}".',
)
@click.option(
    "--language",
    type=click.Choice(["en", "da"]),
    help="Language of the chapter (default: the language most transcript text is in).",
)
@output_options(*FINDINGS_RENDERERS, default="md", example="findings")
@set_option(codes="codes", transcripts="transcripts")
def findings(
    project: str,
    codes: tuple[str, ...],
    coders: tuple[str, ...],
    where: tuple[str, ...],
    by: str | None,
    quotes: int,
    case_noun: str | None,
    label: str,
    language: str | None,
    output_format: str,
    output: str | None,
    transcripts: tuple[str, ...] = (),  # from --set (a document set)
) -> None:
    """Draft findings chapter of PROJECT: per theme its definition, how many cases raised
    it ("10 of 12 cases", counted as `qualcode matrix --measure presence` counts), the same
    per value of --by, its sub-codes, quotes spread across cases with their case labels,
    framework summaries and the cases that did not raise it."""
    from qualcode.services.findings import FindingsRequest, build_findings

    chapter = build_findings(
        open_existing(project),
        FindingsRequest(
            codes=codes,
            coders=coders,
            where=where,
            by=by,
            quotes=quotes,
            case_noun=case_noun,
            language=language,
            label=label,
            transcripts=transcripts,
        ),
    )
    write_output(FINDINGS_RENDERERS[output_format](chapter), output)
