"""Reads about the cases of one transcript. Every function takes the :class:`Repository`
of the caller's transaction and never commits."""

from __future__ import annotations

from sqlalchemy import select

from qualcode.domain.cases import SpeakerCases
from qualcode.storage.repositories import Repository
from qualcode.storage.tables import AttributeRow, CaseAssignmentRow, CaseAttributeRow, CaseRow


def speaker_cases(repo: Repository, transcript_id: int) -> SpeakerCases:
    """The cases assigned to each speaker's turns in the transcript (focus-group speakers,
    survey respondents) with their attribute values in attribute order; speakers without
    such a case are left out. One query, however many speakers."""
    rows = repo.session.execute(
        select(CaseAssignmentRow.speaker, CaseRow.name, AttributeRow.name, CaseAttributeRow.value)
        .join(CaseRow, CaseRow.id == CaseAssignmentRow.case_id)
        .outerjoin(CaseAttributeRow, CaseAttributeRow.case_id == CaseRow.id)
        .outerjoin(AttributeRow, AttributeRow.id == CaseAttributeRow.attribute_id)
        .where(
            CaseAssignmentRow.transcript_id == transcript_id,
            CaseAssignmentRow.speaker.is_not(None),
        )
        .distinct()
        .order_by(CaseAssignmentRow.speaker, CaseRow.name, AttributeRow.id)
    )
    found: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for speaker, case, attribute, value in rows:
        assert speaker is not None  # the query's condition
        values = found.setdefault(speaker, {}).setdefault(case, [])
        if attribute is not None and value:
            values.append((attribute, value))
    return {
        speaker: {case: tuple(values) for case, values in cases.items()}
        for speaker, cases in found.items()
    }
