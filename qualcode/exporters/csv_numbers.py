"""How computed numbers are written to CSV: rounded to the decimals a reader needs
(each column says how many), or exactly as computed while :func:`full_precision` is on
(``--full-precision``). Whole numbers, flags and text are never touched; JSON always
keeps full precision."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from qualcode.exporters.tables import Cell

COUNT_MEAN_DECIMALS = 3
"""Decimals of numbers without a format of their own (a mean of counts)."""
_FULL = ContextVar("qualcode_full_precision", default=False)


@contextmanager
def full_precision(enabled: bool = True) -> Iterator[None]:
    """While active, :func:`rounded_rows` leaves every number as computed."""
    token = _FULL.set(enabled)
    try:
        yield
    finally:
        _FULL.reset(token)


def rounded(value: Cell, places: int | None) -> Cell:
    """``value`` rounded to ``places`` decimals if it is a float (``None``: as is)."""
    if places is None or _FULL.get() or not isinstance(value, float):
        return value
    return round(value, places) + 0.0  # adding 0.0 turns -0.0 into 0.0: no "-0.0" cell


def rounded_rows(
    rows: Sequence[Sequence[Cell]], places: Sequence[int | None]
) -> list[tuple[Cell, ...]]:
    """Each row's floats rounded to its column's ``places``."""
    if _FULL.get():
        return [tuple(row) for row in rows]
    return [tuple(rounded(v, p) for v, p in zip(row, places, strict=False)) for row in rows]
