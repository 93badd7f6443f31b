"""Bootstrap confidence intervals of agreement coefficients, and Krippendorff's rule.

What is resampled and how the interval is read are decided here; the resampling itself
is array arithmetic in :mod:`qualcode.services.agreement_intervals`, which evaluates each
statistic's own fraction (:attr:`~qualcode.domain.statistics.base.Statistic.pair_fraction`,
:attr:`~qualcode.domain.statistics.base.Statistic.coverage_fraction`) on the resampled
counts, so the formula is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from qualcode.domain.errors import FieldError

DEFAULT_RESAMPLES = 2000
LEVELS = (50.0, 99.9)
"""The confidence levels allowed, percent (``--ci`` and the workspace's dialog)."""
RESAMPLES = (100, 100_000)
"""The numbers of resamples allowed (``--bootstrap`` and the workspace's dialog)."""
DEFAULT_SEED = 1
MIN_CLUSTERS = 5
"""Resampling transcripts needs at least this many compared transcripts: with fewer,
the resamples are nearly all the same few tables and the interval is falsely narrow
(one transcript gives a zero-width interval)."""
RELIABLE = 0.800
TENTATIVE = 0.667


class Resampling(StrEnum):
    """What one bootstrap draw picks with replacement. The order is ``--ci-by``'s."""

    UNIT = "unit"
    """Units (characters, turns, sentences) of the pooled 2×2 table or coverage, as if
    each were an independent observation: a coded passage is hundreds of neighbouring
    characters coded together, so the interval comes out far too narrow."""
    TRANSCRIPT = "transcript"
    """Whole transcripts, their tables summed: respects that units of one transcript
    are not independent. The default."""


DEFAULT_RESAMPLING = Resampling.TRANSCRIPT
"""What the bootstrap draws unless told otherwise (``--ci-by``, the workspace): whole
transcripts. Drawing characters treats neighbours as independent and gave the demo's
"few caseworker changes" kappa [0.546, 0.591] where whole transcripts give
[0.388, 0.810] (``qualcode agreement --ci 95``): a precision the evidence lacks."""


@dataclass(frozen=True, slots=True)
class IntervalSettings:
    """A percentile bootstrap: ``level`` percent (95), ``resamples`` draws, the random
    ``seed`` (the same seed gives the same interval), and what is drawn."""

    level: float
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    by: Resampling = DEFAULT_RESAMPLING

    def __post_init__(self) -> None:
        if not 0 < self.level < 100:
            raise ValueError("a confidence level is a percent between 0 and 100")
        if self.resamples < 1:
            raise ValueError("at least one resample")


Bounds = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Intervals:
    """The intervals of a report: ``bounds[(code, statistic key, pair index)]`` for the
    pooled value of each statistic that has an interval (pair index 0 for all-coder
    statistics); ``None`` where every resample was 0/0."""

    settings: IntervalSettings
    bounds: Mapping[tuple[str, str, int], Bounds | None] = field(default_factory=dict)

    def of(self, code: str, key: str, pair: int = 0) -> Bounds | None:
        return self.bounds.get((code, key, pair))


def bound_text(value: float) -> str:
    """An interval's end with three decimals, as every report prints it; a value that
    rounds to zero is ``0.000``, never ``-0.000``."""
    text = f"{value:.3f}"
    return text[1:] if text == "-0.000" else text


def interval_text(bounds: Bounds | None) -> str:
    """``[0.412, 0.770]``; empty when there is no interval (every resample 0/0)."""
    return "" if bounds is None else f"[{bound_text(bounds[0])}, {bound_text(bounds[1])}]"


def check_clusters(settings: IntervalSettings, transcripts: int) -> None:
    """Refuse (a :class:`FieldError` for ``ci_by``) resampling whole transcripts when
    fewer than :data:`MIN_CLUSTERS` are compared: the interval would look precise and
    the verdict reliable on what is one or two transcripts' worth of evidence."""
    if settings.by is Resampling.TRANSCRIPT and transcripts < MIN_CLUSTERS:
        raise FieldError(
            "ci_by",
            f"resampling transcripts needs at least {MIN_CLUSTERS} compared transcripts; "
            f"this comparison has {transcripts}: compare more, or resample units (--ci-by "
            "unit), knowing that its interval is too narrow",
        )


def verdict(low: float) -> str:
    """Krippendorff's rule for alpha (Krippendorff 2004, Content Analysis, p. 241):
    reliable at .800 or above, tentative conclusions at .667 or above, otherwise not
    reliable — applied to the lower bound of the interval."""
    if low >= RELIABLE:
        return "reliable"
    if low >= TENTATIVE:
        return "tentative"
    return "not reliable"


VERDICT_RULE = (
    "Verdict (Krippendorff 2004, p. 241) on the lower bound of alpha's interval: reliable "
    "≥ .800; tentative (conclusions only tentative) ≥ .667; otherwise not reliable."
)


def interval_rules(settings: IntervalSettings, unit: str = "character") -> list[str]:
    """How the intervals were made, as every report prints it; ``unit``: the report's
    unit (``"character"``, ``"turn"``, …), named in the warning on resampling units."""
    if settings.by is Resampling.UNIT and unit == "transcript":
        drawn = "units, each a whole transcript (presence per transcript)"
    elif settings.by is Resampling.UNIT:
        drawn = (
            f"{unit}s of the pooled table, as if each were independent — neighbouring "
            f"{unit}s are coded together, so this interval is too narrow and its verdict "
            "too kind (chosen with --ci-by unit; the default draws whole transcripts)"
        )
    else:
        drawn = (
            "whole transcripts (their tables summed, so the units of one transcript stay "
            "together: neighbouring units are not independent, and drawing them one by one "
            f"gives intervals far too narrow; at least {MIN_CLUSTERS} compared transcripts "
            "are needed)"
        )
    return [
        f"Confidence intervals: {settings.level:g} % percentile bootstrap of the pooled "
        f"value, {settings.resamples} resamples of {drawn} with replacement, seed "
        f"{settings.seed} (the same seed gives the same interval); resamples in which the "
        "coefficient is 0/0 are left out.",
        VERDICT_RULE,
    ]
