"""Whose codings these are is never a silent guess: the first `qualcode PROJECT` or
`qualcode demo` without --coder asks in a terminal (enter takes the login name) and
remembers the answer; without a terminal it says which name it would use."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode.tui.config import CONFIG_ENV, project_key, remember_coder
from tests.cli.test_bad_input import one_line_error
from tests.conftest import Cli

LOGIN = "tester"  # getpass.getuser() reads LOGNAME first
NOTE = f"coding as {LOGIN} (your login name); --coder NAME to change"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.json"
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.setenv("LOGNAME", LOGIN)
    return path


@pytest.fixture
def study(tmp_path: Path, run: Cli) -> Path:
    path = tmp_path / "study.qualcode"
    run("init", path)
    return path


@pytest.mark.parametrize(
    ("options", "remembered", "noted"),
    [
        ([], None, True),  # the first time, no --coder: the login name, said so
        (["--coder", "maria"], None, False),  # named: nothing to say
        ([], "maria", False),  # remembered from an earlier session
        (["open"], None, True),  # the same through `qualcode open`
    ],
    ids=["first-time", "named", "remembered", "open-command"],
)
def test_without_a_terminal_the_login_name_is_noted(
    run: Cli,
    study: Path,
    config: Path,
    options: list[str],
    remembered: str | None,
    noted: bool,
) -> None:
    if remembered is not None:
        remember_coder(str(study), remembered, config)
    command: list[str | Path] = ["open", study] if options[:1] == ["open"] else [study, *options]
    result = run(*command)
    assert (NOTE in result.stderr) is noted
    assert "transcripts  0" in result.stdout  # the summary, as before
    if remembered is None:  # nothing is remembered without a terminal
        assert not config.exists()


def test_a_blank_coder_name_is_refused(run: Cli, study: Path, config: Path) -> None:
    line = one_line_error(run(study, "--coder", "  ", expect=1).stderr)
    assert "--coder: a coder name cannot be blank" in line


def test_the_demo_says_whose_codings_it_makes(run: Cli, tmp_path: Path, config: Path) -> None:
    result = run("demo", "--path", tmp_path / "demo.qualcode")
    assert NOTE in result.stderr
    assert "coding as" not in run("demo", "--path", tmp_path / "d2.qualcode", "--coder", "x").stderr


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    """What the terminal shows until ``wanted`` appears (or the time is up)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the program ended and closed the terminal
                break
    return seen


def test_a_terminal_asks_once_and_remembers(study: Path, config: Path) -> None:
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color"}
    env.update(COLUMNS="80", LINES="24")
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode", str(study)],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    os.close(child)
    try:
        asked = _read_until(main, b"]:", 30)
        assert b"Your coder name" in asked
        assert f"[{LOGIN}]".encode() in asked  # enter would take the login name
        os.write(main, b"maria\r")
        assert b"coder maria" in _read_until(main, b"coder maria", 30)  # the status bar
        os.write(main, b"\x11")  # ctrl+q
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    assert json.loads(config.read_text())["coders"] == {project_key(str(study)): "maria"}
