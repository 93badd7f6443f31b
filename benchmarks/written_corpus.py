"""Interviews written by hand for the suggestion benchmark, each with its coder's codings.

Every file under ``benchmarks/suggest_written/`` is fictional and was written for this
benchmark (no real person's data):

- ``NAME.txt`` — one interview as "Speaker: utterance" turns, a blank line between turns,
  UTF-8, English or Danish (``NAME`` ends in ``-en`` or ``-da``);
- ``NAME.codings.tsv`` — a header ``code<TAB>quote``, then one row per coding: a code path
  of ``codebooks/family-collaboration.yaml`` (``theme`` or ``theme/sub-code``) and the coded
  passage, copied verbatim from ``NAME.txt`` (whole sentences inside one turn) so that it
  occurs exactly once there.

A second coder's independent coding of some interviews lies in ``suggest_written/second/``
as ``NAME.codings.tsv`` in the same format (``--tables DIR`` checks those).

``python -m benchmarks.written_corpus [--tables DIR] [NAME ...]`` checks the files (every
quote found exactly once, every code in the codebook) and prints what each holds; it exits 1 naming
the file and row of the first problems.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.suggest_corpus import BenchTranscript
from qualcode.domain.codebook import walk
from qualcode.importers.codebook_yaml import load_codebook

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO / "benchmarks" / "suggest_written"
CODEBOOK = REPO / "codebooks" / "family-collaboration.yaml"


def code_paths() -> set[str]:
    """Every code path of the starter codebook."""
    return {path for path, _spec in walk(load_codebook(CODEBOOK).codes)}


def read_transcript(
    text_path: Path, codes: set[str], tables: Path | None = None
) -> tuple[BenchTranscript, list[str]]:
    """One interview and its codings (from ``tables``, by default beside the text), and
    the problems found (``file:row: reason``)."""
    text = text_path.read_text(encoding="utf-8")
    table = (tables or text_path.parent) / (text_path.stem + ".codings.tsv")
    problems: list[str] = []
    codings: list[tuple[str, int, int]] = []
    if not table.exists():
        return BenchTranscript(text_path.stem, text, ()), [f"{table.name}: missing"]
    lines = table.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split("\t") != ["code", "quote"]:
        problems.append(f"{table.name}:1: the header must be 'code<TAB>quote'")
    for row, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            problems.append(f"{table.name}:{row}: {len(fields)} fields, not 2")
            continue
        code, quote = fields[0].strip(), fields[1].strip()
        if code not in codes:
            problems.append(f"{table.name}:{row}: {code!r} is not a code of the codebook")
            continue
        found = text.count(quote)
        if found != 1 or not quote:
            where = text_path.name
            problems.append(f"{table.name}:{row}: the quote occurs {found} times in {where}")
            continue
        start = text.index(quote)
        codings.append((code, start, start + len(quote)))
    return BenchTranscript(text_path.stem, text, tuple(codings)), problems


def written_corpus(folder: Path = FOLDER, tables: Path | None = None) -> list[BenchTranscript]:
    """Every written interview in ``folder`` (with ``tables``: only those with a codings
    table there, coded from it), in name order; ValueError on any problem."""
    codes = code_paths()
    corpus: list[BenchTranscript] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        if tables is not None and not (tables / (path.stem + ".codings.tsv")).exists():
            continue
        transcript, found = read_transcript(path, codes, tables)
        corpus.append(transcript)
        problems += found
    if problems:
        raise ValueError("; ".join(problems[:5]))
    return corpus


def main(arguments: list[str]) -> int:
    tables = None
    if arguments[:1] == ["--tables"]:
        tables, arguments = Path(arguments[1]), arguments[2:]
    codes = code_paths()
    paths = [FOLDER / f"{name}.txt" for name in arguments] or sorted(FOLDER.glob("*.txt"))
    if tables is not None and not arguments:
        paths = [
            FOLDER / (table.name.split(".")[0] + ".txt") for table in sorted(tables.glob("*.tsv"))
        ]
    failed = False
    for path in paths:
        transcript, problems = read_transcript(path, codes, tables)
        words = len(transcript.text.split())
        print(f"{path.stem}: {words} words, {len(transcript.codings)} codings")
        for problem in problems:
            print(f"  {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
