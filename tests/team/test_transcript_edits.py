"""Editing a transcript keeps its codings: `qualcode transcript replace` and `... edit`
re-anchor every coding, turn and case; what changed too much is flagged, never lost."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from qualcode.services.cases import list_cases
from qualcode.services.coding import list_codings
from qualcode.services.maintenance import check_project
from qualcode.services.project import Project, open_project
from qualcode.services.transcripts import get_transcript
from tests.conftest import TRANSCRIPTS, Cli, write
from tests.team.conftest import TRANSCRIPT


def texts_by_id(project: Project, transcript: str) -> dict[int, str]:
    return {c.id: c.text for c in list_codings(project, transcripts=[transcript])}


def edited(text: str) -> str:
    """A transcriber's second pass: a label shortened, a filler dropped, a note added,
    a word split, a sentence appended."""
    text = text.replace("Interviewer:", "I:", 2)
    text = text.replace(" um,", "", 3)
    first_stop = text.index(".", 300)
    text = text[:first_stop] + " [laughs]" + text[first_stop:]
    return text.replace("caseworker", "case worker", 2) + "\nI: Thank you.\n"


def test_replace_keeps_every_coding_and_the_project_sound(
    coded: Project, run: Cli, tmp_path: Path
) -> None:
    before = get_transcript(coded, TRANSCRIPT)
    old_texts = texts_by_id(coded, TRANSCRIPT)
    new_file = write(tmp_path / "parent-01-en-v2.txt", edited(before.text))

    result = run("transcript", "replace", coded.location, TRANSCRIPT, new_file, "--coder", "anna")

    after = get_transcript(coded, TRANSCRIPT)
    assert after.text == edited(before.text)
    assert result.stdout.startswith(
        f"{TRANSCRIPT}: {len(before.text):,} -> {len(after.text):,} characters,"
    )
    new_texts = texts_by_id(coded, TRANSCRIPT)
    assert new_texts.keys() == old_texts.keys()  # none lost
    for coding_id, text in new_texts.items():
        assert (
            text == old_texts[coding_id].replace("caseworker", "case worker").replace(" um,", "")
            or text == old_texts[coding_id]
        )
    assert result.stdout.count("to review") == 1
    assert "0 to review" in result.stdout
    # Turns come from the new text: the shortened labels are new speakers.
    assert after.turns[0].speaker == "I"
    assert len(after.turns) == len(before.turns) + 1
    assert check_project(coded).problems == ()
    with coded.reading() as uow:
        event = uow.events.latest(1)[0]
    assert event.action == "transcript_edit"


def test_a_rewritten_passage_is_flagged_for_review_and_listed_by_check(
    coded: Project, run: Cli, tmp_path: Path
) -> None:
    text = get_transcript(coded, TRANSCRIPT).text
    flagged = next(c for c in list_codings(coded, transcripts=[TRANSCRIPT]) if c.start == 900)
    rewritten = text[: flagged.start] + "Nothing of the sort happened." + text[flagged.end :]
    new_file = write(tmp_path / "v2.txt", rewritten)

    result = run("transcript", "replace", coded.location, TRANSCRIPT, new_file)
    assert "1 to review" in result.stdout
    assert f"  review: coding {flagged.id} (bo, accessibility) 900:1010 -> " in result.stdout

    check = run("check", coded.location)  # needing review is not damage
    assert "no problems" in check.stdout
    assert f"needs review (1):\n  coding {flagged.id}: {TRANSCRIPT} 900:" in check.stdout
    assert "the transcript was edited and this coding's text changed" in check.stdout
    report = json.loads(run("check", coded.location, "--format", "json").stdout)
    assert [r["coding"] for r in report["needs_review"]] == [flagged.id]

    cleared = run("check", coded.location, "--reviewed", str(flagged.id), "--coder", "bo")
    assert cleared.stderr == "marked 1 coding(s) as reviewed\n"
    assert "needs review" not in cleared.stdout
    with coded.reading() as uow:
        event = uow.events.latest(1)[0]
        assert (event.action, event.summary, event.coder) == (
            "review_done",
            "reviewed 1 re-anchored coding(s)",
            "bo",
        )


def test_dry_run_changes_nothing(coded: Project, run: Cli, tmp_path: Path) -> None:
    before = get_transcript(coded, TRANSCRIPT)
    codings = list_codings(coded)
    new_file = write(tmp_path / "v2.txt", edited(before.text))
    result = run("transcript", "replace", coded.location, TRANSCRIPT, new_file, "--dry-run")
    assert result.stdout.startswith("(dry run, nothing changed) ")
    assert get_transcript(coded, TRANSCRIPT) == before
    assert list_codings(coded) == codings


def test_edit_opens_the_editor_and_reanchors(
    coded: Project, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = write(
        tmp_path / "editor.py",
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "p.write_bytes(('[Recorded at home]\\r\\n' + t).replace('\\n', '\\r\\n').encode())\n",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    before = get_transcript(coded, TRANSCRIPT)
    old = {c.id: c for c in list_codings(coded, transcripts=[TRANSCRIPT])}

    result = run("transcript", "edit", coded.location, TRANSCRIPT, "--coder", "anna")

    after = get_transcript(coded, TRANSCRIPT)
    assert after.text == "[Recorded at home]\n" + before.text  # CRLF back to LF
    assert "codings: 5 kept, 0 adjusted, 0 to review" in result.stdout
    shift = len("[Recorded at home]\n")
    new = {c.id: c for c in list_codings(coded, transcripts=[TRANSCRIPT])}
    assert {i: (c.start, c.end, c.text) for i, c in new.items()} == {
        i: (c.start + shift, c.end + shift, c.text) for i, c in old.items()
    }
    assert [(t.start, t.speaker) for t in after.turns] == [
        (t.start + shift, t.speaker) for t in before.turns
    ]


def test_an_editor_that_empties_the_text_changes_nothing(
    coded: Project, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = write(tmp_path / "empty.py", "import sys\nopen(sys.argv[1], 'w').write('\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    before = get_transcript(coded, TRANSCRIPT)
    result = run("transcript", "edit", coded.location, TRANSCRIPT, expect=1)
    assert result.stderr == (
        f"Error: {TRANSCRIPT}: the new text is empty; a transcript cannot be emptied\n"
    )
    assert get_transcript(coded, TRANSCRIPT) == before


def test_quitting_the_editor_without_saving_changes_nothing(
    coded: Project, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.delenv("VISUAL", raising=False)
    before = get_transcript(coded, TRANSCRIPT)
    result = run("transcript", "edit", coded.location, TRANSCRIPT)
    assert result.stdout == f"{TRANSCRIPT}: not saved; nothing changed\n"
    assert get_transcript(coded, TRANSCRIPT) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nope", "x", "unknown transcript 'nope'"),
        (TRANSCRIPT, "   \n", "file is empty"),
        (TRANSCRIPT, None, "no such file"),
    ],
    ids=["unknown-transcript", "empty-text", "missing-file"],
)
def test_mistakes_change_nothing(
    coded: Project, run: Cli, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    new_file = tmp_path / "v2.txt"
    if content is not None:
        write(new_file, content)
    before = get_transcript(coded, TRANSCRIPT)
    result = run("transcript", "replace", coded.location, name, new_file, expect=1)
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert get_transcript(coded, TRANSCRIPT) == before


def test_speaker_cases_and_cue_times_follow_the_edit(tmp_path: Path, run: Cli) -> None:
    project = tmp_path / "fg.qualcode"
    run("init", project)
    run("import", project, TRANSCRIPTS / "parent-04-da.vtt", "--case", "Family 04")
    run("import", project, TRANSCRIPTS / "focus-group-01-en.txt", "--speaker-cases")
    opened = open_project(project)
    vtt_before = get_transcript(opened, "parent-04-da")
    fg_before = get_transcript(opened, "focus-group-01-en")

    run("transcript", "replace", project, "parent-04-da",
        write(tmp_path / "p4.txt", "[Interview by phone]\n" + vtt_before.text))  # fmt: skip
    fg_new = fg_before.text.replace("Anne:", "Anne Marie:", 1)
    run("transcript", "replace", project, "focus-group-01-en", write(tmp_path / "fg.txt", fg_new))

    vtt_after = get_transcript(opened, "parent-04-da")
    # Cue times survive a plain-text edit of a subtitle transcript.
    assert [t.timestamp for t in vtt_after.turns] == [t.timestamp for t in vtt_before.turns]
    cases = {c.name: c for c in list_cases(opened)}
    family = cases["Family 04"].assignments
    assert [(a.start, a.end) for a in family] == [(0, len(vtt_after.text))]
    fg_after = get_transcript(opened, "focus-group-01-en")
    bilal = [(a.start, a.end) for a in cases["Bilal"].assignments]
    assert bilal == [(t.start, t.end) for t in fg_after.turns if t.speaker == "Bilal"]
    assert check_project(opened).problems == ()
    opened.close()
