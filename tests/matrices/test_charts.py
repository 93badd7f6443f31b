"""The matrix page's case charts: inline SVG, one per theme by attribute value (or one
for all themes), each bar "n/m" with n from the matrix's cases measure and m counted
here from `qualcode cases` (cases with text, per value)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from tests.conftest import Cli

BY = "child_age_group"


def charts(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(caption, [(label, "n/m"), ...])`` of each figure on the page."""
    found = []
    for caption, svg in re.findall(
        r"<figure><figcaption>(.*?)</figcaption>\s*(<svg.*?</svg>)", page, flags=re.DOTALL
    ):
        texts = re.findall(r"<text[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>", svg)
        found.append((caption, list(zip(texts[::2], texts[1::2], strict=True))))
    return found


def cases_per_value(run: Cli, project: Path) -> Counter[str]:
    listed = json.loads(run("cases", project, "--format", "json").stdout)
    return Counter(
        case["attributes"].get(BY, "(no value)") for case in listed if case["assignments"]
    )


def test_a_chart_per_theme_by_attribute_value(demo_path: Path, run: Cli) -> None:
    page = run("matrix", demo_path, "--rows", f"attribute:{BY}", "--format", "html").stdout
    matrix = json.loads(
        run(
            "matrix", demo_path, "--rows", f"attribute:{BY}", "--measure", "cases",
            "--format", "json",
        ).stdout
    )  # fmt: skip
    cells = matrix["measures"]["cases"]["blocks"][0]["cells"]
    of = cases_per_value(run, demo_path)
    found = charts(page)
    assert [caption for caption, _ in found] == matrix["columns"]
    for column, (_, bars) in enumerate(found):
        assert [label for label, _ in bars] == matrix["rows"]
        expected = [f"{cells[row][column]}/{of[value]}" for row, value in enumerate(matrix["rows"])]
        assert [count for _, count in bars] == expected
    assert "<script" not in page
    assert "href" not in page


def test_one_chart_of_all_cases_otherwise_agreeing_with_the_findings(
    demo_path: Path, run: Cli
) -> None:
    page = run("matrix", demo_path, "--format", "html").stdout
    chapter = run("findings", demo_path, "--quotes", "0").stdout
    raised = re.findall(r"^(\d+) of (\d+) cases raised this theme\.$", chapter, flags=re.M)
    ((caption, bars),) = charts(page)
    total = sum(cases_per_value(run, demo_path).values())
    assert caption == f"all {total} cases"
    assert [count for _, count in bars] == [f"{n}/{m}" for n, m in raised]
    assert {m for _, m in raised} == {str(total)}


def test_separate_coders_get_a_chart_each(demo_path: Path, run: Cli) -> None:
    page = run(
        "matrix", demo_path, "--coder", "anna", "--coder", "bo", "--separate-coders",
        "--format", "html",
    ).stdout  # fmt: skip
    total = sum(cases_per_value(run, demo_path).values())
    expected = [f"all {total} cases [{coder}]" for coder in ("anna", "bo")]
    assert [caption for caption, _ in charts(page)] == expected
