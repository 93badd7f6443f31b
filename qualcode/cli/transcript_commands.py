"""Transcript and case commands: import, transcripts, show, cases."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from qualcode.cli.base import (
    format_option,
    open_existing,
    project_argument,
    raw_cells_option,
    raw_stream,
)
from qualcode.domain.spans import span_text


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str], None] | None]:
    """A rich progress bar on stderr for multi-file imports at a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(file=raw_stream(sys.stderr)),  # rich strips stored controls itself
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total)
        yield lambda name: bar.update(task, advance=1, description=name)


_MIB = 1024 * 1024


def _max_bytes(_ctx: click.Context, _param: click.Parameter, value: float | None) -> int | None:
    """--max-size in MB (1 MB = 1,048,576 bytes) as a whole number of bytes; None keeps
    the importer's default. NaN, infinities, zero, negatives and sizes under one byte are
    usage errors."""
    if value is None:
        return None
    if math.isnan(value) or value <= 0:
        raise click.BadParameter(f"must be a number of MB above 0 (e.g. 100 or 0.5), not {value:g}")
    size = value * _MIB
    if not math.isfinite(size):
        raise click.BadParameter(f"{value:g} MB is too large a limit")
    if size < 1:
        raise click.BadParameter(f"{value:g} MB is less than one byte")
    return int(size)


@click.command("import")
@project_argument
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", help="Assign every imported transcript to this case.")
@click.option("--case-from-filename", is_flag=True, help="Make each file's stem its case.")
@click.option(
    "--speaker-cases", is_flag=True, help="Make each speaker a case covering their turns."
)
@click.option(
    "--skip-speaker", multiple=True, help="With --speaker-cases: no case for this speaker."
)
@click.option(
    "--max-size",
    "max_bytes",
    type=float,
    callback=_max_bytes,
    help="Refuse files over this many MB (default: 50).",
)
@format_option("text", "json")
def import_files(
    project: str,
    files: tuple[Path, ...],
    case: str | None,
    case_from_filename: bool,
    speaker_cases: bool,
    skip_speaker: tuple[str, ...],
    max_bytes: int | None,
    output_format: str,
) -> None:
    """Import transcript FILES (.txt .md .docx .vtt .srt) into PROJECT.

    Text is normalised (encoding detected, BOM stripped, LF line ends, Unicode NFC) and
    "Name: text" lines, VTT voices and SRT cues become speaker turns. All files are read
    before anything is stored: one bad file stops the import and nothing is kept.
    """
    from qualcode.exporters.tables import render_json
    from qualcode.services.transcripts import import_transcripts

    opened = open_existing(project)
    show_bar = output_format == "text" and len(files) > 1 and sys.stderr.isatty()
    with _progress(len(files), show_bar) as progress:
        outcomes = import_transcripts(
            opened,
            list(files),
            case=case,
            case_from_filename=case_from_filename,
            speaker_cases=speaker_cases,
            skip_speakers=skip_speaker,
            max_bytes=max_bytes,
            progress=progress,
        )
    if output_format == "json":
        click.echo(render_json([o.as_dict() for o in outcomes]), nl=False)
        return
    for o in outcomes:
        if o.status == "unchanged":
            click.echo(f"{o.name}: already imported with identical text; nothing to do")
            continue
        notes = "; ".join(o.notes)
        click.echo(
            f"{o.name}: imported {o.characters:,} characters, {o.turns:,} turns"
            + (f", speakers {', '.join(o.speakers)}" if o.speakers else "")
            + (f", case {', '.join(o.cases)}" if o.cases else "")
            + f" [{notes}]"
        )
        for warning in o.warnings:
            click.echo(f"{o.name}: warning: {warning}")


@click.command()
@project_argument
@format_option("table", "json", "csv")
@raw_cells_option
def transcripts(project: str, output_format: str) -> None:
    """List PROJECT's transcripts: characters, words, turns, speakers, cases."""
    from qualcode.exporters.tables import render_csv, render_json, render_table
    from qualcode.services import quick_listings

    summaries = quick_listings.transcript_summaries(project)
    if summaries is None:
        from qualcode.services.transcripts import list_transcripts

        summaries = list_transcripts(open_existing(project))
    headers = ("name", "characters", "words", "turns", "speakers", "case", "language")
    rows = [
        (
            s.name,
            s.characters,
            s.words,
            s.turns,
            ", ".join(s.speakers),
            ", ".join(s.cases),
            s.language,
        )
        for s in summaries
    ]
    if output_format == "json":
        click.echo(
            render_json(
                [
                    {
                        **dict(zip(headers, row, strict=True)),
                        "speakers": list(s.speakers),
                        "case": list(s.cases),
                    }
                    for row, s in zip(rows, summaries, strict=True)
                ]
            ),
            nl=False,
        )
    elif output_format == "csv":
        click.echo(render_csv(headers, rows), nl=False)
    else:
        click.echo(render_table(headers, rows, max_cell=40), nl=False)


@click.command()
@project_argument
@click.argument("transcript")
@click.option("--span", help="Only START:END (half-open code-point offsets).")
@click.option("--turns", "with_turns", is_flag=True, help="List turns with their offsets instead.")
def show(project: str, transcript: str, span: str | None, with_turns: bool) -> None:
    """Print TRANSCRIPT's stored (normalised) text, or a span of it."""
    from qualcode.domain.spans import parse_span
    from qualcode.domain.transcripts import transcript_passage
    from qualcode.exporters.tables import render_table
    from qualcode.services import quick_listings

    record = quick_listings.transcript(project, transcript)
    if record is None:
        from qualcode.services.transcripts import get_transcript

        record = get_transcript(open_existing(project), transcript)
    if with_turns:
        rows = [
            (
                n,
                t.start,
                t.end,
                t.speaker,
                _clock(t.timestamp),
                span_text(record.text, t.start, t.end),
            )
            for n, t in enumerate(record.turns, start=1)
        ]
        headers = ("turn", "start", "end", "speaker", "time", "text")
        click.echo(render_table(headers, rows, max_cell=60), nl=False)
        return
    if span:
        parsed = parse_span(span)
        click.echo(transcript_passage(record, parsed.start, parsed.end))
    else:
        click.echo(record.text, nl=not record.text.endswith("\n"))


def _clock(seconds: float | None) -> str | None:
    """Seconds as h:mm:ss.s (cue times), or None."""
    if seconds is None:
        return None
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{secs:04.1f}"


@click.group(invoke_without_command=True, context_settings={"allow_interspersed_args": True})
@project_argument
@format_option("table", "json")
@click.pass_context
def cases(ctx: click.Context, project: str, output_format: str) -> None:
    """List PROJECT's cases with attributes and assignments; `import FILE` adds them."""
    ctx.obj = project
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.exporters.tables import render_json, render_table
    from qualcode.services import quick_listings

    listed = quick_listings.cases(project)
    if listed is None:
        from qualcode.services.cases import list_attributes, list_cases

        opened = open_existing(project)
        listed = list_cases(opened), list_attributes(opened)
    found, attributes = listed
    if output_format == "json":
        click.echo(
            render_json(
                [
                    {
                        "case": c.name,
                        "attributes": dict(c.attributes),
                        "assignments": [
                            {
                                "transcript": a.transcript,
                                "start": a.start,
                                "end": a.end,
                                "speaker": a.speaker,
                            }
                            for a in c.assignments
                        ],
                    }
                    for c in found
                ]
            ),
            nl=False,
        )
        return
    attribute_names = [definition.name for definition in attributes]
    rows = []
    for c in found:
        values = dict(c.attributes)
        where = sorted(
            {a.transcript + (f" ({a.speaker})" if a.speaker else "") for a in c.assignments}
        )
        rows.append((c.name, *(values.get(n, "") for n in attribute_names), "; ".join(where)))
    click.echo(render_table(("case", *attribute_names, "assigned to"), rows), nl=False)


@cases.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def cases_import(project: str, file: Path) -> None:
    """Import cases and typed attributes from FILE (.csv or .yaml).

    CSV columns: case, optional transcript and speaker, then one column per attribute,
    typed in the header (name:number, name:date, name:ordinal(low<medium<high); untyped
    columns are inferred). A speaker assigns the case to that speaker's turns only.
    """
    from qualcode.services.cases import import_cases

    result = import_cases(open_existing(project), file)
    click.echo(
        f"{file}: {result.cases} cases, {result.attributes} attributes, "
        f"{result.assignments} assignments"
    )
