"""Hypothesis properties of matrices on random small projects: the counted matrix equals
the brute-force per-character computation (tests/matrices/brute_force.py), and the
relations between measures hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.domain.cases import AttributeDef, AttributeType
from qualcode.domain.matrices import Matrix, Measure
from qualcode.domain.matrix_cooccurrence import overlap_events
from qualcode.domain.matrix_counting import count_matrix
from qualcode.domain.matrix_intervals import count_coded_words, merge_intervals, word_mask
from qualcode.domain.matrix_rows import (
    CaseInfo,
    CoderGroups,
    Columns,
    RowSet,
    TranscriptInfo,
    attribute_rows,
    build_layout,
    case_rows,
    transcript_rows,
)
from qualcode.domain.words import WORD_PATTERN
from tests.hypothesis_profiles import examples
from tests.matrices.brute_force import BruteRow, brute_matrix

# Letters (Danish and beyond Latin-1), digits, joiners, spaces, punctuation, newlines.
ALPHABET = "abæø7ł -’'‐.,\n"
# A codebook tree: themes 1, 2, 3; sub-codes 11 and 12 of 1, 21 of 2.
PARENT = {1: None, 11: 1, 12: 1, 2: None, 21: 2, 3: None}
CODERS = (1, 2, 3)


@dataclass(frozen=True)
class RandomProject:
    texts: dict[int, str]
    cases: dict[int, dict[int, list[tuple[int, int]]]]
    values: dict[int, str]
    codings: list[tuple[int, int, int, int, int]]


def spans_in(
    draw: Callable[[st.SearchStrategy[int]], int], length: int, most: int
) -> list[tuple[int, int]]:
    if length == 0:
        return []
    found = []
    for _ in range(draw(st.integers(0, most))):
        start = draw(st.integers(0, length - 1))
        found.append((start, draw(st.integers(start + 1, length))))
    return found


@st.composite
def projects(draw: st.DrawFn) -> RandomProject:
    texts = {
        tid: draw(st.text(alphabet=ALPHABET, max_size=30))
        for tid in range(1, draw(st.integers(1, 3)) + 1)
    }
    cases: dict[int, dict[int, list[tuple[int, int]]]] = {}
    for case in range(1, draw(st.integers(0, 3)) + 1):
        cases[case] = {}
        for tid, text in texts.items():
            spans = spans_in(draw, len(text), 2)
            if spans:
                cases[case][tid] = spans
    codings = []
    for tid, text in texts.items():
        for start, end in spans_in(draw, len(text), 8):
            code = draw(st.sampled_from(sorted(PARENT)))
            codings.append((tid, code, draw(st.sampled_from(CODERS)), start, end))
    values = {case: draw(st.sampled_from(["x", "y", ""])) for case in cases}
    return RandomProject(texts, cases, values, codings)


def descendants(code: int) -> frozenset[int]:
    found = {code}
    changed = True
    while changed:
        more = {c for c, parent in PARENT.items() if parent in found}
        changed = not more <= found
        found |= more
    return frozenset(found)


def counted(
    project: RandomProject, rows_kind: str, columns_kind: str, groups: list[frozenset[int]]
) -> tuple[Matrix, list[BruteRow], list[frozenset[int]]]:
    infos = [
        CaseInfo(
            case,
            f"case {case}",
            {"kind": project.values[case]},
            {tid: tuple(merge_intervals(s)) for tid, s in spans.items()},
        )
        for case, spans in project.cases.items()
    ]
    transcripts = [TranscriptInfo(tid, f"t{tid}", len(t)) for tid, t in project.texts.items()]
    rows: RowSet
    if rows_kind == "cases":
        rows = case_rows(infos)
    elif rows_kind == "transcripts":
        rows = transcript_rows(transcripts)
    else:
        rows = attribute_rows(infos, [AttributeDef("kind", AttributeType.TEXT)])
    if columns_kind == "themes":
        codes = [c for c, parent in PARENT.items() if parent is None]
        members = [descendants(c) for c in codes]
    else:
        codes = sorted(PARENT)
        members = [frozenset({c}) for c in codes]
    code_columns: dict[int, tuple[int, ...]] = {}
    for column, found in enumerate(members):
        for code in found:
            code_columns[code] = (*code_columns.get(code, ()), column)
    layout = build_layout(
        rows,
        infos,
        Columns(tuple(str(c) for c in codes), tuple(codes), code_columns),
        CoderGroups(
            tuple(str(sorted(g)) for g in groups),
            {coder: i for i, g in enumerate(groups) for coder in g},
        ),
    )
    matrix = count_matrix(layout, sorted(project.codings), text_of=project.texts.__getitem__)
    brute_rows = [
        BruteRow(region, None if m is None else frozenset(m))
        for region, m in zip(rows.regions, rows.members, strict=True)
    ]
    return matrix, brute_rows, members


row_kinds = st.sampled_from(["cases", "transcripts", "attribute"])
column_kinds = st.sampled_from(["themes", "codes"])
coder_groups = st.sampled_from(
    [[frozenset(CODERS)], [frozenset({1}), frozenset({2, 3})], [frozenset({2})]]
)


@settings(max_examples=examples(150), deadline=None)
@given(projects(), row_kinds, column_kinds, coder_groups)
def test_matrix_equals_brute_force(
    project: RandomProject, rows_kind: str, columns_kind: str, groups: list[frozenset[int]]
) -> None:
    matrix, rows, columns = counted(project, rows_kind, columns_kind, groups)
    expected = brute_matrix(project.texts, project.cases, project.codings, rows, columns, groups)
    measures = {
        "references": Measure.REFERENCES,
        "characters": Measure.CHARACTERS,
        "words": Measure.WORDS,
        "transcripts": Measure.TRANSCRIPTS,
        "cases": Measure.CASES,
        "presence": Measure.PRESENCE,
    }
    assert len(matrix.rows) == len(rows)
    for (group, row, column), values in expected.items():
        for name, measure in measures.items():
            assert matrix.value(measure, group, row, column) == values[name], (name, row, column)
        coverage = values["coverage"]
        assert matrix.value(Measure.COVERAGE, group, row, column) == (
            None if coverage is None else round(float(coverage), 2)
        )


@settings(max_examples=examples(100), deadline=None)
@given(projects(), row_kinds, column_kinds, coder_groups)
def test_relations_between_measures(
    project: RandomProject, rows_kind: str, columns_kind: str, groups: list[frozenset[int]]
) -> None:
    matrix, _, _ = counted(project, rows_kind, columns_kind, groups)
    n_rows, n_cols = len(matrix.rows), len(matrix.columns)
    for block in range(len(matrix.blocks)):
        for column in range(n_cols + 1):
            # References summed over the rows equal the column total.
            column_refs = [
                matrix.value(Measure.REFERENCES, block, r, column) for r in range(n_rows)
            ]
            assert sum(v for v in column_refs if isinstance(v, int)) == matrix.value(
                Measure.REFERENCES, block, n_rows, column
            )
        for row in range(n_rows + 1):
            for column in range(n_cols + 1):
                refs = matrix.value(Measure.REFERENCES, block, row, column)
                coverage = matrix.value(Measure.COVERAGE, block, row, column)
                assert coverage is None or 0 <= coverage <= 100
                if row < n_rows and column < n_cols:
                    presence = matrix.value(Measure.PRESENCE, block, row, column)
                    assert presence == int(isinstance(refs, int) and refs > 0)
                words = matrix.value(Measure.WORDS, block, row, column)
                chars = matrix.value(Measure.CHARACTERS, block, row, column)
                assert isinstance(words, int)
                assert isinstance(chars, int)
                assert isinstance(refs, int)
                assert refs <= chars  # every reference holds at least one character
                assert words <= chars


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.data())
def test_word_mask_counts_the_tokenizers_words(text: str, data: st.DataObject) -> None:
    mask = word_mask(text)
    assert len(mask) == len(text)
    words = [(m.start(), m.end()) for m in WORD_PATTERN.finditer(text)]
    assert mask.count(b" w") + (mask[:1] == b"w") == len(words)
    raw = spans_in(data.draw, len(text), 4)
    pieces = merge_intervals(raw)
    expected = sum(1 for s, e in words if any(a < e and s < b for a, b in pieces))
    assert count_coded_words(mask, pieces) == expected


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_overlap_events_are_chains(data: st.DataObject) -> None:
    first = merge_intervals(spans_in(data.draw, 40, 5))
    second = merge_intervals(spans_in(data.draw, 40, 5))
    # Brute force: connected components of the "overlaps" graph that have an edge.
    nodes = [("a", i) for i in range(len(first))] + [("b", j) for j in range(len(second))]
    parent = {node: node for node in nodes}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        while parent[node] != node:
            node = parent[node]
        return node

    edges = [
        (("a", i), ("b", j))
        for i, (a1, a2) in enumerate(first)
        for j, (b1, b2) in enumerate(second)
        if a1 < b2 and b1 < a2
    ]
    for x, y in edges:
        parent[root(x)] = root(y)
    expected = len({root(x) for x, _ in edges})
    events = overlap_events(first, second)
    assert events == expected
    assert events <= min(len(first), len(second))


def test_word_rule_examples() -> None:
    text = "the family-centred plan, don’t"
    mask = word_mask(text)
    assert count_coded_words(mask, [(10, 11)]) == 1  # only the hyphen: the word counts
    assert count_coded_words(mask, [(4, 8), (12, 14)]) == 1  # two cuts of one word
    assert count_coded_words(mask, [(0, 3), (4, 6)]) == 2  # "the", "family-centred"
    assert count_coded_words(mask, [(18, 19)]) == 0  # the space between words
    assert count_coded_words(mask, [(28, 29)]) == 1  # the ’ inside "don’t"
