"""Checks on the command line itself, before any command runs.

Bytes of an argument that are not UTF-8 reach Python as surrogate escapes in ``sys.argv``;
they could be neither stored nor printed, so every argument is checked once at the
entrance (``argument N`` counts from the first word after ``qualcode``). Names and texts
are normalised later, by the services that store them (an argument may be a file path,
which must stay byte for byte as given).

Integer options and arguments use :data:`ID`, :data:`COUNT` or :func:`bounded_int` so that
a 30-digit number is one line naming the option, never an ``OverflowError`` from the
database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import click

from qualcode.domain.errors import InputError
from qualcode.domain.text_entry import MAX_INTEGER, check_encodable, parse_integer


def check_arguments(args: Sequence[str]) -> None:
    """Raise ``InputError`` naming the first argument that is not valid text."""
    for number, arg in enumerate(args, start=1):
        check_encodable(arg, f"argument {number}")


class BoundedInt(click.ParamType[int]):
    """A whole number in ``[minimum, maximum]``, written in ASCII digits."""

    name = "integer"

    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
            if self.minimum <= number <= self.maximum:
                return number
        where = _where(param)
        try:
            return parse_integer(str(value), where, minimum=self.minimum, maximum=self.maximum)
        except InputError as error:
            self.fail(error.reason, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "INTEGER"


class BoundedFloat(click.ParamType[float]):
    """A finite number in ``[minimum, maximum]`` (NaN and infinities are refused)."""

    name = "number"

    def __init__(self, minimum: float, maximum: float) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]  # click passes str or float
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            self.fail(
                f"{number:g} is out of range ({self.minimum:g} to {self.maximum:g})", param, ctx
            )
        return number

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NUMBER"


def bounded_float(minimum: float, maximum: float) -> BoundedFloat:
    """A click type for a finite number option within ``[minimum, maximum]``."""
    return BoundedFloat(minimum, maximum)


def bounded_int(minimum: int = 0, maximum: int = MAX_INTEGER) -> BoundedInt:
    """A click type for an integer option or argument within ``[minimum, maximum]``."""
    return BoundedInt(minimum, maximum)


ID = BoundedInt(1, MAX_INTEGER)
"""A stored row's id (coding, memo): positive and within a 64-bit column."""

COUNT = BoundedInt(0, 1_000_000_000)
"""A count such as ``--limit`` or ``--min``: not negative, at most a billion."""


def _where(param: click.Parameter | None) -> str:
    if param is None:
        return "value"
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return (param.human_readable_name or "value").upper()
