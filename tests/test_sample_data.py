"""The fictional sample data in ``transcripts/`` meets issue 2's brief, measured through
qualcode's own importers and services (words by the one tokenizer, languages guessed
from the text, cases and codings as imported), not from numbers written down here:

- at least 8 interviews of at least 1,500 words;
- 6 parent interviews, at least 2 in Danish and 2 in English, with .txt, .docx and .vtt
  among their formats;
- 2 caseworker focus groups with 3–5 speakers each;
- ``cases.csv`` with child age group, case cost level, municipality size and interview
  type, covering every transcript;
- ``demo-codings.csv`` with two coders' independent codings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualcode.domain.cases import Case
from qualcode.domain.codings import Coding
from qualcode.domain.transcripts import TranscriptSummary
from qualcode.importers.transcripts import SUPPORTED_SUFFIXES
from qualcode.services.agreement import compare_coders
from qualcode.services.cases import import_cases, list_attributes, list_cases
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings, list_codings
from qualcode.services.project import Project, init_project
from qualcode.services.transcripts import import_transcripts, list_transcripts
from tests.conftest import CODEBOOKS, TRANSCRIPTS

CASES_FILE = TRANSCRIPTS / "cases.csv"
CODINGS_FILE = TRANSCRIPTS / "demo-codings.csv"
PARENT = "parent interview"
FOCUS_GROUP = "caseworker focus group"
MIN_WORDS = 1500


@dataclass(frozen=True)
class Sample:
    """The sample data as a project holds it after importing every file."""

    project: Project
    transcripts: dict[str, TranscriptSummary]
    cases: list[Case]
    codings: list[Coding]
    codings_imported: int

    def transcripts_of(self, interview_type: str) -> list[TranscriptSummary]:
        names = {
            assignment.transcript
            for case in self.cases
            if dict(case.attributes).get("interview_type") == interview_type
            for assignment in case.assignments
        }
        return [self.transcripts[name] for name in sorted(names)]


def transcript_files() -> list[Path]:
    return sorted(p for p in TRANSCRIPTS.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    project = init_project(tmp_path_factory.mktemp("sample") / "sample.qualcode")
    import_codebook(project, CODEBOOKS / "family-collaboration.yaml")
    import_transcripts(project, transcript_files())
    import_cases(project, CASES_FILE)
    imported = import_codings(project, CODINGS_FILE)
    yield Sample(
        project,
        {t.name: t for t in list_transcripts(project)},
        list_cases(project),
        list_codings(project),
        imported,
    )
    project.close()


def test_every_sample_file_is_a_transcript_or_the_cases_or_codings_file() -> None:
    """Nothing in transcripts/ is left out of the counts below by an unread format."""
    others = {p.name for p in TRANSCRIPTS.iterdir()} - {p.name for p in transcript_files()}
    assert others == {CASES_FILE.name, CODINGS_FILE.name}


def test_at_least_eight_interviews_of_1500_words(sample: Sample) -> None:
    words = {name: t.words for name, t in sample.transcripts.items()}
    assert len(words) == len(transcript_files()) >= 8
    assert min(words.values()) >= MIN_WORDS, words


def test_six_parent_interviews_in_danish_and_english_and_three_formats(sample: Sample) -> None:
    parents = sample.transcripts_of(PARENT)
    assert len(parents) == 6
    languages = [t.language for t in parents]
    assert languages.count("da") >= 2, languages
    assert languages.count("en") >= 2, languages
    formats = {Path(t.source_path or "").suffix for t in parents}
    assert formats >= {".txt", ".docx", ".vtt"}, formats
    # an interviewer and the parent
    assert all(len(t.speakers) == 2 for t in parents), [t.speakers for t in parents]


def test_two_caseworker_focus_groups_with_three_to_five_speakers(sample: Sample) -> None:
    groups = sample.transcripts_of(FOCUS_GROUP)
    assert len(groups) == 2
    for group in groups:
        caseworkers = {
            assignment.speaker
            for case in sample.cases
            for assignment in case.assignments
            if assignment.transcript == group.name
        }
        assert None not in caseworkers, f"{group.name}: a case covers the whole focus group"
        assert 3 <= len(caseworkers) <= 5, (group.name, caseworkers)
        assert 3 <= len(group.speakers) <= 5, (group.name, group.speakers)
        # everyone who speaks is a caseworker with a case of their own, but the moderator
        moderators = set(group.speakers) - caseworkers
        assert len(moderators) == 1, (group.name, group.speakers)


def test_every_interview_is_one_of_the_two_types(sample: Sample) -> None:
    typed = sample.transcripts_of(PARENT) + sample.transcripts_of(FOCUS_GROUP)
    assert sorted(t.name for t in typed) == sorted(sample.transcripts)


def test_cases_carry_the_four_attributes_and_cover_every_transcript(sample: Sample) -> None:
    names = [attribute.name for attribute in list_attributes(sample.project)]
    assert names == ["child_age_group", "cost_level", "municipality_size", "interview_type"]
    uncovered = [t.name for t in sample.transcripts.values() if not t.cases]
    assert not uncovered
    for case in sample.cases:
        attributes = dict(case.attributes)
        # child age and the case's cost describe a family, not a caseworker
        wanted = names if attributes.get("interview_type") == PARENT else names[2:]
        assert all(attributes.get(name) for name in wanted), (case.name, attributes)
    for name in names:
        values = {dict(case.attributes).get(name) for case in sample.cases} - {None}
        assert len(values) >= 2, f"{name}: one value only, nothing for a matrix to compare"


def test_demo_codings_are_two_coders_independent_work(sample: Sample) -> None:
    with CODINGS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sample.codings_imported == len(rows) == len(sample.codings)
    by_coder: dict[str, set[tuple[str, str, int, int]]] = {}
    for coding in sample.codings:
        key = (coding.transcript, coding.code_path, coding.start, coding.end)
        by_coder.setdefault(coding.coder, set()).add(key)
    assert len(by_coder) == 2, sorted(by_coder)
    for coder, spans in by_coder.items():
        coded = {transcript for transcript, *_ in spans}
        assert coded == set(sample.transcripts), f"{coder} left transcripts uncoded"
    first, second = by_coder.values()
    copied = first & second
    assert len(copied) * 10 < min(len(first), len(second)), "one layer copies the other"

    # independent, yet about the same passages: agreement has something real to show
    report = compare_coders(sample.project, sorted(by_coder))
    kappas = {c.code: c.pooled.pairs[0].counts.kappa for c in report.codes}
    assert len(kappas) >= 8
    assert all(k.undefined or k.value < 1 for k in kappas.values()), kappas
    agreeing = [code for code, k in kappas.items() if not k.undefined and k.value > 0]
    assert len(agreeing) * 2 > len(kappas), kappas
