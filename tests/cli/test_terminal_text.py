"""A hostile project cannot rewrite the terminal: control characters in stored names,
memos and passages are shown visibly (ESC as ␛, CR as ␍, BEL as ␇, …) in everything
qualcode prints, while files written with -o keep the exact text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli import cli
from qualcode.domain.terminal_text import visible
from qualcode.exporters.tables import render_table

CLEAR_SCREEN = "\x1b[2J"
SET_TITLE = "\x1b]0;owned\x07"
C1_CSI = "\x9b2J"  # the one-byte CSI some terminals obey like ESC [


@pytest.fixture
def hostile(demo_path: Path) -> Path:
    """The demo with a code named ESC [2J, a transcript name holding CR, a memo that sets
    the window title and a coding memo with a C1 control (written behind qualcode's
    back, as a foreign tool could)."""
    with sqlite3.connect(demo_path) as connection:
        connection.execute("UPDATE code SET name = ? WHERE id = 1", (CLEAR_SCREEN,))
        connection.execute("UPDATE transcript SET name = ? WHERE id = 1", ("evil\rname",))
        connection.execute("UPDATE coding SET memo = ? WHERE id = 1", (f"see {C1_CSI}",))
        connection.execute(
            "INSERT INTO memo (target_type, target_id, author, text, created_at, updated_at) "
            "VALUES ('project', NULL, 'anna', ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            (f"see {SET_TITLE} here",),
        )
    connection.close()
    return demo_path


def terminal(*args: str | Path) -> tuple[int, str]:
    """Run qualcode as at a colour terminal (click strips nothing itself then); the exit
    status and everything printed on stdout and stderr."""
    result = CliRunner().invoke(cli, [str(a) for a in args], color=True, prog_name="qualcode")
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "status", "shown"),
    [
        # the codebook tree names the code
        (("codebook", "{p}"), 0, "␛[2J"),
        # the codings table: code path and transcript name
        (("codings", "{p}"), 0, "␛[2J/"),
        (("codings", "{p}"), 0, "evil␍name"),
        # CSV on standard output passes the same stream
        (("codings", "{p}", "--format", "csv"), 0, "␛[2J/"),
        # the memo that would set the window title, and a coding memo's C1 control
        (("memos", "{p}"), 0, "see ␛]0;owned␇ here"),
        (("codings", "{p}", "--format", "csv"), 0, "see \\u009b2J"),
        # the transcript listing
        (("transcripts", "{p}"), 0, "evil␍name"),
        # an error naming a stored name
        (("show", "{p}", "evilname"), 1, "did you mean 'evil\\rname'?"),
        # a user-typed argument echoed in an error
        (("show", "{p}", f"x{CLEAR_SCREEN}"), 1, "unknown transcript 'x\\x1b[2J'"),
        # JSON escapes controls itself (and stays valid JSON)
        (("codings", "{p}", "--format", "json"), 0, "\\u001b[2J/"),
    ],
    ids=[
        "codebook",
        "codings-code",
        "codings-transcript",
        "codings-csv",
        "memos",
        "coding-memo-c1",
        "transcripts",
        "error-stored-name",
        "error-argument",
        "codings-json",
    ],
)
def test_printed_text_holds_no_control_characters(
    hostile: Path, args: tuple[str, ...], status: int, shown: str
) -> None:
    code, printed = terminal(*(a.format(p=hostile) for a in args))
    assert code == status, printed
    assert shown in printed
    for control in ("\x1b", "\x07", "\r", "\x9b"):
        assert control not in printed


def test_files_written_with_o_keep_the_exact_text(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "codings.csv"
    code, _ = terminal("codings", hostile, "--format", "csv", "-o", out)
    assert code == 0
    written = out.read_text(encoding="utf-8")
    assert f"{CLEAR_SCREEN}/" in written
    assert f"see {C1_CSI}" in written


@pytest.mark.parametrize(
    ("text", "keep", "expected"),
    [
        ("plain é 中文 🙂", "\n\t", "plain é 中文 🙂"),  # printable text is untouched
        ("a\x1b[2Jb", "\n\t", "a␛[2Jb"),  # ESC: a control picture
        ("line\rover", "\n\t", "line␍over"),  # CR
        ("ding\x07", "\n\t", "ding␇"),  # BEL
        ("\x00", "\n\t", "␀"),  # NUL
        ("del\x7f", "\n\t", "del\\u007f"),  # DEL: an escape
        ("\x9b2J", "\n\t", "\\u009b2J"),  # C1 CSI: an escape
        ("a\tb\nc", "\n\t", "a\tb\nc"),  # newline and tab lay out text
        ("a\tb\nc", "", "a␉b␊c"),  # … unless nothing is kept (table cells, error lines)
    ],
    ids=["printable", "esc", "cr", "bel", "nul", "del", "c1", "layout", "keep-nothing"],
)
def test_visible(text: str, keep: str, expected: str) -> None:
    assert visible(text, keep=keep) == expected


def test_table_cells_keep_their_columns() -> None:
    table = render_table(["name", "n"], [["a\x1bb", 1], ["tab\there", 22]])
    assert table.splitlines() == [
        "name       n",
        "--------  --",
        "a␛b        1",
        "tab␉here  22",
    ]
