"""A small project and a running `qualcode serve` (a real subprocess on a free port)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualcode.domain.codebook import CodeSpec
from qualcode.services.codebook_edit import add_code
from qualcode.services.project import init_project
from qualcode.services.transcripts import import_transcripts

NAME = "talk"
TEXT = "Interviewer: How was the week?\n\nMia: Long. The school called twice about Elias.\n"
CODE = "school"
SHORTCUT = "s"
STOP_S = 10.0  # the server's own limit for closing sessions is 5 s


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """One two-turn transcript and one code with a shortcut key."""
    source = tmp_path / f"{NAME}.txt"
    source.write_text(TEXT, encoding="utf-8")
    location = tmp_path / "tiny.qualcode"
    project = init_project(location)
    import_transcripts(project, [source])
    add_code(project, CodeSpec(CODE, shortcut=SHORTCUT), None, "anna")
    project.close()
    return location


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str  # as printed, token included

    @property
    def base(self) -> str:
        return self.url.split("?", 1)[0]

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, as a terminal sends it; the exit status and what was printed after the
        address (read through the pipes' buffers, which hold the lines after it)."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=STOP_S)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        return code, self.process.stdout.read(), self.process.stderr.read()


@contextmanager
def serving(location: Path, *options: str) -> Iterator[Served]:
    """``qualcode serve LOCATION --port 0 OPTIONS`` until the block ends (then Ctrl-C)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode", "serve", str(location), "--port", "0", *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"http://\S+", first)
        assert found, first
        yield Served(process, found.group(0))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
