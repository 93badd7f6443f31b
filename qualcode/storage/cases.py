"""The cases repository (``uow.cases``): cases, attributes and their values, and the
cases' assignments to transcripts (whole, by span or by speaker), one at a time or many
at once (imports of thousands of cases)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, select, update

from qualcode.domain.cases import AttributeDef, AttributeType, Case, SpeakerCases, assemble_cases
from qualcode.domain.text_entry import (
    enter_name,
    enter_text,
    lookup_name,
)
from qualcode.storage.repository_base import StoredArea, insert_rows
from qualcode.storage.tables import (
    AttributeRow,
    CaseAssignmentRow,
    CaseAttributeRow,
    CaseRow,
    TranscriptRow,
)

_CHUNK = 500  # names or ids per IN (...) list, well under every backend's parameter limit


class CaseRepository(StoredArea):
    """Cases, their attributes and their assignments to transcripts."""

    __slots__ = ()

    def all(self) -> list[Case]:
        execute = self._session.execute
        return assemble_cases(
            execute(select(CaseRow.id, CaseRow.name).order_by(CaseRow.name)),
            execute(
                select(CaseAttributeRow.case_id, AttributeRow.name, CaseAttributeRow.value)
                .join(AttributeRow, AttributeRow.id == CaseAttributeRow.attribute_id)
                .order_by(AttributeRow.id)
            ),
            execute(
                select(
                    CaseAssignmentRow.case_id,
                    TranscriptRow.name,
                    CaseAssignmentRow.start,
                    CaseAssignmentRow.end,
                    CaseAssignmentRow.speaker,
                )
                .join(TranscriptRow, TranscriptRow.id == CaseAssignmentRow.transcript_id)
                .order_by(TranscriptRow.name, CaseAssignmentRow.start)
            ),
        )

    def assign(
        self,
        case_id: int,
        transcript_id: int,
        spans: Iterable[tuple[int, int]],
        speaker: str | None,
    ) -> int:
        """Replace the case's assignment to this transcript (and speaker) by ``spans``."""
        self._session.execute(
            delete(CaseAssignmentRow).where(
                CaseAssignmentRow.case_id == case_id,
                CaseAssignmentRow.transcript_id == transcript_id,
                CaseAssignmentRow.speaker.is_(None)
                if speaker is None
                else CaseAssignmentRow.speaker == speaker,
            )
        )
        return insert_rows(
            self._session.connection(),
            CaseAssignmentRow.__table__,
            ("case_id", "transcript_id", "start_offset", "end_offset", "speaker"),
            ((case_id, transcript_id, s, e, speaker) for s, e in spans),
        )

    def set_value(self, case_id: int, attribute_id: int, value: str) -> None:
        value = enter_text(value, "attribute value")
        existing = self._session.scalar(
            select(CaseAttributeRow).where(
                CaseAttributeRow.case_id == case_id, CaseAttributeRow.attribute_id == attribute_id
            )
        )
        if existing is None:
            self._session.add(
                CaseAttributeRow(case_id=case_id, attribute_id=attribute_id, value=value)
            )
        else:
            existing.value = value

    def ensure(self, name: str) -> int:
        name = enter_name(name, "case name")
        found = self.id_of(name)
        if found is not None:
            return found
        row = CaseRow(name=name)
        self._session.add(row)
        self._session.flush()
        return row.id

    def id_of(self, name: str) -> int | None:
        wanted = lookup_name(name)
        if wanted is None:
            return None
        return self._session.scalar(select(CaseRow.id).where(CaseRow.name == wanted))

    def add_attribute(self, definition: AttributeDef) -> int:
        row = AttributeRow(
            name=enter_name(definition.name, "attribute name"),
            value_type=definition.type.value,
            levels=list(definition.levels),
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def attribute_defs(self) -> dict[str, tuple[int, AttributeDef]]:
        rows = self._session.scalars(select(AttributeRow).order_by(AttributeRow.id))
        return {
            r.name: (r.id, AttributeDef(r.name, AttributeType(r.value_type), tuple(r.levels)))
            for r in rows
        }

    def speaker_cases(self, transcript_id: int) -> SpeakerCases:
        """The cases assigned to each speaker's turns in the transcript (focus-group speakers,
        survey respondents) with their attribute values in attribute order; speakers without
        such a case are left out. One query, however many speakers."""
        rows = self._session.execute(
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

    def ensure_many(self, names: Sequence[str]) -> dict[str, int]:
        """The ids of the cases named, by name, adding those the project lacks: a few
        statements for thousands of cases (``ensure`` takes three per case)."""
        wanted = list(dict.fromkeys(enter_name(name, "case name") for name in names))
        found = self._ids_of(wanted)
        missing = [name for name in wanted if name not in found]
        if missing:
            self._session.flush()
            rows = ((name,) for name in missing)
            insert_rows(self._session.connection(), CaseRow.__table__, ("name",), rows)
            found.update(self._ids_of(missing))
        return found

    def _ids_of(self, names: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            query = select(CaseRow.name, CaseRow.id).where(CaseRow.name.in_(chunk))
            found.update((name, case_id) for name, case_id in self._session.execute(query))
        return found

    def set_values(self, values: Iterable[tuple[int, int, str]]) -> int:
        """Set each ``(case id, attribute id, value)``, replacing a value already there;
        returns how many were set."""
        wanted = {
            (case, attribute): enter_text(value, "attribute value")
            for case, attribute, value in values
        }
        cases = sorted({case for case, _ in wanted})
        existing: dict[tuple[int, int], int] = {}
        for start in range(0, len(cases), _CHUNK):
            query = select(
                CaseAttributeRow.id, CaseAttributeRow.case_id, CaseAttributeRow.attribute_id
            ).where(CaseAttributeRow.case_id.in_(cases[start : start + _CHUNK]))
            existing.update(
                ((case, attribute), row) for row, case, attribute in self._session.execute(query)
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
            self._session.connection().execute(statement, changed)
        added = (
            (case, attribute, value)
            for (case, attribute), value in wanted.items()
            if (case, attribute) not in existing
        )
        insert_rows(
            self._session.connection(),
            CaseAttributeRow.__table__,
            ("case_id", "attribute_id", "value"),
            added,
        )
        return len(wanted)

    def assign_turns(self, transcript_id: int, turns: Iterable[tuple[int, int, int, str]]) -> int:
        """Assign ``(case id, start, end, speaker)`` turns of a transcript that has no
        assignments yet (one just added); returns how many."""
        rows = ((case, transcript_id, start, end, speaker) for case, start, end, speaker in turns)
        keys = ("case_id", "transcript_id", "start_offset", "end_offset", "speaker")
        return insert_rows(self._session.connection(), CaseAssignmentRow.__table__, keys, rows)

    def spans_of(self, case: str) -> dict[str, list[tuple[int, int]]]:
        """Transcript name -> the ``[start, end)`` spans a case covers in it."""
        rows = self._session.execute(
            select(TranscriptRow.name, CaseAssignmentRow.start, CaseAssignmentRow.end)
            .join(CaseAssignmentRow, CaseAssignmentRow.transcript_id == TranscriptRow.id)
            .join(CaseRow, CaseRow.id == CaseAssignmentRow.case_id)
            .where(CaseRow.name == case)
            .order_by(TranscriptRow.name, CaseAssignmentRow.start)
        )
        spans: dict[str, list[tuple[int, int]]] = {}
        for name, start, end in rows:
            spans.setdefault(name, []).append((start, end))
        return spans
