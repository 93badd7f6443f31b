"""Matrices as one self-contained HTML page: heat-map tables (no scripts, no external
files); in the first table each cell opens (``<details>``) to show its framework summary
and passages. Inline SVG bar charts show how many cases raised each theme: with rows
that are an attribute's values one chart per theme, a bar per value ("n of the m cases
with that value"); with other rows one chart, a bar per theme ("n of all m cases")."""

from __future__ import annotations

import html
from collections.abc import Sequence

from qualcode.domain.matrices import COUNTING_RULES, MEASURE_DESCRIPTIONS, Matrix, Measure
from qualcode.exporters.heat import heat_css, heat_highest
from qualcode.exporters.html_page import brief, page_start
from qualcode.exporters.matrix_tables import (
    PERCENT_PLACES,
    WideColumn,
    matrix_notes,
    number_text,
    passage_reference,
    wide_columns,
    wide_table,
)
from qualcode.exporters.svg_chart import bar_chart
from qualcode.exporters.tables import Cell

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; margin: 1rem 0 2rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; vertical-align: top; }
thead th { background: #f6f8fa; position: sticky; top: 0; }
td { text-align: right; }
td.total, tr.total th, tr.total td { font-weight: bold; background: #f6f8fa; }
details summary { cursor: pointer; }
details[open] { text-align: left; min-width: 24rem; }
blockquote { margin: 0.5rem 0; padding-left: 0.6rem; border-left: 3px solid #d0d7de; }
blockquote p { white-space: pre-wrap; margin: 0; }
blockquote footer, .note { color: #59636e; font-size: 0.9em; }
.summary { background: #fff8c5; padding: 0.3rem; }
dt { font-weight: bold; }
.scroll { overflow-x: auto; }
tbody th { position: sticky; left: 0; background: #fff; }
.charts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; }
.charts figure { margin: 0; }
.charts figcaption { font-weight: bold; margin-bottom: 0.2rem; }
"""


def _text(value: Cell) -> str:
    return "" if value is None else html.escape(str(value))


def _passages_html(matrix: Matrix, block: int, row: int, column: int) -> str:
    parts: list[str] = []
    summary = matrix.summaries.get((row, column))
    if summary is not None:
        parts.append(f'<p class="summary"><strong>Summary:</strong> {_text(summary.text)}</p>')
    for passage in matrix.cell_passages(block, row, column):
        source = " · ".join(
            part
            for part in (
                passage_reference(passage),
                ", ".join(passage.codes),
                ", ".join(passage.coders),
            )
            if part
        )
        parts.append(
            f"<blockquote><p>{_text(passage.text)}</p><footer>{_text(source)}</footer></blockquote>"
        )
    return "".join(parts)


def _table(matrix: Matrix, measure: Measure, with_passages: bool) -> str:
    headers, rows = wide_table(matrix, measure, exact=True)
    columns: list[WideColumn] = wide_columns(matrix, measure)
    body_rows = len(matrix.rows)
    highest = heat_highest(
        v
        for line in rows[:body_rows]
        for v, c in zip(line[1:], columns, strict=False)
        if not (c.is_total or c.is_denominator)
    )
    out = ['<div class="scroll"><table>', "<thead><tr>"]
    out.extend(f'<th scope="col">{_text(h)}</th>' for h in headers)
    out.append("</tr></thead><tbody>")
    for index, line in enumerate(rows):
        is_body = index < body_rows
        out.append("<tr>" if is_body else '<tr class="total">')
        out.append(f'<th scope="row">{_text(line[0])}</th>')
        for value, column in zip(line[1:], columns, strict=False):
            is_total = column.is_total or column.is_denominator
            heat = "" if is_total or not is_body else heat_css(value, highest)
            css = ' class="total"' if is_total else ""
            inner = _text(number_text(value, PERCENT_PLACES))
            if with_passages and is_body and not is_total:
                found = _passages_html(matrix, column.block, index, column.column)
                if found:
                    inner = f"<details><summary>{inner}</summary>{found}</details>"
            out.append(f"<td{css}{heat}>{inner}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def matrix_html(matrix: Matrix, measures: Sequence[Measure]) -> str:
    """The page. Passages (and summaries) open from the cells of the first table."""
    numeric = [m for m in measures if m is not Measure.PASSAGES] or [Measure.REFERENCES]
    with_passages = Measure.PASSAGES in measures
    subject = f"Matrix: {brief(matrix.settings.rows)} × {brief(matrix.settings.columns)}"
    out = page_start(subject, matrix.settings.document, STYLE)
    out += [f"<h1>{_text(subject)}</h1>", "<dl>"]
    for label, text in matrix_notes(matrix, measures):
        out.append(f"<dt>{_text(label)}</dt><dd>{_text(text)}</dd>")
    out.append("</dl>")
    out.extend(_charts(matrix))
    for position, measure in enumerate(numeric):
        note = MEASURE_DESCRIPTIONS[measure]
        if position == 0 and with_passages:
            note += "; open a cell to read its passages"
        out.append(f"<section><h2>{_text(measure.value)}</h2>")
        out.append(f'<p class="note">{_text(note)}</p>')
        out.append(_table(matrix, measure, with_passages and position == 0))
        out.append("</section>")
    out.append("<details><summary>Counting rules</summary><ol>")
    out.extend(f"<li>{_text(rule)}</li>" for rule in COUNTING_RULES)
    out.append("</ol></details>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _charts(matrix: Matrix) -> list[str]:
    """The section of case charts (nothing when the matrix does not know its cases)."""
    if not matrix.row_cases or not matrix.columns:
        return []
    by_value = matrix.settings.rows.startswith("attribute:")
    separate = len(matrix.blocks) > 1
    total_row = len(matrix.rows)
    figures: list[tuple[str, list[tuple[str, int, int]]]] = []
    for block, found in enumerate(matrix.blocks):
        coders = f" [{found.group}]" if separate else ""

        def cases(row: int, column: int, block: int = block) -> int:
            return int(matrix.value(Measure.CASES, block, row, column) or 0)

        if by_value:
            figures.extend(
                (
                    f"{theme}{coders}",
                    [
                        (value, cases(row, column), matrix.row_cases[row])
                        for row, value in enumerate(matrix.rows)
                    ],
                )
                for column, theme in enumerate(matrix.columns)
            )
        else:
            bars = [
                (theme, cases(total_row, column), matrix.all_cases)
                for column, theme in enumerate(matrix.columns)
            ]
            figures.append((f"all {matrix.all_cases} cases{coders}", bars))
    if by_value:
        note = f"per theme, a bar per {matrix.row_dimension}: its cases that raised the theme"
    else:
        note = "a bar per theme: the cases that raised it"
    out = [
        "<section><h2>cases raising each theme</h2>",
        f'<p class="note">{_text(note)} (a case raised a theme when its text holds a '
        "reference to it: the cases measure)</p>",
        '<div class="charts">',
    ]
    for caption, bars in figures:
        description = f"{caption}: " + "; ".join(f"{label} {n} of {m}" for label, n, m in bars)
        out.append(f"<figure><figcaption>{_text(caption)}</figcaption>")
        out.append(bar_chart(description, bars) + "</figure>")
    out.append("</div></section>")
    return out
