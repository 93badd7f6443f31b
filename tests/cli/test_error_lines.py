"""The one layer from exceptions to lines (qualcode.services.error_lines): every kind of
exception is exactly one line without control characters, with its exit status, and only
an unexpected one writes its traceback to the log file."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qualcode.domain.errors import (
    DamagedProjectError,
    InputError,
    InternalError,
    NotFoundError,
    QualcodeError,
)
from qualcode.services.error_lines import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USER,
    LOG_DIR_VARIABLE,
    error_line,
    one_line,
)
from qualcode.services.project import open_project
from tests.conftest import Cli
from tests.storage.test_damage_shapes import BAD_KEYWORDS, damage


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv(LOG_DIR_VARIABLE, str(folder))
    return folder


def raised(action: Callable[[], object]) -> BaseException:
    """The exception that real code raises."""
    try:
        action()
    except BaseException as error:
        return error
    raise AssertionError("nothing was raised")


def recurse(depth: int = 0) -> int:
    return recurse(depth + 1) + 1


def interrupt() -> None:
    signal.raise_signal(signal.SIGINT)  # Python's default handler raises KeyboardInterrupt


def disk_full() -> None:
    with open("/dev/full", "w", encoding="utf-8") as device:
        device.write("x")


def no_control_characters(text: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" for c in text)


# (exception made by real code, the line (or its start), exit status, logged?)
CASES: list[tuple[str, Callable[[Path], BaseException], str, int, bool]] = [
    # a typed error from a service: its own message
    (
        "project-error",
        lambda tmp: raised(lambda: open_project(tmp / "none.qualcode")),
        "{tmp}/none.qualcode: no such project (create one with: qualcode init",
        EXIT_USER,
        False,
    ),
    # a typed error whose message spans lines: one line, breaks shown as ⏎
    (
        "multi-line",
        lambda tmp: InputError("codes.yaml", "first\nsecond", line=3),
        "codes.yaml:3: first ⏎ second",
        EXIT_USER,
        False,
    ),
    # an error already logged by the workspace keeps its line and the internal status
    (
        "internal",
        lambda tmp: InternalError("internal error: X; details in L"),
        "internal error: X; details in L",
        EXIT_INTERNAL,
        False,
    ),
    # a file that is not there
    (
        "enoent",
        lambda tmp: raised(lambda: (tmp / "gone.txt").read_text()),
        "{tmp}/gone.txt: not found",
        EXIT_USER,
        False,
    ),
    # a folder where a file was expected: the system's own reason
    (
        "eisdir",
        lambda tmp: raised(lambda: tmp.read_text()),
        "{tmp}: Is a directory",
        EXIT_USER,
        False,
    ),
    # a full disk (/dev/full reports ENOSPC on every write; the system names no file)
    ("enospc", lambda tmp: raised(disk_full), "disk full", EXIT_USER, False),
    # the errnos a test cannot provoke as root or without a read-only mount, built the
    # way the system raises them (OSError picks PermissionError etc. by errno)
    (
        "erofs",
        lambda tmp: OSError(errno.EROFS, os.strerror(errno.EROFS), "/mnt/cd/out.csv"),
        "/mnt/cd/out.csv: read-only file system",
        EXIT_USER,
        False,
    ),
    (
        "eacces",
        lambda tmp: OSError(errno.EACCES, os.strerror(errno.EACCES), "/etc/shadow"),
        "/etc/shadow: permission denied",
        EXIT_USER,
        False,
    ),
    (
        "edquot",
        lambda tmp: OSError(errno.EDQUOT, os.strerror(errno.EDQUOT), "a", None, "b"),
        "a -> b: disk full (quota exceeded)",
        EXIT_USER,
        False,
    ),
    # memory that cannot be had (4 EiB)
    (
        "memory",
        lambda tmp: raised(lambda: bytearray(1 << 62)),
        "ran out of memory before finishing; nothing was changed",
        EXIT_USER,
        False,
    ),
    # unbounded recursion
    (
        "recursion",
        lambda tmp: raised(recurse),
        "the input is nested too deeply to process; nothing was changed",
        EXIT_USER,
        False,
    ),
    # bytes that are not UTF-8
    (
        "decode",
        lambda tmp: raised(lambda: b"ok \xff\xfe".decode("utf-8")),
        "text is not valid utf-8: byte 0xff at byte offset 3 cannot be decoded",
        EXIT_USER,
        False,
    ),
    # a lone surrogate
    (
        "encode",
        lambda tmp: raised(lambda: "ab\ud800".encode()),
        "text holds U+D800 at character 2, which cannot be written as utf-8",
        EXIT_USER,
        False,
    ),
    # Ctrl-C
    (
        "interrupt",
        lambda tmp: raised(interrupt),
        "interrupted; nothing was changed",
        EXIT_INTERRUPTED,
        False,
    ),
    # bugs: anything else is an internal error with its traceback in the log
    (
        "key-error",
        lambda tmp: raised(lambda: dict[str, int]()["missing"]),
        "internal error: KeyError: 'missing'; nothing was changed; details in ",
        EXIT_INTERNAL,
        True,
    ),
    (
        "json",
        lambda tmp: raised(lambda: json.loads("{not json")),
        "internal error: JSONDecodeError: Expecting property name",
        EXIT_INTERNAL,
        True,
    ),
    (
        "zero",
        lambda tmp: raised(lambda: 1 / 0),
        "internal error: ZeroDivisionError: division by zero; nothing was changed",
        EXIT_INTERNAL,
        True,
    ),
]


@pytest.mark.parametrize(
    ("make", "expected", "status", "logs"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_kind_of_exception_is_one_line(
    tmp_path: Path,
    log_dir: Path,
    make: Callable[[Path], BaseException],
    expected: str,
    status: int,
    logs: bool,
) -> None:
    error = make(tmp_path)
    line = error_line(error)
    assert line.text.startswith(expected.format(tmp=tmp_path)), line.text
    assert len(line.text.splitlines()) == 1
    assert no_control_characters(line.text)
    assert line.exit_code == status
    log = log_dir / "errors.log"
    if logs:
        assert line.log_file == log
        assert line.text.endswith(f"; details in {log}")
        written = log.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" in written
        assert type(error).__name__ in written
        assert oct(log.stat().st_mode & 0o777) == oct(0o600)  # it may quote interview text
    else:
        assert line.log_file is None
        assert not log.exists()


def test_an_unwritable_log_still_gives_one_line(tmp_path: Path, log_dir: Path) -> None:
    log_dir.parent.mkdir(exist_ok=True)
    log_dir.write_text("a file where the log folder should be")
    line = error_line(raised(lambda: [][1]))
    assert line.text.startswith("internal error: IndexError: list index out of range; nothing")
    assert f"(the details could not be written to {log_dir / 'errors.log'}: " in line.text
    assert len(line.text.splitlines()) == 1
    assert line.exit_code == EXIT_INTERNAL
    assert line.log_file is None


def test_a_long_log_is_moved_aside(log_dir: Path) -> None:
    log_dir.mkdir()
    (log_dir / "errors.log").write_bytes(b"x" * (1024 * 1024 + 1))
    error_line(raised(lambda: 1 / 0))
    assert (log_dir / "errors.log.1").stat().st_size == 1024 * 1024 + 1
    assert (log_dir / "errors.log").stat().st_size < 10_000


def test_an_unexpected_error_of_a_command_is_one_line_and_logged(
    demo_path: Path, log_dir: Path, run: Cli
) -> None:
    # A hand-edited codebook whose keywords are not JSON: `qualcode codebook` does not
    # expect that (matrix and its kin refuse damaged projects; listings do not check).
    damage(demo_path, [BAD_KEYWORDS])
    result = run("codebook", demo_path, expect=EXIT_INTERNAL)
    assert result.stdout == ""
    log = log_dir / "errors.log"
    assert result.stderr == (
        "Error: internal error: JSONDecodeError: Expecting value: line 1 column 2 (char 1); "
        f"nothing was changed; details in {log}\n"
    )
    written = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in written
    assert "qualcode codebook" in written  # which command failed


def test_ctrl_c_is_one_line_and_exit_130(study_path: Path, tmp_path: Path) -> None:
    """A real `qualcode` process interrupted while it waits for the editor."""
    editor = tmp_path / "slow-editor"
    editor.write_text("#!/bin/sh\nsleep 30\n")
    editor.chmod(0o755)
    environment = {**os.environ, "EDITOR": str(editor), LOG_DIR_VARIABLE: str(tmp_path / "logs")}
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode", "transcript", "edit", str(study_path), "parent-01-en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=True,
    )
    try:
        editor_started(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # as the terminal sends Ctrl-C to the group
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert (process.returncode, stdout, stderr) == (
        EXIT_INTERRUPTED,
        "",
        "Error: interrupted; nothing was changed\n",
    )
    assert not (tmp_path / "logs").exists()


def editor_started(pid: int) -> None:
    """Wait until the process ``pid`` has started its editor (a child ``sleep``)."""
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists() and children.read_text().split():
            return
        time.sleep(0.05)
    raise AssertionError("the editor never started")


@pytest.fixture
def study_path(tmp_path: Path, run: Cli) -> Path:
    from tests.conftest import TRANSCRIPTS

    path = tmp_path / "study.qualcode"
    run("init", path)
    run("import", path, TRANSCRIPTS / "parent-01-en.txt")
    return path


EXCEPTION_TYPES = [
    QualcodeError,
    InputError,
    NotFoundError,
    DamagedProjectError,
    InternalError,
    OSError,
    FileNotFoundError,
    PermissionError,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
    MemoryError,
    RecursionError,
    UnicodeError,
    AssertionError,
    Exception,
    KeyboardInterrupt,
]


@st.composite
def exceptions(draw: st.DrawFn) -> BaseException:
    kind = draw(st.sampled_from([*EXCEPTION_TYPES, "decode", "encode", "oserror"]))
    message = draw(st.text(max_size=80))
    if kind == "decode":
        data = draw(st.binary(min_size=1, max_size=20))
        start = draw(st.integers(0, len(data) - 1))
        return UnicodeDecodeError("utf-8", data, start, start + 1, message)
    if kind == "encode":
        text = draw(st.text(min_size=1, max_size=20))
        start = draw(st.integers(0, len(text) - 1))
        return UnicodeEncodeError("utf-8", text, start, start + 1, message)
    if kind == "oserror":
        number = draw(st.sampled_from([errno.ENOSPC, errno.EROFS, errno.EIO, errno.ENOTDIR]))
        return OSError(number, message, draw(st.text(max_size=40)))
    if kind is InputError:
        return InputError(draw(st.text(max_size=30)), message, line=draw(st.integers(1, 9)))
    assert isinstance(kind, type)
    made: BaseException = kind(message)
    return made


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(error=exceptions())
@example(error=OSError("\x85"))  # a message of one line break: found by hypothesis
@example(error=UnicodeError("\u2028 "))
def test_any_exception_is_exactly_one_line_without_controls(
    log_dir: Path, error: BaseException
) -> None:
    line = error_line(error)
    assert line.text
    assert len(line.text.splitlines()) == 1
    assert no_control_characters(line.text)
    assert line.exit_code in (EXIT_USER, EXIT_INTERNAL, EXIT_INTERRUPTED)


@given(text=st.text())
def test_one_line_changes_only_line_breaks_and_controls(text: str) -> None:
    shown = one_line(text)
    assert len(shown.splitlines()) <= 1
    assert no_control_characters(shown)
    if len(text.splitlines()) <= 1 and no_control_characters(text):
        assert shown == text.strip()
