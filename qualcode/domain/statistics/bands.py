"""Landis & Koch (1977) bands for kappa-like coefficients."""

from __future__ import annotations

from qualcode.domain.statistics.base import Band, BandScale

POOR = Band("poor", 0)
LANDIS_KOCH_BANDS = (
    (0.20, Band("slight", 1)),
    (0.40, Band("fair", 2)),
    (0.60, Band("moderate", 3)),
    (0.80, Band("substantial", 4)),
)
"""Below 0 poor; up to .20 slight, .40 fair, .60 moderate, .80 substantial, above that
almost perfect (each band includes its upper bound)."""
ALMOST_PERFECT = Band("almost perfect", 5)


def landis_koch(value: float) -> Band:
    """The Landis–Koch band of a kappa or alpha value."""
    if value < 0:
        return POOR
    for upper, band in LANDIS_KOCH_BANDS:
        if value <= upper:
            return band
    return ALMOST_PERFECT


def landis_koch_band(value: float) -> str:
    """The Landis–Koch label of a kappa or alpha value."""
    return landis_koch(value).label


LANDIS_KOCH = BandScale(
    name="Landis–Koch",
    bands=(POOR, *(band for _, band in LANDIS_KOCH_BANDS), ALMOST_PERFECT),
    classify=landis_koch,
    note="Landis–Koch: < 0 poor, ≤ .20 slight, ≤ .40 fair, ≤ .60 moderate, ≤ .80 "
    "substantial, above almost perfect",
    brief="Landis–Koch: <0 poor, ≤.20 slight, ≤.40 fair, ≤.60 moderate, ≤.80 substantial, "
    "above: almost perfect",
)
