"""Two coders merging or renaming the same code: the second is refused, naming the first,
on the command line (each row: what the first coder did, then what the second tried)."""

from __future__ import annotations

import pytest

from qualcode.services.codebook import list_codes
from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from tests.conftest import Cli

MERGED = "continuity/meeting the child"
INTO = "accessibility"


@pytest.mark.parametrize(
    ("first", "second", "named"),
    [
        # both merge the same code into the same one
        (["merge", MERGED, INTO], ["merge", MERGED, INTO], "was merged into 'accessibility'"),
        # the second merges it somewhere else
        (["merge", MERGED, INTO], ["merge", MERGED, "openness"], "was merged into"),
        # the second merges another code into the one merged away
        (["merge", MERGED, INTO], ["merge", "openness", MERGED], "was merged into"),
        # the second renames the code merged away
        (["merge", MERGED, INTO], ["rename", MERGED, "meeting"], "was merged into"),
        # the second merges the code renamed meanwhile (by its old path)
        (
            ["rename", MERGED, "meeting"],
            ["merge", MERGED, INTO],
            "was renamed to 'continuity/meeting'",
        ),
    ],
    ids=["merge-merge", "merge-elsewhere", "merge-into-gone", "merge-rename", "rename-merge"],
)
@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
def test_the_second_coder_is_refused_naming_the_first(
    coded: Project, run: Cli, first: list[str], second: list[str], named: str
) -> None:
    location = coded.location
    run("codebook", location, *first, "--coder", "anna")
    codes = [(c.id, c.path) for c in list_codes(coded)]
    codings = list_codings(coded)
    refused = run("codebook", location, *second, "--coder", "bo", expect=1)
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1
    assert named in line, line
    assert "by anna" in line, line
    assert [(c.id, c.path) for c in list_codes(coded)] == codes  # nothing changed
    assert list_codings(coded) == codings


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
def test_a_merge_moves_the_codings_and_names_them(coded: Project, run: Cli) -> None:
    before = [c for c in list_codings(coded) if c.code_path == MERGED]
    merged = run("codebook", coded.location, "merge", MERGED, INTO, "--coder", "anna")
    assert (
        merged.stdout.strip()
        == f"merged {MERGED} into {INTO}: {len(before)} coding{'s' * (len(before) != 1)} moved"
    )
    after = {c.id: c.code_path for c in list_codings(coded)}
    assert before
    assert all(after[c.id] == INTO for c in before)
    assert MERGED not in {c.path for c in list_codes(coded)}
