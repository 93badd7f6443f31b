"""Case assignment while importing, and the per-file progress callback."""

from __future__ import annotations

import json
from pathlib import Path

from qualcode.services.project import Project, open_project
from qualcode.services.transcripts import get_transcript, import_transcripts
from tests.conftest import TRANSCRIPTS, Cli


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


def test_progress_is_reported_per_file(project: Project) -> None:
    seen: list[str] = []
    files = sorted(TRANSCRIPTS.glob("parent-0*"))
    import_transcripts(project, files, progress=seen.append)
    assert seen == [f.stem for f in files]
