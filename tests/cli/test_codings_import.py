"""Bulk codings import: every invalid row named in one error, header-only files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import CODEBOOKS, Cli, write

HEADER = "transcript,code,coder,start,end,memo\n"
GOOD = "parent-01-en,openness,bo,0,10,\n"


@pytest.fixture
def study(demo_path: Path) -> Path:
    """The demo project: the sample transcripts, codebook and codings."""
    return demo_path


def listed_lines(error: str) -> list[int]:
    return [int(number) for number in re.findall(r"\bline (\d+): ", error)]


def test_every_invalid_row_is_named_in_row_order(study: Path, tmp_path: Path, run: Cli) -> None:
    rows = [
        GOOD,  # line 2
        "parent-01-en,nocode,bo,0,10,\n",  # 3: unknown code
        "parent-99,openness,bo,0,10,\n",  # 4: unknown transcript
        "parent-01-en,openness,bo,20,5,\n",  # 5: reversed
        "parent-01-en,openness,bo,x,5,\n",  # 6: not a number
        "parent-01-en,nocode2,,0,10,\n",  # 7: two problems
        GOOD,  # 8
        "parent-01-en,openness,bo,0,10\n",  # 9: a cell short
    ]
    file = write(tmp_path / "multi.csv", HEADER + "".join(rows))
    before = dump(study)
    error = one_line_error(run("codings", study, "import", file, expect=1).stderr)
    assert error.startswith(f"Error: {file}: 6 invalid rows, nothing imported — line 3: ")
    assert listed_lines(error) == [3, 4, 5, 6, 7]  # at most five, in file order
    assert error.endswith(" (and 1 more)")
    assert "line 3: unknown code 'nocode'" in error
    assert "line 4: unknown transcript 'parent-99'" in error
    assert "line 5: span 20:5 is reversed" in error
    assert "line 6: start must be a whole number of code points, got 'x'" in error
    # Both of line 7's problems at once, not one per run.
    assert "line 7: empty coder, unknown code 'nocode2'" in error
    assert dump(study) == before


def test_a_row_with_several_problems_keeps_the_file_line_form(
    study: Path, tmp_path: Path, run: Cli
) -> None:
    file = write(tmp_path / "one.csv", HEADER + GOOD + "parent-01-en,nocode,bo,20,5,\n")
    before = dump(study)
    error = one_line_error(run("codings", study, "import", file, expect=1).stderr)
    assert error.startswith(f"Error: {file}:3: unknown code 'nocode'")
    assert error.endswith(", span 20:5 is reversed (end before start) in 'parent-01-en'")
    assert dump(study) == before


def test_an_empty_offset_is_named(study: Path, tmp_path: Path, run: Cli) -> None:
    file = write(tmp_path / "gap.csv", HEADER + "parent-01-en,openness,bo,,10,\n")
    error = one_line_error(run("codings", study, "import", file, expect=1).stderr)
    assert error == f"Error: {file}:2: start must be a whole number of code points, got ''"


def test_many_invalid_rows_are_counted(study: Path, tmp_path: Path, run: Cli) -> None:
    bad = [f"parent-01-en,openness,bo,{n + 1},{n},\n" for n in range(40)]
    file = write(tmp_path / "many.csv", HEADER + GOOD * 3 + "".join(bad))
    error = one_line_error(run("codings", study, "import", file, expect=1).stderr)
    assert f"{len(bad)} invalid rows" in error
    assert listed_lines(error) == [5, 6, 7, 8, 9]
    assert error.endswith(f" (and {len(bad) - 5} more)")


def test_rows_are_located_by_the_line_they_start_on(study: Path, tmp_path: Path, run: Cli) -> None:
    text = (
        HEADER
        + 'parent-01-en,openness,bo,0,10,"a memo\nover\nthree lines"\n'  # lines 2-4
        + "\n"  # a blank line is skipped
        + "parent-01-en,openness,bo,10,0,\n"  # line 6
        + 'parent-01-en,nocode,bo,0,10,"two\nlines"\n'  # lines 7-8
    )
    error = one_line_error(
        run("codings", study, "import", write(tmp_path / "m.csv", text), expect=1).stderr
    )
    assert listed_lines(error) == [6, 7]


def test_valid_rows_import_after_the_file_is_fixed(study: Path, tmp_path: Path, run: Cli) -> None:
    broken = write(tmp_path / "fix.csv", HEADER + GOOD + "parent-01-en,openness,,20,5,\n")
    run("codings", study, "import", broken, expect=1)
    fixed = write(tmp_path / "fix.csv", HEADER + GOOD + "parent-01-en,openness,bo,5,20,\n")
    assert run("codings", study, "import", fixed).stdout == f"{fixed}: imported 2 codings\n"


def test_header_only_file_imports_nothing_and_logs_nothing(
    study: Path, tmp_path: Path, run: Cli
) -> None:
    # What exporting a project without codings gives: importing it must not fail.
    empty = tmp_path / "empty.qualcode"
    run("init", empty)
    exported = tmp_path / "none.csv"
    run("codings", empty, "--format", "csv", "-o", exported)
    assert exported.read_text(encoding="utf-8").count("\n") == 1
    before = dump(study)
    result = run("codings", study, "import", exported)
    assert (
        result.stdout == f"{exported}: no codings in the file (only a header); nothing imported\n"
    )
    assert dump(study) == before  # no event-log entry either


def test_a_passage_longer_than_the_csv_cell_limit_round_trips(tmp_path: Path, run: Cli) -> None:
    # The csv module refuses cells over 128 KiB by default; a coding of a whole long
    # interview exported to CSV must still import.
    text = "Mette: " + "we talked about the plan again and again. " * 4000
    assert len(text) > 131072
    project = tmp_path / "long.qualcode"
    run("init", project)
    run("import", project, write(tmp_path / "long.txt", text))
    run("codebook", project, "import", CODEBOOKS / "minimal.yaml")
    [listing] = json.loads(run("transcripts", project, "--format", "json").stdout)
    length = listing["characters"]
    coded = json.loads(
        run(
            "code",
            project,
            "long",
            "positive",
            "--coder",
            "bo",
            "--span",
            f"0:{length}",
            "--format",
            "json",
        ).stdout
    )["text"]
    assert len(coded) > 131072
    exported = write(tmp_path / "long.csv", run("codings", project, "--format", "csv").stdout)
    assert run("codings", project, "import", exported).stdout == f"{exported}: imported 1 codings\n"
    listed = run("codings", project, "--format", "csv").stdout
    assert listed.count(coded) == 2
