"""Pseudonymisation: names and their inflected forms replaced everywhere, codings kept,
no real name left anywhere in the project, the map never stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.domain.pseudonyms import Pseudonymizer
from qualcode.services.coding import list_codings
from qualcode.services.maintenance import check_project
from qualcode.services.project import Project
from qualcode.services.transcripts import get_transcript
from qualcode.storage.database import engine_of
from qualcode.storage.dump import iter_rows
from tests.conftest import Cli, write

MAP = "Mette: Anna\nHanne: Lise\nFreja: Ida\nThomas: Jonas\nOdense: Byen\n"
REAL = ("Mette", "Hanne", "Freja", "Thomas")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Mette sagde ja.", "da", "Anna sagde ja."),  # plain
        ("Mettes mor kom.", "da", "Annas mor kom."),  # Danish genitive
        ("Mette's mum came.", "en", "Anna's mum came."),  # English genitive
        ("Mette’s mum came.", "en", "Anna’s mum came."),  # typographic apostrophe
        ("Jens' bil.", "da", "Peters bil."),  # bare apostrophe after s, Danish
        ("Jens' car.", "en", "Peter's car."),  # ... and English
        ("Jens's car.", "en", "Peter's car."),
        ("Hun hed 'Mette'.", "da", "Hun hed 'Anna'."),  # a closing quote is no genitive
        ("Mettelise og Jensen og mette.", "da", "Mettelise og Jensen og mette."),  # whole words
        ("Mette Hansen og Mette.", "da", "Anna Berg og Anna."),  # longest name first
        ("Sørens og Søren.", "da", "Lars' og Lars."),  # æøå are letters; Lars takes '
        ("Mette-Marie.", "da", "Anna-Marie."),  # a hyphen ends a word
    ],
)
def test_names_and_their_forms(text: str, language: str, expected: str) -> None:
    names = Pseudonymizer(
        [("Mette", "Anna"), ("Mette Hansen", "Anna Berg"), ("Jens", "Peter"), ("Søren", "Lars")]
    )
    assert names.apply(text, language) == expected


def all_strings(project: Project) -> str:
    """Every value stored in the project, as one searchable text."""
    with engine_of(project).connect() as connection:
        return json.dumps([list(table.rows) for table in iter_rows(connection)], default=str)


def test_anonymize_replaces_every_name_everywhere_and_keeps_codings(
    coded: Project, run: Cli, tmp_path: Path
) -> None:
    names = write(tmp_path / "names.yaml", MAP)
    before = {c.id: c for c in list_codings(coded)}
    texts = {name: get_transcript(coded, name).text for name in ("parent-01-en", "parent-03-da")}
    assert all(name in all_strings(coded) for name in REAL)

    result = run("anonymize", coded.location, "--map", names, "--coder", "anna")

    stored = all_strings(coded)
    leaks = [name for name in REAL if name in stored]
    assert leaks == []
    assert "Odense" not in stored  # the map is never stored, either way
    assert "Byen" not in stored
    assert "not found in any transcript: Odense" in result.stdout
    assert "also rewritten: 1 coding memos" in result.stdout  # the memo "Hanne"
    pseudonyms = Pseudonymizer([tuple(line.split(": ")) for line in MAP.splitlines()])  # type: ignore[misc]
    for name, old_text in texts.items():
        language = get_transcript(coded, name).language
        assert get_transcript(coded, name).text == pseudonyms.apply(old_text, language)
    after = {c.id: c for c in list_codings(coded)}
    assert after.keys() == before.keys()
    for coding_id, coding in after.items():
        language = "da" if coding.transcript.endswith("-da") else "en"
        assert coding.text == pseudonyms.apply(before[coding_id].text, language)
    assert after[6].memo == "Lise"
    assert check_project(coded).problems == ()
    with coded.reading() as uow:
        event = uow.events.latest(1)[0]
    assert (event.action, event.summary, event.coder) == (
        "anonymize",
        f"pseudonymised 2 transcript(s): {sum(len(pseudonyms.find(t)) for t in texts.values())}"
        " replacements of 5 names",
        "anna",
    )


def test_speakers_and_speaker_cases_get_the_pseudonym(tmp_path: Path, run: Cli) -> None:
    from tests.conftest import TRANSCRIPTS

    project = tmp_path / "p.qualcode"
    run("init", project)
    run("import", project, TRANSCRIPTS / "parent-03-da.txt", "--speaker-cases")
    run("anonymize", project, "--map", write(tmp_path / "names.yaml", MAP))
    cases = json.loads(run("cases", project, "--format", "json").stdout)
    assert sorted(c["case"] for c in cases) == ["Anna", "Interviewer"]
    shown = run("show", project, "parent-03-da", "--turns").stdout
    assert "Anna" in shown
    assert "Mette" not in shown
    run("check", project)


def test_dry_run_shows_replacements_in_context_and_changes_nothing(
    coded: Project, run: Cli, tmp_path: Path
) -> None:
    before = all_strings(coded)
    result = run("anonymize", coded.location, "--map", write(tmp_path / "n.yaml", MAP), "--dry-run")
    assert "[Mette → Anna]" in result.stdout
    assert "[Frejas → Idas]" in result.stdout  # the Danish genitive
    assert result.stdout.endswith("(dry run: nothing changed)\n")
    assert all_strings(coded) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- Mette\n- Anna\n", "1:1: expected lines of the form 'Real name: Pseudonym'"),
        ("Mette: Anna\n42: x\n", "2:1: name must be text"),
        ("Mette: Anna\nMette: Bo\n", "2:1: 'Mette' is given twice (first on line 1)"),
        ("Mette: Mette\n", "1:8: 'Mette' would be replaced by itself"),
        ("Mette: [a, b]\n", "1:8: pseudonym for 'Mette' must be text"),
        ("Mette: Anna\n  bad: indent\n", "2:6: mapping values are not allowed here"),
    ],
)
def test_a_bad_map_changes_nothing(
    coded: Project, run: Cli, tmp_path: Path, content: str, message: str
) -> None:
    before = all_strings(coded)
    names = write(tmp_path / "names.yaml", content)
    result = run("anonymize", coded.location, "--map", names, expect=1)
    assert result.stderr == f"Error: {names}:{message}\n"
    assert all_strings(coded) == before


def test_a_pseudonym_that_is_already_a_case_is_refused(tmp_path: Path, run: Cli) -> None:
    from tests.conftest import TRANSCRIPTS

    project = tmp_path / "p.qualcode"
    run("init", project)
    run("import", project, TRANSCRIPTS / "parent-03-da.txt", "--speaker-cases")
    names = write(tmp_path / "names.yaml", "Mette: Interviewer\n")
    result = run("anonymize", project, "--map", names, expect=1)
    assert result.stderr == (
        "Error: --map: case 'Mette' would become 'Interviewer', which is already a case; "
        "choose another pseudonym\n"
    )
    assert "Mette" in run("show", project, "parent-03-da").stdout


def test_transcript_names_holding_a_name_are_pseudonymised_too(tmp_path: Path, run: Cli) -> None:
    from qualcode.services.project import open_project
    from tests.conftest import TRANSCRIPTS

    project = tmp_path / "p.qualcode"
    run("init", project)
    source = write(
        tmp_path / "interview-Mette.txt", (TRANSCRIPTS / "parent-03-da.txt").read_bytes()
    )
    run("import", project, source, "--case-from-filename")
    names = write(tmp_path / "names.yaml", MAP)

    dry = run("anonymize", project, "--map", names, "--dry-run")
    assert "transcripts to be renamed: interview-Mette → interview-Anna" in dry.stdout
    listed = json.loads(run("transcripts", project, "--format", "json").stdout)
    assert [t["name"] for t in listed] == ["interview-Mette"]

    done = run("anonymize", project, "--map", names)
    assert "transcripts renamed: interview-Mette → interview-Anna" in done.stdout
    listed = json.loads(run("transcripts", project, "--format", "json").stdout)
    assert [(t["name"], t["case"]) for t in listed] == [("interview-Anna", ["interview-Anna"])]
    opened = open_project(project)
    try:
        assert "Mette" not in all_strings(opened)
    finally:
        opened.close()


def test_a_pseudonymised_transcript_name_that_is_taken_is_refused(tmp_path: Path, run: Cli) -> None:
    project = tmp_path / "p.qualcode"
    run("init", project)
    files = [write(tmp_path / "mette.txt", "I: Hej.\n"), write(tmp_path / "anna.txt", "I: Dav.\n")]
    run("import", project, *files)
    names = write(tmp_path / "names.yaml", "mette: anna\n")
    result = run("anonymize", project, "--map", names, expect=1)
    assert result.stderr == (
        "Error: --map: transcript 'mette' would become 'anna', which is already a "
        "transcript; choose another pseudonym\n"
    )
    listed = json.loads(run("transcripts", project, "--format", "json").stdout)
    assert sorted(t["name"] for t in listed) == ["anna", "mette"]
    assert "Hej" in run("show", project, "mette").stdout
