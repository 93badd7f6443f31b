"""Names, numbers and nesting in a .qdpx from another program: names are tidied to the
identifier rule, out-of-range numbers and codes nested too deeply are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.domain.text_entry import MAX_CODE_DEPTH
from tests.conftest import Cli
from tests.refi.helpers import write_qdpx
from tests.refi.test_hostile import good_sources, qde, refused

CODE = '<Code guid="cccccccc-0000-4000-8000-000000000001" name="tone" isCodable="true"/>'


def _nested(levels: int) -> str:
    """``levels`` codes, each inside the one before; the innermost keeps the coded guid."""
    guids = [f"cccccccc-0000-4000-8000-{n:012d}" for n in range(levels, 0, -1)]
    opening = "".join(f'<Code guid="{g}" name="level {i}">' for i, g in enumerate(guids[:-1]))
    inner = f'<Code guid="{guids[-1]}" name="tone"/>'
    return opening + inner + "</Code>" * (levels - 1)


@pytest.mark.parametrize(
    ("document", "phrases"),
    [
        (qde((25, 10**30)), ["endPosition", "out of range"]),  # a 31-digit offset
        (qde((25, 30)).replace('"25"', '"\u0661\u0662"'), ["startPosition", "whole number"]),
        (qde().replace(CODE, _nested(MAX_CODE_DEPTH + 1)), [f"more than {MAX_CODE_DEPTH}"]),
        (qde().replace('name="tone"', f'name="{"t" * 201}"'), ["at most 200"]),
    ],
    ids=["offset-31-digits", "arabic-digits", "codes-too-deep", "name-too-long"],
)
def test_hostile_numbers_and_nesting_are_one_line(
    tmp_path: Path, run: Cli, document: str, phrases: list[str]
) -> None:
    error = refused(run, tmp_path, write_qdpx(tmp_path / "h.qdpx", document, good_sources()))
    for phrase in phrases:
        assert phrase in error


def test_names_are_tidied_to_the_name_rule(tmp_path: Path, run: Cli) -> None:
    document = (
        qde(name="Inter\u202eview\x85 ")
        .replace('name="tone"', 'name="  to&#9;ne\u200b"')
        .replace('name="anna"', 'name="&#x7F;"')
    )
    project = tmp_path / "p.qualcode"
    run("import-project", project, write_qdpx(tmp_path / "n.qdpx", document, good_sources()))
    codings = json.loads(run("codings", project, "--format", "json").stdout)
    assert [(c["transcript"], c["code"]) for c in codings] == [("Inter view", "to ne")]
    assert codings[0]["coder"].startswith("user-")  # nothing visible was left of the name


def test_codes_at_the_depth_limit_import(tmp_path: Path, run: Cli) -> None:
    document = qde().replace(CODE, _nested(MAX_CODE_DEPTH))
    project = tmp_path / "p.qualcode"
    run("import-project", project, write_qdpx(tmp_path / "d.qdpx", document, good_sources()))
    codings = json.loads(run("codings", project, "--format", "json").stdout)
    assert codings[0]["code"].count("/") == MAX_CODE_DEPTH - 1
