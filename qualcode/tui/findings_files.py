"""The findings chapter from the matrix screen: the headless part behind its dialog.

The chapter is the one ``qualcode findings`` writes for the screen's choices: its coder
(or every coder) and, when the rows are one attribute's values, ``--by`` that attribute.
:func:`findings_command_line` is that command, so the export can be repeated from a
script. No Textual here.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.exporters.findings_formats import FINDINGS_RENDERERS
from qualcode.exporters.formats import choose_format
from qualcode.files.writing import check_target, write_file
from qualcode.services.findings import FindingsRequest, build_findings
from qualcode.services.matrices import MatrixRequest
from qualcode.services.project import Project

FINDINGS_FORMATS = tuple(FINDINGS_RENDERERS)
EXPORTS_FOLDER = Path("exports")


@dataclass(frozen=True, slots=True)
class FindingsExport:
    path: Path
    format: str


def default_findings_path(output_format: str) -> Path:
    return EXPORTS_FOLDER / f"findings.{output_format}"


def findings_request(matrix: MatrixRequest) -> FindingsRequest:
    """The chapter for the matrix on screen: the same coders; split by the attribute
    when the rows are one attribute's values (crossed attributes are not split)."""
    rows = matrix.rows.strip()
    by = rows if rows.startswith("attribute:") and "," not in rows else None
    return FindingsRequest(coders=matrix.coders, where=matrix.where, by=by)


def findings_command_line(location: str, request: FindingsRequest, export: FindingsExport) -> str:
    """The ``qualcode findings`` command that writes the same file."""
    words = ["qualcode", "findings", location]
    for coder in request.coders:
        words += ["--coder", coder]
    for condition in request.where:
        words += ["--where", condition]
    if request.by:
        words += ["--by", request.by]
    words += ["--format", export.format, "-o", str(export.path)]
    return shlex.join(words)


def write_findings(project: Project, request: FindingsRequest, export: FindingsExport) -> Path:
    """Build the chapter as ``qualcode findings`` does and write it through the one
    writer (:mod:`qualcode.files.writing`). A missing ``exports/`` folder is created;
    a file name whose suffix disagrees with the format is a one-line error. Returns the
    path written."""
    path = export.path
    if not path.name or path.is_dir():
        raise InputError(str(path), "name a file to write, e.g. exports/findings.docx")
    choose_format(export.format, str(path), FINDINGS_FORMATS, export.format)
    if path.parent == EXPORTS_FOLDER and not os.path.lexists(path.parent):
        path.parent.mkdir()
    check_target(path)  # before building: a bad target is refused at once
    write_file(path, FINDINGS_RENDERERS[export.format](build_findings(project, request)))
    return path
