"""The hand-built matrix on each backend (SQLite file, PostgreSQL database)."""

from __future__ import annotations

from pathlib import Path

from qualcode.domain.matrices import Measure
from qualcode.services.matrices import MatrixRequest, build_cooccurrence, build_matrix
from qualcode.services.reports import build_theme_report
from tests.matrices.fixture import build_fixture
from tests.matrices.test_hand_built import CASES_BY_THEMES, grid


def test_every_backend_counts_alike(location: str, tmp_path: Path) -> None:
    project = build_fixture(tmp_path, location=location)
    try:
        matrix = build_matrix(project, MatrixRequest(passages=True))
        for measure, expected in CASES_BY_THEMES.items():
            assert grid(matrix, measure) == expected, measure
        assert [p.text for p in matrix.cell_passages(0, 1, 0)] == ["beta", "delta", "epsilon"]
        assert set(matrix.summaries) == {(1, 0)}
        speakers = build_matrix(project, MatrixRequest(rows="speakers"))
        assert grid(speakers, Measure.CHARACTERS)["M"] == (7, 0, 7)
        co = build_cooccurrence(project, MatrixRequest(columns="codes"))
        assert co.blocks[0].counts[0] == (2, 1, 0, 1)
        assert build_theme_report(project, "T").passage_count == 7
    finally:
        project.close()
