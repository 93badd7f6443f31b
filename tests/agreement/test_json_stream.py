"""Agreement JSON is streamed compact by default and indented with --pretty; both are
the same document as the report dict, and a file appears only once it is whole."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from qualcode.domain.agreement import PairAgreement
from qualcode.domain.agreement_intervals import IntervalSettings
from qualcode.domain.spans import Span
from qualcode.domain.statistics import Measure, Statistic
from qualcode.domain.statistics.registry import registered
from qualcode.exporters.agreement import report_dict
from qualcode.exporters.agreement_json import report_json
from qualcode.services.agreement import compare_coders
from qualcode.services.codebook import list_codes
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.project import open_project
from tests.conftest import Cli


def test_streamed_pieces_are_the_report_dict(demo_path: Path) -> None:
    project = open_project(demo_path)
    try:
        report = compare_coders(project, ("anna", "bo"))
    finally:
        project.close()
    pieces = list(report_json(report))
    assert len(pieces) == len(report.codes) + 2  # head, one per code, tail
    compact = "".join(pieces)
    expected = json.dumps(report_dict(report), ensure_ascii=False, separators=(",", ":"))
    assert compact == expected + "\n"
    pretty = "".join(report_json(report, pretty=True))
    assert pretty.startswith('{\n  "coders": [')
    assert json.loads(pretty) == json.loads(compact)


def test_cli_compact_by_default_pretty_on_request(
    demo_path: Path, run: Cli, tmp_path: Path
) -> None:
    args = ("agreement", demo_path, "--coders", "anna", "bo")
    compact = run(*args, "--format", "json").stdout
    assert compact.count("\n") == 1
    pretty = run(*args, "--format", "json", "--pretty").stdout
    assert pretty.count("\n") > 1000
    assert json.loads(pretty) == json.loads(compact)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "r.json"
    run(*args, "-o", out)
    assert out.read_text(encoding="utf-8") == compact
    assert [p.name for p in folder.iterdir()] == ["r.json"]  # no temporary file left


def _both(pair: PairAgreement) -> Measure:
    return Measure(float(pair.counts.both), pair.counts.both == 0)


# a statistic with no fraction and a 0/0 flag: written from its measures
BOTH = Statistic(
    key="both_units",
    name="both",
    label="both",
    symbol="both",
    of_pair=_both,
    undefined_key="both_units_undefined",
)


def _odd(pair: PairAgreement) -> Measure:
    return Measure(float("inf") if pair.counts.both else float("nan"))


# a statistic whose values are not finite: written as the JSON encoder spells them
ODD = Statistic(key="odd", name="odd", label="odd", symbol="odd", of_pair=_odd)


@pytest.mark.parametrize(
    "options",
    [
        # three coders: Fleiss' kappa applies, three pairs per entry, intervals on pooled
        {"coders": ("anna", "bo", "cleo"), "intervals": IntervalSettings(95, 200, 3)},
        # turn units: the unit spans are not the segments
        {"coders": ("anna", "bo"), "unit": "turn", "threshold": Fraction(667, 10)},
        # a chosen set: segment agreement's nested parts, no coder statistics but one
        {"coders": ("anna", "bo", "cleo"), "stats": ("segment", "alpha-u", "disagree")},
        # no statistic reads unitizing sections: the comparison leaves them out
        {"coders": ("anna", "bo", "cleo"), "stats": ("kappa", "fleiss")},
        # a registered statistic computed from measures, beside every default one
        {"coders": ("anna", "bo"), "extra": BOTH},
        # values that are not finite numbers (NaN, Infinity)
        {"coders": ("anna", "bo", "cleo"), "extra": ODD},
    ],
    ids=[
        "three-coders-intervals",
        "turns-fractional",
        "chosen-set",
        "no-sections",
        "registered",
        "not-finite",
    ],
)
def test_the_template_writes_what_the_dicts_dump(demo_path: Path, options: dict[str, Any]) -> None:
    project = open_project(demo_path)
    try:
        ids = {c.path: c.id for c in list_codes(project)}
        for coding in list_codings(project, coders=["anna"])[::3]:  # cleo: a third of anna's
            span = Span(coding.start, coding.end)
            apply_code(project, coding.transcript, ids[coding.code_path], "cleo", span=span)
        extra = options.pop("extra", None)
        coders = options.pop("coders")
        if extra is None:
            report = compare_coders(project, coders, **options)
        else:
            with registered(extra):
                report = compare_coders(project, coders, **options)
    finally:
        project.close()
    if "stats" in options and "alpha-u" not in options["stats"]:  # no sections made
        assert all(c.coverage.sections is None for x in report.codes for _, c in x.per_transcript)
    compact = "".join(report_json(report))
    expected = json.dumps(report_dict(report), ensure_ascii=False, separators=(",", ":"))
    assert compact == expected + "\n"
    per_code = json.loads(compact)["per_code"]
    assert any(entry["per_transcript"] for entry in per_code.values())
    if extra is ODD:
        assert '"odd":NaN' in compact
        assert '"odd":Infinity' in compact


def test_a_real_process_writes_every_byte_before_it_exits(demo_path: Path, run: Cli) -> None:
    """The command skips the collector's scans at interpreter exit (``gc.freeze`` at
    exit); the process still flushes the whole document and exits 0."""
    args = ("agreement", str(demo_path), "--coders", "anna", "bo", "--format", "json")
    done = subprocess.run(
        [sys.executable, "-m", "qualcode", *args], capture_output=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8") == run(*args).stdout
