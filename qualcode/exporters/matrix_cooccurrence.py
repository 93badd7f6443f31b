"""Code × code co-occurrence as CSV, Markdown, JSON, HTML and XLSX.

Measures: ``count`` (overlap events; the diagonal holds each code's references) and
``coefficient`` (n12 / (n1 + n2 − n12)). The code label is the first column."""

from __future__ import annotations

import html

from qualcode.domain.matrix_cooccurrence import COOCCURRENCE_RULES, Cooccurrence
from qualcode.exporters.csv_numbers import rounded_rows
from qualcode.exporters.heat import heat_css, heat_hex, heat_highest
from qualcode.exporters.html_page import brief, page_start
from qualcode.exporters.matrix_markdown import markdown_table
from qualcode.exporters.matrix_tables import COEFFICIENT_PLACES, number_text
from qualcode.exporters.safe_cells import markdown_text
from qualcode.exporters.tables import Cell, render_csv, render_json
from qualcode.exporters.xlsx_style import COEFFICIENT, COUNT, SheetColumn, add_table, workbook_bytes

COOCCURRENCE_MEASURES = ("count", "coefficient")
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem}"
    "table{border-collapse:collapse;margin:1rem 0 2rem}"
    "th,td{border:1px solid #d0d7de;padding:.3rem .6rem}td{text-align:right}"
    # a table wider than the window scrolls on its own, the code column staying in view
    ".scroll{overflow-x:auto}tr>th:first-child{position:sticky;left:0;background:#fff}"
)
SHEET_NAMES = {"count": "co-occurrence counts", "coefficient": "co-occurrence coefficients"}
DESCRIPTIONS = {
    "count": "overlap events of the two codes (diagonal: references of the code)",
    "coefficient": "n12 / (n1 + n2 − n12): 0 = never together, 1 = always together",
}


def cooccurrence_table(
    matrix: Cooccurrence, measure: str, *, exact: bool = False
) -> tuple[list[str], list[list[Cell]]]:
    """Headers and rows of one measure; one block of columns per coder group;
    coefficients as shown, or with ``exact`` as computed."""
    separate = len(matrix.blocks) > 1
    headers = ["code"]
    for block in matrix.blocks:
        headers.extend(f"{c} [{block.group}]" if separate else c for c in matrix.codes)
    rows: list[list[Cell]] = []
    for i, code in enumerate(matrix.codes):
        line: list[Cell] = [code]
        for block in matrix.blocks:
            for j in range(len(matrix.codes)):
                line.append(
                    block.counts[i][j]
                    if measure == "count"
                    else block.coefficient(i, j, exact=exact)
                )
        rows.append(line)
    return headers, rows


def _notes(matrix: Cooccurrence) -> list[tuple[str, str]]:
    return [pair for pair in matrix.settings.describe() if pair[0] != "rows"]


def cooccurrence_csv(matrix: Cooccurrence, measure: str) -> str:
    """Coefficients rounded once to the workbook's three decimals, unless
    :func:`~qualcode.exporters.csv_numbers.full_precision` is on."""
    headers, rows = cooccurrence_table(matrix, measure, exact=True)
    return render_csv(headers, rounded_rows(rows, [COEFFICIENT_PLACES] * len(headers)))


def cooccurrence_markdown(matrix: Cooccurrence, measures: tuple[str, ...]) -> str:
    out = ["# Co-occurrence", ""]
    out.extend(f"- **{label}**: {markdown_text(text)}" for label, text in _notes(matrix))
    for measure in measures:
        out.extend(["", f"## {measure}", "", DESCRIPTIONS[measure] + ".", ""])
        table = cooccurrence_table(matrix, measure, exact=True)
        out.append(markdown_table(*table, COEFFICIENT_PLACES).rstrip("\n"))
    out.extend(["", "## Counting rules", ""])
    out.extend(f"{n}. {rule}" for n, rule in enumerate(COOCCURRENCE_RULES, start=1))
    return "\n".join(out) + "\n"


def cooccurrence_json(matrix: Cooccurrence) -> str:
    size = range(len(matrix.codes))
    return render_json(
        {
            "codes": list(matrix.codes),
            "settings": dict(_notes(matrix)),
            "blocks": [
                {
                    "coders": block.group,
                    "count": [list(line) for line in block.counts],
                    "coefficient": [
                        [block.coefficient(i, j, exact=True) for j in size] for i in size
                    ],
                }
                for block in matrix.blocks
            ],
            "counting_rules": list(COOCCURRENCE_RULES),
        }
    )


def _highest(matrix: Cooccurrence, rows: list[list[Cell]]) -> float:
    """The top of the heat scale: the largest value off the diagonal."""
    size = len(matrix.codes)
    return heat_highest(
        v for r, line in enumerate(rows) for i, v in enumerate(line[1:]) if i % size != r
    )


def cooccurrence_html(matrix: Cooccurrence, measures: tuple[str, ...]) -> str:
    def text(value: Cell) -> str:
        return "" if value is None else html.escape(str(value))

    subject = f"Co-occurrence: {brief(matrix.settings.columns)}"
    out = page_start(subject, matrix.settings.document, STYLE)
    out.append(f"<h1>{text(subject)}</h1><dl>")
    out.extend(f"<dt>{text(k)}</dt><dd>{text(v)}</dd>" for k, v in _notes(matrix))
    out.append("</dl>")
    for measure in measures:
        headers, rows = cooccurrence_table(matrix, measure, exact=True)
        highest = _highest(matrix, rows)
        out.append(f"<h2>{measure}</h2><p>{text(DESCRIPTIONS[measure])}</p>")
        out.append('<div class="scroll"><table><tr>')
        out.extend(f"<th>{text(h)}</th>" for h in headers)
        out.append("</tr>")
        for r, line in enumerate(rows):
            out.append(f"<tr><th>{text(line[0])}</th>")
            for i, value in enumerate(line[1:]):
                diagonal = i % len(matrix.codes) == r
                style = "" if diagonal else heat_css(value, highest)
                out.append(f"<td{style}>{text(number_text(value, COEFFICIENT_PLACES))}</td>")
            out.append("</tr>")
        out.append("</table></div>")
    out.append("<ol>")
    out.extend(f"<li>{text(rule)}</li>" for rule in COOCCURRENCE_RULES)
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


def cooccurrence_xlsx(matrix: Cooccurrence, measures: tuple[str, ...]) -> bytes:
    """One sheet per measure (``co-occurrence counts`` as whole numbers,
    ``co-occurrence coefficients`` with three decimals, the off-diagonal cells on one
    heat scale as on the HTML page), then ``about``."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    size = len(matrix.codes)
    for measure in measures:
        headers, rows = cooccurrence_table(matrix, measure, exact=True)
        number = COUNT if measure == "count" else COEFFICIENT
        columns = [SheetColumn(headers[0]), *(SheetColumn(h, number) for h in headers[1:])]
        highest = heat_highest(
            v for r, line in enumerate(rows) for i, v in enumerate(line[1:]) if i % size != r
        )

        def fill(row: int, position: int, value: object, highest: float = highest) -> str | None:
            diagonal = position == 0 or (position - 1) % size == row
            return None if diagonal else heat_hex(value, highest)

        caption = f"Co-occurrence of {brief(matrix.settings.columns)}: {DESCRIPTIONS[measure]}"
        add_table(
            workbook,
            SHEET_NAMES[measure],
            columns,
            rows,
            matrix.settings.document,
            fill=fill,
            caption=caption,
        )
    notes: list[list[Cell]] = [[label, value] for label, value in _notes(matrix)]
    notes += [[number, rule] for number, rule in enumerate(COOCCURRENCE_RULES, start=1)]
    about = [SheetColumn("setting"), SheetColumn("value", long_text=True)]
    caption = "About this co-occurrence matrix: settings and counting rules"
    add_table(workbook, "about", about, notes, matrix.settings.document, caption=caption)
    return workbook_bytes(workbook)
