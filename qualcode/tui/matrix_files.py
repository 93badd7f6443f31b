"""Export of the matrix screen's matrix: the headless part behind the export dialog.

The dialog collects a path, a format and whether to take every measure; this module
builds the same matrix ``qualcode matrix`` would for those options, renders it with the
renderers the command line uses (:data:`qualcode.exporters.matrix_formats.MATRIX_RENDERERS`)
and writes the file. :func:`command_line` is that equivalent command, so an export can be
repeated from a script. No Textual here.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.domain.matrices import Measure
from qualcode.exporters.formats import choose_format
from qualcode.exporters.matrix_formats import MATRIX_RENDERERS, render_matrix
from qualcode.files.writing import check_target, write_file
from qualcode.services.matrices import MatrixRequest, build_matrix
from qualcode.services.project import Project

EXPORT_FORMATS = tuple(MATRIX_RENDERERS)
EXPORTS_FOLDER = Path("exports")
# what `qualcode matrix` takes without --measure: one table for csv and md, all else
ALL_BY_DEFAULT = frozenset({"xlsx", "html", "json"})


@dataclass(frozen=True, slots=True)
class MatrixExport:
    """What the dialog asks for: the file, its format, and every measure (with the
    passages and summaries of the framework matrix) or only the one on screen. A CSV of
    every measure is the tidy long CSV (``--long``)."""

    path: Path
    format: str
    all_measures: bool

    @property
    def long_csv(self) -> bool:
        return self.format == "csv" and self.all_measures


def default_path(output_format: str) -> Path:
    return EXPORTS_FOLDER / f"matrix.{output_format}"


def export_measures(shown: Measure, all_measures: bool) -> list[Measure]:
    return list(Measure) if all_measures else [shown]


def command_line(
    location: str, request: MatrixRequest, shown: Measure, export: MatrixExport
) -> str:
    """The ``qualcode matrix`` command that writes the same file."""
    words = ["qualcode", "matrix", location, "--rows", request.rows, "--cols", request.columns]
    words += ["--measure", "all" if export.all_measures else shown.value]
    for coder in request.coders:
        words += ["--coder", coder]
    words += ["--format", export.format]
    if export.long_csv:
        words.append("--long")
    words += ["-o", str(export.path)]
    return shlex.join(words)


def write_export(
    project: Project, request: MatrixRequest, shown: Measure, export: MatrixExport
) -> Path:
    """Count the matrix as ``qualcode matrix`` does for these options and write it
    through the one writer (:mod:`qualcode.files.writing`: a failed export leaves nothing
    half-written, and only an earlier export is replaced). A missing ``exports/`` folder
    is created; any other missing folder is a one-line error. Returns the path written."""
    path = export.path
    if not path.name or path.is_dir():
        raise InputError(str(path), "name a file to write, e.g. exports/matrix.xlsx")
    choose_format(export.format, str(path), EXPORT_FORMATS, export.format)  # suffix agrees?
    if path.parent == EXPORTS_FOLDER and not os.path.lexists(path.parent):
        path.parent.mkdir()
    check_target(path)  # before counting: a bad target is refused at once
    measures = export_measures(shown, export.all_measures)
    counted = replace(
        request,
        words=Measure.WORDS in measures,
        passages=Measure.PASSAGES in measures,
        separate_coders=False,
    )
    data = render_matrix(build_matrix(project, counted), export.format, measures)
    write_file(path, data)
    return path
