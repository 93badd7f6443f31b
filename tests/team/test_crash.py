"""Crash safety: a process killed (SIGKILL) in the middle of an import leaves the project
with all of that import or none of it, and `qualcode check` passes afterwards.

The killed process is a real `qualcode` run in a subprocess. A small wrapper pauses it at
a chosen point inside the import's transaction and says so on stdout; the test kills it
there, so the kill always lands where it matters (no timing guesswork)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.services.codebook import import_codebook
from qualcode.services.maintenance import check_project
from qualcode.services.project import init_project, open_project
from qualcode.services.transcripts import import_transcripts
from tests.conftest import CODEBOOKS, Cli

FILES = 100
CODINGS = 20_000

# Runs `qualcode ARGS...` with a repository method ("transcripts.TranscriptRepository.add":
# module of qualcode.storage, class, method) wrapped: after its CALL-th call the process
# prints "PAUSED" and waits to be killed.
KILLABLE = """
import importlib, signal, sys
target, call = sys.argv[1], int(sys.argv[2])
module, name, method = target.split(".")
repository = getattr(importlib.import_module("qualcode.storage." + module), name)
original = getattr(repository, method)
calls = 0
def paused(self, *args, **kwargs):
    global calls
    result = original(self, *args, **kwargs)
    calls += 1
    if calls == call:
        print("PAUSED", flush=True)
        signal.pause()
    return result
setattr(repository, method, paused)
from qualcode.cli import cli
cli(sys.argv[3:], prog_name="qualcode")
"""


def run_until_killed(method: str, call: int, *args: str | Path) -> None:
    """Run qualcode with ARGS, kill it with SIGKILL once it pauses inside the import."""
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, method, str(call), *(str(a) for a in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line != "PAUSED\n":
        process.kill()
        raise AssertionError(f"qualcode did not reach the pause: {line!r} {process.stderr}")
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL


def transcript_files(folder: Path) -> list[Path]:
    files = []
    for number in range(FILES):
        text = "".join(
            f"Interviewer: How was week {week} for family {number}?\n"
            f"Parent {number}: Week {week} we met the caseworker {number % 7} times.\n"
            for week in range(12)
        )
        path = folder / f"interview-{number:03d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def counts(location: str) -> tuple[int, int, int]:
    """Transcripts, codings and events as a fresh process would find them."""
    project = open_project(location)
    try:
        with project.reading() as uow:
            found = uow.settings.counts()
        assert check_project(project).problems == ()
        return found.transcripts, found.codings, found.events
    finally:
        project.close()


@pytest.mark.parametrize(
    ("method", "call"),
    [("transcripts.TranscriptRepository.add", FILES // 2), ("events.EventRepository.log", 1)],
    ids=["half-way-through-the-files", "after-the-last-insert-before-commit"],
)
def test_killed_transcript_import_leaves_none_of_it(
    location: str, tmp_path: Path, run: Cli, method: str, call: int
) -> None:
    init_project(location).close()
    before = counts(location)
    files = transcript_files(tmp_path)

    run_until_killed(method, call, "import", location, *files)

    assert counts(location) == before
    run("check", location)
    # The same import, not interrupted, stores all of it.
    run("import", location, *files)
    transcripts, _, events = counts(location)
    assert (transcripts, events) == (FILES, before[2] + 1)


def test_killed_bulk_codings_import_leaves_none_of_it(
    location: str, tmp_path: Path, run: Cli
) -> None:
    project = init_project(location)
    files = transcript_files(tmp_path)[:10]
    import_transcripts(project, files)
    import_codebook(project, CODEBOOKS / "family-collaboration.yaml")
    project.close()
    csv_file = tmp_path / "codings.csv"
    with csv_file.open("w", encoding="utf-8") as out:
        out.write("transcript,code,coder,start,end\n")
        for number in range(CODINGS):
            start = number % 500
            out.write(
                f"interview-{number % 10:03d},continuity,coder-{number % 3},{start},{start + 40}\n"
            )
    before = counts(location)

    run_until_killed(
        "codings.CodingRepository.add_bulk", 1, "codings", location, "import", csv_file
    )

    assert counts(location) == before
    run("check", location)
    run("codings", location, "import", csv_file)
    assert counts(location)[1:] == (CODINGS, before[2] + 1)
