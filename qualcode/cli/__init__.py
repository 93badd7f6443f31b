"""The ``qualcode`` command line.

Every subcommand is scriptable; ``qualcode PROJECT`` opens the project. Heavy modules
(SQLAlchemy, rapidfuzz, python-docx, textual) are imported inside the commands that need
them so that each command starts fast.
"""

from __future__ import annotations

import click

from qualcode.cli.agreement_commands import agreement, disagreements, reconcile
from qualcode.cli.base import QualcodeGroup
from qualcode.cli.coding_commands import code, codebook, codings, memo, uncode
from qualcode.cli.findings_commands import findings
from qualcode.cli.maintenance_commands import (
    anonymize,
    backup,
    check,
    codebook_merge,
    codebook_rename,
    transcript_group,
)
from qualcode.cli.matrix_commands import cooccurrence, matrix, report, summary
from qualcode.cli.memo_commands import memos
from qualcode.cli.project_commands import (
    blind_round,
    demo,
    done,
    info,
    init,
    log,
    open_project_command,
    who,
)
from qualcode.cli.refi_commands import export, import_project, merge
from qualcode.cli.serve_commands import serve
from qualcode.cli.suggest_commands import suggest
from qualcode.cli.survey_commands import import_survey
from qualcode.cli.transcript_commands import cases, import_files, show, transcripts


@click.group(cls=QualcodeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qualcode")
def cli() -> None:
    """Code interview transcripts with codebook themes, from the terminal.

    PROJECT is a project file (SQLite, created by `qualcode init`) or a SQLAlchemy URL
    such as postgresql+psycopg://user@host/db. `qualcode PROJECT` opens it.
    """


for command in (
    init,
    demo,
    info,
    log,
    who,
    blind_round,
    done,
    open_project_command,
    import_files,
    import_survey,
    transcripts,
    show,
    cases,
    codebook,
    code,
    uncode,
    memo,
    memos,
    codings,
    agreement,
    disagreements,
    reconcile,
    export,
    import_project,
    merge,
    matrix,
    cooccurrence,
    report,
    summary,
    findings,
    check,
    backup,
    transcript_group,
    anonymize,
    suggest,
    serve,
):
    cli.add_command(command)
codebook.add_command(codebook_rename)
codebook.add_command(codebook_merge)


def main() -> None:
    """The ``qualcode`` command. Every failure is one line ``Error: …`` on stderr (see
    :mod:`qualcode.services.error_lines`); the exit status says which kind: 0 done, 1 a
    user mistake or a project or file that cannot be used, 2 a mistyped command line,
    70 an internal error (the line names the log file holding the traceback), 130
    interrupted (Ctrl-C)."""
    cli(prog_name="qualcode")
