"""``qualcode demo`` never destroys a file: ``--path`` onto an existing file is refused in
a script, asked about at a terminal (and the file kept beside the new demo when the
answer is yes), and an earlier demo at the default place is kept, not deleted."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode.domain.events import Action
from qualcode.services.demo import build_demo
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import Cli
from tests.files.targets import snapshot


def test_demo_path_onto_a_project_is_refused_in_a_script(study: Path, run: Cli) -> None:
    before = (snapshot(study), dump(study))
    result = run("demo", "--path", study, "--no-open", expect=1)
    line = one_line_error(result.stderr)
    assert f"{study}: exists already" in line
    assert (snapshot(study), dump(study)) == before
    assert sorted(p.name for p in study.parent.iterdir()) == ["study.qualcode"]


def _demo_at_a_terminal(target: Path, answer: bytes) -> tuple[int, str]:
    """Run ``qualcode demo --path TARGET --no-open`` in a pseudo-terminal, answer the
    question, and return the exit code and everything the terminal showed."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode", "demo", "--path", str(target), "--no-open"],
        stdin=child,
        stdout=child,
        stderr=child,
        close_fds=True,
    )
    os.close(child)
    shown = b""
    answered = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal: it has finished
            break
        if not chunk:
            break
        shown += chunk
        if not answered and b"[y/N]" in shown:
            os.write(main, answer + b"\n")
            answered = True
    os.close(main)
    code = process.wait(timeout=60)
    assert answered, shown.decode(errors="replace")
    return code, shown.decode(errors="replace")


def test_demo_path_at_a_terminal_asks_and_keeps_the_file(study: Path) -> None:
    before = snapshot(study)
    project_rows = dump(study)
    code, shown = _demo_at_a_terminal(study, b"y")
    assert code == 0, shown
    kept = study.with_name("study.before-demo-1.qualcode")
    assert f"kept the earlier file as {kept}" in shown
    assert snapshot(kept) == before  # the very file: same inode, same bytes
    assert dump(kept) == project_rows
    assert "transcripts: 8 imported" in shown  # and a fresh demo where it was
    assert snapshot(study) != before


def test_demo_path_at_a_terminal_no_changes_nothing(study: Path) -> None:
    before = snapshot(study)
    code, shown = _demo_at_a_terminal(study, b"n")
    assert code == 1
    assert "exists already" in shown
    assert "Traceback" not in shown
    assert snapshot(study) == before
    assert sorted(p.name for p in study.parent.iterdir()) == ["study.qualcode"]


def test_default_demo_keeps_the_earlier_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second ``qualcode demo`` (no --path) moves the first aside instead of deleting
    it: a researcher may have practised coding in it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    lines: list[str] = []
    first = build_demo(None, lines.append)
    location = Path(first.location)
    with first.unit_of_work() as uow:
        uow.events.log(Action.SETTING, "a coder practised here", {})
    first.close()
    before = dump(location)
    build_demo(None, lines.append).close()
    kept = location.with_name("demo.before-demo-1.qualcode")
    assert f"kept the earlier file as {kept}" in lines
    assert dump(kept) == before
    assert dump(location) != before
