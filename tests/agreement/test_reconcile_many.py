"""Reconciling three to five coders (and two, unchanged): per character, the consensus
keeps what enough coders coded, as maximal runs."""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.reconciliation import (
    Strategy,
    coded_by_at_least,
    reconcile_spans,
    required_coders,
)
from qualcode.domain.spans import Span, merge_spans
from qualcode.services.history import undo
from qualcode.services.project import open_project
from tests.conftest import CODEBOOKS, Cli, write
from tests.domain.test_reconciliation import chars, spans_strategy
from tests.hypothesis_profiles import examples


def runs(characters: set[int]) -> list[Span]:
    """Maximal runs of consecutive characters."""
    found: list[Span] = []
    for char in sorted(characters):
        if found and found[-1].end == char:
            found[-1] = Span(found[-1].start, char + 1)
        else:
            found.append(Span(char, char + 1))
    return found


def brute_force(coders: list[list[Span]], minimum: int) -> list[Span]:
    """Count the coders of every character one by one."""
    counts = Counter(c for spans in coders for c in chars(spans))
    return runs({c for c, n in counts.items() if n >= minimum})


# -- the domain ------------------------------------------------------------------------


def test_required_coders() -> None:
    assert [required_coders(Strategy.MAJORITY, n) for n in (2, 3, 4, 5)] == [2, 2, 3, 3]
    assert [required_coders(Strategy.INTERSECTION, n) for n in (2, 3, 5)] == [2, 3, 5]
    assert required_coders(Strategy.UNION, 4) == 1
    with pytest.raises(ValueError, match="picks a coder"):
        required_coders(Strategy.A, 2)


def test_three_coders_by_hand() -> None:
    anna = [Span(0, 10), Span(20, 30)]
    bo = [Span(5, 15)]
    chloe = [Span(8, 25)]
    coders = [anna, bo, chloe]
    # coders per character: 0-5 one, 5-8 two, 8-10 three, 10-15 two, 15-20 one,
    # 20-25 two, 25-30 one
    assert coded_by_at_least(coders, 1) == [Span(0, 30)]
    assert coded_by_at_least(coders, 2) == [Span(5, 15), Span(20, 25)]
    assert coded_by_at_least(coders, 3) == [Span(8, 10)]
    assert coded_by_at_least([anna, [Span(10, 20)], []], 1) == [Span(0, 30)]  # touching
    assert coded_by_at_least([[Span(0, 5)], [Span(5, 9)]], 2) == []  # touching only


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(spans_strategy, min_size=2, max_size=5), st.data())
def test_consensus_counts_coders_per_character(
    raw: list[list[tuple[int, int]]], data: st.DataObject
) -> None:
    coders = [merge_spans(spans) for spans in raw]
    minimum = data.draw(st.integers(1, len(coders)))
    assert coded_by_at_least(coders, minimum) == brute_force(coders, minimum)
    for strategy in (Strategy.UNION, Strategy.INTERSECTION, Strategy.MAJORITY):
        needed = required_coders(strategy, len(coders))
        assert coded_by_at_least(coders, needed) == brute_force(coders, needed)
        if len(coders) == 2:  # the two-coder path agrees
            assert reconcile_spans(coders[0], coders[1], strategy) == brute_force(coders, needed)


# -- end to end ------------------------------------------------------------------------

TEXT = "".join(f"Sentence number {i:02d} of the interview. " for i in range(12))
CODERS = ("anna", "bo", "chloe", "dan", "eve")


def build(
    tmp_path: Path,
    run: Cli,
    codings: dict[str, list[tuple[str, int, int]]],
    *,
    done: tuple[str, ...] | None = None,
) -> Path:
    """A project with one transcript ``talk`` coded as given (coder → code, start,
    end) and marked done by ``done`` (default: every coder in ``codings``)."""
    project = tmp_path / "team.qualcode"
    run("init", project)
    run("import", project, write(tmp_path / "talk.txt", TEXT))
    run("codebook", project, "import", CODEBOOKS / "minimal.yaml")
    table = tmp_path / "codings.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transcript", "code", "coder", "start", "end", "memo"])
        for coder, rows in codings.items():
            for code, start, end in rows:
                writer.writerow(["talk", code, coder, start, end, ""])
    run("codings", project, "import", table)
    for coder in codings if done is None else done:
        run("done", project, "talk", "--coder", coder)
    return project


def consensus(run: Cli, project: Path, layer: str = "consensus") -> dict[str, list[Span]]:
    listed: list[dict[str, Any]] = json.loads(
        run("codings", project, "--coder", layer, "--format", "json").stdout
    )
    found: dict[str, list[Span]] = {}
    for row in listed:
        found.setdefault(row["code"], []).append(Span(row["start"], row["end"]))
    return {code: sorted(spans, key=lambda s: s.start) for code, spans in found.items()}


def database_rows(project: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(project) as connection:
        return connection.execute("SELECT * FROM coding ORDER BY id").fetchall()


HAND_BUILT = {
    "anna": [("positive", 0, 10), ("positive", 20, 30), ("negative", 40, 50)],
    "bo": [("positive", 5, 15), ("negative", 45, 60)],
    "chloe": [("positive", 8, 25)],
}


@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        (["--strategy", "union"], [(0, 30)], [(40, 60)]),
        (["--strategy", "intersection"], [(8, 10)], []),
        (["--strategy", "majority"], [(5, 15), (20, 25)], [(45, 50)]),
        (["--min", "2"], [(5, 15), (20, 25)], [(45, 50)]),
        (["--min", "3"], [(8, 10)], []),
    ],
)
def test_three_coders_by_hand_end_to_end(
    tmp_path: Path,
    run: Cli,
    rule: list[str],
    positive: list[tuple[int, int]],
    negative: list[tuple[int, int]],
) -> None:
    project = build(tmp_path, run, HAND_BUILT)
    result = run("reconcile", project, "--coders", "anna", "bo", "chloe", *rule)
    shown = rule[1] if rule[0] == "--strategy" else f"at least {rule[1]} of 3"
    total = len(positive) + len(negative)
    assert result.stdout.startswith(
        f"consensus: {total} coding(s) from anna, bo and chloe ({shown}) over 1 transcript(s)"
    )
    expected = {"positive": positive, "negative": negative}
    wanted = {code: [Span(*s) for s in spans] for code, spans in expected.items() if spans}
    assert consensus(run, project) == wanted
    # anchored in the text
    listed = json.loads(run("codings", project, "--coder", "consensus", "--format", "json").stdout)
    assert all(row["text"] == TEXT[row["start"] : row["end"]] for row in listed)


def test_undo_takes_back_a_three_coder_reconciliation(tmp_path: Path, run: Cli) -> None:
    project = build(tmp_path, run, HAND_BUILT)
    before = database_rows(project)
    run("reconcile", project, "--coders", "anna", "bo", "chloe", "--strategy", "majority")
    assert consensus(run, project)
    log = run("log", project).stdout
    assert "from anna, bo and chloe (majority)" in log
    opened = open_project(project)
    try:
        step = undo(opened, "consensus")
    finally:
        opened.close()
    assert step is not None
    assert step.action == "reconcile"
    assert database_rows(project) == before


def test_only_transcripts_every_coder_marked_done(tmp_path: Path, run: Cli) -> None:
    project = build(tmp_path, run, HAND_BUILT, done=("anna", "bo"))
    run("import", project, write(tmp_path / "other.txt", TEXT))
    run("done", project, "other", "--coder", "chloe")  # chloe is judged by done marks
    result = run("reconcile", project, "--coders", "anna", "bo", "chloe", "--strategy", "union")
    assert "over 0 transcript(s)" in result.stdout
    assert "left out talk: not marked done by chloe" in result.stderr
    assert "left out other: not marked done by anna; not marked done by bo" in result.stderr
    assert consensus(run, project) == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coders", "anna", "bo", "zoe", "--strategy", "union"],
         "Error: {p}: unknown coder 'zoe'; coders in this project: anna, bo, chloe"),
        (["--coders", *CODERS, "fay", "--strategy", "union"],
         "Error: --coders: reconcile from 2 to 5 coders, not 6"),
        (["--coders", "anna", "bo", "chloe", "--min", "0"],
         "Error: --min: must be between 1 and 3 (the coders), not 0"),
        (["--coders", "anna", "bo", "chloe", "--min", "4"],
         "Error: --min: must be between 1 and 3 (the coders), not 4"),
        (["--coders", "anna", "bo", "chloe", "--strategy", "a"],
         "Error: --strategy: 'a' keeps one of two coders' codings; with 3 coders use"),
        (["--coders", "anna", "bo", "chloe", "--strategy", "union", "--min", "2"],
         "Error: --min: give --strategy or --min, not both"),
        (["--coders", "anna", "bo", "chloe", "--transcript", "talk", "--code", "positive",
          "--at", "0:30", "--choose", "a"],
         "Error: --coders: disagreements and --at/--choose take exactly two coders, not 3"),
    ],
)  # fmt: skip
def test_mistakes_are_one_line_and_change_nothing(
    tmp_path: Path, run: Cli, args: list[str], message: str
) -> None:
    everyone = {coder: [("positive", 3 * i, 3 * i + 20)] for i, coder in enumerate(CODERS)}
    project = build(tmp_path, run, everyone)
    before = database_rows(project)
    result = run("reconcile", project, *args, expect=1)
    assert result.stderr.startswith(message.format(p=project))
    assert result.stderr.count("\n") == 1
    assert database_rows(project) == before


def test_five_coders_and_two_coders_majority(tmp_path: Path, run: Cli) -> None:
    everyone = {coder: [("positive", 3 * i, 3 * i + 20)] for i, coder in enumerate(CODERS)}
    project = build(tmp_path, run, everyone)
    run("reconcile", project, "--coders", *CODERS, "--strategy", "majority")
    coders = [[Span(3 * i, 3 * i + 20)] for i in range(5)]
    assert consensus(run, project) == {"positive": brute_force(coders, 3)}
    # two coders: majority is the intersection
    run("reconcile", project, "--coders", "anna", "eve", "--strategy", "majority",
        "--into", "pair")  # fmt: skip
    assert consensus(run, project, "pair") == {"positive": [Span(12, 20)]}


coding_lists = st.lists(
    st.tuples(
        st.sampled_from(["positive", "negative"]),
        st.integers(0, len(TEXT) - 1),
        st.integers(1, 120),
    ).map(lambda t: (t[0], t[1], min(t[1] + t[2], len(TEXT)))),
    min_size=1,
    max_size=4,
)


@settings(max_examples=20, deadline=None)
@given(st.lists(coding_lists, min_size=2, max_size=5), st.data())
def test_end_to_end_consensus_counts_coders_per_character(
    drawn: list[list[tuple[str, int, int]]], data: st.DataObject
) -> None:
    names = CODERS[: len(drawn)]
    minimum = data.draw(st.integers(1, len(names)))
    rules = {
        "union": (["--strategy", "union"], 1),
        "intersection": (["--strategy", "intersection"], len(names)),
        "majority": (["--strategy", "majority"], len(names) // 2 + 1),
        "least": (["--min", str(minimum)], minimum),
    }
    run = Cli()
    with tempfile.TemporaryDirectory() as folder:
        project = build(Path(folder), run, dict(zip(names, drawn, strict=True)))
        for layer, (rule, needed) in rules.items():
            run("reconcile", project, "--coders", *names, *rule, "--into", layer)
            expected: dict[str, list[Span]] = {}
            for code in ("positive", "negative"):
                coders = [merge_spans([(s, e) for c, s, e in rows if c == code]) for rows in drawn]
                if found := brute_force(coders, needed):
                    expected[code] = found
            assert consensus(run, project, layer) == expected, layer
