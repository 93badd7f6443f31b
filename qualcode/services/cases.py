"""Cases, their typed attributes, and which transcripts (or speakers' turns) they cover."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.cases import AttributeDef, Case, describe_type
from qualcode.domain.errors import InputError
from qualcode.domain.events import Action
from qualcode.importers.cases_file import load_cases_file
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project


@dataclass(frozen=True, slots=True)
class CasesImport:
    cases: int
    attributes: int
    assignments: int


def import_cases(project: Project, path: Path) -> CasesImport:
    """Import a cases file (CSV or YAML) in one transaction.

    A row with a transcript assigns the case to the whole transcript; with a speaker too,
    to that speaker's turns only (focus groups). Attribute types must agree with the types
    already in the project.
    """
    cases_file = load_cases_file(path)
    source = str(path)
    names: set[str] = set()
    assignments = 0
    with project.unit_of_work() as uow:
        known = uow.cases.attribute_defs()
        attribute_ids: dict[str, int] = {}
        for definition in cases_file.attributes:
            existing = known.get(definition.name)
            if existing is None:
                attribute_ids[definition.name] = uow.cases.add_attribute(definition)
            elif existing[1] != definition:
                raise InputError(
                    source,
                    f"attribute {definition.name!r} is already {describe_type(existing[1])} in the "
                    f"project; the file makes it {describe_type(definition)}",
                    line=1,
                )
            else:
                attribute_ids[definition.name] = existing[0]
        for row in cases_file.rows:
            case_id = uow.cases.ensure(row.case)
            names.add(row.case)
            for attribute, value in row.values:
                if value != "":
                    uow.cases.set_value(case_id, attribute_ids[attribute], value)
            if not row.transcript:
                continue
            transcript = uow.transcripts.get(row.transcript)
            if transcript is None:
                message = unknown_transcript_message(row.transcript, uow.transcripts.names())
                raise InputError(source, message, line=row.line)
            if row.speaker:
                spans = [(t.start, t.end) for t in transcript.turns if t.speaker == row.speaker]
                if not spans:
                    present = sorted({t.speaker for t in transcript.turns if t.speaker})
                    raise InputError(
                        source,
                        f"speaker {row.speaker!r} has no turns in {row.transcript!r} "
                        f"(speakers: {', '.join(present) or 'none'})",
                        line=row.line,
                    )
            else:
                spans = [(0, len(transcript.text))]
            assignments += uow.cases.assign(case_id, transcript.id, spans, row.speaker or None)
        uow.events.log(
            Action.IMPORT_CASES,
            f"cases from {path.name}: {len(names)} cases",
            {"source": source, "cases": sorted(names)},
        )
    return CasesImport(len(names), len(cases_file.attributes), assignments)


def list_cases(project: Project) -> list[Case]:
    with project.reading() as uow:
        return uow.cases.all()


def list_attributes(project: Project) -> list[AttributeDef]:
    """Attribute definitions in the order they were first imported."""
    with project.reading() as uow:
        return [definition for _, definition in uow.cases.attribute_defs().values()]
