"""Import options (cases, size limit) and their misuse, the per-file progress callback,
and running out of memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.services.project import Project, open_project
from qualcode.services.transcripts import get_transcript, import_transcripts
from tests.conftest import TRANSCRIPTS, Cli, write


def cases_of(run: Cli, project: Path) -> dict[str, list[dict[str, object]]]:
    listed = json.loads(run("cases", project, "--format", "json").stdout)
    return {c["case"]: c["assignments"] for c in listed}


def test_case_option_assigns_whole_transcripts(project_path: Path, run: Cli) -> None:
    run("init", project_path)
    files = [TRANSCRIPTS / "parent-01-en.txt", TRANSCRIPTS / "parent-03-da.txt"]
    run("import", project_path, *files, "--case", "Pilot")
    pilot = cases_of(run, project_path)["Pilot"]
    assert [a["transcript"] for a in pilot] == ["parent-01-en", "parent-03-da"]
    text = run("show", project_path, "parent-01-en").stdout
    assert (pilot[0]["start"], pilot[0]["end"]) == (0, len(text))


def test_case_from_filename(project_path: Path, run: Cli) -> None:
    run("init", project_path)
    run("import", project_path, TRANSCRIPTS / "parent-06-da.md", "--case-from-filename")
    assert list(cases_of(run, project_path)) == ["parent-06-da"]
    listed = json.loads(run("transcripts", project_path, "--format", "json").stdout)
    assert listed[0]["case"] == ["parent-06-da"]


def test_speaker_cases_cover_only_each_speakers_turns(project_path: Path, run: Cli) -> None:
    run("init", project_path)
    run(
        "import", project_path, TRANSCRIPTS / "focus-group-02-da.txt",
        "--speaker-cases", "--skip-speaker", "Ordstyrer",
    )  # fmt: skip
    cases = cases_of(run, project_path)
    assert sorted(cases) == ["Birgitte", "Kasper", "Louise"]
    transcript = get_transcript(open_project(project_path), "focus-group-02-da")
    for speaker, assignments in cases.items():
        spans = [(int(str(a["start"])), int(str(a["end"]))) for a in assignments]
        turns = [(t.start, t.end) for t in transcript.turns if t.speaker == speaker]
        assert spans == turns
        assert all(transcript.text[:start].endswith(f"{speaker}: ") for start, _ in spans)


def test_import_summary_counts_have_thousands_separators(
    project_path: Path, tmp_path: Path, run: Cli
) -> None:
    run("init", project_path)
    lines = [f"{'I' if n % 2 else 'R'}: svar nummer {n}.\r\n" for n in range(1500)]
    path = write(tmp_path / "long.txt", "".join(lines))
    characters = sum(len(line) - 1 for line in lines)  # CRLF becomes LF
    assert run("import", project_path, path).stdout == (
        f"long: imported {characters:,} characters, 1,500 turns, speakers R, I "
        "[encoding: utf-8; 1,500 CRLF line ends -> LF]\n"
    )
    assert characters > 1000
    listed = json.loads(run("transcripts", project_path, "--format", "json").stdout)
    assert (listed[0]["characters"], listed[0]["turns"]) == (characters, 1500)


def test_utf16_big_endian_with_bom_and_cr_line_ends(
    project_path: Path, tmp_path: Path, run: Cli
) -> None:
    run("init", project_path)
    text = "Interviewer: Hvordan gik mødet?\nMette: Godt – “ro på”, æøå ÆØÅ.\n"
    data = b"\xfe\xff" + text.replace("\n", "\r").encode("utf-16-be")
    path = write(tmp_path / "mac.txt", data)
    assert run("import", project_path, path).stdout == (
        f"mac: imported {len(text):,} characters, 2 turns, speakers Interviewer, Mette "
        "[encoding: utf-16; BOM stripped; 2 CR line ends -> LF]\n"
    )
    assert run("show", project_path, "mac").stdout == text
    transcript = get_transcript(open_project(project_path), "mac")
    assert [text[t.start : t.end] for t in transcript.turns] == [
        "Hvordan gik mødet?",
        "Godt – “ro på”, æøå ÆØÅ.",
    ]


def test_progress_is_reported_per_file(project: Project) -> None:
    seen: list[str] = []
    files = sorted(TRANSCRIPTS.glob("parent-0*"))
    import_transcripts(project, files, progress=seen.append)
    assert seen == [f.stem for f in files]


def stored_names(run: Cli, project: Path) -> list[str]:
    return [t["name"] for t in json.loads(run("transcripts", project, "--format", "json").stdout)]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("nan", "must be a number of MB above 0 (e.g. 100 or 0.5), not nan"),
        ("-nan", "must be a number of MB above 0 (e.g. 100 or 0.5), not nan"),
        ("0", "must be a number of MB above 0 (e.g. 100 or 0.5), not 0"),
        ("-5", "must be a number of MB above 0 (e.g. 100 or 0.5), not -5"),
        ("-inf", "must be a number of MB above 0 (e.g. 100 or 0.5), not -inf"),
        ("inf", "inf MB is too large a limit"),
        ("1e308", "1e+308 MB is too large a limit"),
        ("1e-9", "1e-09 MB is less than one byte"),
    ],
)
def test_invalid_max_size_is_a_usage_error(
    project_path: Path, run: Cli, value: str, reason: str
) -> None:
    run("init", project_path)
    result = run(
        "import", project_path, TRANSCRIPTS / "parent-01-en.txt", "--max-size", value, expect=2
    )
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: Invalid value for '--max-size': {reason}")
    assert stored_names(run, project_path) == []


def test_fractional_max_size_is_a_limit_in_bytes(
    project_path: Path, tmp_path: Path, run: Cli
) -> None:
    run("init", project_path)
    small = write(tmp_path / "small.txt", "R: " + "x" * 1020)  # 1,023 bytes
    large = write(tmp_path / "large.txt", "R: " + "x" * 1030)  # 1,033 bytes
    megabytes = 1025 / 1024 / 1024  # a limit of 1,025 bytes
    result = run("import", project_path, large, "--max-size", repr(megabytes), expect=1)
    assert result.stderr == (
        f"Error: {large}: file is 1.0 KB; the limit is 1.0 KB per transcript "
        "(split it, or raise the limit with --max-size)\n"
    )
    run("import", project_path, small, "--max-size", repr(megabytes))
    assert stored_names(run, project_path) == ["small"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (
            ["--case", "Pilot", "--case-from-filename"],
            "give either --case or --case-from-filename, not both",
        ),
        (["--skip-speaker", "Ordstyrer"], "--skip-speaker only works with --speaker-cases"),
    ],
)
def test_conflicting_case_options_are_refused(
    project_path: Path, run: Cli, options: list[str], reason: str
) -> None:
    run("init", project_path)
    result = run("import", project_path, TRANSCRIPTS / "focus-group-02-da.txt", *options, expect=1)
    assert result.stderr == f"Error: import: {reason}\n"
    assert result.stdout == ""
    assert stored_names(run, project_path) == []
    assert cases_of(run, project_path) == {}


# Loads everything an import needs, then caps the address space at what the process uses
# plus HEADROOM bytes and runs `qualcode import PROJECT FILE` (argv: project, headroom,
# file).
IMPORT_WITH_LITTLE_MEMORY = """
import resource, sys
from qualcode.cli import cli
from qualcode.services.project import open_project
import qualcode.importers.transcripts

open_project(sys.argv[1]).close()
with open("/proc/self/status") as status:
    used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
limit = used + int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
cli(["import", sys.argv[1], sys.argv[3]], prog_name="qualcode")
"""


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limit read from /proc")
def test_running_out_of_memory_is_one_line_and_stores_nothing(
    project_path: Path, tmp_path: Path, run: Cli
) -> None:
    run("init", project_path)
    turns = "Interviewer: Hvordan gik mødet?\nMette: Godt, tak.\n"
    big = write(tmp_path / "big.txt", turns * (8 * 1024 * 1024 // len(turns.encode())))
    headroom = 12 * 1024 * 1024  # less than the file's bytes and its text together
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITH_LITTLE_MEMORY, str(project_path), str(headroom), big],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {big}: too large to import in memory; nothing was imported\n")
    assert stored_names(run, project_path) == []
    run("import", project_path, big)  # with memory to spare, the same file imports
    assert stored_names(run, project_path) == ["big"]
