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

from qualcode.domain.errors import FieldError
from qualcode.domain.text_entry import enter_coder
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


# A --coder value through the name entrance: rows a coder name may or may not be.
CODER_NAMES = [
    pytest.param(" anna ", "anna", id="spaces-dropped"),  # as everywhere a coder is named
    pytest.param("a/b", "a/b", id="slash"),  # a coder name, as `code --coder a/b` takes it
    pytest.param("  ", None, id="blank"),
    pytest.param("a\tb", None, id="tab"),
    pytest.param("a\u202eb", None, id="bidi-override"),
    pytest.param("x" * 201, None, id="too-long"),
]


@pytest.mark.parametrize(("typed", "stored"), CODER_NAMES)
def test_enter_coder_is_the_name_entrance(typed: str, stored: str | None) -> None:
    if stored is not None:
        assert enter_coder(typed) == stored
        return
    with pytest.raises(FieldError) as raised:
        enter_coder(typed)
    assert raised.value.field == "coder"


BAD_DEMO_OPTIONS = [
    pytest.param(["--coder", "  "], "--coder: a coder name cannot be blank", id="blank-coder"),
    pytest.param(["--coder", "a\tb"], "--coder: name 'a\\tb' holds U+0009", id="tab-coder"),
    pytest.param(["--path", ""], "--path: cannot be empty", id="empty-path"),
    pytest.param(["--path", " "], "--path: cannot be empty", id="blank-path"),
]


@pytest.mark.parametrize(("options", "phrase"), BAD_DEMO_OPTIONS)
def test_the_demo_refuses_a_bad_coder_or_path_before_building(
    run: Cli,
    tmp_path: Path,
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: list[str],
    phrase: str,
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))  # where the default demo would go
    path: list[str | Path] = ["--path", tmp_path / "d.qualcode"] if "--path" not in options else []
    line = one_line_error(run("demo", "--no-open", *path, *options, expect=1).stderr)
    assert phrase in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no project, no config
    assert not data.exists() or not any(data.rglob("*.qualcode"))


def test_open_refuses_a_coder_name_the_entrance_refuses(run: Cli, study: Path) -> None:
    line = one_line_error(run("open", study, "--coder", "a\nb", expect=1).stderr)
    assert "--coder: name 'a\\nb' holds U+000A" in line


def test_the_demos_coder_is_remembered_without_opening(
    run: Cli, tmp_path: Path, config: Path
) -> None:
    demo = tmp_path / "d.qualcode"
    run("demo", "--path", demo, "--no-open", "--coder", " maria ")
    assert json.loads(config.read_text())["coders"] == {project_key(str(demo)): "maria"}
    # A later session codes as maria, so nothing is said about the login name.
    later = run(demo)
    assert "coding as" not in later.stderr
    assert "transcripts  8" in later.stdout
