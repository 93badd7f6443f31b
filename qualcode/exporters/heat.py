"""The heat-map colour of a table cell, one scale for the whole table: the same value
gets the same colour in every column, on the HTML page and in the workbook alike.

A positive value is drawn as the heat colour at opacity ``0.1 + 0.6 × value ÷
highest`` (``highest``: the largest value the table colours); zero, negative and
missing values stay white.
"""

from __future__ import annotations

from collections.abc import Iterable

HEAT_RGB = (248, 105, 107)


def heat_highest(values: Iterable[object]) -> float:
    """The largest number among ``values`` (0.0 when there is none)."""
    return max(
        (float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)),
        default=0.0,
    )


def heat_alpha(value: object, highest: float) -> float | None:
    """The opacity of ``value``'s colour, 0.1–0.7; ``None``: not coloured."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if value <= 0 or highest <= 0:
        return None
    return round(0.1 + 0.6 * min(1.0, float(value) / highest), 2)


def heat_css(value: object, highest: float) -> str:
    """A ``style`` attribute for an HTML cell (empty when not coloured)."""
    alpha = heat_alpha(value, highest)
    if alpha is None:
        return ""
    red, green, blue = HEAT_RGB
    return f' style="background: rgba({red}, {green}, {blue}, {alpha})"'


def heat_hex(value: object, highest: float) -> str | None:
    """The same colour laid over white, as ``RRGGBB`` for a workbook's solid fill."""
    alpha = heat_alpha(value, highest)
    if alpha is None:
        return None
    return "".join(f"{round(255 + (c - 255) * alpha):02X}" for c in HEAT_RGB)
