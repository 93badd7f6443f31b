"""A survey imports alike into SQLite and PostgreSQL: the bulk writes of cases, values and
turn assignments, a second import that changes nothing, and one that corrects values."""

from __future__ import annotations

from pathlib import Path

from qualcode.domain.survey import SurveyColumns
from qualcode.services.cases import list_cases
from qualcode.services.project import init_project
from qualcode.services.survey import import_survey
from tests.conftest import write

COLUMNS = SurveyColumns("id", ("svar",))


def test_every_backend_stores_a_survey_alike(location: str, tmp_path: Path) -> None:
    project = init_project(location)
    first = write(tmp_path / "v1.csv", "id;by;svar\nA;Ry;Fint\nB;Ry;\nC;Ærø;Godt nok\n")
    outcome = import_survey(project, first, COLUMNS)
    assert (outcome.unchanged, outcome.new_cases, outcome.values_set) == (False, 3, 3)
    assert import_survey(project, first, COLUMNS).unchanged
    second = write(tmp_path / "v2.csv", "id;by;svar\nA;Ry;Fint\nB;Vejle;\nC;Ærø;Godt nok\n")
    assert import_survey(project, second, COLUMNS).values_set == 1
    cases = {case.name: case for case in list_cases(project)}
    assert {name: dict(case.attributes) for name, case in cases.items()} == {
        "A": {"by": "Ry"},
        "B": {"by": "Vejle"},
        "C": {"by": "Ærø"},
    }
    # B answered nothing: a case with its values, covering no text
    spans = {
        name: [(a.start, a.end, a.speaker) for a in c.assignments] for name, c in cases.items()
    }
    assert spans == {"A": [(3, 7, "A")], "B": [], "C": [(12, 20, "C")]}
    project.close()
