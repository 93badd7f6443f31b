"""Agreement JSON is streamed compact by default and indented with --pretty; both are
the same document as the report dict, and a file appears only once it is whole."""

from __future__ import annotations

import json
from pathlib import Path

from qualcode.exporters.agreement import report_dict
from qualcode.exporters.agreement_json import report_json
from qualcode.services.agreement import compare_coders
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
