"""Matrices as Markdown: a padded pipe table per measure (readable as plain text too),
the framework matrix as sections, then the settings and counting rules."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.matrices import COUNTING_RULES, MEASURE_DESCRIPTIONS, Matrix, Measure
from qualcode.exporters.matrix_tables import (
    PERCENT_PLACES,
    number_text,
    passage_reference,
    wide_table,
)
from qualcode.exporters.safe_cells import markdown_text
from qualcode.exporters.tables import Cell


def markdown_cell(value: Cell) -> str:
    """A table cell: :func:`markdown_text` (HTML escaped, one line), ``|`` escaped."""
    return markdown_text(value).replace("|", "\\|")


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], places: int | None = None
) -> str:
    """A GitHub pipe table, columns padded to equal width; numbers right-aligned;
    fractions with ``places`` decimals (``None``: as they are)."""
    cells = [
        [markdown_cell(v if places is None else number_text(v, places)) for v in row]
        for row in rows
    ]
    head = [markdown_cell(h) for h in headers]
    widths = [max(3, len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(head)]
    numeric = [
        i > 0 and all(isinstance(row[i], int | float) or row[i] is None for row in rows)
        for i in range(len(head))
    ]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if numeric[i] else (":" + "-" * (w + 1))
            for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(head), rule, *(line(row) for row in cells)]) + "\n"


def matrix_markdown(matrix: Matrix, measures: Sequence[Measure]) -> str:
    """A heading, the settings, one table per numeric measure, the framework matrix
    (passages and summaries) when asked for, and the counting rules."""
    out = ["# Matrix", ""]
    out.extend(
        f"- **{label}**: {markdown_text(text)}" for label, text in matrix.settings.describe()
    )
    for measure in measures:
        if measure is Measure.PASSAGES:
            out.extend(["", f"## {measure.value}", "", MEASURE_DESCRIPTIONS[measure] + "."])
            out.extend(_framework_sections(matrix))
            continue
        headers, rows = wide_table(matrix, measure, exact=True)
        out.extend(["", f"## {measure.value}", "", MEASURE_DESCRIPTIONS[measure] + ".", ""])
        out.append(markdown_table(headers, rows, PERCENT_PLACES).rstrip("\n"))
    out.extend(["", "## Counting rules", ""])
    out.extend(f"{number}. {rule}" for number, rule in enumerate(COUNTING_RULES, start=1))
    return "\n".join(out) + "\n"


def _framework_sections(matrix: Matrix) -> list[str]:
    out: list[str] = []
    separate = len(matrix.blocks) > 1
    for block_index, block in enumerate(matrix.blocks):
        for row, row_label in enumerate(matrix.rows):
            heading = f"### {markdown_text(row_label)}" + (
                f" [{markdown_text(block.group)}]" if separate else ""
            )
            body: list[str] = []
            for column, column_label in enumerate(matrix.columns):
                passages = matrix.cell_passages(block_index, row, column)
                summary = matrix.summaries.get((row, column))
                if not passages and summary is None:
                    continue
                body.extend(["", f"#### {markdown_text(column_label)} ({len(passages)})", ""])
                if summary is not None:
                    body.extend([f"> **Summary:** {markdown_text(summary.text)}", ""])
                for passage in passages:
                    text = markdown_text(" ".join(passage.text.split()))
                    body.append(f"- “{text}” — {markdown_text(passage_reference(passage))}")
            if body:
                out.extend(["", heading, *body])
    return out
