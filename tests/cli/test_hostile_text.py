"""Hostile text, numbers and nesting at every entrance of the command line: one line on
stderr naming where, exit 1, no traceback, and the project exactly as it was. Text that
is only written differently (NFD, as macOS pastes it) works as its NFC twin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.cli import cli
from qualcode.domain.text_entry import MAX_CODE_DEPTH, MAX_NESTING, NAME_MAX_CHARS
from tests.cli.test_bad_input import dump, one_line_error
from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli, write

HUGE = "9" * 30
NFD_POSITIVE = unicodedata.normalize("NFD", "Pösitive")
DANISH_QUOTE = "Vi er en familie på fire"  # in parent-03-da; å decomposes in NFD


@pytest.fixture
def study(tmp_path: Path, run: Cli) -> Path:
    """Two transcripts, the minimal codebook, one coding and a memo."""
    path = tmp_path / "study.qualcode"
    run("init", path)
    run("import", path, TRANSCRIPTS / "parent-01-en.txt", TRANSCRIPTS / "parent-03-da.txt")
    run("codebook", path, "import", CODEBOOKS / "minimal.yaml")
    run("code", path, "parent-01-en", "positive", "--coder", "anna", "--span", "0:40")
    run("memo", path, "first memo", "--transcript", "parent-01-en", "--author", "anna")
    return path


def _codebook(tmp: Path, name: str, body: str) -> list[str]:
    return ["codebook", "{p}", "import", str(write(tmp / name, body))]


def _nested_codes(levels: int) -> str:
    lines = ["codes:"]
    for level in range(levels):
        indent = "    " * level
        lines += [f"{indent}  - name: c{level}", f"{indent}    children:"]
    return "\n".join(lines) + "\n"


def _backup(tmp: Path, study: Path, change: Callable[[dict[str, object]], str]) -> list[str]:
    """A JSON backup of the study, changed, restored into a new project."""
    backup = tmp / "backup.json"
    Cli()("backup", study, backup, "--json")
    document = json.loads(backup.read_text(encoding="utf-8"))
    hostile = write(tmp / "hostile.json", change(document))
    return ["init", str(tmp / "restored.qualcode"), "--from", str(hostile)]


def _cell(document: dict[str, object], table: str, column: str, value: object) -> str:
    tables = document["tables"]
    assert isinstance(tables, dict)
    rows, columns = tables[table]["rows"], tables[table]["columns"]
    rows[0][columns.index(column)] = value
    return json.dumps(document)  # a lone surrogate is written as the escape \ud800


Make = Callable[[Path, Path], list[str]]
C = "--coder"
CODE_AS_A = ["code", "{p}", "parent-01-en", "positive", C, "a"]
CODINGS_HEADER = "transcript,code,coder,start,end\n"
CASES: list[tuple[str, Make, list[str]]] = [
    # -- cells of YAML files -----------------------------------------------------------
    (  # a "\uD800" escape in YAML: a lone surrogate
        "yaml-surrogate",
        lambda t, s: _codebook(t, "s.yaml", 'codes:\n  - name: "a\\uD800"\n'),
        ["s.yaml:2:11", "U+D800"],
    ),
    (  # a control character (bell) in a code name
        "yaml-control",
        lambda t, s: _codebook(t, "c.yaml", 'codes:\n  - name: "a\\ab"\n'),
        ["c.yaml:2:11", "U+0007"],
    ),
    (  # an NFD name beside its NFC twin: two siblings that look the same
        "yaml-nfd-sibling",
        lambda t, s: _codebook(
            t, "n.yaml", f"codes:\n  - name: Pösitive\n  - name: {NFD_POSITIVE}\n"
        ),
        ["n.yaml:3:11", "duplicate code name"],
    ),
    (  # a shortcut of two characters
        "shortcut-two",
        lambda t, s: _codebook(t, "k.yaml", "codes:\n  - name: x\n    shortcut: ab\n"),
        ["k.yaml:3:15", "single character"],
    ),
    (  # a shortcut that is not printable
        "shortcut-bell",
        lambda t, s: _codebook(t, "b.yaml", 'codes:\n  - name: x\n    shortcut: "\\a"\n'),
        ["b.yaml:3:15", "single character"],
    ),
    (  # a name over the length limit
        "yaml-long-name",
        lambda t, s: _codebook(t, "l.yaml", f"codes:\n  - name: {'y' * (NAME_MAX_CHARS + 1)}\n"),
        ["l.yaml:2:11", f"at most {NAME_MAX_CHARS}"],
    ),
    (  # codes one level deeper than allowed
        "codes-too-deep",
        lambda t, s: _codebook(t, "d.yaml", _nested_codes(MAX_CODE_DEPTH + 1)),
        ["d.yaml:", f"nested more than {MAX_CODE_DEPTH} levels"],
    ),
    (  # a 200-level codebook (was RecursionError)
        "codebook-200-levels",
        lambda t, s: _codebook(t, "deep.yaml", _nested_codes(200)),
        ["deep.yaml:", f"more than {MAX_NESTING} levels"],
    ),
    (  # 5000 nested flow lists: the YAML parser's own recursion
        "yaml-flow-5000",
        lambda t, s: _codebook(t, "f.yaml", "codes: " + "[" * 5000 + "]" * 5000 + "\n"),
        ["f.yaml:1:", f"more than {MAX_NESTING} levels"],
    ),
    (  # a lone surrogate as a case name in cases YAML
        "cases-yaml-surrogate",
        lambda t, s: [
            "cases",
            "{p}",
            "import",
            str(write(t / "c.yaml", 'cases:\n  - case: "\\uDC00x"\n')),
        ],
        ["c.yaml:2:11", "U+DC00"],
    ),
    # -- cells of CSV files --------------------------------------------------------------
    (  # a control character in a case name
        "cases-csv-control",
        lambda t, s: ["cases", "{p}", "import", str(write(t / "c.csv", "case,age\nA\x01B,3\n"))],
        ["c.csv:2:1", "U+0001"],
    ),
    (  # "nan" in a number column (float() would take it, and inf, and 1_000)
        "cases-number-nan",
        lambda t, s: [
            "cases",
            "{p}",
            "import",
            str(write(t / "c.csv", "case,age:number\nA,nan\n")),
        ],
        ["c.csv:2:2", "not a number"],
    ),
    (  # a 30-digit end offset
        "codings-csv-huge",
        lambda t, s: [
            "codings",
            "{p}",
            "import",
            str(
                write(
                    t / "k.csv",
                    CODINGS_HEADER + f"parent-01-en,positive,bo,0,{HUGE}\n",
                )
            ),
        ],
        ["k.csv:2", "out of range"],
    ),
    (  # a terminal escape in a coder name
        "codings-csv-coder",
        lambda t, s: [
            "codings",
            "{p}",
            "import",
            str(
                write(
                    t / "k.csv",
                    CODINGS_HEADER + "parent-01-en,positive,b\x1bo,0,9\n",
                )
            ),
        ],
        ["k.csv:2", "U+001B"],
    ),
    # -- arguments -----------------------------------------------------------------------
    (  # an undecodable byte, as Python hands it over in sys.argv
        "argv-surrogate",
        lambda t, s: ["show", "{p}", "parent\udcff"],
        ["argument 3", "0xFF"],
    ),
    (  # a control character in a coder name
        "coder-control",
        lambda t, s: ["code", "{p}", "parent-01-en", "positive", C, "a\x01b", "--span", "0:5"],
        ["coder name", "U+0001"],
    ),
    (  # an over-long coder name
        "coder-too-long",
        lambda t, s: ["code", "{p}", "parent-01-en", "positive", C, "z" * 201, "--span", "0:5"],
        ["coder name", f"at most {NAME_MAX_CHARS}"],
    ),
    (  # a tab in a coder name
        "done-coder-tab",
        lambda t, s: ["done", "{p}", "parent-01-en", C, "a\tb"],
        ["coder name", "U+0009"],
    ),
    (  # renaming a code to the NFD twin of its sibling
        "rename-nfd-sibling",
        lambda t, s: [
            "codebook",
            "{p}",
            "rename",
            "negative",
            unicodedata.normalize("NFD", "Positive"),
            C,
            "a",
        ],
        ["'positive' exists already"],
    ),
    (  # a terminal escape in a new code name
        "rename-control",
        lambda t, s: ["codebook", "{p}", "rename", "negative", "neg\x1b", C, "a"],
        ["code name", "U+001B"],
    ),
    (  # a control character in a new transcript name
        "transcript-rename",
        lambda t, s: ["transcript", "rename", "{p}", "parent-01-en", "p\x01"],
        ["transcript name", "U+0001"],
    ),
    (  # a control character in a file name that would become the transcript's name
        "file-name-control",
        lambda t, s: ["import", "{p}", str(write(t / "a\x01b.txt", "Mette: hej\n"))],
        ["a\u2401b.txt: transcript name", "U+0001"],  # the control shown, never sent
    ),
    # -- numbers -------------------------------------------------------------------------
    (  # a 30-digit coding id (was OverflowError)
        "id-30-digits",
        lambda t, s: ["uncode", "{p}", "--id", HUGE],
        ["--id", "30-digit number is out of range"],
    ),
    (  # a 30-digit memo id
        "memo-id-30-digits",
        lambda t, s: ["memos", "{p}", "delete", HUGE],
        ["ID", "out of range"],
    ),
    (  # a 30-digit offset
        "span-huge",
        lambda t, s: ["code", "{p}", "parent-01-en", "positive", C, "a", "--span", f"0:{HUGE}"],
        ["--span", "out of range"],
    ),
    (  # a negative offset
        "span-negative",
        lambda t, s: ["code", "{p}", "parent-01-en", "positive", C, "a", "--span", "-5:3"],
        ["parent-01-en: span -5:3", "negative offset"],
    ),
    (  # a negative count
        "limit-negative",
        lambda t, s: ["log", "{p}", "--limit", "-1"],
        ["--limit", "out of range"],
    ),
    (  # NaN where a score is expected
        "threshold-nan",
        lambda t, s: [*CODE_AS_A, "--quote", "x", "--threshold", "nan"],
        ["--threshold", "out of range"],
    ),
    # -- backup JSON ---------------------------------------------------------------------
    (  # a "\ud800" escape in a text cell of a backup
        "backup-surrogate",
        lambda t, s: _backup(t, s, lambda d: _cell(d, "code", "name", "\ud800")),
        ["hostile.json", "code.name", "U+D800"],
    ),
    (  # a 30-digit id in a backup
        "backup-huge-int",
        lambda t, s: _backup(t, s, lambda d: _cell(d, "code", "id", int(HUGE))),
        ["hostile.json", "table 'code', row 1", "outside the 64-bit integer range"],
    ),
    (  # nesting that exhausts the JSON parser's recursion
        "backup-nesting",
        lambda t, s: _backup(t, s, lambda d: '{"tables": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ["hostile.json", "nested too deeply"],
    ),
]


# A value of the wrong kind for an option is a usage error: click's exit code 2.
USAGE_ERRORS = {"id-30-digits", "memo-id-30-digits", "limit-negative", "threshold-nan"}


@pytest.mark.parametrize(
    ("make", "phrases", "code"),
    [(*c[1:], 2 if c[0] in USAGE_ERRORS else 1) for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_hostile_input_is_one_line_and_changes_nothing(
    study: Path, tmp_path: Path, run: Cli, make: Make, phrases: list[str], code: int
) -> None:
    args = [a.replace("{p}", str(study)) for a in make(tmp_path, study)]
    before = dump(study)
    result = run(*args, expect=code)
    line = one_line_error(result.stderr)
    for phrase in phrases:
        assert phrase in line
    line.encode("utf-8")  # printable whatever the input held
    assert dump(study) == before
    assert not (tmp_path / "restored.qualcode").exists()


def _qualcode(*args: str | bytes | Path) -> subprocess.CompletedProcess[bytes]:
    """The real command, argv given as bytes (what a shell passes on)."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"}
    argv: list[bytes] = [os.fsencode(sys.executable), b"-m", b"qualcode"]
    argv += [os.fsencode(a) for a in args]
    return subprocess.run(argv, capture_output=True, env=env, timeout=120, check=False)


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        ((b"show", "{p}", b"parent-\xff"), b"argument 3: 'parent-\\xff'"),  # a read
        ((b"code", "{p}", b"parent-01-en", b"positive", b"--coder", b"\xe9", b"--span", b"0:5"),
         b"argument 6"),  # Latin-1 é where UTF-8 was expected
        ((b"import", "{p}", "{latin1-file}"), b"argument 3"),  # a file name not in UTF-8
    ],
    ids=["show-arg", "coder-arg", "file-name"],
)  # fmt: skip
def test_bytes_that_are_not_utf8_on_the_command_line(
    study: Path, tmp_path: Path, args: tuple[str | bytes, ...], phrase: bytes
) -> None:
    latin1 = tmp_path.joinpath(os.fsdecode(b"caf\xe9.txt"))
    latin1.write_text("Mette: hej\n", encoding="utf-8")
    paths = {"{p}": study, "{latin1-file}": latin1}
    before = dump(study)
    result = _qualcode(*(paths.get(a, a) if isinstance(a, str) else a for a in args))
    assert result.returncode == 1, result.stderr
    one_line_error(result.stderr.decode("utf-8"))
    assert phrase in result.stderr
    assert dump(study) == before


# -- what looks the same is the same -------------------------------------------------------


def test_a_quote_pasted_in_nfd_codes_the_nfc_passage(study: Path, run: Cli) -> None:
    quote = unicodedata.normalize("NFD", DANISH_QUOTE)
    assert quote != DANISH_QUOTE
    run("code", study, "parent-03-da", "positive", C, "bo", "--quote", quote)
    shown = run("codings", study, "--format", "json").stdout
    assert DANISH_QUOTE in {coding["text"] for coding in json.loads(shown)}


def test_a_code_path_typed_in_nfd_finds_the_code(tmp_path: Path, study: Path, run: Cli) -> None:
    run("codebook", study, "import", write(tmp_path / "n.yaml", "codes:\n  - name: Pösitive\n"))
    run("code", study, "parent-01-en", NFD_POSITIVE, C, "bo", "--span", "0:5")
    codes = {c["code"] for c in json.loads(run("codings", study, "--format", "json").stdout)}
    assert "Pösitive" in codes


def test_codings_csv_text_column_in_nfd_matches(tmp_path: Path, study: Path, run: Cli) -> None:
    text = TRANSCRIPTS.joinpath("parent-03-da.txt").read_bytes().decode("cp1252")
    start = text.replace("\r\n", "\n").index(DANISH_QUOTE)
    end = start + len(DANISH_QUOTE)
    nfd = unicodedata.normalize("NFD", DANISH_QUOTE)
    rows = f"transcript,code,coder,start,end,text\nparent-03-da,positive,bo,{start},{end},{nfd}\n"
    run("codings", study, "import", write(tmp_path / "k.csv", rows))


def test_a_file_named_in_nfd_is_a_transcript_named_in_nfc(
    tmp_path: Path, study: Path, run: Cli
) -> None:
    nfd = unicodedata.normalize("NFD", "interview-århus")
    run("import", study, write(tmp_path / f"{nfd}.txt", "Mette: hej med dig\n"))
    assert "Mette: hej" in run("show", study, "interview-århus").stdout
    assert "Mette: hej" in run("show", study, nfd).stdout  # typed either way


def test_a_memo_keeps_its_text_without_control_characters(study: Path, run: Cli) -> None:
    run("memo", study, "red \x1b[31malert\r\nnext", "--transcript", "parent-01-en")
    memos = json.loads(run("memos", study, "--format", "json").stdout)
    assert "red [31malert\nnext" in {memo["text"] for memo in memos}


# -- properties ------------------------------------------------------------------------------

hostile_piece = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn"]),  # controls, bidi, marks
    st.sampled_from(["e\u0301", "/", " ", "\U0001f469\u200d\U0001f467", "𝔘"]),  # NFD, astral
)
hostile_text = st.lists(hostile_piece, max_size=12).map("".join)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _exit_0_or_one_line(study: Path, args: list[str | Path]) -> None:
    before = dump(study)
    result = Cli().runner.invoke(cli, [str(a) for a in args], prog_name="qualcode")
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    assert "Traceback" not in result.stderr
    if result.exit_code != 0:
        assert result.exit_code in (1, 2), result.stderr
        one_line_error(result.stderr)
        assert dump(study) == before


@SETTINGS
@given(name=hostile_text, which=st.sampled_from(["coder", "author", "rename", "transcript"]))
def test_any_name_is_stored_or_one_line(study: Path, name: str, which: str) -> None:
    commands: dict[str, list[str | Path]] = {
        "coder": ["code", study, "parent-01-en", "positive", C, name, "--span", "0:5"],
        "author": ["memo", study, "a memo", "--transcript", "parent-01-en", "--author", name],
        "rename": ["codebook", study, "rename", "negative", name, C, "a"],
        "transcript": ["transcript", "rename", study, "parent-03-da", name],
    }
    _exit_0_or_one_line(study, commands[which])


def _yaml_file(which: str, first: str, second: str) -> tuple[str, str]:
    """(file name, YAML text) with two hostile cells; JSON strings are YAML double-quoted
    scalars, so surrogates arrive as \\uD800 escapes."""
    one, two = json.dumps(first), json.dumps(second)
    return {
        "codebook": ("book.yaml", f"codes:\n  - name: {one}\n    description: {two}\n"),
        "cases": ("c.yaml", f"cases:\n  - case: {one}\n    values: {{note: {two}}}\n"),
        "map": ("map.yaml", f"{one}: {two}\n"),
    }[which]


@SETTINGS
@given(first=hostile_text, second=hostile_text, which=st.sampled_from(["codebook", "cases", "map"]))
def test_any_yaml_cell_is_imported_or_one_line(
    study: Path, tmp_path: Path, first: str, second: str, which: str
) -> None:
    name, body = _yaml_file(which, first, second)
    path = write(tmp_path / name, body)
    commands: dict[str, list[str | Path]] = {
        "codebook": ["codebook", study, "import", path],
        "cases": ["cases", study, "import", path],
        "map": ["anonymize", study, "--map", path, "--coder", "anna"],
    }
    _exit_0_or_one_line(study, commands[which])


@SETTINGS
@given(case=hostile_text, value=hostile_text, raw=st.binary(max_size=40))
def test_any_cases_file_is_imported_or_one_line(
    study: Path, tmp_path: Path, case: str, value: str, raw: bytes
) -> None:
    text = f"case,transcript,note\n{_quoted(case)},parent-01-en,{_quoted(value)}\n"
    data = text.encode("utf-8", "surrogatepass") + raw
    _exit_0_or_one_line(study, ["cases", study, "import", write(tmp_path / "c.csv", data)])


@SETTINGS
@given(coder=hostile_text, memo=hostile_text, start=st.integers(-5, 2**70))
def test_any_codings_row_is_imported_or_one_line(
    study: Path, tmp_path: Path, coder: str, memo: str, start: int
) -> None:
    row = f'parent-01-en,positive,"{coder}",{start},{start + 9},"{memo}"\n'
    data = ("transcript,code,coder,start,end,memo\n" + row).encode("utf-8", "surrogatepass")
    _exit_0_or_one_line(study, ["codings", study, "import", write(tmp_path / "k.csv", data)])


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=hostile_text, memo=hostile_text, number=st.integers(-(2**70), 2**70))
def test_any_backup_cell_is_restored_or_one_line(
    study: Path, tmp_path: Path, name: str, memo: str, number: int
) -> None:
    backup = tmp_path / "backup.json"
    if not backup.exists():
        Cli()("backup", study, backup, "--json")
    document = json.loads(backup.read_text(encoding="utf-8"))
    _cell(document, "code", "name", name)
    _cell(document, "memo", "text", memo)
    hostile = write(tmp_path / "hostile.json", _cell(document, "code", "position", number))
    target = tmp_path / "restored.qualcode"
    target.unlink(missing_ok=True)
    result = Cli().runner.invoke(cli, ["init", str(target), "--from", str(hostile)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result
    if result.exit_code != 0:
        one_line_error(result.stderr)
        assert not target.exists()


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (
            ["code", "{p}", "parent-03-da", "positive", C, "a\x00b", "--span", "0:5"],
            "U+0000",
        ),  # NUL: PostgreSQL refuses it
        (
            ["code", "{p}", "parent-03-da", "positive", C, "a\udcffb", "--span", "0:5"],
            "argument 6",
        ),  # argv byte
        (["memo", "{p}", "x", "--transcript", "parent-01-en", "--author", "\ud800"], "U+D800"),
        (["uncode", "{p}", "--id", str(2**63)], "out of range"),  # one past a 64-bit column
    ],
    ids=["nul-coder", "argv-byte", "surrogate-author", "id-2^63"],
)
def test_hostile_names_and_ids_on_both_backends(
    location: str, run: Cli, args: list[str], phrase: str
) -> None:
    run("init", location)
    run("import", location, TRANSCRIPTS / "parent-03-da.txt")
    run("codebook", location, "import", CODEBOOKS / "minimal.yaml")
    before = run("log", location, "--format", "json").stdout
    result = Cli().runner.invoke(cli, [a.replace("{p}", location) for a in args])
    assert result.exit_code in (1, 2), result.output
    assert phrase in one_line_error(result.stderr)
    assert run("log", location, "--format", "json").stdout == before
    # what is only written differently works on either backend: NUL stripped from a
    # memo, an NFD quote found
    run("memo", location, "nul\x00 in a memo", "--transcript", "parent-03-da")
    quote = unicodedata.normalize("NFD", DANISH_QUOTE)
    run("code", location, "parent-03-da", "positive", C, "bo", "--quote", quote)
    memos = json.loads(run("memos", location, "--format", "json").stdout)
    assert [memo["text"] for memo in memos] == ["nul in a memo"]
