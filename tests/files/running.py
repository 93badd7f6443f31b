"""Running the real ``qualcode`` command in a subprocess (so a hang is a timeout failure,
not a stuck test run), with file permissions that hold even for root."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

QUALCODE = [sys.executable, "-m", "qualcode"]
TIMEOUT_S = 30.0
# Root ignores file permissions through these two capabilities; without them a file
# root cannot read (chmod 000) or a folder it cannot write (chmod 555) behaves as it does
# for anyone else.
_DROP = "-dac_override,-dac_read_search"


def permissions_prefix() -> list[str]:
    """The command prefix that makes file permissions apply to this test's subprocess."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    return [setpriv, f"--inh-caps={_DROP}", f"--bounding-set={_DROP}"]


def qualcode(
    *args: str | Path, cwd: Path, restricted: bool = False, timeout: float = TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    """``qualcode ARGS`` in a fresh process; a hang fails the test after ``timeout`` s."""
    prefix = permissions_prefix() if restricted else []
    command: Sequence[str] = [*prefix, *QUALCODE, *(str(a) for a in args)]
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"qualcode {' '.join(map(str, args))} hung (no answer in {timeout:.0f} s)")


# The child of qualcode_batch (`python -c BATCH_SCRIPT < cases.json`): runs each command
# line through the real entry point (qualcode.cli.main, as `python -m qualcode` does), one
# after another in one process, and prints every exit status and output as JSON. Its
# error log goes to a folder of its own (QUALCODE_LOG_DIR), never the user's.
BATCH_SCRIPT = """
import contextlib, io, json, os, sys, tempfile
os.environ.setdefault("QUALCODE_LOG_DIR", tempfile.mkdtemp(prefix="qualcode-test-log-"))
from qualcode.cli import main
results = {}
for key, cwd, args in json.load(sys.stdin):
    os.chdir(cwd)
    sys.argv = ["qualcode", *args]
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in "oe")
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    shown = []
    for stream in (out, err):
        stream.flush()
        shown.append(stream.buffer.getvalue().decode("utf-8", "replace"))
    results[key] = [code, *shown]
print(json.dumps(results))
"""


def qualcode_batch(
    runs: Mapping[str, tuple[Path, Sequence[str | Path]]],
    *,
    restricted: bool = False,
    timeout: float = 4 * TIMEOUT_S,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Several ``qualcode ARGS`` (by key: working folder, arguments) in ONE fresh process,
    each through the command's real entry point: what the rows of a large table pay
    once instead of once per row (a process and its imports). A hang in any of them
    fails the test after ``timeout`` s, naming every command of the batch."""
    prefix = permissions_prefix() if restricted else []
    try:
        child = subprocess.run(
            [*prefix, sys.executable, "-c", BATCH_SCRIPT],
            input=batch_input(runs),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"one of {', '.join(runs)} hung (no answer in {timeout:.0f} s)")
    assert child.returncode == 0, child.stderr
    return batch_results(runs, child.stdout)


def batch_input(runs: Mapping[str, tuple[Path, Sequence[str | Path]]]) -> str:
    """What BATCH_SCRIPT reads on its standard input."""
    return json.dumps(
        [[key, str(cwd), [str(a) for a in args]] for key, (cwd, args) in runs.items()]
    )


def batch_results(
    runs: Mapping[str, tuple[Path, Sequence[str | Path]]], printed: str
) -> dict[str, subprocess.CompletedProcess[str]]:
    """What BATCH_SCRIPT printed, as one completed process per key."""
    results = json.loads(printed)
    return {
        key: subprocess.CompletedProcess(runs[key][1], code, out, err)
        for key, (code, out, err) in results.items()
    }
