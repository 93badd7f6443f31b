"""Importing a survey export: open questions become transcripts, respondents cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.cases import AttributeDef
from qualcode.domain.errors import InputError
from qualcode.domain.events import Action
from qualcode.domain.survey import Survey, SurveyColumns, build_survey
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class QuestionOutcome:
    """One question's transcript: ``status`` is ``imported`` or ``unchanged``."""

    name: str
    status: str
    answers: int
    characters: int


@dataclass(frozen=True, slots=True)
class SurveyImport:
    """What ``import-survey`` did. ``unchanged``: the project already held every question,
    respondent and value exactly (nothing was written)."""

    path: str
    unchanged: bool
    questions: tuple[QuestionOutcome, ...]
    respondents: int
    new_cases: int
    attributes: tuple[AttributeDef, ...]
    values_set: int
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "status": "unchanged" if self.unchanged else "imported",
            "questions": [
                {"name": q.name, "status": q.status, "answers": q.answers} for q in self.questions
            ],
            "respondents": self.respondents,
            "new_cases": self.new_cases,
            "attributes": {a.name: a.type.value for a in self.attributes},
            "values_set": self.values_set,
            "notes": list(self.notes),
        }


def import_survey(
    project: Project, path: Path, columns: SurveyColumns, *, sheet: str | None = None
) -> SurveyImport:
    """Import a survey export (CSV or XLSX) in one transaction: all of it, or nothing.

    Each text column becomes a transcript named after its header (one turn per non-empty
    answer, spoken by the respondent), each respondent a case covering their turns, and
    the attribute columns typed case attributes (a column naming an attribute the project
    already has must fit its type). A question already imported with identical answers is
    kept as it is; one whose answers differ is refused. Importing the same file again
    changes nothing and says so (``unchanged``). Raises :class:`InputError` naming the
    file (and, for bad rows, every ``FILE:ROW:COLUMN``)."""
    from qualcode.importers.survey_table import read_survey_table  # openpyxl when needed

    table = read_survey_table(path, sheet=sheet)
    with project.unit_of_work() as uow:
        known = {name: definition for name, (_, definition) in uow.cases.attribute_defs().items()}
        survey = build_survey(table, columns, known, uow.transcripts.names())
        outcome = _store(uow, survey, str(path), table.header_row)
        if not outcome.unchanged:
            uow.events.log(
                Action.IMPORT_SURVEY,
                f"survey {path.name}: {len(survey.questions)} questions, "
                f"{len(survey.respondents)} respondents",
                {
                    "source": str(path),
                    "transcripts": [q.name for q in outcome.questions if q.status == "imported"],
                    "cases": [r.name for r in survey.respondents],
                },
            )
    return outcome


def _store(uow: UnitOfWork, survey: Survey, source: str, header_row: int) -> SurveyImport:
    """Write what is not yet in the project; nothing at all when everything is."""
    statuses: list[QuestionOutcome] = []
    for question in survey.questions:
        draft = question.draft
        existing = uow.transcripts.sha256_of(draft.name)
        if existing is not None and existing != draft.sha256:
            raise InputError(
                source,
                f"a transcript named {draft.name!r} is already in the project with other "
                "text; rename the column or the transcript (qualcode transcript rename) first",
                line=header_row,
                column=question.column,
            )
        status = "imported" if existing is None else "unchanged"
        statuses.append(QuestionOutcome(draft.name, status, len(draft.turns), len(draft.text)))
    defined = uow.cases.attribute_defs()
    stored = {case.name: dict(case.attributes) for case in uow.cases.all()}
    missing = [d for d in survey.attributes if d.name not in defined]
    changed = [
        (respondent, name, value)
        for respondent in survey.respondents
        for name, value in respondent.values
        if stored.get(respondent.name, {}).get(name) != value
    ]
    new_cases = sum(1 for r in survey.respondents if r.name not in stored)
    unchanged = not (missing or changed or new_cases) and all(
        q.status == "unchanged" for q in statuses
    )
    if not unchanged:
        attribute_ids = {name: found[0] for name, found in defined.items()}
        for definition in missing:
            attribute_ids[definition.name] = uow.cases.add_attribute(definition)
        case_ids = uow.cases.ensure_many([r.name for r in survey.respondents])
        uow.cases.set_values(
            ((case_ids[r.name], attribute_ids[name], value) for r, name, value in changed),
        )
        for question, outcome in zip(survey.questions, statuses, strict=True):
            if outcome.status == "imported":
                transcript_id = uow.transcripts.add(question.draft)
                turns = question.draft.turns
                uow.cases.assign_turns(
                    transcript_id,
                    ((case_ids[t.speaker], t.start, t.end, t.speaker) for t in turns if t.speaker),
                )
    return SurveyImport(
        path=source,
        unchanged=unchanged,
        questions=tuple(statuses),
        respondents=len(survey.respondents),
        new_cases=new_cases,
        attributes=survey.attributes,
        values_set=len(changed),
        notes=survey.notes,
    )
