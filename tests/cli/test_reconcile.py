"""`qualcode reconcile` and `qualcode disagreements` on the demo project: the consensus
layer holds exactly the characters the strategy or choice asks for, and the compared
coders' own codings never change."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli

Key = tuple[str, str]
SAMPLE_TRANSCRIPTS = sorted(
    p for p in TRANSCRIPTS.iterdir() if p.suffix in {".txt", ".md", ".docx", ".vtt", ".srt"}
)


def codings(run: Cli, project: str | Path, coder: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads(
        run("codings", project, "--coder", coder, "--format", "json").stdout
    )
    return listed


def characters(rows: list[dict[str, Any]]) -> dict[Key, set[int]]:
    """(transcript, code) -> every character coded."""
    found: dict[Key, set[int]] = defaultdict(set)
    for row in rows:
        found[(row["transcript"], row["code"])].update(range(row["start"], row["end"]))
    return found


def runs(chars: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive characters as half-open spans."""
    spans: list[tuple[int, int]] = []
    for char in sorted(chars):
        if spans and spans[-1][1] == char:
            spans[-1] = (spans[-1][0], char + 1)
        else:
            spans.append((char, char + 1))
    return spans


def database_rows(project: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(project) as connection:
        return connection.execute("SELECT * FROM coding ORDER BY id").fetchall()


@pytest.mark.parametrize("strategy", ["union", "intersection", "majority", "a", "b"])
def test_bulk_strategies_write_exactly_the_expected_characters(
    demo_path: Path, run: Cli, strategy: str
) -> None:
    anna_before, bo_before = codings(run, demo_path, "anna"), codings(run, demo_path, "bo")
    result = run("reconcile", demo_path, "--coders", "anna", "bo", "--strategy", strategy)
    assert result.stdout.startswith("consensus: ")
    anna, bo = characters(anna_before), characters(bo_before)
    expected: dict[Key, set[int]] = {}
    for key in set(anna) | set(bo):
        a, b = anna.get(key, set()), bo.get(key, set())
        # for two coders a majority is both of them
        chosen = {"union": a | b, "intersection": a & b, "majority": a & b, "a": a, "b": b}[
            strategy
        ]
        if chosen:
            expected[key] = chosen
    consensus = codings(run, demo_path, "consensus")
    assert characters(consensus) == expected
    # merged: the layer's codings of one code never overlap or touch
    by_key: dict[Key, list[tuple[int, int]]] = defaultdict(list)
    for row in consensus:
        by_key[(row["transcript"], row["code"])].append((row["start"], row["end"]))
    assert all(sorted(spans) == runs(expected[key]) for key, spans in by_key.items())
    assert codings(run, demo_path, "anna") == anna_before
    assert codings(run, demo_path, "bo") == bo_before
    assert f"{len(consensus)} coding(s) from anna and bo ({strategy})" in result.stdout


def test_rerun_is_refused_unless_replacing(demo_path: Path, run: Cli) -> None:
    run("reconcile", demo_path, "--coders", "anna", "bo", "--strategy", "union")
    before = database_rows(demo_path)
    refused = run("reconcile", demo_path, "--coders", "anna", "bo", "--strategy", "a", expect=1)
    assert refused.stderr.startswith("Error: --into: coder 'consensus' already has ")
    assert "add --replace" in refused.stderr
    assert database_rows(demo_path) == before
    run("reconcile", demo_path, "--coders", "anna", "bo", "--strategy", "a", "--replace")
    assert characters(codings(run, demo_path, "consensus")) == characters(
        codings(run, demo_path, "anna")
    )
    log = run("log", demo_path, "--limit", "1", "--format", "json").stdout
    (event,) = json.loads(log)
    assert event["action"] == "reconcile"
    assert event["coder"] == "consensus"
    with sqlite3.connect(demo_path) as connection:
        (payload,) = connection.execute(
            "SELECT payload FROM event_log WHERE id = ?", (event["id"],)
        ).fetchone()
    stored = json.loads(payload)
    assert len(stored["codings"]) == len(codings(run, demo_path, "consensus"))
    assert len(stored["removed"]) > 0
    assert {"id", "transcript", "code_path", "code_id", "start", "end"} <= set(stored["removed"][0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coders", "anna", "bo", "--into", "anna", "--strategy", "union"],
         "Error: --into: 'anna' is one of the compared coders"),
        (["--coders", "anna", "bo", "--into", " ", "--strategy", "union"],
         "Error: --into: the consensus coder name is empty"),
        (["--coders", "anna", "bo", "x", "--at", "1:2", "--choose", "a", "--transcript",
          "parent-01-en", "--code", "openness"],
         "Error: --coders: disagreements and --at/--choose take exactly two coders, not 3"),
        (["--coders", "anna", "bo"], "Error: reconcile: give --strategy or --min (bulk) or --at"),
        (["--coders", "anna", "bo", "--at", "1:2", "--choose", "a"],
         "Error: --at: give exactly one --transcript and one --code"),
        (["--coders", "anna", "bo", "--at", "1:2", "--transcript", "parent-01-en",
          "--code", "openness"], "Error: --at: say how to settle it with --choose"),
        (["--coders", "anna", "bo", "--at", "1:2", "--choose", "a", "--transcript",
          "parent-01-en", "--code", "openness"],
         "Error: {p}: no disagreement at 1:2 of 'openness' in 'parent-01-en'"),
    ],
)  # fmt: skip
def test_mistakes_change_nothing(demo_path: Path, run: Cli, args: list[str], message: str) -> None:
    before = database_rows(demo_path)
    result = run("reconcile", demo_path, *args, expect=1)
    assert result.stderr.startswith(message.format(p=demo_path))
    assert result.stderr.count("\n") == 1
    assert database_rows(demo_path) == before


def listed_regions(run: Cli, project: Path, *extra: str) -> list[dict[str, Any]]:
    out = run("disagreements", project, "--coders", "anna", "bo", "--format", "json", *extra)
    regions: list[dict[str, Any]] = json.loads(out.stdout)["regions"]
    return regions


def test_disagreements_are_the_differing_connected_regions(demo_path: Path, run: Cli) -> None:
    anna, bo = (
        characters(codings(run, demo_path, "anna")),
        characters(codings(run, demo_path, "bo")),
    )
    expected = set()
    for key in set(anna) | set(bo):
        a, b = anna.get(key, set()), bo.get(key, set())
        for start, end in runs(a | b):
            inside = set(range(start, end))
            if a & inside != b & inside:
                expected.add((*key, start, end))
    found = listed_regions(run, demo_path)
    assert {(r["transcript"], r["code"], r["start"], r["end"]) for r in found} == expected
    everything = listed_regions(run, demo_path, "--all")
    assert len(everything) > len(found)
    assert all(r["agreed"] for r in everything if r not in found)
    text = run("show", demo_path, found[0]["transcript"]).stdout
    assert found[0]["text"] == text[found[0]["start"] : found[0]["end"]]
    table = run("disagreements", demo_path, "--coders", "anna", "bo").stdout
    assert table.splitlines()[0].split()[:6] == ["transcript", "code", "at", "agreed", "anna", "bo"]


@pytest.mark.parametrize("choice", ["a", "b", "both", "neither", "edit"])
def test_settling_one_region(demo_path: Path, run: Cli, choice: str) -> None:
    run("reconcile", demo_path, "--coders", "anna", "bo", "--strategy", "intersection")
    region = next(r for r in listed_regions(run, demo_path) if r["a"] and r["b"])
    key = (region["transcript"], region["code"])
    start, end = region["start"], region["end"]
    others_before = [
        c for c in codings(run, demo_path, "consensus")
        if (c["transcript"], c["code"]) != key or c["end"] <= start or c["start"] >= end
    ]  # fmt: skip
    edit = ["--span", f"{start + 1}:{end - 1}"] if choice == "edit" else []
    out = run(
        "reconcile", demo_path, "--coders", "anna", "bo", "--transcript", region["transcript"],
        "--code", region["code"], "--at", f"{start}:{end}", "--choose", choice, *edit,
    ).stdout  # fmt: skip
    assert f"settled ({choice})" in out
    expected = {
        "a": [tuple(s) for s in region["a"]],
        "b": [tuple(s) for s in region["b"]],
        "both": [(start, end)],
        "neither": [],
        "edit": [(start + 1, end - 1)],
    }[choice]
    consensus = codings(run, demo_path, "consensus")
    inside = sorted(
        (c["start"], c["end"]) for c in consensus
        if (c["transcript"], c["code"]) == key and c["start"] < end and c["end"] > start
    )  # fmt: skip
    assert inside == expected
    # everything outside the region is as it was
    after = sorted((c["transcript"], c["code"], c["start"], c["end"]) for c in consensus)
    kept = [(c["transcript"], c["code"], c["start"], c["end"]) for c in others_before]
    assert after == sorted(kept + [(*key, s, e) for s, e in expected])


def test_edited_span_must_lie_inside_the_region(demo_path: Path, run: Cli) -> None:
    region = listed_regions(run, demo_path)[0]
    start, end = region["start"], region["end"]
    result = run(
        "reconcile", demo_path, "--coders", "anna", "bo", "--transcript", region["transcript"],
        "--code", region["code"], "--at", f"{start}:{end}", "--choose", "edit",
        "--span", f"{start}:{end + 1}", expect=1,
    )  # fmt: skip
    assert result.stderr == (
        f"Error: --span: span {start}:{end + 1} is not inside the disagreement {start}:{end}\n"
    )
    assert codings(run, demo_path, "consensus") == []


def test_agreement_and_reconcile_on_each_backend(location: str, run: Cli) -> None:
    """On SQLite and on a PostgreSQL server alike, agreement counts and the consensus
    layer match the coders' character sets."""
    run("init", location)
    run("import", location, *SAMPLE_TRANSCRIPTS)
    run("codebook", location, "import", CODEBOOKS / "family-collaboration.yaml")
    run("codings", location, "import", TRANSCRIPTS / "demo-codings.csv")
    report = json.loads(
        run("agreement", location, "--coders", "anna", "bo", "--format", "json").stdout
    )
    assert len(report["compared_transcripts"]) == 8
    anna = characters(codings(run, location, "anna"))
    bo = characters(codings(run, location, "bo"))
    for code, result in report["per_code"].items():
        pair = result["pooled"]["pairs"][0]
        assert pair["both"] == sum(
            len(anna.get(k, set()) & bo.get(k, set()))
            for k in {(t, code) for t in report["compared_transcripts"]}
        )
    out = run("reconcile", location, "--coders", "anna", "bo", "--strategy", "intersection")
    consensus = codings(run, location, "consensus")
    assert f"consensus: {len(consensus)} coding(s)" in out.stdout
    expected = {k: anna[k] & bo[k] for k in set(anna) & set(bo) if anna[k] & bo[k]}
    assert characters(consensus) == expected
    run("reconcile", location, "--coders", "anna", "bo", "--strategy", "union", expect=1)
    run("reconcile", location, "--coders", "anna", "bo", "--strategy", "union", "--replace")
    union = {k: anna.get(k, set()) | bo.get(k, set()) for k in set(anna) | set(bo)}
    assert characters(codings(run, location, "consensus")) == union
