"""The "quotes by theme" report: every passage of one code, grouped by case."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.domain.matrices import FrameworkSummary, MatrixSettings, Passage

OUTSIDE_CASES = "Outside any case"


@dataclass(frozen=True, slots=True)
class ReportSection:
    """One case's passages (``case`` is ``None`` for coded text outside every case), with
    the case's attribute values and its framework summary for the code, if any."""

    case: str | None
    attributes: tuple[tuple[str, str], ...]
    summary: FrameworkSummary | None
    passages: tuple[Passage, ...]

    @property
    def title(self) -> str:
        return self.case if self.case is not None else OUTSIDE_CASES


@dataclass(frozen=True, slots=True)
class ThemeReport:
    """All passages of ``code`` (with its sub-codes), case by case."""

    code: str
    description: str | None
    sections: tuple[ReportSection, ...]
    settings: MatrixSettings

    @property
    def passage_count(self) -> int:
        return sum(len(section.passages) for section in self.sections)
