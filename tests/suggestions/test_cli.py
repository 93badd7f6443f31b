"""`qualcode suggest` and `qualcode suggest --evaluate` on a tiny project."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from qualcode.storage.dump import CACHES, project_tables
from qualcode.storage.tables import Base
from tests.conftest import Cli
from tests.suggestions.tiny import code_of, tiny_project


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    tiny_project(tmp_path).close()
    return tmp_path / "tiny.qualcode"


def test_json_lists_units_with_scored_codes(tiny: Path, run: Cli) -> None:
    result = run(
        "suggest",
        tiny,
        "--coder",
        "anna",
        "--transcript",
        "t3",
        "t2",
        "--limit",
        "2",
        "--format",
        "json",
    )
    rows = json.loads(result.stdout)["suggestions"]
    assert rows
    assert {row["transcript"] for row in rows} <= {"t2", "t3"}
    # anna coded every sentence of t2 that carries a code: only the fillers she left
    # uncoded may be offered (their coded neighbours lend them a weak score)
    assert all(code_of(row["text"]) is None for row in rows if row["transcript"] == "t2")
    for row in rows:
        assert set(row) == {"transcript", "start", "end", "text", "codes"}
        assert 1 <= len(row["codes"]) <= 2
        scores = [code["score"] for code in row["codes"]]
        assert scores == sorted(scores, reverse=True)
        assert all(s >= 0.3 for s in scores)
    table = run("suggest", tiny, "--coder", "anna", "--transcript", "t3").stdout
    assert rows[0]["codes"][0]["code"] in table.splitlines()[2]


def test_suggesting_writes_no_coding(tiny: Path, run: Cli) -> None:
    before = run("codings", tiny, "--format", "json").stdout
    run("suggest", tiny, "--coder", "anna")
    assert run("codings", tiny, "--format", "json").stdout == before


def test_evaluate_reports_measures_baselines_and_kappa(tiny: Path, run: Cli) -> None:
    result = json.loads(
        run(
            "suggest",
            tiny,
            "--evaluate",
            "--coder",
            "anna",
            "--train-coder",
            "anna",
            "--format",
            "json",
        ).stdout
    )
    assert result["transcripts"] == ["t0", "t1", "t2"]
    for ranking in ("model", "most_frequent", "keyword"):
        assert result[ranking]["units"] == 18  # 6 coded sentences in each of 3 transcripts
        assert 0.0 <= result[ranking]["precision_at_1"] <= result[ranking]["precision_at_3"] <= 1
    assert result["most_frequent"]["precision_at_1"] == pytest.approx(1 / 3)  # 3 equal codes
    assert result["model"]["precision_at_1"] >= 0.8
    # imported here, not at collection: sklearn costs ~0.65 s a process
    from sklearn.metrics import cohen_kappa_score

    for row in result["codes"]:  # kappa as an independent implementation computes it
        n = 30  # 10 sentences in each held-out transcript
        a = (
            [1] * row["both"]
            + [1] * (row["suggested"] - row["both"])
            + [0] * (n - row["suggested"])
        )
        b = [1] * row["both"] + [0] * (row["suggested"] - row["both"])
        b += [1] * (row["coded"] - row["both"]) + [0] * (
            n - row["suggested"] - row["coded"] + row["both"]
        )
        assert row["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    table = run("suggest", tiny, "--evaluate", "--coder", "anna").stdout
    assert "keyword match" in table
    assert "precision@1" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coder", "anna", "--min-score", "2"], "--min-score"),  # out of range
        (["--coder", "anna", "--limit", "0"], "--limit"),  # no codes per unit
        (["--coder", "anna", "--train-coder", "zed"], "--train-coder"),  # unknown coder
        (["--coder", "anna", "--transcript", "nope"], "nope"),  # unknown transcript
        (["--coder", "zed", "--evaluate"], "zed"),  # nothing to evaluate against
    ],
    ids=["min-score", "limit", "train-coder", "transcript", "evaluate-unknown"],
)
def test_mistakes_are_one_line(tiny: Path, run: Cli, args: list[str], message: str) -> None:
    result = run(
        "suggest", tiny, *args, expect=2 if "--min-score" in args or "--limit" in args else 1
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_without_scikit_learn_it_says_how_to_install(
    tiny: Path, run: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    from qualcode.services import suggestions

    monkeypatch.setattr(suggestions, "_MEMORY", {})
    result = run("suggest", tiny, "--coder", "anna", expect=1)
    assert result.stderr.strip().splitlines() == [
        "Error: code suggestions need scikit-learn: pip install 'qualcode[suggest]'"
    ]


def test_the_cache_table_is_part_of_the_schema_but_not_of_backups() -> None:
    assert "suggestion_model" in Base.metadata.tables
    assert "suggestion_model" in CACHES  # computed again on the next suggest
    assert "suggestion_model" not in {table.name for table in project_tables()}
