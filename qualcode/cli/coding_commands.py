"""Codebook and coding commands: codebook, code, uncode, memo, codings."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.arguments import ID, bounded_float, bounded_int
from qualcode.cli.base import (
    format_option,
    open_existing,
    output_options,
    project_argument,
    raw_cells_option,
    write_output,
)
from qualcode.domain.errors import InputError
from qualcode.domain.spans import Span


# No group options: everything after PROJECT belongs to the subcommand (so `export -o`
# and `rename --coder` reach it).
@click.group(invoke_without_command=True)
@project_argument
@click.pass_context
def codebook(ctx: click.Context, project: str) -> None:
    """Show PROJECT's codebook tree; `import FILE.yaml` and `export` move it in and out."""
    ctx.obj = project
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.domain.codebook import path_depth
    from qualcode.services import quick_listings

    found = quick_listings.codes(project)
    if found is None:
        from qualcode.services.codebook import list_codes

        found = list_codes(open_existing(project))
    for code in found:
        shortcut = f"[{code.spec.shortcut}] " if code.spec.shortcut else ""
        click.echo(f"{'  ' * path_depth(code.path)}{shortcut}{code.spec.name}")


@codebook.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def codebook_import(project: str, file: Path) -> None:
    """Merge codebook FILE.yaml (or a REFI-QDA FILE.qdc) into the project (codes matched
    by path, and for .qdc first by GUID; none removed). A YAML entry's fields replace the
    stored ones; a field it leaves out is kept, one written empty ("") is cleared."""
    from qualcode.services.codebook import import_codebook

    if file.suffix.lower() == ".qdc":
        from qualcode.services.refi import import_qdc

        result = import_qdc(open_existing(project), file)
    else:
        result = import_codebook(open_existing(project), file)
    fields = " and ".join(result.fields_changed)
    click.echo(
        f"{file}: {len(result.created)} codes created, {len(result.updated)} updated, "
        f"{result.unchanged} unchanged" + (f"; codebook {fields} changed" if fields else "")
    )


@codebook.command("export")
@output_options("yaml", example="codebook")
@click.option(
    "--name", help="Codebook name written into the file (default: the name last imported)."
)
@click.pass_obj
def codebook_export(project: str, output_format: str, output: str | None, name: str | None) -> None:
    """Write the project's codebook as YAML, with the name and description of the
    codebook file last imported (re-importing it changes nothing)."""
    from qualcode.exporters.codebook_yaml import dump_codebook
    from qualcode.services.codebook import export_codebook

    write_output(dump_codebook(export_codebook(open_existing(project), name)), output)


def _parse_span_option(span: str | None) -> Span | None:
    if span is None:
        return None
    from qualcode.domain.spans import parse_span

    return parse_span(span)


@click.command()
@project_argument
@click.argument("transcript")
@click.argument("code_path", metavar="CODE")
@click.option("--coder", required=True, help="Who is coding.")
@click.option("--span", help="START:END, half-open code-point offsets.")
@click.option("--turn", type=bounded_int(1), help="Code the whole utterance of turn N (1-based).")
@click.option("--quote", help="Code the passage this quote comes from (fuzzy; cuts allowed).")
@click.option("--memo", help="A memo on the new coding.")
@click.option(
    "--threshold",
    type=bounded_float(0, 100),
    default=85.0,
    show_default=True,
    help="Minimum quote score (0-100).",
)
@format_option("text", "json")
def code(
    project: str,
    transcript: str,
    code_path: str,
    coder: str,
    span: str | None,
    turn: int | None,
    quote: str | None,
    memo: str | None,
    threshold: float,
    output_format: str,
) -> None:
    """Code a passage of TRANSCRIPT with CODE (a path like "continuity/meeting the child").

    Give exactly one of --span, --turn or --quote. A quote may be printed as in a report:
    with "(…)" cuts, [editorial insertions], other line breaks or hyphenation.
    """
    from qualcode.exporters.codings import coding_record
    from qualcode.exporters.tables import render_json
    from qualcode.services.coding import apply_code

    if sum(x is not None for x in (span, turn, quote)) != 1:
        raise InputError("code", "give exactly one of --span, --turn or --quote")
    coding, located = apply_code(
        open_existing(project),
        transcript,
        code_path,
        coder,
        span=_parse_span_option(span),
        turn=turn,
        quote=quote,
        memo=memo,
        quote_threshold=threshold,
    )
    score = located.quote.score if located.quote else None
    if output_format == "json":
        click.echo(render_json({**coding_record(coding), "score": score}), nl=False)
        return
    preview = coding.text.replace("\n", " ")
    preview = preview if len(preview) <= 70 else preview[:69] + "…"
    click.echo(
        f"coding {coding.id}: {coding.transcript} {coding.start}:{coding.end} "
        f"{coding.code_path} by {coding.coder}"
        + (f" (quote score {score:.1f})" if score is not None else "")
        + f"\n  “{preview}”"
    )


@click.command()
@project_argument
@click.argument("transcript", required=False)
@click.argument("code_path", metavar="[CODE]", required=False)
@click.option("--id", "coding_id", type=ID, help="Remove the coding with this id.")
@click.option(
    "--coder",
    help="Whose coding (with --id: only theirs is removed; required during a blind round).",
)
@click.option("--span", help="With TRANSCRIPT CODE --coder: START:END of the coding.")
def uncode(
    project: str,
    transcript: str | None,
    code_path: str | None,
    coding_id: int | None,
    coder: str | None,
    span: str | None,
) -> None:
    """Remove a coding: by --id, or by TRANSCRIPT CODE --coder NAME --span START:END."""
    from qualcode.services.coding import remove_coding, remove_coding_at

    opened = open_existing(project)
    if coding_id is not None:
        if transcript or code_path or span:
            raise InputError("uncode", "give either --id or TRANSCRIPT CODE --coder --span")
        removed = [remove_coding(opened, coding_id, coder=coder)]
    else:
        parsed = _parse_span_option(span)
        if not (transcript and code_path and coder and parsed):
            raise InputError("uncode", "give --id N, or TRANSCRIPT CODE --coder NAME --span S:E")
        removed = remove_coding_at(opened, transcript, code_path, coder, parsed)
    for coding in removed:
        click.echo(
            f"removed coding {coding.id}: {coding.transcript} {coding.start}:{coding.end} "
            f"{coding.code_path} by {coding.coder}"
        )


@click.command()
@project_argument
@click.argument("text")
@click.option("--coding", "coding_id", type=ID, help="Attach to this coding (replaces its memo).")
@click.option("--transcript", help="Attach to this transcript.")
@click.option("--code", "code_path", help="Attach to this code.")
@click.option("--author", help="Who wrote the memo.")
def memo(
    project: str,
    text: str,
    coding_id: int | None,
    transcript: str | None,
    code_path: str | None,
    author: str | None,
) -> None:
    """Attach memo TEXT to a coding, a transcript, a code, or (no target) the project."""
    from qualcode.services.coding_changes import set_memo
    from qualcode.services.memos import add_memo

    opened = open_existing(project)
    if sum(x is not None for x in (coding_id, transcript, code_path)) > 1:
        raise InputError("memo", "give at most one of --coding, --transcript, --code")
    if coding_id is not None:
        coding = set_memo(opened, coding_id, text, author)
        click.echo(f"memo set on coding {coding.id}")
        return
    target = add_memo(opened, text, transcript=transcript, code_path=code_path, author=author)
    click.echo(f"memo {target} added")


@click.group(invoke_without_command=True, context_settings={"allow_interspersed_args": True})
@project_argument
@click.option("--coder", multiple=True, help="Only this coder's codings (repeatable).")
@click.option("--code", "code_paths", multiple=True, help="Only this code and its sub-codes.")
@click.option("--transcript", multiple=True, help="Only this transcript (repeatable).")
@output_options("table", "csv", "json", "xlsx", example="codings")
@click.pass_context
@raw_cells_option
def codings(
    ctx: click.Context,
    project: str,
    coder: tuple[str, ...],
    code_paths: tuple[str, ...],
    transcript: tuple[str, ...],
    output_format: str,
    output: str | None,
) -> None:
    """List PROJECT's codings (id, transcript, code, coder, start, end, text, memo);
    `import FILE.csv` bulk-imports them. CSV output imports back unchanged; XLSX is laid
    out for reading and printing."""
    ctx.obj = project
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.domain.codings import CODING_FIELDS
    from qualcode.exporters.codings import coding_record, coding_rows
    from qualcode.exporters.tables import render_csv, render_json, render_table
    from qualcode.services.coding import list_codings

    opened = open_existing(project)
    found = list_codings(opened, coders=coder, codes=code_paths, transcripts=transcript)
    if output_format == "xlsx":
        from qualcode.exporters.codings import codings_xlsx
        from qualcode.services.matrices import project_document

        write_output(codings_xlsx(found, project_document(opened)), output)
    elif output_format == "json":
        write_output(render_json([coding_record(c) for c in found]), output)
    elif output_format == "csv":
        write_output(render_csv(CODING_FIELDS, coding_rows(found)), output)
    else:
        write_output(render_table(CODING_FIELDS, coding_rows(found), max_cell=50), output)


@codings.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def codings_import(project: str, file: Path) -> None:
    """Bulk-import codings from FILE.csv (columns transcript, code, coder, start, end, memo;
    optional text is checked against the transcript). All rows or none: any invalid row
    refuses the file, and every invalid row is named by its line."""
    from qualcode.services.coding import import_codings

    count = import_codings(open_existing(project), file)
    if count == 0:
        click.echo(f"{file}: no codings in the file (only a header); nothing imported")
    else:
        click.echo(f"{file}: imported {count} codings")
