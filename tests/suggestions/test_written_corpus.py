"""The hand-written benchmark interviews (benchmarks/suggest_written/) check clean, and the
checker names the file and row of each kind of problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.written_corpus import FOLDER, code_paths, read_transcript, written_corpus

CODES = code_paths()
WRITTEN = sorted(FOLDER.glob("*.txt"))
SECOND = sorted((FOLDER / "second").glob("*.codings.tsv"))
"""A second coder's independent codings of some interviews (for the human ceiling)."""


@pytest.mark.parametrize("path", WRITTEN, ids=[path.stem for path in WRITTEN])
def test_every_written_interview_checks_clean(path: Path) -> None:
    transcript, problems = read_transcript(path, CODES)
    assert problems == []
    assert transcript.name.endswith(("-en", "-da"))  # the language is in the name
    assert transcript.codings
    for code, start, end in transcript.codings:
        assert code in CODES
        quote = transcript.text[start:end]
        assert transcript.text.count(quote) == 1
        assert "\n" not in quote  # inside one turn


@pytest.mark.parametrize("table", SECOND, ids=[table.name.split(".")[0] for table in SECOND])
def test_every_second_coding_checks_clean(table: Path) -> None:
    text = FOLDER / (table.name.split(".")[0] + ".txt")
    assert text.exists()  # the second coder coded an interview that is there
    transcript, problems = read_transcript(text, CODES, table.parent)
    assert problems == []
    assert transcript.codings


def test_every_coding_table_has_its_interview() -> None:
    tables = {path.name.removesuffix(".codings.tsv") for path in FOLDER.glob("*.codings.tsv")}
    assert tables == {path.stem for path in WRITTEN}


TEXT = "Interviewer: How was it?\n\nKaren: We waited. We waited a long time. Then it got better.\n"


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        # a code the codebook does not have
        ("code\tquote\nwaiting\tThen it got better.\n", "a.codings.tsv:2: 'waiting' is not a code"),
        # a quote that occurs twice is ambiguous
        ("code\tquote\ncontinuity\tWe waited\n", "a.codings.tsv:2: the quote occurs 2 times"),
        # a quote not copied verbatim
        ("code\tquote\ncontinuity\tWe waited long.\n", "a.codings.tsv:2: the quote occurs 0 times"),
        # three fields (a tab inside the quote)
        ("code\tquote\ncontinuity\tWe\twaited.\n", "a.codings.tsv:2: 3 fields, not 2"),
        # a wrong header
        ("code,quote\ncontinuity\tThen it got better.\n", "a.codings.tsv:1: the header must be"),
    ],
    ids=["unknown-code", "twice", "absent", "three-fields", "header"],
)
def test_the_checker_names_file_and_row(tmp_path: Path, rows: str, problem: str) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.codings.tsv").write_text(rows, encoding="utf-8")
    _, problems = read_transcript(tmp_path / "a.txt", CODES)
    assert len(problems) == 1
    assert problems[0].startswith(problem)
    with pytest.raises(ValueError, match=r"a\.codings\.tsv"):
        written_corpus(tmp_path)


def test_a_clean_pair_gives_the_quotes_offsets(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.codings.tsv").write_text(
        "code\tquote\naccessibility/reachability and response time\tWe waited a long time.\n",
        encoding="utf-8",
    )
    [transcript] = written_corpus(tmp_path)
    [(code, start, end)] = transcript.codings
    assert code == "accessibility/reachability and response time"
    assert TEXT[start:end] == "We waited a long time."


def test_a_missing_coding_table_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    assert read_transcript(tmp_path / "b.txt", CODES)[1] == ["b.codings.tsv: missing"]
