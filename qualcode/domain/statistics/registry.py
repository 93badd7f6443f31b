"""The registry of agreement statistics: which are computed and in what order.

The default registry lists the statistics of this package. Every output (JSON, CSV,
XLSX, HTML, the terminal table, the workspace screen) iterates the registry a report
was computed with (:attr:`qualcode.domain.agreement_report.AgreementReport.statistics`),
so a new statistic is one module here plus a line in :data:`DEFAULT`.

The *active* registry is a context variable, so :func:`registered` adds a statistic for
one block of code (a test, say) without leaking into other threads or tests; worker
threads started with :func:`asyncio.to_thread` inherit it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from qualcode.domain.errors import FieldError
from qualcode.domain.statistics import (
    all_agree,
    brennan_prediger,
    cohen_kappa,
    disagreement,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    segment_agreement,
    unitized_alpha,
)
from qualcode.domain.statistics.base import Scope, Statistic

Registry = tuple[Statistic, ...]

RESERVED_KEYS = frozenset(
    ("a", "b", "units", "both", "a_only", "b_only", "neither", "pairs", "transcripts", "code")
).union(("level", "transcript"))
"""Keys the reports use for what is not a statistic: counts, names, levels."""


def check(statistics: Sequence[Statistic]) -> Registry:
    """``statistics`` as a registry; refuses a key (or 0/0 flag key, or CSV column) used
    twice or one of :data:`RESERVED_KEYS`."""
    seen: set[str] = set(RESERVED_KEYS)
    options: set[str] = set()
    for statistic in statistics:
        keys = [statistic.key, *column_names(statistic)]
        if statistic.undefined_key is not None:
            keys += [statistic.undefined_key, statistic.undefined_key + "_transcripts"]
        keys += [k for k in (statistic.interval_key, statistic.verdict_key) if k is not None]
        for key in dict.fromkeys(keys):
            if key in seen:
                raise ValueError(f"statistic {statistic.key!r}: key {key!r} is already taken")
            seen.add(key)
        if statistic.option_name in options:
            raise ValueError(
                f"statistic {statistic.key!r}: --stats name {statistic.option_name!r} is taken"
            )
        options.add(statistic.option_name)
    return tuple(statistics)


def column_names(statistic: Statistic) -> tuple[str, ...]:
    """The statistic's CSV columns: its parts and value (or its value), then its 0/0 flag."""
    if statistic.parts:
        names = [f"{statistic.key}_{part}" for part in statistic.parts]
        names.append(f"{statistic.key}_{statistic.value_name}")
    else:
        names = [statistic.key]
    if statistic.undefined_key is not None:
        names.append(statistic.undefined_key)
    return tuple(names)


DEFAULT: Registry = check(
    (
        percent_agreement.STATISTIC,
        disagreement.STATISTIC,
        cohen_kappa.STATISTIC,
        scott_pi.STATISTIC,
        brennan_prediger.STATISTIC,
        gwet_ac1.STATISTIC,
        segment_agreement.STATISTIC,
        krippendorff_alpha.STATISTIC,
        unitized_alpha.STATISTIC,
        fleiss_kappa.STATISTIC,
        all_agree.STATISTIC,
    )
)
"""Pair statistics first, then those across all coders; JSON and CSV keep this order."""

_ACTIVE: ContextVar[Registry] = ContextVar("agreement_statistics", default=DEFAULT)


def active() -> Registry:
    """The registry new reports are computed with."""
    return _ACTIVE.get()


def with_statistic(registry: Sequence[Statistic], statistic: Statistic) -> Registry:
    """A copy of ``registry`` with ``statistic`` added at the end of its scope's block
    (pair statistics stay before all-coder ones)."""
    # none of its scope yet: a pair statistic goes first, an all-coder one last
    start = -1 if statistic.scope is Scope.PAIR else len(registry) - 1
    last = max((i for i, s in enumerate(registry) if s.scope is statistic.scope), default=start)
    return check((*registry[: last + 1], statistic, *registry[last + 1 :]))


@contextmanager
def registered(*statistics: Statistic) -> Iterator[Registry]:
    """Add ``statistics`` to the active registry inside the ``with`` block (this thread
    and task, and threads it starts through ``asyncio.to_thread``)."""
    registry = active()
    for statistic in statistics:
        registry = with_statistic(registry, statistic)
    token = _ACTIVE.set(registry)
    try:
        yield registry
    finally:
        _ACTIVE.reset(token)


@contextmanager
def using(registry: Sequence[Statistic]) -> Iterator[Registry]:
    """Make ``registry`` (checked) the active one inside the ``with`` block."""
    token = _ACTIVE.set(check(registry))
    try:
        yield active()
    finally:
        _ACTIVE.reset(token)


def by_scope(registry: Sequence[Statistic], scope: Scope) -> Registry:
    """The statistics of one scope, in registry order."""
    return tuple(s for s in registry if s.scope is scope)


def display_order(statistics: Sequence[Statistic]) -> Registry:
    """Headline statistics first, then the others, each in registry order: how tables
    and the screen lay them out."""
    return (*(s for s in statistics if s.headline), *(s for s in statistics if not s.headline))


def choose(names: Sequence[str], registry: Sequence[Statistic] | None = None) -> Registry:
    """The statistics named (by :attr:`Statistic.option_name`, as ``--stats`` takes
    them: ``"kappa"``, ``"ac1"``, …; a name may hold several separated by commas), in
    registry order. No names: the whole registry. An unknown name is a
    :class:`FieldError` for ``stats`` listing the names there are."""
    available = tuple(active() if registry is None else registry)
    wanted = [part.strip().lower() for name in names for part in name.split(",")]
    wanted = [name for name in wanted if name]
    if not wanted:
        return available
    by_name = {s.option_name: s for s in available}
    for name in wanted:
        if name not in by_name:
            listed = ", ".join(by_name)
            raise FieldError("stats", f"unknown statistic {name!r}; choose from {listed}")
    return check([s for s in available if s.option_name in wanted])


def definitions(statistics: Sequence[Statistic]) -> list[str]:
    """Each statistic's definition with its source, as the rules block prints them."""
    return [s.definition for s in statistics if s.definition]
