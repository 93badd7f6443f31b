"""The README's console examples, replayed: every command is run as a reader would run it,
and what it prints must equal what the README shows.

How the README is read:

- Every ```` ```console ```` block is a list of steps: a line starting with ``$ `` is a
  command (continued on the next lines while a quote is open, or up to the end marker of
  a ``<<'EOF'`` here-document), and the lines up to the next ``$ `` are its output. A line
  that is just ``...`` stands for one or more lines the README leaves out.
- ``qualcode ...`` runs in-process through ``CliRunner`` (stdout and stderr interleaved, as
  on a terminal); any other command (``cat > FILE <<'EOF'``, ``sed``) runs in ``sh``.
- Each ``##`` section is replayed in a folder of its own laid out like a checkout
  (``transcripts/``, ``codebooks/``, an empty ``exports/``) holding a fresh demo project
  ``demo.qualcode``; its blocks run in order and continue one another (the README says so).
- A step whose output shows an ``Error:`` line must exit with status 1, any other with 0.
- Only what differs from run to run is normalised: ISO timestamps, GUIDs, the byte count of
  a ``.qdpx`` (its GUIDs are random per demo build, so its compressed size varies) and
  the temporary folder's path. Trailing spaces are ignored.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from tests.conftest import CODEBOOKS, REPO, TRANSCRIPTS

README = REPO / "README.md"
ELISION = "..."
HEREDOC = re.compile(r"<<\s*'?([A-Za-z_]+)'?\s*$")
NORMALISE = (
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<guid>"),
    (re.compile(r"(\.qdpx: .*)\(\d[\d,]* bytes\)"), r"\1(<n> bytes)"),
)


@dataclass(frozen=True)
class Step:
    """One command of a console block and the output the README shows for it."""

    line: int  # 1-based README line of the ``$ `` prompt
    command: str  # without the prompt; may span lines
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    section: str  # the ``##`` heading the block sits under
    line: int  # 1-based README line of the opening fence
    steps: tuple[Step, ...]


def _complete(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


def parse_steps(lines: list[str], first_line: int) -> tuple[Step, ...]:
    """Split a console block's lines (the first at README line ``first_line``) into steps."""
    steps: list[Step] = []
    k = 0
    while k < len(lines):
        if not lines[k].startswith("$ "):
            raise ValueError(f"README.md:{first_line + k}: output before any '$ ' command")
        start = k
        command = [lines[k][2:]]
        k += 1
        heredoc = HEREDOC.search(command[0])
        if heredoc:
            while k < len(lines) and lines[k] != heredoc.group(1):
                command.append(lines[k])
                k += 1
            if k == len(lines):
                raise ValueError(f"README.md:{first_line + start}: here-document never ends")
            command.append(lines[k])
            k += 1
        else:
            while not _complete("\n".join(command)):
                if k == len(lines):
                    raise ValueError(f"README.md:{first_line + start}: unclosed quote")
                command.append(lines[k])
                k += 1
        output: list[str] = []
        while k < len(lines) and not lines[k].startswith("$ "):
            output.append(lines[k])
            k += 1
        steps.append(Step(first_line + start, "\n".join(command), tuple(output)))
    return tuple(steps)


def parse_readme(text: str) -> list[Block]:
    """Every console block of a Markdown text, with the ``##`` section it belongs to."""
    lines = text.splitlines()
    blocks: list[Block] = []
    section = ""
    k = 0
    while k < len(lines):
        line = lines[k]
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("```"):
            end = next(j for j in range(k + 1, len(lines)) if lines[j].startswith("```"))
            if line.strip() == "```console":
                blocks.append(Block(section, k + 1, parse_steps(lines[k + 1 : end], k + 2)))
            k = end
        k += 1
    return blocks


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` equals ``actual``, where each ``...`` line stands for one or more lines."""
    segments: list[list[str]] = [[]]
    for line in expected:
        if line == ELISION:
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return expected == actual
    first, *middle, last = segments
    if actual[: len(first)] != first:
        return False
    position = len(first)
    for segment in middle:
        found = next(
            (
                i
                for i in range(position + 1, len(actual) - len(segment) + 1)
                if actual[i : i + len(segment)] == segment
            ),
            None,
        )
        if found is None:
            return False
        position = found + len(segment)
    tail_start = len(actual) - len(last)
    return tail_start >= position + 1 and actual[tail_start:] == last


def normalise(text: str, folder: Path) -> list[str]:
    for path in {str(folder.resolve()), str(folder)}:
        text = text.replace(path + os.sep, "")
    lines = []
    for line in text.splitlines():
        for pattern, replacement in NORMALISE:
            line = pattern.sub(replacement, line)
        lines.append(line.rstrip())
    return lines


def run_step(step: Step, folder: Path) -> tuple[int, str]:
    """Run one step in ``folder`` (the current directory); its exit status and output."""
    words = shlex.split(step.command)
    if words[0] != "qualcode":
        if shutil.which("sh") is None:
            pytest.skip(f"README.md:{step.line}: needs a POSIX shell for {words[0]}")
        done = subprocess.run(
            ["sh", "-c", step.command], cwd=folder, capture_output=True, text=True, check=False
        )
        return done.returncode, done.stdout + done.stderr
    redirections = {">", ">>", "<", "|", "&&", ";"} & set(words)
    assert not redirections, f"README.md:{step.line}: shell syntax {redirections} after qualcode"
    runner = CliRunner(env={"QUALCODE_CONFIG": str(folder / "config.json")})
    result = runner.invoke(cli, words[1:], catch_exceptions=False)
    return result.exit_code, result.output


def mismatch(step: Step, expected_status: int, status: int, want: list[str], got: list[str]) -> str:
    diff = "\n".join(difflib.unified_diff(want, got, "README", "real output", lineterm="", n=2))
    return (
        f"README.md:{step.line}: $ {step.command}\n"
        f"exit status {status}, expected {expected_status}\n{diff}"
    )


BLOCKS = parse_readme(README.read_text(encoding="utf-8"))
SECTIONS = list(dict.fromkeys(block.section for block in BLOCKS))


@pytest.fixture
def checkout(tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out like the repository, as the cwd (the tour builds its own demo
    project; every other section gets a fresh copy of it)."""
    folder = tmp_path / "checkout"
    shutil.copytree(TRANSCRIPTS, folder / "transcripts")
    shutil.copytree(CODEBOOKS, folder / "codebooks")
    (folder / "exports").mkdir()
    monkeypatch.chdir(folder)
    return folder


TOUR = "A short tour"  # builds demo.qualcode itself (demo --path never replaces a file)


@pytest.mark.parametrize("section", SECTIONS)
def test_readme_section_output_is_real(section: str, checkout: Path, demo_template: Path) -> None:
    if section != TOUR:
        shutil.copyfile(demo_template, checkout / "demo.qualcode")
    problems: list[str] = []
    for block in (b for b in BLOCKS if b.section == section):
        for step in block.steps:
            status, output = run_step(step, checkout)
            want = normalise("\n".join(step.expected), checkout)
            got = normalise(output, checkout)
            expected_status = 1 if any(line.startswith("Error:") for line in want) else 0
            if status != expected_status or not output_matches(want, got):
                problems.append(mismatch(step, expected_status, status, want, got))
    assert not problems, "\n\n".join(problems)


def test_the_tour_is_replayed() -> None:
    """The parts of the README the issue asks to show really are console blocks here."""
    commands = [
        step.command.split()[1]
        for block in BLOCKS
        for step in block.steps
        if step.command.startswith("qualcode ")
    ]
    assert TOUR in SECTIONS
    for command in ("init", "import", "transcripts", "codebook", "code", "codings", "demo"):
        assert command in commands
    assert all(block.steps for block in BLOCKS)


def lines(text: str) -> list[str]:
    return text.split("\n") if text else []


# The matcher is what makes the replay strict: a stale line, a missing or extra line fails.
@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        ("a\nb", "a\nb", True),
        ("a\nb", "a\nc", False),  # a changed line
        ("a\nb", "a\nb\nc", False),  # an extra line the README does not show
        ("a\n...", "a\nb\nc", True),  # trailing elision
        ("a\n...", "a", False),  # an elision must stand for at least one line
        ("a\n...\nd", "a\nb\nc\nd", True),  # elision in the middle
        ("a\n...\nd", "a\nd", False),
        ("a\n...\nc\n...\ne", "a\nb\nc\nd\ne", True),
        ("a\n...\nx\n...", "a\nb\nc", False),  # an elided-around line that is gone
        ("...\nc", "a\nb\nc", True),
    ],
)
def test_output_matching(expected: str, actual: str, same: bool) -> None:
    assert output_matches(lines(expected), lines(actual)) is same


def test_steps_are_parsed_like_a_shell_reads_them() -> None:
    block = [
        "$ cat > names.yaml <<'EOF'",
        "Mette: Anna",
        "EOF",
        '$ qualcode code p t c --quote "first',
        'second"',
        "coding 1",
        "  text",
        "$ qualcode log p",
    ]
    steps = parse_steps(block, 10)
    assert [(s.line, s.command, s.expected) for s in steps] == [
        (10, "cat > names.yaml <<'EOF'\nMette: Anna\nEOF", ()),
        (13, 'qualcode code p t c --quote "first\nsecond"', ("coding 1", "  text")),
        (17, "qualcode log p", ()),
    ]


def test_what_varies_between_runs_is_normalised(tmp_path: Path) -> None:
    printed = (
        f" 5  2026-11-22T19:09:53Z  import  wrote {tmp_path}{os.sep}x.qdpx: 8 sources "
        "(68,725 bytes)  \n7c9e6679-7425-40de-944b-e07fc1f90ae7"
    )
    assert normalise(printed, tmp_path) == [
        " 5  <time>  import  wrote x.qdpx: 8 sources (<n> bytes)",
        "<guid>",
    ]
    # byte counts of anything but a .qdpx are compared as printed
    assert normalise("wrote a.csv (1,234 bytes)", tmp_path) == ["wrote a.csv (1,234 bytes)"]
