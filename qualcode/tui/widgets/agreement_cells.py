"""Cells of the agreement tables: statistics as the command line prints them, coloured
by their Landis–Koch band with the current theme's colours. The band's name is always
written out beside the value, so the table reads the same without colour."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from qualcode.domain.agreement import landis_koch_band
from qualcode.exporters.agreement import statistic_text

BAND_COLOURS: dict[str, tuple[str, str | None, bool]] = {
    # band: (text colour variable, background variable, bold)
    "poor": ("text-error", "error-muted", True),
    "slight": ("text-error", None, False),
    "fair": ("text-warning", None, False),
    "moderate": ("text-warning", "warning-muted", False),
    "substantial": ("text-success", None, False),
    "almost perfect": ("text-success", "success-muted", True),
}
"""Each band's look, as theme variables (``App.get_css_variables()``)."""

BANDS_NOTE = (
    "Landis–Koch: <0 poor, ≤.20 slight, ≤.40 fair, ≤.60 moderate, ≤.80 substantial, above: "
    "almost perfect · * 0/0 (as 1.0) · pool: summed · mean: of transcripts"
)


def band_style(band: str, variables: Mapping[str, str]) -> Style:
    """The style of a band in the theme whose CSS variables are ``variables``."""
    colour, background, bold = BAND_COLOURS.get(band, ("text", None, False))
    return Style(
        color=variables.get(colour),
        bgcolor=variables.get(background) if background else None,
        bold=bold,
    )


def statistic_cell(value: float, undefined: bool, variables: Mapping[str, str]) -> Text:
    """A kappa or alpha value (``0.341``, ``1.000*`` when undefined), in its band's
    colour, right-aligned."""
    return Text(
        statistic_text(value, undefined),
        style=band_style(landis_koch_band(value), variables),
        justify="right",
    )


def band_cell(value: float, variables: Mapping[str, str]) -> Text:
    """The band's name in its colour."""
    band = landis_koch_band(value)
    return Text(band, style=band_style(band, variables))


def percent_cell(value: float, decimals: int = 1) -> Text:
    return Text(f"{value:.{decimals}f}", justify="right")
