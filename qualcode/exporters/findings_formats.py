"""What a findings chapter can be written as: format name -> renderer (see
:mod:`qualcode.exporters.formats` for how a format is chosen). ``qualcode findings``
offers exactly these keys. Renderers import their writer when called (python-docx loads
only for Word, openpyxl only for XLSX)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.domain.findings_chapter import Chapter

FindingsRenderer = Callable[["Chapter"], "str | bytes"]


def _findings_markdown(chapter: Chapter) -> str:
    from qualcode.exporters.findings_markdown import findings_markdown

    return findings_markdown(chapter)


def _findings_html(chapter: Chapter) -> str:
    from qualcode.exporters.findings_html import findings_html

    return findings_html(chapter)


def _findings_docx(chapter: Chapter) -> bytes:
    from qualcode.exporters.findings_docx import findings_docx

    return findings_docx(chapter)


def _findings_xlsx(chapter: Chapter) -> bytes:
    from qualcode.exporters.findings_xlsx import findings_xlsx

    return findings_xlsx(chapter)


FINDINGS_RENDERERS: dict[str, FindingsRenderer] = {
    "md": _findings_markdown,
    "html": _findings_html,
    "docx": _findings_docx,
    "xlsx": _findings_xlsx,
}
