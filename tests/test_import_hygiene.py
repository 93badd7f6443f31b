"""Layer rules: domain and exporters load neither Textual nor SQLAlchemy; the CLI starts
without loading the heavy libraries it does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


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


def test_import_linter_contracts_hold() -> None:
    # Run through this interpreter (not a script on PATH), so any virtualenv works.
    runner = "import sys; from importlinter.cli import lint_imports_command as c; c()"
    result = subprocess.run(
        [sys.executable, "-c", runner, "--no-cache"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken" in result.stdout
