"""Code trees of any depth are built and walked without recursion; the services keep new
codes within MAX_CODE_DEPTH levels."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest

from qualcode.domain.codebook import CodeSpec, StoredCode, code_tree, nest, walk
from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.text_entry import MAX_CODE_DEPTH
from qualcode.services.codebook import export_codebook, list_codes
from qualcode.services.codebook_edit import add_code, edit_code
from qualcode.services.project import Project

DEEP = 5000  # far beyond Python's recursion limit


def _chain(levels: int) -> list[StoredCode]:
    rows = [(i, i - 1 if i > 1 else None, CodeSpec(f"c{i}")) for i in range(1, levels + 1)]
    return code_tree(rows)


def test_a_deep_tree_is_built_walked_and_nested() -> None:
    codes = _chain(DEEP)
    assert [code.id for code in codes] == list(range(1, DEEP + 1))
    assert codes[-1].path.count("/") == DEEP - 1
    top = nest(codes, lambda code, children: replace(code.spec, children=children))
    paths = [path for path, _ in walk(top)]
    assert paths == [code.path for code in codes]


def test_nest_keeps_sibling_order_and_matches_a_recursive_build() -> None:
    rows = [
        (1, None, CodeSpec("a")),
        (2, 1, CodeSpec("b")),
        (3, 2, CodeSpec("c")),
        (4, 1, CodeSpec("d")),
        (5, None, CodeSpec("e")),
        (6, 5, CodeSpec("f")),
    ]
    codes = code_tree(rows)

    def recursive(parent: int | None) -> tuple[CodeSpec, ...]:
        kids = [c for c in codes if c.parent_id == parent]
        return tuple(replace(c.spec, children=recursive(c.id)) for c in kids)

    assert nest(codes, lambda code, kids: replace(code.spec, children=kids)) == recursive(None)


def test_a_cycle_in_stored_rows_is_left_out_not_looped() -> None:
    rows = [(1, None, CodeSpec("a")), (2, 3, CodeSpec("b")), (3, 2, CodeSpec("c"))]
    assert [code.path for code in code_tree(rows)] == ["a"]


def test_new_codes_stay_within_the_depth_limit(project: Project) -> None:
    parent = None
    for level in range(MAX_CODE_DEPTH):
        parent = add_code(project, CodeSpec(f"level {level + 1}"), parent, "anna")
    with pytest.raises(LimitError, match=f"at most {MAX_CODE_DEPTH} levels"):
        add_code(project, CodeSpec("one too deep"), parent, "anna")
    # moving a two-level branch under level 19 would make 21 levels
    branch = add_code(project, CodeSpec("branch"), None, "anna")
    add_code(project, CodeSpec("leaf"), branch, "anna")
    level_19 = next(c.id for c in list_codes(project) if c.spec.name == "level 19")
    with pytest.raises(LimitError):
        edit_code(project, branch, CodeSpec("branch"), "anna", parent_id=level_19)
    assert len(export_codebook(project).codes) == 2


def test_sibling_names_that_look_alike_are_refused(project: Project) -> None:
    add_code(project, CodeSpec("Café"), None, "anna")
    for twin in (unicodedata.normalize("NFD", "Café"), "café", "CAFÉ"):
        with pytest.raises(InputError, match="exists already"):
            add_code(project, CodeSpec(twin), None, "anna")
    add_code(project, CodeSpec(unicodedata.normalize("NFD", "Cafés")), None, "anna")
    assert {code.spec.name for code in list_codes(project)} == {"Café", "Cafés"}
