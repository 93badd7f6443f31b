"""Reads about the cases of one transcript, and writes of many cases at once. Every
function takes the :class:`Repository` of the caller's transaction and never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select, update

from qualcode.domain.cases import SpeakerCases
from qualcode.domain.text_entry import enter_name, enter_text
from qualcode.storage.repositories import Repository, insert_rows
from qualcode.storage.tables import AttributeRow, CaseAssignmentRow, CaseAttributeRow, CaseRow

_CHUNK = 500  # names or ids per IN (...) list, well under every backend's parameter limit


def speaker_cases(repo: Repository, transcript_id: int) -> SpeakerCases:
    """The cases assigned to each speaker's turns in the transcript (focus-group speakers,
    survey respondents) with their attribute values in attribute order; speakers without
    such a case are left out. One query, however many speakers."""
    rows = repo.session.execute(
        # the attribute's id is selected because it orders the rows (PostgreSQL requires
        # a DISTINCT query's ORDER BY columns in its select list)
        select(
            CaseAssignmentRow.speaker,
            CaseRow.name,
            AttributeRow.name,
            CaseAttributeRow.value,
            AttributeRow.id,
        )
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
    for speaker, case, attribute, value, _attribute_id in rows:
        assert speaker is not None  # the query's condition
        values = found.setdefault(speaker, {}).setdefault(case, [])
        if attribute is not None and value:
            values.append((attribute, value))
    return {
        speaker: {case: tuple(values) for case, values in cases.items()}
        for speaker, cases in found.items()
    }


# --- many cases at once (survey imports) --------------------------------------------------


def ensure_cases(repo: Repository, names: Sequence[str]) -> dict[str, int]:
    """The ids of the cases named, by name, adding those the project lacks: a few
    statements for thousands of cases (``Repository.ensure_case`` takes three per case)."""
    wanted = list(dict.fromkeys(enter_name(name, "case name") for name in names))
    found = _case_ids(repo, wanted)
    missing = [name for name in wanted if name not in found]
    if missing:
        repo.session.flush()
        rows = ((name,) for name in missing)
        insert_rows(repo.session.connection(), CaseRow.__table__, ("name",), rows)
        found.update(_case_ids(repo, missing))
    return found


def _case_ids(repo: Repository, names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        query = select(CaseRow.name, CaseRow.id).where(CaseRow.name.in_(chunk))
        found.update((name, case_id) for name, case_id in repo.session.execute(query))
    return found


def set_case_values(repo: Repository, values: Iterable[tuple[int, int, str]]) -> int:
    """Set each ``(case id, attribute id, value)``, replacing a value already there;
    returns how many were set."""
    wanted = {
        (case, attribute): enter_text(value, "attribute value") for case, attribute, value in values
    }
    cases = sorted({case for case, _ in wanted})
    existing: dict[tuple[int, int], int] = {}
    for start in range(0, len(cases), _CHUNK):
        query = select(
            CaseAttributeRow.id, CaseAttributeRow.case_id, CaseAttributeRow.attribute_id
        ).where(CaseAttributeRow.case_id.in_(cases[start : start + _CHUNK]))
        existing.update(
            ((case, attribute), row) for row, case, attribute in repo.session.execute(query)
        )
    changed = [
        {"row": existing[key], "new_value": value}
        for key, value in wanted.items()
        if key in existing
    ]
    if changed:
        statement = (
            update(CaseAttributeRow)
            .where(CaseAttributeRow.id == bindparam("row"))
            .values(value=bindparam("new_value"))
        )
        repo.session.connection().execute(statement, changed)
    added = (
        (case, attribute, value)
        for (case, attribute), value in wanted.items()
        if (case, attribute) not in existing
    )
    insert_rows(
        repo.session.connection(),
        CaseAttributeRow.__table__,
        ("case_id", "attribute_id", "value"),
        added,
    )
    return len(wanted)


def assign_turns(
    repo: Repository, transcript_id: int, turns: Iterable[tuple[int, int, int, str]]
) -> int:
    """Assign ``(case id, start, end, speaker)`` turns of a transcript that has no
    assignments yet (one just added); returns how many."""
    rows = ((case, transcript_id, start, end, speaker) for case, start, end, speaker in turns)
    keys = ("case_id", "transcript_id", "start_offset", "end_offset", "speaker")
    return insert_rows(repo.session.connection(), CaseAssignmentRow.__table__, keys, rows)
