"""Reconciling coders: where two differ, and what a consensus of two to five keeps.

Works on each coder's *merged* spans of one code in one transcript (half-open code
points, sorted, disjoint: see :func:`qualcode.domain.spans.merge_spans`).

A *region* is a stretch of text that either coder coded, grown until neither coder's
coding continues past it (a connected part of the union of both coders' spans). A region
is a *disagreement* when the two coders' spans inside it differ.

A bulk consensus of several coders keeps, per character, what enough of them coded:
:func:`required_coders` says how many a strategy needs, :func:`coded_by_at_least`
finds those characters as maximal runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from qualcode.domain.errors import FieldError
from qualcode.domain.spans import Span, merge_spans

MAX_CODERS = 5
"""At most this many coders are reconciled at once (at least two)."""


class Strategy(StrEnum):
    """Bulk reconciliation: what the consensus keeps of the coders' codings."""

    UNION = "union"  # every character any coder coded
    INTERSECTION = "intersection"  # only characters every coder coded
    MAJORITY = "majority"  # characters more than half of the coders coded
    A = "a"  # the first coder's codings (two coders only)
    B = "b"  # the second coder's codings (two coders only)


PAIR_STRATEGIES = (Strategy.A, Strategy.B)
"""Strategies that only make sense for exactly two coders."""


class Choice(StrEnum):
    """How one disagreement is resolved."""

    A = "a"
    B = "b"
    BOTH = "both"  # the whole region (union)
    NEITHER = "neither"
    EDIT = "edit"  # spans given by the person reconciling


@dataclass(frozen=True, slots=True)
class Region:
    """A connected stretch ``[start, end)`` coded by either coder, with each coder's
    spans inside it."""

    start: int
    end: int
    a: tuple[Span, ...]
    b: tuple[Span, ...]

    @property
    def agreed(self) -> bool:
        return self.a == self.b


def intersect_spans(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Characters covered by both (merged) span lists, merged. Two pointers."""
    result: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i].start, b[j].start)
        end = min(a[i].end, b[j].end)
        if start < end:
            result.append((start, end))
        if a[i].end <= b[j].end:
            i += 1
        else:
            j += 1
    return merge_spans(result)


def reconcile_spans(a: Sequence[Span], b: Sequence[Span], strategy: Strategy) -> list[Span]:
    """The consensus spans of two coders' merged spans under ``strategy`` (for two
    coders a majority is both of them: the intersection)."""
    if strategy is Strategy.UNION:
        return merge_spans([(s.start, s.end) for s in (*a, *b)])
    if strategy in (Strategy.INTERSECTION, Strategy.MAJORITY):
        return intersect_spans(a, b)
    return list(a if strategy is Strategy.A else b)


def required_coders(strategy: Strategy, coders: int) -> int:
    """How many of ``coders`` must have coded a character for ``strategy`` to keep it:
    union 1, intersection all, majority more than half (``coders // 2 + 1``, so for two
    coders both, as intersection). Raises ``ValueError`` for a and b, which pick one
    coder instead of counting."""
    if strategy is Strategy.UNION:
        return 1
    if strategy is Strategy.INTERSECTION:
        return coders
    if strategy is Strategy.MAJORITY:
        return coders // 2 + 1
    raise ValueError(f"strategy {strategy.value!r} picks a coder; it does not count them")


def coded_by_at_least(coders: Sequence[Sequence[Span]], minimum: int) -> list[Span]:
    """The characters that at least ``minimum`` (>= 1) of the coders cover, as maximal
    runs (sorted, disjoint, never touching). Each coder's spans must be merged, so the
    number of spans covering a character is the number of coders who coded it. A sweep
    over the span ends: O(s log s) for s spans in all."""
    if minimum < 1:
        raise ValueError(f"minimum must be at least 1, not {minimum}")
    changes: dict[int, int] = {}
    for spans in coders:
        for span in spans:
            changes[span.start] = changes.get(span.start, 0) + 1
            changes[span.end] = changes.get(span.end, 0) - 1
    result: list[Span] = []
    count = 0
    opened: int | None = None
    for position in sorted(changes):
        count += changes[position]
        if count >= minimum and opened is None:
            opened = position
        elif count < minimum and opened is not None:
            result.append(Span(opened, position))
            opened = None
    return result


def regions(a: Sequence[Span], b: Sequence[Span]) -> list[Region]:
    """Every region of two coders' merged spans, in text order.

    Touching spans of different coders join one region, as a coder's own touching spans
    are already one span."""
    found: list[Region] = []
    i = j = 0
    for whole in merge_spans([(s.start, s.end) for s in (*a, *b)]):
        mine: list[Span] = []
        theirs: list[Span] = []
        while i < len(a) and a[i].start < whole.end:
            mine.append(a[i])
            i += 1
        while j < len(b) and b[j].start < whole.end:
            theirs.append(b[j])
            j += 1
        found.append(Region(whole.start, whole.end, tuple(mine), tuple(theirs)))
    return found


def disagreements(a: Sequence[Span], b: Sequence[Span]) -> list[Region]:
    """The regions where the two coders' spans differ."""
    return [region for region in regions(a, b) if not region.agreed]


def resolve(region: Region, choice: Choice, edited: Sequence[Span] = ()) -> list[Span]:
    """The consensus spans for one region. ``edited`` (only with :attr:`Choice.EDIT`)
    must lie inside the region; they are merged."""
    if choice is not Choice.EDIT and edited:
        raise FieldError("span", f"spans are only given with the choice {Choice.EDIT.value!r}")
    if choice is Choice.A:
        return list(region.a)
    if choice is Choice.B:
        return list(region.b)
    if choice is Choice.BOTH:
        return [Span(region.start, region.end)]
    if choice is Choice.NEITHER:
        return []
    if not edited:
        raise FieldError("span", "an edit needs at least one span (or choose 'neither')")
    for span in edited:
        if not region.start <= span.start < span.end <= region.end:
            raise FieldError(
                "span",
                f"span {span.start}:{span.end} is not inside the disagreement "
                f"{region.start}:{region.end}",
            )
    return merge_spans([(s.start, s.end) for s in edited])
