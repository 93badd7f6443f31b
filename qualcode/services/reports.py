"""The "quotes by theme" report: all passages of one code, grouped by case."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.matrix_report import ReportSection, ThemeReport
from qualcode.services.blind_rounds import refuse_in_round
from qualcode.services.cases import list_cases
from qualcode.services.integrity import ensure_sound
from qualcode.services.matrices import (
    OUTSIDE_CASES,
    MatrixRequest,
    build_matrix,
    resolve_listed_code,
)
from qualcode.storage.database import Project


def build_theme_report(
    project: Project,
    code: str,
    *,
    coders: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    cases: Sequence[str] = (),
    where: Sequence[str] = (),
) -> ThemeReport:
    """Every passage of ``code`` and its sub-codes (the chosen coders' codings merged, as
    in matrices), case by case in case order, each case with its attribute values and
    its framework summary. Coded text outside every case comes last. Refused during a
    blind round (:class:`~qualcode.domain.errors.BlindRoundError`)."""
    refuse_in_round(project, "report", coders)  # named for the command run
    with project.reading() as uow:
        ensure_sound(uow, project.location)
        resolved = resolve_listed_code(uow, code)
    matrix = build_matrix(
        project,
        MatrixRequest(
            rows="cases",
            columns=resolved.path,
            coders=tuple(coders),
            transcripts=tuple(transcripts),
            cases=tuple(cases),
            where=tuple(where),
            words=False,
            passages=True,
            outside_cases=True,
        ),
    )
    attributes = {case.name: case.attributes for case in list_cases(project)}
    sections: list[ReportSection] = []
    for row, name in enumerate(matrix.rows):
        passages = matrix.cell_passages(0, row, 0)
        summary = matrix.summaries.get((row, 0))
        if not passages and summary is None:
            continue
        outside = name == OUTSIDE_CASES and row == len(matrix.rows) - 1
        sections.append(
            ReportSection(
                case=None if outside else name,
                attributes=() if outside else tuple((a, v) for a, v in attributes[name] if v),
                summary=summary,
                passages=passages,
            )
        )
    return ThemeReport(
        code=resolved.path,
        description=resolved.spec.description,
        sections=tuple(sections),
        settings=matrix.settings,
    )
