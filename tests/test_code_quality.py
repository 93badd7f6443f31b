"""ruff (lint + format) and mypy --strict hold over the package, tests and benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "qualcode", "tests", "benchmarks"],
        ["ruff", "format", "--check", "qualcode", "tests", "benchmarks"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_tool_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
