"""Codings as records for CSV/JSON/table output (fields in CODING_FIELDS order)."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.codings import CODING_FIELDS, Coding
from qualcode.exporters.tables import Cell


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
