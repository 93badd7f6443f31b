"""Survey commands: import-survey."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import format_option, open_existing, project_argument


@click.command("import-survey")
@project_argument
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--case-column", required=True, help="The column naming each respondent.")
@click.option(
    "--text-column",
    "text_columns",
    multiple=True,
    required=True,
    help="An open question: its answers become one transcript (repeat for more).",
)
@click.option(
    "--attribute-column",
    "attribute_columns",
    multiple=True,
    help="A closed question kept as a case attribute (default: every other column).",
)
@click.option(
    "--attribute-type",
    "attribute_types",
    multiple=True,
    metavar="COLUMN=TYPE",
    help="Type an attribute column instead of inferring it: number, date, text or "
    "ordinal(low<medium<high), e.g. 'Tilfredshed=ordinal(1<2<3<4<5)' (repeatable).",
)
@click.option("--sheet", help="The workbook's sheet to read (.xlsx; default: the first).")
@format_option("text", "json")
def import_survey(
    project: str,
    file: Path,
    case_column: str,
    text_columns: tuple[str, ...],
    attribute_columns: tuple[str, ...],
    attribute_types: tuple[str, ...],
    sheet: str | None,
    output_format: str,
) -> None:
    """Import a survey export FILE (.csv or .xlsx) into PROJECT.

    Each --text-column becomes a transcript named after its header, with one turn per
    non-empty answer spoken by the respondent; each respondent becomes a case covering
    their answers, with the other columns as typed attributes (number, date or text
    inferred from the values, or the type --attribute-type gives, ordinal included).
    The delimiter (comma, semicolon, tab) and encoding are detected. Bad rows are listed
    in one line and nothing is stored; importing the same file again changes nothing.
    """
    from qualcode.domain.survey import SurveyColumns, parse_attribute_type
    from qualcode.exporters.tables import render_json
    from qualcode.services.survey import import_survey as run_import

    types = tuple(parse_attribute_type(value) for value in attribute_types)
    columns = SurveyColumns(case_column, text_columns, attribute_columns or None, types)
    outcome = run_import(open_existing(project), file, columns, sheet=sheet)
    if output_format == "json":
        click.echo(render_json(outcome.as_dict()), nl=False)
        return
    if outcome.unchanged:
        click.echo(f"{file}: already imported with identical answers and values; nothing to do")
        return
    attributes = ", ".join(f"{a.name} ({a.type.value})" for a in outcome.attributes)
    click.echo(
        f"{file}: {_count(len(outcome.questions), 'question')}, "
        f"{_count(outcome.respondents, 'respondent')} ({outcome.new_cases:,} new cases), "
        f"{_count(outcome.values_set, 'attribute value')} set"
        + (f"; attributes {attributes}" if attributes else "")
        + f" [{'; '.join(outcome.notes)}]"
    )
    for question in outcome.questions:
        if question.status == "unchanged":
            click.echo(f"  {question.name}: already imported with identical answers")
        else:
            click.echo(
                f"  {question.name}: imported {question.answers:,} answers, "
                f"{question.characters:,} characters"
            )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
