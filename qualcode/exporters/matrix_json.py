"""Matrices as JSON: every requested measure per block, totals, passages, summaries, the
settings and the counting rules."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.matrices import (
    COUNTING_RULES,
    MEASURE_DESCRIPTIONS,
    Matrix,
    Measure,
    Passage,
)
from qualcode.exporters.tables import Cell, render_json


def matrix_json(matrix: Matrix, measures: Sequence[Measure]) -> str:
    """``cells[row][column]`` per measure and block, with ``row_totals`` (the Total
    column), ``column_totals`` (the Total row) and ``total``; percentages unrounded."""
    rows, columns = len(matrix.rows), len(matrix.columns)
    measures_out: dict[str, object] = {}
    for measure in measures:
        if measure is Measure.PASSAGES:
            continue
        blocks = []
        for block_index, block in enumerate(matrix.blocks):

            def value(row: int, column: int, b: int = block_index, m: Measure = measure) -> Cell:
                return matrix.value(m, b, row, column, exact=True)

            blocks.append(
                {
                    "coders": block.group,
                    "cells": [[value(r, c) for c in range(columns)] for r in range(rows)],
                    "row_totals": [value(r, columns) for r in range(rows)],
                    "column_totals": [value(rows, c) for c in range(columns)],
                    "total": value(rows, columns),
                }
            )
        measures_out[measure.value] = {
            "description": MEASURE_DESCRIPTIONS[measure],
            "blocks": blocks,
        }
    document: dict[str, object] = {
        "row_dimension": matrix.row_dimension,
        "rows": list(matrix.rows),
        "columns": list(matrix.columns),
        "coder_blocks": [block.group for block in matrix.blocks],
        "settings": dict(matrix.settings.describe()),
        "row_characters": list(matrix.row_characters),
        "total_characters": matrix.total_characters,
        "measures": measures_out,
    }
    if Measure.PASSAGES in measures:
        document["passages"] = [
            _passage(matrix, b, r, c, p)
            for (b, r, c), found in sorted((matrix.passages or {}).items())
            for p in found
        ]
        document["summaries"] = [
            {
                "row": matrix.rows[r],
                "column": matrix.columns[c],
                "text": s.text,
                "author": s.author,
                "updated_at": s.updated_at,
            }
            for (r, c), s in sorted(matrix.summaries.items())
        ]
    document["counting_rules"] = list(COUNTING_RULES)
    return render_json(document)


def _passage(matrix: Matrix, block: int, row: int, column: int, p: Passage) -> dict[str, object]:
    return {
        "row": matrix.rows[row],
        "column": matrix.columns[column],
        "coders": matrix.blocks[block].group,
        "transcript": p.transcript,
        "start": p.start,
        "end": p.end,
        "speakers": list(p.speakers),
        "codes": list(p.codes),
        "coded_by": list(p.coders),
        "text": p.text,
    }
