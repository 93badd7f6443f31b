"""Running the real ``qualcode`` command in a subprocess (so a hang is a timeout failure,
not a stuck test run), with file permissions that hold even for root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
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
