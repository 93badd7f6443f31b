"""Layer rules: domain and exporters load neither Textual nor SQLAlchemy; the CLI starts
without loading the heavy libraries it does not need."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = REPO / "pyproject.toml"


def modules_loaded_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint('\\n'.join(sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return {name.split(".")[0] for name in output.split()}


@pytest.mark.parametrize(
    "statement",
    [
        "import qualcode.domain.spans, qualcode.domain.codebook, qualcode.domain.cases",
        "import qualcode.domain.transcripts, qualcode.domain.turns, qualcode.domain.words",
        "import qualcode.exporters.tables, qualcode.exporters.codings",
    ],
)
def test_pure_layers_load_no_framework(statement: str) -> None:
    loaded = modules_loaded_after(statement)
    assert not loaded & {"textual", "sqlalchemy"}


def test_cli_start_up_defers_heavy_imports() -> None:
    loaded = modules_loaded_after("import qualcode.cli")
    assert not loaded & {"textual", "sqlalchemy", "openpyxl", "docx", "rich", "rapidfuzz", "yaml"}
    code = "import sys, qualcode.cli; print(' '.join(sys.modules))"
    names = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    # Commands load their services, storage and statistics only when they run.
    deferred = ("qualcode.services", "qualcode.storage", "qualcode.domain.agreement")
    assert not [name for name in names if name.startswith(deferred)]


def test_import_linter_contracts_hold() -> None:
    # Run through this interpreter (not a script on PATH), so any virtualenv works.
    runner = "import sys; from importlinter.cli import lint_imports_command as c; c()"
    result = subprocess.run(
        [sys.executable, "-c", runner, "--no-cache"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = PYPROJECT.read_text(encoding="utf-8").count("[[tool.importlinter.contracts]]")
    assert f"Contracts: {contracts} kept, 0 broken" in result.stdout


def test_cli_choices_match_the_domain_enums() -> None:
    from qualcode.cli import agreement_commands as cli_agreement
    from qualcode.domain.agreement_units import Unit
    from qualcode.domain.reconciliation import Choice, Strategy

    assert tuple(u.value for u in Unit) == cli_agreement.UNITS
    assert tuple(s.value for s in Strategy) == cli_agreement.STRATEGIES
    assert tuple(c.value for c in Choice) == cli_agreement.CHOICES
    from qualcode.domain import agreement_intervals as intervals
    from qualcode.domain.suggestions import ORIGINS

    assert ORIGINS == cli_agreement.ORIGINS

    assert cli_agreement.LEVELS == intervals.LEVELS
    assert cli_agreement.RESAMPLES == intervals.RESAMPLES
    assert cli_agreement.DEFAULT_RESAMPLES == intervals.DEFAULT_RESAMPLES
    assert tuple(r.value for r in intervals.Resampling) == cli_agreement.RESAMPLING
    assert intervals.DEFAULT_RESAMPLING.value == cli_agreement.DEFAULT_RESAMPLING


# What only storage may touch: SQLAlchemy's session, connection and engine.
STORAGE_ONLY_ATTRIBUTES = {"session", "connection", "engine"}


def test_nothing_outside_storage_touches_a_session_connection_or_engine() -> None:
    found: list[str] = []
    for path in sorted((REPO / "qualcode").rglob("*.py")):
        if path.parent.name == "storage":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in STORAGE_ONLY_ATTRIBUTES:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: .{node.attr}")
    assert found == []


def _names_a_span_edge(node: ast.expr | None, edge: str) -> bool:
    """``start``/``end`` or an attribute/name ending so (``span.start``, ``mapped_end``)."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return isinstance(name, str) and name.endswith(edge)


# Strings that are not a transcript's text, sliced by their own offsets.
NOT_TRANSCRIPT_TEXT = {
    "comp",  # matching/quotes.py: the normalised string a quote is compared in
    "collapsed",  # importers/refi_offsets.py: whitespace-collapsed text for evidence
    "value",  # domain/text_entry.py: a too-long value shown cut for an error line
    "full",  # matching/model_fit.py: a weight matrix's rows of one feature block
}


def test_every_slice_of_a_span_goes_through_span_text() -> None:
    """A span's text is read in one place, domain/spans.py ``span_text``: a slice
    ``text[...start : ...end]`` anywhere else is a second reading of offsets."""
    found: list[str] = []
    for path in sorted((REPO / "qualcode").rglob("*.py")):
        if path.relative_to(REPO).as_posix() == "qualcode/domain/spans.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Subscript)
                and getattr(node.value, "id", None) not in NOT_TRANSCRIPT_TEXT
                and isinstance(node.slice, ast.Slice)
                and _names_a_span_edge(node.slice.lower, "start")
                and _names_a_span_edge(node.slice.upper, "end")
            ):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []
