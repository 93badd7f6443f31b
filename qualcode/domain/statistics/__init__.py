"""Agreement statistics: one module per statistic, and the registry every output reads.

To add a statistic, write a module here with its computation and a
:class:`~qualcode.domain.statistics.base.Statistic` definition, and add it to
:data:`~qualcode.domain.statistics.registry.DEFAULT`.
"""

from qualcode.domain.statistics.base import (
    UNDEFINED,
    Band,
    BandScale,
    Measure,
    Scope,
    Statistic,
    coefficient_text,
    percent_text,
    ratio,
)
from qualcode.domain.statistics.registry import (
    DEFAULT,
    Registry,
    active,
    registered,
    using,
    with_statistic,
)

__all__ = [
    "DEFAULT",
    "UNDEFINED",
    "Band",
    "BandScale",
    "Measure",
    "Registry",
    "Scope",
    "Statistic",
    "active",
    "coefficient_text",
    "percent_text",
    "ratio",
    "registered",
    "using",
    "with_statistic",
]
