"""Undo and redo of reconciliation (the consensus layer's ``reconcile`` events), and
which disagreements count as settled — checked against the database."""

from __future__ import annotations

from qualcode.domain.codings import Coding
from qualcode.services import history
from qualcode.services.coding import list_codings
from qualcode.services.project import Project
from qualcode.services.reconcile import (
    DEFAULT_LAYER,
    Disagreement,
    list_disagreements,
    reconcile,
    resolve_disagreement,
)
from qualcode.services.reconcile_review import settlements

CODERS = ("anna", "bo")


def layer(project: Project) -> list[tuple[str, str, int, int]]:
    return sorted(
        (c.transcript, c.code_path, c.start, c.end)
        for c in list_codings(project, coders=[DEFAULT_LAYER])
    )


def coders_own(project: Project) -> list[Coding]:
    return list_codings(project, coders=list(CODERS))


def a_region_both_coded(project: Project) -> Disagreement:
    """A disagreement where both coders coded something, differently."""
    found, _ = list_disagreements(project, CODERS)
    return next(d for d in found if d.region.a and d.region.b and d.region.a != d.region.b)


def spans_of(found: Disagreement, side: str) -> list[tuple[str, str, int, int]]:
    spans = found.region.a if side == "a" else found.region.b
    return [(found.transcript, found.code, s.start, s.end) for s in spans]


def settle(project: Project, found: Disagreement, choice: str) -> list[Coding]:
    at = (found.region.start, found.region.end)
    return resolve_disagreement(project, CODERS, found.transcript, found.code, at, choice)


def test_undo_and_redo_a_choice_that_replaced_another(demo: Project) -> None:
    own = coders_own(demo)
    found = a_region_both_coded(demo)
    key = (found.transcript, found.code, found.region.start, found.region.end)
    settle(demo, found, "a")
    settle(demo, found, "b")  # replaces the layer's codings from the first choice
    assert layer(demo) == spans_of(found, "b")
    assert settlements(demo, CODERS)[key].choice == "b"

    step = history.undo(demo, DEFAULT_LAYER)
    assert step is not None
    assert (step.action, step.transcript, step.span) == (
        "reconcile",
        found.transcript,
        (found.region.start, found.region.end),
    )
    assert layer(demo) == spans_of(found, "a")  # the removed codings are back
    assert settlements(demo, CODERS)[key].choice == "a"

    assert history.undo(demo, DEFAULT_LAYER) is not None
    assert layer(demo) == []
    assert key not in settlements(demo, CODERS)
    assert history.undo(demo, DEFAULT_LAYER) is None

    assert history.redo(demo, DEFAULT_LAYER) is not None
    assert history.redo(demo, DEFAULT_LAYER) is not None
    assert layer(demo) == spans_of(found, "b")
    assert settlements(demo, CODERS)[key].choice == "b"
    assert coders_own(demo) == own  # the coders' own codings never changed


def test_settlements_name_a_and_b_in_the_order_asked(demo: Project) -> None:
    found = a_region_both_coded(demo)
    key = (found.transcript, found.code, found.region.start, found.region.end)
    created = settle(demo, found, "a")
    settled = settlements(demo, CODERS)[key]
    assert settled.choice == "a"
    assert settled.spans == tuple((c.start, c.end) for c in created)
    assert settlements(demo, ("bo", "anna"))[key].choice == "b"  # anna is B there
    assert settlements(demo, ("anna", "cleo")) == {}
    assert settlements(demo, CODERS, into="elsewhere") == {}


def test_a_bulk_reconciliation_is_undone_as_one_step(demo: Project) -> None:
    own = coders_own(demo)
    result = reconcile(demo, CODERS, strategy="union")
    assert len(layer(demo)) == result.created > 0
    assert settlements(demo, CODERS) == {}  # no single region was settled

    step = history.undo(demo, DEFAULT_LAYER)
    assert step is not None
    assert (step.action, step.transcript, step.span) == ("reconcile", None, None)
    assert layer(demo) == []
    assert history.redo(demo, DEFAULT_LAYER) is not None
    assert len(layer(demo)) == result.created
    assert coders_own(demo) == own
