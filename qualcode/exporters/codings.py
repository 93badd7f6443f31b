"""Codings as records for CSV/JSON/table output (fields in CODING_FIELDS order) and as a
workbook."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.codings import CODING_FIELDS, Coding
from qualcode.domain.document_info import DocumentInfo
from qualcode.exporters.tables import Cell

CODINGS_SHEET = "codings"
_LONG_FIELDS = frozenset({"text", "memo"})
_COUNT_FIELDS = frozenset({"id", "start", "end"})
_CAPS = {"transcript": 20, "code": 28, "coder": 12, "text": 60, "memo": 30}
"""Characters wide at most: the coded text keeps most of a landscape page (the render
at full caps shrank the sheet to two thirds to fit it one page wide)."""


def coding_record(coding: Coding) -> dict[str, Cell]:
    return {
        "id": coding.id,
        "transcript": coding.transcript,
        "code": coding.code_path,
        "coder": coding.coder,
        "start": coding.start,
        "end": coding.end,
        "text": coding.text,
        "memo": coding.memo,
    }


def coding_rows(codings: Sequence[Coding]) -> list[tuple[Cell, ...]]:
    return [tuple(coding_record(c)[field] for field in CODING_FIELDS) for c in codings]


def codings_xlsx(codings: Sequence[Coding], document: DocumentInfo) -> bytes:
    """One sheet ``codings``, the columns of the CSV (which imports back; this is for
    reading and printing): offsets as whole numbers, coded text and memos wrapped in
    wide columns, the id, transcript and code frozen beside them."""
    from openpyxl import Workbook

    from qualcode.exporters.xlsx_style import COUNT, SheetColumn, add_table, workbook_bytes

    workbook = Workbook(write_only=True)
    columns = [
        SheetColumn(
            field,
            COUNT if field in _COUNT_FIELDS else None,
            long_text=field in _LONG_FIELDS,
            cap=_CAPS.get(field),
        )
        for field in CODING_FIELDS
    ]
    caption = f"Codings of {document.project}, one per line" if document.project else "Codings"
    add_table(
        workbook,
        CODINGS_SHEET,
        columns,
        coding_rows(codings),
        document,
        label_columns=3,
        caption=caption,
    )
    return workbook_bytes(workbook)
