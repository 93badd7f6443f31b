"""Pseudonymising a project: real names become pseudonyms everywhere, codings kept.

In one transaction every transcript text is rewritten (names and their genitives, see
:mod:`qualcode.domain.pseudonyms`) and every coding, turn and case assignment is carried
through the exact replacements; speaker labels, case names, memos, framework summaries,
source paths and the event log's summaries and payloads are rewritten the same way, so no
real name is left behind in the project. Saved suggestion models (which hold words and
character n-grams of the texts) are deleted; the next ``suggest`` trains afresh. A SQLite
project is then rewritten without its free pages (storage/erasure.py), where the deleted
and replaced text would otherwise stay readable. The map itself is never stored, and the
event recorded says only how many replacements were made where.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from qualcode.domain.errors import FieldError
from qualcode.domain.events import Action
from qualcode.domain.pseudonyms import Pseudonymizer, Replacement, apply_replacements, in_context
from qualcode.domain.transcripts import Turn
from qualcode.importers.name_map import load_name_map
from qualcode.matching.anchoring import KEPT, replacement_script
from qualcode.services.reanchor import replace_with_script
from qualcode.storage.database import Project
from qualcode.storage.erasure import erase_deleted
from qualcode.storage.unit_of_work import UnitOfWork

ANONYMIZE_ACTION = Action.ANONYMIZE


@dataclass(frozen=True, slots=True)
class TranscriptNames:
    """The replacements in one transcript, each with a line of context, and how its
    codings fared (``codings_changed``: codings whose text now holds a pseudonym)."""

    transcript: str
    replacements: tuple[Replacement, ...]
    contexts: tuple[str, ...]
    codings: int
    codings_changed: int


@dataclass(frozen=True, slots=True)
class PseudonymReport:
    transcripts: tuple[TranscriptNames, ...]
    per_name: dict[str, int]
    not_found: tuple[str, ...]
    elsewhere: dict[str, int]
    renamed_transcripts: tuple[tuple[str, str], ...]  # (real name, pseudonymised name)
    dry_run: bool
    forms: dict[str, Counter[str]] = field(default_factory=dict)
    models_deleted: int = 0
    """Saved suggestion models deleted (they hold the texts' words)."""
    erased: bool | None = None
    """Whether the old text was overwritten in the file (SQLite; ``False``: it could not
    be done now, ``None``: a dry run)."""

    @property
    def replacements(self) -> int:
        return sum(len(t.replacements) for t in self.transcripts)


def anonymize_project(
    project: Project, map_file: Path, *, dry_run: bool = False, coder: str | None = None
) -> PseudonymReport:
    """Replace every name of ``map_file`` by its pseudonym across the project (or, with
    ``dry_run``, only report what would be replaced, in context)."""
    pseudonyms = Pseudonymizer(load_name_map(map_file))

    def rewrite(text: str) -> str:
        return pseudonyms.apply(text)

    def work(uow: UnitOfWork) -> PseudonymReport:
        titles = uow.transcripts.names()  # as they were: the loop below renames them
        done = [_transcript(uow, name, pseudonyms, dry_run) for name in titles]
        transcripts = tuple(t for t in done if t is not None)
        elsewhere: dict[str, int] = {}
        for label in uow.rewrites.labels:
            values = uow.rewrites.changed_values(label, rewrite)
            if values and label in uow.rewrites.unique_names:
                _check_unique_names(uow, label, values)
            if values and not dry_run:
                uow.rewrites.store_values(label, values)
            elsewhere[label] = len(values)
        report = _report(pseudonyms, transcripts, elsewhere, titles, dry_run)
        if not dry_run:
            elsewhere["event log entries"] = uow.rewrites.rewrite_event_log(rewrite)
            report = replace(report, models_deleted=uow.suggestions.clear_all())
            uow.events.log(
                ANONYMIZE_ACTION,
                f"pseudonymised {len(transcripts)} transcript(s): {report.replacements} "
                f"replacements of {len(pseudonyms.entries)} names",
                {
                    "transcripts": {
                        rewrite(t.transcript): len(t.replacements) for t in transcripts
                    },
                    "names": len(pseudonyms.entries),
                    "elsewhere": dict(elsewhere),
                },
                coder=coder,
            )
        return report

    if dry_run:
        with project.reading() as uow:
            return work(uow)
    report = project.run_unit_of_work(work)
    return replace(report, erased=erase_deleted(project))


def _transcript(
    uow: UnitOfWork, name: str, pseudonyms: Pseudonymizer, dry_run: bool
) -> TranscriptNames | None:
    transcript = uow.transcripts.get(name)
    assert transcript is not None
    found = pseudonyms.find(transcript.text, transcript.language)
    if not found:
        return None
    contexts = tuple(in_context(transcript.text, r) for r in found)
    new_text = apply_replacements(transcript.text, found)
    script = replacement_script(len(transcript.text), [(r.start, r.end, r.new) for r in found])
    if dry_run:
        codings = uow.codings.find(transcripts=[name])
        touched = sum(any(c.start < r.end and r.start < c.end for r in found) for c in codings)
        return TranscriptNames(name, tuple(found), contexts, len(codings), touched)
    turns = [
        Turn(
            *script.span(turn.start, turn.end),
            pseudonyms.apply(turn.speaker) if turn.speaker else turn.speaker,
            turn.timestamp,
        )
        for turn in transcript.turns
    ]
    change = replace_with_script(uow, transcript, new_text, script, turns)
    changed = sum(move.status != KEPT for move in change.moves)
    return TranscriptNames(name, tuple(found), contexts, len(change.moves), changed)


def _check_unique_names(uow: UnitOfWork, label: str, values: dict[int, tuple[str, str]]) -> None:
    kind = uow.rewrites.unique_names[label]
    renamed = {old for old, _ in values.values()}
    taken = uow.rewrites.names(label) - renamed
    new_names: set[str] = set()
    for old, new in values.values():
        if new in taken or new in new_names:
            raise FieldError(
                "map",
                f"{kind} {old!r} would become {new!r}, which is already a {kind}; "
                "choose another pseudonym",
            )
        new_names.add(new)


def _report(
    pseudonyms: Pseudonymizer,
    transcripts: tuple[TranscriptNames, ...],
    elsewhere: dict[str, int],
    titles: list[str],
    dry_run: bool,
) -> PseudonymReport:
    per_name: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for transcript in transcripts:
        for replacement in transcript.replacements:
            per_name[replacement.name] += 1
            forms.setdefault(replacement.name, Counter())[replacement.found] += 1
    not_found = tuple(name for name, _ in pseudonyms.entries if name not in per_name)
    renamed = tuple((title, pseudonyms.apply(title)) for title in titles if pseudonyms.find(title))
    return PseudonymReport(
        transcripts, dict(per_name), not_found, elsewhere, renamed, dry_run, forms
    )
