"""The counting rules the outputs print are the ones the README documents, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.domain.matrices import COUNTING_RULES
from qualcode.domain.matrix_cooccurrence import COOCCURRENCE_RULES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("### Counting rules", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("rule", [*COUNTING_RULES, *COOCCURRENCE_RULES])
def test_rule_is_in_the_readme(rule: str) -> None:
    assert rule in SECTION
