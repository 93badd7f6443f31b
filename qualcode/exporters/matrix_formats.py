"""What a matrix, a co-occurrence matrix and a quotes-by-theme report can be written as:
one table per kind, format name -> renderer. The command line (``qualcode matrix``,
``cooccurrence``, ``report``) and the workspace's export dialog offer exactly these keys
(see :mod:`qualcode.exporters.formats` for how a format is chosen), so a new format is one
renderer added here. Renderers import their writer when called (openpyxl and python-docx
load only for XLSX and Word).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.domain.matrices import Matrix, Measure
    from qualcode.domain.matrix_cooccurrence import Cooccurrence
    from qualcode.domain.matrix_report import ThemeReport

MatrixRenderer = Callable[["Matrix", Sequence["Measure"], bool], "str | bytes"]
CooccurrenceRenderer = Callable[["Cooccurrence", tuple[str, ...]], "str | bytes"]
ReportRenderer = Callable[["ThemeReport"], "str | bytes"]


def _matrix_xlsx(matrix: Matrix, measures: Sequence[Measure], long: bool) -> bytes:
    from qualcode.exporters.matrix_xlsx import matrix_xlsx

    return matrix_xlsx(matrix, measures)


def _matrix_csv(matrix: Matrix, measures: Sequence[Measure], long: bool) -> str:
    """Wide (one measure) or, with ``long`` or several measures, the tidy long CSV."""
    from qualcode.exporters import matrix_csv

    if long or len(measures) > 1:
        return matrix_csv.matrix_long_csv(matrix, measures)
    return matrix_csv.matrix_wide_csv(matrix, measures[0])


def _matrix_html(matrix: Matrix, measures: Sequence[Measure], long: bool) -> str:
    from qualcode.exporters.matrix_html import matrix_html

    return matrix_html(matrix, measures)


def _matrix_markdown(matrix: Matrix, measures: Sequence[Measure], long: bool) -> str:
    from qualcode.exporters.matrix_markdown import matrix_markdown

    return matrix_markdown(matrix, measures)


def _matrix_json(matrix: Matrix, measures: Sequence[Measure], long: bool) -> str:
    from qualcode.exporters.matrix_json import matrix_json

    return matrix_json(matrix, measures)


MATRIX_RENDERERS: dict[str, MatrixRenderer] = {
    "xlsx": _matrix_xlsx,
    "csv": _matrix_csv,
    "html": _matrix_html,
    "md": _matrix_markdown,
    "json": _matrix_json,
}


def render_matrix(
    matrix: Matrix, output_format: str, measures: Sequence[Measure], *, long: bool = False
) -> str | bytes:
    """``matrix`` as ``output_format`` (a key of :data:`MATRIX_RENDERERS`)."""
    return MATRIX_RENDERERS[output_format](matrix, measures, long)


def _cooccurrence_xlsx(matrix: Cooccurrence, measures: tuple[str, ...]) -> bytes:
    from qualcode.exporters.matrix_cooccurrence import cooccurrence_xlsx

    return cooccurrence_xlsx(matrix, measures)


def _cooccurrence_csv(matrix: Cooccurrence, measures: tuple[str, ...]) -> str:
    """One measure per CSV: the first asked for."""
    from qualcode.exporters.matrix_cooccurrence import cooccurrence_csv

    return cooccurrence_csv(matrix, measures[0])


def _cooccurrence_html(matrix: Cooccurrence, measures: tuple[str, ...]) -> str:
    from qualcode.exporters.matrix_cooccurrence import cooccurrence_html

    return cooccurrence_html(matrix, measures)


def _cooccurrence_markdown(matrix: Cooccurrence, measures: tuple[str, ...]) -> str:
    from qualcode.exporters.matrix_cooccurrence import cooccurrence_markdown

    return cooccurrence_markdown(matrix, measures)


def _cooccurrence_json(matrix: Cooccurrence, measures: tuple[str, ...]) -> str:
    """Both measures, always (JSON has room for them)."""
    from qualcode.exporters.matrix_cooccurrence import cooccurrence_json

    return cooccurrence_json(matrix)


COOCCURRENCE_RENDERERS: dict[str, CooccurrenceRenderer] = {
    "xlsx": _cooccurrence_xlsx,
    "csv": _cooccurrence_csv,
    "html": _cooccurrence_html,
    "md": _cooccurrence_markdown,
    "json": _cooccurrence_json,
}


def _report_markdown(report: ThemeReport) -> str:
    from qualcode.exporters.report_markdown import report_markdown

    return report_markdown(report)


def _report_html(report: ThemeReport) -> str:
    from qualcode.exporters.report_html import report_html

    return report_html(report)


def _report_docx(report: ThemeReport) -> bytes:
    from qualcode.exporters.report_docx import report_docx

    return report_docx(report)


REPORT_RENDERERS: dict[str, ReportRenderer] = {
    "md": _report_markdown,
    "html": _report_html,
    "docx": _report_docx,
}
