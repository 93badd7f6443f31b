"""The codebook repository (``uow.codebook``): codes as
:class:`~qualcode.domain.codebook.StoredCode` values (parents before children), adding,
changing, moving and deleting them. Names and shortcuts are stored by the identifier
rules, texts by the long-text rule (:mod:`qualcode.domain.text_entry`)."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from qualcode.domain.codebook import CodeSpec, StoredCode, code_tree
from qualcode.domain.text_entry import enter_name, enter_optional_text, enter_shortcut, enter_text
from qualcode.storage.repository_base import StoredArea
from qualcode.storage.tables import (
    CodeRow,
)


def _spec(row: CodeRow) -> CodeSpec:
    return CodeSpec(
        name=row.name,
        label_da=row.label_da,
        description=row.description,
        inclusion=row.inclusion,
        exclusion=row.exclusion,
        example=row.example,
        colour=row.colour,
        shortcut=row.shortcut,
        keywords=tuple(row.keywords or ()),
        codable=row.codable,
    )


def _spec_fields(spec: CodeSpec) -> dict[str, object]:
    """A code's columns as stored: its name and shortcut by the identifier rules, its
    texts by the long-text rule (qualcode.domain.text_entry)."""
    return {
        "name": enter_name(spec.name, "code name"),
        "label_da": enter_optional_text(spec.label_da, "label_da"),
        "description": enter_optional_text(spec.description, "description"),
        "inclusion": enter_optional_text(spec.inclusion, "inclusion"),
        "exclusion": enter_optional_text(spec.exclusion, "exclusion"),
        "example": enter_optional_text(spec.example, "example"),
        "colour": spec.colour,
        "shortcut": None if spec.shortcut is None else enter_shortcut(spec.shortcut, "shortcut"),
        "keywords": [enter_text(keyword, "keyword") for keyword in spec.keywords],
        "codable": spec.codable,
    }


class CodebookRepository(StoredArea):
    """The codebook: codes, their order and nesting."""

    __slots__ = ()

    def update(self, code_id: int, spec: CodeSpec) -> None:
        row = self._session.get_one(CodeRow, code_id)
        for key, value in _spec_fields(spec).items():
            setattr(row, key, value)

    def add(self, spec: CodeSpec, parent_id: int | None, position: int) -> int:
        row = CodeRow(parent_id=parent_id, position=position, **_spec_fields(spec))
        self._session.add(row)
        self._session.flush()
        return row.id

    def codes(self) -> list[StoredCode]:
        """All codes, parents before children, siblings in their stored order."""
        rows = self._session.scalars(select(CodeRow).order_by(CodeRow.position, CodeRow.id))
        return code_tree((row.id, row.parent_id, _spec(row)) for row in rows)

    def move(self, code_id: int, parent_id: int | None, position: int) -> None:
        row = self._session.get_one(CodeRow, code_id)
        row.parent_id = parent_id
        row.position = position
        self._session.flush()

    def delete(self, code_id: int) -> None:
        self._session.execute(delete(CodeRow).where(CodeRow.id == code_id))

    def next_position(self, parent_id: int | None) -> int:
        condition = (
            CodeRow.parent_id.is_(None) if parent_id is None else CodeRow.parent_id == parent_id
        )
        found = self._session.scalar(select(func.max(CodeRow.position)).where(condition))
        return 0 if found is None else found + 1

    def insert(
        self,
        code_id: int,
        fields: dict[str, object],
        parent_id: int | None,
        position: int,
        *,
        guid: str | None = None,
    ) -> None:
        """Insert a code under a known id (undoing a merge or redoing an add keeps ids
        stable). ``fields`` are the code's columns (name, description, colour, ...);
        ``guid`` its exchange identity, when it had one."""
        self._session.add(
            CodeRow(id=code_id, parent_id=parent_id, position=position, guid=guid, **fields)
        )
        self._session.flush()

    def guid_of(self, code_id: int) -> str | None:
        """A code's exchange GUID (REFI-QDA imports and exports set it), if any."""
        return self._session.scalar(select(CodeRow.guid).where(CodeRow.id == code_id))

    def place_of(self, code_id: int) -> tuple[int | None, int]:
        """A code's parent id and position among its siblings."""
        row = self._session.get_one(CodeRow, code_id)
        return row.parent_id, row.position
