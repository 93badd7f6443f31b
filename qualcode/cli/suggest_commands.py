"""``qualcode suggest``: code suggestions learned from the project's own codings, and
``--evaluate`` to measure them against a coder (leave-one-transcript-out)."""

from __future__ import annotations

from typing import Any

import click

from qualcode.cli.agreement_commands import spread_values
from qualcode.cli.arguments import bounded_float, bounded_int
from qualcode.cli.base import format_option, open_existing, project_argument, write_output

UNIT_KINDS = ("sentence", "turn")  # spelled out: loading the CLI imports no model code
GREEDY = ("--train-coder", "--transcript")


class _SuggestCommand(click.Command):
    """``--train-coder`` and ``--transcript`` take several values in a row."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_values(args, GREEDY))


@click.command(cls=_SuggestCommand)
@project_argument
@click.option("--coder", required=True, help="Who the suggestions are for (or evaluated against).")
@click.option(
    "--train-coder",
    "train_coders",
    multiple=True,
    metavar="NAME …",
    help="Learn from these coders' codings instead (default: only --coder's own, so the "
    "suggestions never repeat another coder's codes; others refused during blind coding).",
)
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    metavar="NAME …",
    help="Only these transcripts (with --evaluate: hold out only these).",
)
@click.option(
    "--unit",
    type=click.Choice(UNIT_KINDS),
    default="sentence",
    show_default=True,
    help="What one suggestion is for.",
)
@click.option(
    "--limit",
    type=bounded_int(1, 100),
    default=3,
    show_default=True,
    help="Codes listed per unit (not with --evaluate, which ranks every code).",
)
@click.option(
    "--min-score",
    type=bounded_float(0.0, 1.0),
    default=0.3,
    show_default=True,
    help="Leave out codes scoring lower (0 to 1; with --evaluate: a top code scoring "
    "lower counts as no suggestion for kappa).",
)
@click.option(
    "--evaluate",
    is_flag=True,
    help="Measure instead: train without each transcript the coder coded in turn and "
    "compare with their codings, beside two baselines.",
)
@format_option("table", "json")
def suggest(
    project: str,
    coder: str,
    train_coders: tuple[str, ...],
    transcripts: tuple[str, ...],
    unit: str,
    limit: int,
    min_score: float,
    evaluate: bool,
    output_format: str,
) -> None:
    """Suggest codes for the sentences (or turns) CODER has not coded yet, learned on this
    machine from CODER's own codings (or --train-coder's) and the codebook's definitions;
    nothing is sent anywhere and nothing is coded. Needs scikit-learn: pip install
    'qualcode[suggest]'. Refused during a blind round (it shows what was coded).

    The model is cached in the project until a coding changes. --evaluate prints
    precision@1 and @3 (share of coded units with a right code first / in the top
    three), recall@3, and per code the agreement (kappa) between the top suggestion and
    CODER, beside the most-frequent-code and keyword-match baselines."""
    from qualcode.domain.suggestions import UnitKind

    if evaluate:
        _refuse_ignored(click.get_current_context(), "limit", "--evaluate ranks every code")
    opened = open_existing(project)
    kind = UnitKind(unit)
    if evaluate:
        from qualcode.services.suggestion_evaluation import evaluate as run_evaluation

        result = run_evaluation(
            opened,
            coder,
            train_coders=train_coders,
            transcripts=transcripts,
            unit=kind,
            min_score=min_score,
        ).as_dict()
        write_output(_evaluation_text(result, output_format), None)
        return
    from qualcode.services.suggestions import repeated_coders
    from qualcode.services.suggestions import suggest as run_suggest

    found = run_suggest(
        opened,
        coder,
        train_coders=train_coders,
        transcripts=transcripts,
        unit=kind,
        limit=limit,
        min_score=min_score,
    )
    repeats = repeated_coders(coder, train_coders)
    from qualcode.exporters.tables import render_json, render_table

    if output_format == "json":
        rows: list[dict[str, Any]] = [
            {
                "transcript": s.transcript,
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "codes": [{"code": code, "score": round(score, 4)} for code, score in s.codes],
            }
            for s in found
        ]
        document = {
            "suggestions": rows,
            "train_coders": sorted(set(train_coders)) or [coder],
            # suggestions can repeat these coders' codes on the transcripts they coded
            "repeats_codes_of": repeats,
        }
        write_output(render_json(document), None)
        return
    if repeats:
        names = " and ".join(repeats)
        click.echo(
            f"note: learning from {names}'s codings, suggestions for {coder} can repeat {names}'s "
            f"codes on the transcripts {names} coded (not independent of {names})",
            err=True,
        )
    if not found:
        click.echo(
            f"No suggestions: every unit is coded or dismissed by {coder}, or no code scores "
            f"{min_score:.2f} or more (--min-score)."
        )
        return
    table = [  # one line per code, so that every one of the top --limit codes shows
        (s.transcript, s.start, s.end, rank, f"{score:.2f}", code, s.text if rank == 1 else "")
        for s in found
        for rank, (code, score) in enumerate(s.codes, start=1)
    ]
    headers = ("transcript", "start", "end", "rank", "score", "code", "text")
    write_output(render_table(headers, table, uncut=("code",)), None)


def _refuse_ignored(ctx: click.Context, parameter: str, why: str) -> None:
    """A one-line :class:`FieldError` for an option given where it would change nothing."""
    from click.core import ParameterSource

    from qualcode.domain.errors import FieldError

    if ctx.get_parameter_source(parameter) is not ParameterSource.DEFAULT:
        raise FieldError(parameter, f"changes nothing here: {why}")


def _evaluation_text(result: dict[str, Any], output_format: str) -> str:
    from qualcode.exporters.tables import render_json, render_table

    if output_format == "json":
        return render_json(result)
    names = (
        ("model", "suggestions"),
        ("most_frequent", "most frequent code"),
        ("keyword", "keyword match"),
    )
    summary = [
        (label, result[key]["units"], *(_share(result[key][m]) for m in _MEASURES))
        for key, label in names
    ]
    kappa = [
        (
            row["code"],
            row["coded"],
            row["suggested"],
            row["both"],
            _share(row.get("kappa")),
            f"{row['right_model']}/{row['first_model']}",
            f"{row['right_keyword']}/{row['first_keyword']}",
        )
        for row in result["codes"]
    ]
    heading = (
        f"{result['coder']}: leave-one-transcript-out over {len(result['transcripts'])} "
        f"transcripts, {result['unit']} units, learning from {', '.join(result['train_coders'])}"
    )
    return "\n".join(
        [
            heading,
            render_table(
                ("ranking", "coded units", "precision@1", "precision@3", "recall@3"), summary
            ),
            render_table(
                (
                    "code",
                    "coded",
                    "suggested first",
                    "both",
                    "kappa",
                    "right/first (model)",
                    "right/first (keyword)",
                ),
                kappa,
            ),
            "right/first: of the coded units that had the code first, those the coder gave it",
            f"training {result['train_seconds']:.2f} s in all; suggesting "
            f"{result['suggest_ms_per_transcript']:.0f} ms per transcript",
            "",
        ]
    )


_MEASURES = ("precision_at_1", "precision_at_3", "recall_at_3")


def _share(value: object) -> str:
    return "–" if not isinstance(value, float) else f"{value:.3f}"
