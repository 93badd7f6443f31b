"""Importing and reading transcripts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action
from qualcode.domain.transcripts import Transcript, TranscriptDraft, TranscriptSummary
from qualcode.domain.turns import speakers
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What happened to one file: ``status`` is ``imported`` or ``unchanged``."""

    path: str
    name: str
    status: str
    encoding: str
    notes: tuple[str, ...]
    characters: int
    turns: int
    speakers: tuple[str, ...]
    cases: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "name": self.name,
            "status": self.status,
            "encoding": self.encoding,
            "notes": list(self.notes),
            "characters": self.characters,
            "turns": self.turns,
            "speakers": list(self.speakers),
            "cases": list(self.cases),
            "warnings": list(self.warnings),
        }


Progress = Callable[[str], None]

TOO_LARGE = "too large to import in memory; nothing was imported"
"""The reason given when reading or storing a file runs out of memory."""


def read_transcript_files(
    paths: Sequence[Path], *, max_bytes: int | None = None, progress: Progress | None = None
) -> list[TranscriptDraft]:
    """Read and normalise every file first, so one bad file stops the import before
    anything is stored. Raises :class:`InputError` naming the file. ``max_bytes`` None
    means the importer's default limit."""
    # Imported here: the listing commands load this module and need none of the readers.
    from qualcode.importers.transcripts import load_transcript

    drafts: list[TranscriptDraft] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            draft: TranscriptDraft | None = (
                load_transcript(path)
                if max_bytes is None
                else load_transcript(path, max_bytes=max_bytes)
            )
        except MemoryError:
            draft = None  # raised below, once the traceback and what it holds are freed
        if draft is None:
            raise InputError(str(path), TOO_LARGE)
        if draft.name in seen:
            raise InputError(
                str(path), f"transcript name {draft.name!r} is also given by {seen[draft.name]}"
            )
        seen[draft.name] = str(path)
        drafts.append(draft)
        if progress:
            progress(draft.name)
    return drafts


def import_transcripts(
    project: Project,
    paths: Sequence[Path],
    *,
    case: str | None = None,
    case_from_filename: bool = False,
    speaker_cases: bool = False,
    skip_speakers: Sequence[str] = (),
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> list[ImportOutcome]:
    """Import transcript files in one transaction: all are stored, or none.

    Identical text under an existing name is a no-op (``unchanged``); different text under
    an existing name is refused. ``case`` assigns every file to that case,
    ``case_from_filename`` to a case named after each file's stem, ``speaker_cases`` makes
    each speaker (except ``skip_speakers``) a case covering that speaker's turns.
    Running out of memory while reading or storing is an :class:`InputError` naming the
    file at hand (:data:`TOO_LARGE`), with nothing stored.
    ``case`` and ``case_from_filename`` are alternatives, and ``skip_speakers`` needs
    ``speaker_cases``: :class:`InputError` before any file is read.
    """
    if case is not None and case_from_filename:
        raise InputError("import", "give either --case or --case-from-filename, not both")
    if skip_speakers and not speaker_cases:
        raise InputError("import", "--skip-speaker only works with --speaker-cases")
    drafts = read_transcript_files(paths, max_bytes=max_bytes, progress=progress)
    outcomes: list[ImportOutcome] = []
    current = "import"
    try:
        with project.unit_of_work() as uow:
            for draft in drafts:
                current = draft.source_path
                outcomes.append(
                    _store(uow, draft, case, case_from_filename, speaker_cases, set(skip_speakers))
                )
            imported = [o.name for o in outcomes if o.status == "imported"]
            if imported:
                uow.events.log(
                    Action.IMPORT_TRANSCRIPTS,
                    f"imported {len(imported):,} transcript(s)",
                    {"transcripts": imported},
                )
    except MemoryError:
        pass  # the transaction is rolled back; raised below, outside this handler
    else:
        return outcomes
    del drafts, outcomes
    raise InputError(current, TOO_LARGE)


def _store(
    uow: UnitOfWork,
    draft: TranscriptDraft,
    case: str | None,
    case_from_filename: bool,
    speaker_cases: bool,
    skip_speakers: set[str],
) -> ImportOutcome:
    existing_sha = uow.transcripts.sha256_of(draft.name)
    if existing_sha is not None and existing_sha != draft.sha256:
        raise InputError(
            draft.source_path,
            f"a different transcript named {draft.name!r} is already in the project; "
            "import under another name, or replace its text keeping the codings with: "
            f"qualcode transcript replace PROJECT {draft.name} FILE",
        )
    found = uow.transcripts.id_of(draft.name)
    status = "unchanged" if found is not None else "imported"
    transcript_id = found if found is not None else uow.transcripts.add(draft)
    cases: list[str] = []
    whole = [(0, len(draft.text))]
    for case_name in (case, Path(draft.source_path).stem if case_from_filename else None):
        if case_name:
            uow.cases.assign(uow.cases.ensure(case_name), transcript_id, whole, None)
            cases.append(case_name)
    if speaker_cases:
        for speaker in speakers(draft.turns):
            if speaker in skip_speakers:
                continue
            spans = [(t.start, t.end) for t in draft.turns if t.speaker == speaker]
            case_id = uow.cases.ensure(speaker)
            uow.cases.assign(case_id, transcript_id, spans, speaker)
            cases.append(speaker)
    return ImportOutcome(
        path=draft.source_path,
        name=draft.name,
        status=status,
        encoding=draft.encoding,
        notes=draft.notes,
        characters=len(draft.text),
        turns=len(draft.turns),
        speakers=tuple(speakers(draft.turns)),
        cases=tuple(cases),
        warnings=draft.warnings,
    )


def list_transcripts(project: Project) -> list[TranscriptSummary]:
    with project.reading() as uow:
        return uow.transcripts.summaries()


def get_transcript(project: Project, name: str) -> Transcript:
    with project.reading() as uow:
        transcript = uow.transcripts.get(name)
        if transcript is None:
            raise NotFoundError(unknown_transcript_message(name, uow.transcripts.names()))
        return transcript


def unknown_transcript_message(name: str, known: list[str]) -> str:
    from qualcode.matching.suggest import closest

    hint = closest(name, known)
    suffix = f"; did you mean {hint!r}?" if hint else ""
    return f"unknown transcript {name!r}{suffix} (see: qualcode transcripts PROJECT)"
