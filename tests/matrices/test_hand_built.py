"""Every cell of every measure of the fixture project (tests/matrices/fixture.py), worked
out by hand. Spans are half-open code-point offsets; "∪" merges overlapping or touching
spans.

The themes' codings after roll-up and merging, coders c1 and c2 together:

    T in interview-1: [3,10) [6,16) [16,20) [20,24) [24,33) [30,39)  →  [3,39)  (36 chars)
    T in focus-1:     [19,52) [53,60)  (52 < 53: a gap, not touching)
    U in interview-1: [34,45) [42,45)  →  [34,45)  (11 chars)
    U in focus-1:     [13,18)

Row text: Case A = interview-1 [0,46) = 46 chars; Case P = [13,23) + [47,60) = 10 + 13 =
23 chars; Case Q = [38,43) = 5 chars; all rows together 46 + 23 + 5 = 74 chars.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.domain.matrices import Matrix, Measure
from qualcode.services.matrices import MatrixRequest, build_cooccurrence, build_matrix
from qualcode.services.project import Project
from qualcode.services.reports import build_theme_report
from tests.matrices.fixture import SUMMARY, build_fixture

Row = tuple[int | float | None, ...]


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    project = build_fixture(tmp_path_factory.mktemp("fixture"))
    yield project
    project.close()


def grid(matrix: Matrix, measure: Measure, block: int = 0) -> dict[str, Row]:
    """Row label -> the row's values, Total column last; the Total row under "Total"."""
    labels = [*matrix.rows, "Total"]
    return {
        label: tuple(matrix.value(measure, block, r, c) for c in range(len(matrix.columns) + 1))
        for r, label in enumerate(labels)
    }


# Cases × themes, c1 ∪ c2. Columns: T, U, Total.
CASES_BY_THEMES: dict[Measure, dict[str, Row]] = {
    Measure.REFERENCES: {
        # Case A: T [3,39) is one run; U [34,45) one run.       Total 1 + 1
        "Case A": (1, 1, 2),
        # Case P: T [19,52) ∩ P's text = [19,23) + [47,52), and [53,60): 3 stretches;
        # U [13,18): 1.                                          Total 3 + 1
        "Case P": (3, 1, 4),
        # Case Q: T [19,52) ∩ [38,43) = [38,43): 1; no U.
        "Case Q": (1, 0, 1),
        # Total row adds the rows: T 1 + 3 + 1, U 1 + 1 + 0, all 2 + 4 + 1.
        "Total": (5, 2, 7),
    },
    Measure.CHARACTERS: {
        # Case A: T 39 - 3 = 36; U 45 - 34 = 11; Total 36 + 11.
        "Case A": (36, 11, 47),
        # Case P: T (23-19) + (52-47) + (60-53) = 4 + 5 + 7 = 16; U 18 - 13 = 5.
        "Case P": (16, 5, 21),
        "Case Q": (5, 0, 5),  # T 43 - 38 = 5
        "Total": (57, 16, 73),  # 36 + 16 + 5; 11 + 5 + 0; 47 + 21 + 5
    },
    Measure.WORDS: {
        # Case A: T [3,39) "one two three\nR: four five-six seven" = one two three R four
        # five-six seven = 7; U [34,45) "seven eight" = 2.
        "Case A": (7, 2, 9),
        # Case P: T "beta" + "delta" + "epsilon" = 3; U "alpha" = 1.
        "Case P": (3, 1, 4),
        "Case Q": (1, 0, 1),  # "gamma"
        "Total": (11, 3, 14),  # 7 + 3 + 1; 2 + 1; 9 + 4 + 1
    },
    Measure.COVERAGE: {
        # Case A: 36/46 = 78.26 %; 11/46 = 23.91 %; Total: T ∪ U = [3,45) = 42 → 42/46.
        "Case A": (78.26, 23.91, 91.3),
        # Case P: 16/23 = 69.57 %; 5/23 = 21.74 %; Total (16 + 5 disjoint) 21/23 = 91.30 %.
        "Case P": (69.57, 21.74, 91.3),
        "Case Q": (100.0, 0.0, 100.0),  # 5/5
        # Total row over all rows' 74 chars: T 57/74 = 77.03 %; U 16/74 = 21.62 %;
        # everything coded: 42 + 21 + 5 = 68 → 68/74 = 91.89 %.
        "Total": (77.03, 21.62, 91.89),
    },
    Measure.PRESENCE: {
        "Case A": (1, 1, 2),  # totals count the columns where the code is present
        "Case P": (1, 1, 2),
        "Case Q": (1, 0, 1),
        "Total": (3, 2, 5),  # T present in 3 rows, U in 2; 5 cells present
    },
    Measure.TRANSCRIPTS: {
        "Case A": (1, 1, 1),
        "Case P": (1, 1, 1),
        "Case Q": (1, 0, 1),
        # Counted once each: T in interview-1 and focus-1 (not 1 + 1 + 1 = 3).
        "Total": (2, 2, 2),
    },
    Measure.CASES: {
        "Case A": (1, 1, 1),
        "Case P": (1, 1, 1),
        "Case Q": (1, 0, 1),
        "Total": (3, 2, 3),  # T: A, P, Q; U: A, P; any: A, P, Q
    },
    Measure.ROW_PCT: {
        "Case A": (50.0, 50.0, 100.0),  # 1/2, 1/2
        "Case P": (75.0, 25.0, 100.0),  # 3/4, 1/4
        "Case Q": (100.0, 0.0, 100.0),  # 1/1, 0/1
        "Total": (71.43, 28.57, 100.0),  # 5/7, 2/7
    },
    Measure.COL_PCT: {
        "Case A": (20.0, 50.0, 28.57),  # 1/5, 1/2, 2/7
        "Case P": (60.0, 50.0, 57.14),  # 3/5, 1/2, 4/7
        "Case Q": (20.0, 0.0, 14.29),  # 1/5, 0/2, 1/7
        "Total": (100.0, 100.0, 100.0),
    },
}


@pytest.fixture(scope="module")
def cases_by_themes(fixture_project: Project) -> Matrix:
    return build_matrix(fixture_project, MatrixRequest(passages=True))


def test_rows_columns_and_row_text(cases_by_themes: Matrix) -> None:
    assert cases_by_themes.rows == ("Case A", "Case P", "Case Q")
    assert cases_by_themes.columns == ("T", "U")
    assert cases_by_themes.row_characters == (46, 23, 5)
    assert cases_by_themes.total_characters == 74
    assert [b.group for b in cases_by_themes.blocks] == ["c1 + c2"]


@pytest.mark.parametrize("measure", list(CASES_BY_THEMES), ids=lambda m: m.value)
def test_every_cell_of_cases_by_themes(cases_by_themes: Matrix, measure: Measure) -> None:
    assert grid(cases_by_themes, measure) == CASES_BY_THEMES[measure]


def test_passages_and_summary_of_cells(cases_by_themes: Matrix) -> None:
    # Case P × T: the three stretches, each with its speaker, codes and coders.
    found = [
        (p.start, p.end, p.text, p.speakers, p.codes, p.coders)
        for p in cases_by_themes.cell_passages(0, 1, 0)
    ]
    assert found == [
        (19, 23, "beta", ("P",), ("T",), ("c1",)),
        (47, 52, "delta", ("P",), ("T",), ("c1",)),
        (53, 60, "epsilon", ("P",), ("T/a",), ("c2",)),
    ]
    # Case A × T: one passage over both speakers' turns, all three codes, both coders.
    (passage,) = cases_by_themes.cell_passages(0, 0, 0)
    assert (passage.start, passage.end, passage.speakers) == (3, 39, ("I", "R"))
    assert passage.text == "one two three\nR: four five-six seven"
    assert (passage.codes, passage.coders) == (("T", "T/a", "T/b"), ("c1", "c2"))
    assert cases_by_themes.cell_passages(0, 2, 1) == ()  # Case Q × U: nothing
    # Passages per cell = references per cell.
    for row in range(3):
        for column in range(2):
            assert len(cases_by_themes.cell_passages(0, row, column)) == cases_by_themes.value(
                Measure.REFERENCES, 0, row, column
            )
    summary = cases_by_themes.summaries[(1, 0)]
    assert (summary.case, summary.code, summary.text, summary.author) == (
        "Case P",
        "T",
        SUMMARY,
        "c1",
    )
    assert set(cases_by_themes.summaries) == {(1, 0)}


def test_coders_kept_separate(fixture_project: Project) -> None:
    matrix = build_matrix(fixture_project, MatrixRequest(separate_coders=True))
    assert [b.group for b in matrix.blocks] == ["c1", "c2"]
    # c1: T in interview-1 [20,24) ∪ [24,33) ∪ [30,39) = [20,39), 19 chars; in focus-1
    # [19,52) → P [19,23) + [47,52) (2 refs, 4 + 5 = 9 chars), Q [38,43) (5 chars);
    # U [42,45) in interview-1 (3 chars, the word "eight").
    assert grid(matrix, Measure.REFERENCES, 0) == {
        "Case A": (1, 1, 2),
        "Case P": (2, 0, 2),
        "Case Q": (1, 0, 1),
        "Total": (4, 1, 5),
    }
    assert grid(matrix, Measure.CHARACTERS, 0) == {
        "Case A": (19, 3, 22),
        "Case P": (9, 0, 9),
        "Case Q": (5, 0, 5),
        "Total": (33, 3, 36),
    }
    # c2: T in interview-1 [3,10) ∪ [6,16) ∪ [16,20) = [3,20), 17 chars; focus-1 [53,60)
    # (7 chars, P); U [34,45) (11 chars, A) and [13,18) (5 chars, P).
    assert grid(matrix, Measure.REFERENCES, 1) == {
        "Case A": (1, 1, 2),
        "Case P": (1, 1, 2),
        "Case Q": (0, 0, 0),
        "Total": (2, 2, 4),
    }
    assert grid(matrix, Measure.CHARACTERS, 1) == {
        "Case A": (17, 11, 28),
        "Case P": (7, 5, 12),
        "Case Q": (0, 0, 0),
        "Total": (24, 16, 40),
    }
    # c2's words: [3,20) "one two three\nR: " = one two three R = 4; "seven eight" = 2.
    assert grid(matrix, Measure.WORDS, 1)["Case A"] == (4, 2, 6)
    # The union counts fewer references than the coders' blocks added up: 7 < 5 + 4.
    union = build_matrix(fixture_project, MatrixRequest())
    assert union.value(Measure.REFERENCES, 0, 3, 2) == 7


def test_transcripts_as_rows(fixture_project: Project) -> None:
    matrix = build_matrix(fixture_project, MatrixRequest(rows="transcripts"))
    assert matrix.rows == ("focus-1", "interview-1")
    assert matrix.row_characters == (61, 46)
    # focus-1: T [19,52) and [53,60): 2 refs, 33 + 7 = 40 chars, 40/61 = 65.57 %; words
    # beta M and you Q gamma P delta + epsilon = 9; the cases touched: P and Q.
    # U [13,18): 1 ref, 5 chars, 5/61 = 8.20 %, "alpha", case P.
    expected = {
        Measure.REFERENCES: {"focus-1": (2, 1, 3), "interview-1": (1, 1, 2), "Total": (3, 2, 5)},
        Measure.CHARACTERS: {
            "focus-1": (40, 5, 45),
            "interview-1": (36, 11, 47),
            "Total": (76, 16, 92),
        },
        Measure.WORDS: {"focus-1": (9, 1, 10), "interview-1": (7, 2, 9), "Total": (16, 3, 19)},
        # Totals: focus-1 T ∪ U = 45 chars → 45/61 = 73.77 %; interview-1 42/46 = 91.30 %;
        # Total row over 61 + 46 = 107: T 76/107 = 71.03 %, U 16/107 = 14.95 %, all 87/107.
        Measure.COVERAGE: {
            "focus-1": (65.57, 8.2, 73.77),
            "interview-1": (78.26, 23.91, 91.3),
            "Total": (71.03, 14.95, 81.31),
        },
        Measure.CASES: {"focus-1": (2, 1, 2), "interview-1": (1, 1, 1), "Total": (3, 2, 3)},
        Measure.TRANSCRIPTS: {"focus-1": (1, 1, 1), "interview-1": (1, 1, 1), "Total": (2, 2, 2)},
    }
    for measure, rows in expected.items():
        assert grid(matrix, measure) == rows, measure


def test_speakers_as_rows(fixture_project: Project) -> None:
    matrix = build_matrix(fixture_project, MatrixRequest(rows="speakers"))
    assert matrix.rows == ("I", "M", "P", "Q", "R")
    # I [3,16): 13 chars; M [3,9) + [27,34): 6 + 7 = 13; P 23; Q 5; R [20,45): 25.
    assert matrix.row_characters == (13, 13, 23, 5, 25)
    assert grid(matrix, Measure.CHARACTERS) == {
        "I": (13, 0, 13),  # T [3,39) ∩ [3,16)
        "M": (7, 0, 7),  # T [19,52) ∩ [27,34) = "and you"
        "P": (16, 5, 21),
        "Q": (5, 0, 5),
        "R": (19, 11, 30),  # T [3,39) ∩ [20,45) = [20,39); U [34,45)
        "Total": (60, 16, 76),
    }
    # M's "and you" lies in no case's text: a reference, but no case.
    assert grid(matrix, Measure.REFERENCES)["M"] == (1, 0, 1)
    assert grid(matrix, Measure.CASES)["M"] == (0, 0, 0)
    assert grid(matrix, Measure.CASES)["R"] == (1, 1, 1)  # interview-1 is Case A's text


def test_crossed_attributes_as_rows(fixture_project: Project) -> None:
    matrix = build_matrix(fixture_project, MatrixRequest(rows="attribute:group,attribute:years"))
    # group is text (alphabetical), years a number (3 before 10).
    assert matrix.rows == ("parent × 3", "worker × 3", "worker × 10")
    assert matrix.row_dimension == "group × years"
    # Each value pair has one case: Case A, Case Q, Case P.
    assert grid(matrix, Measure.REFERENCES) == {
        "parent × 3": (1, 1, 2),
        "worker × 3": (1, 0, 1),
        "worker × 10": (3, 1, 4),
        "Total": (5, 2, 7),
    }
    one = build_matrix(fixture_project, MatrixRequest(rows="attribute:group"))
    # worker = Case P + Case Q: T 3 + 1 references, 16 + 5 chars over 23 + 5 = 28 chars.
    assert grid(one, Measure.CHARACTERS)["worker"] == (21, 5, 26)
    assert grid(one, Measure.COVERAGE)["worker"] == (75.0, 17.86, 92.86)  # 21/28, 5/28, 26/28
    assert grid(one, Measure.CASES)["worker"] == (2, 1, 2)


def test_filters_cut_every_row(fixture_project: Project) -> None:
    matrix = build_matrix(fixture_project, MatrixRequest(where=("group=worker",)))
    assert matrix.rows == ("Case P", "Case Q")  # Case A's text is filtered out
    assert matrix.settings.filters == ("group = worker",)
    by_transcript = build_matrix(
        fixture_project, MatrixRequest(rows="transcripts", cases=("Case Q",))
    )
    # Only Q's turn [38,43) is left: focus-1 reads 5 characters, all coded with T.
    assert by_transcript.rows == ("focus-1",)
    assert grid(by_transcript, Measure.CHARACTERS) == {"focus-1": (5, 0, 5), "Total": (5, 0, 5)}
    only_c2 = build_matrix(fixture_project, MatrixRequest(coders=("c2",), transcripts=("focus-1",)))
    assert grid(only_c2, Measure.REFERENCES) == {
        "Case P": (1, 1, 2),
        "Case Q": (0, 0, 0),
        "Total": (1, 1, 2),
    }


def test_codes_and_listed_columns(fixture_project: Project) -> None:
    codes = build_matrix(fixture_project, MatrixRequest(columns="codes"))
    assert codes.columns == ("T", "T/a", "T/b", "U")
    # Each code alone in Case A: T [30,39) 9; T/a [20,33) 13; T/b [3,20) 17; U 11.
    assert grid(codes, Measure.CHARACTERS)["Case A"] == (9, 13, 17, 11, 50)
    listed = build_matrix(fixture_project, MatrixRequest(columns="T/b,T"))
    assert listed.columns == ("T/b", "T")  # T includes its sub-codes
    assert grid(listed, Measure.CHARACTERS)["Case A"] == (17, 36, 53)


def test_cooccurrence_counts_overlap_events(fixture_project: Project) -> None:
    found = build_cooccurrence(fixture_project, MatrixRequest(columns="codes"))
    assert found.codes == ("T", "T/a", "T/b", "U")
    # References: T [30,39), [19,52) = 2; T/a [20,33), [53,60) = 2; T/b [3,20) = 1;
    # U [34,45), [13,18) = 2. Events: T × T/a [30,39)∩[20,33); T × U [30,39)∩[34,45);
    # T/a × T/b only touch at 20 (no shared character); [19,52) and [53,60) do not meet.
    assert found.blocks[0].counts == (
        (2, 1, 0, 1),
        (1, 2, 0, 0),
        (0, 0, 1, 0),
        (1, 0, 0, 2),
    )
    block = found.blocks[0]
    assert block.coefficient(0, 1) == 0.333  # 1 / (2 + 2 - 1)
    assert block.coefficient(0, 3) == 0.333
    assert block.coefficient(2, 3) == 0.0  # 0 / (1 + 2)
    assert block.coefficient(1, 1) == 1.0


def test_theme_report_groups_passages_by_case(fixture_project: Project) -> None:
    report = build_theme_report(fixture_project, "T")
    assert [s.title for s in report.sections] == ["Case A", "Case P", "Case Q", "Outside any case"]
    assert report.sections[0].attributes == (("group", "parent"), ("years", "3"))
    assert report.sections[1].summary is not None
    assert [p.text for p in report.sections[1].passages] == ["beta", "delta", "epsilon"]
    # Outside every case, the long c1 coding [19,52) keeps what lies between P's and Q's
    # turns: [23,38) "\nM: and you\nQ: " (in M's turn) and [43,47) "\nP: " (in no turn).
    assert [(p.start, p.end, p.speakers) for p in report.sections[3].passages] == [
        (23, 38, ("M",)),
        (43, 47, ()),
    ]
    assert report.passage_count == 1 + 3 + 1 + 2


def test_empty_project_gives_headers_only(tmp_path: Path) -> None:
    from qualcode.services.project import init_project

    project = init_project(tmp_path / "empty.qualcode")
    matrix = build_matrix(project, MatrixRequest())
    assert (matrix.rows, matrix.columns) == ((), ())
    assert grid(matrix, Measure.REFERENCES) == {"Total": (0,)}
    assert grid(matrix, Measure.COVERAGE) == {"Total": (None,)}
