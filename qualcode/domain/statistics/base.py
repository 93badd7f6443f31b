"""What an agreement statistic is: a :class:`Statistic` definition and the
:class:`Measure` it computes.

A statistic is computed either for one *pair* of coders (from their 2×2 table of units
and their segment counts: :class:`~qualcode.domain.agreement.PairAgreement`) or across
*all* compared coders (from how many units exactly ``j`` coders cover:
:class:`~qualcode.domain.agreement.Coverage`). Everything an output needs to show it —
its JSON key and CSV column, its labels, its text, its colour band, whether it can be
0/0 — lives on its definition, so renderers iterate the registry
(:mod:`qualcode.domain.statistics.registry`) instead of naming statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Self, TypeVar

if TYPE_CHECKING:
    from qualcode.domain.agreement import Coverage, PairAgreement


class Number(Protocol):
    """What a statistic's numerator and denominator are computed from: integers for one
    comparison, or (elementwise) arrays of resampled counts for the bootstrap, so one
    formula serves both."""

    def __add__(self, other: Self, /) -> Self: ...
    def __sub__(self, other: Self, /) -> Self: ...
    def __mul__(self, other: Self, /) -> Self: ...
    def __rmul__(self, other: int, /) -> Self: ...


T = TypeVar("T", bound=Number)

PairFraction = Callable[[Any, Any, Any, Any], tuple[Any, Any]]
"""``(both, a_only, b_only, neither) -> (numerator, denominator)``, arithmetic only."""
CoverageFraction = Callable[[Sequence[Any]], tuple[Any, Any]]
"""``counts[j]`` (units exactly ``j`` coders cover) ``-> (numerator, denominator)``."""


class Measure(NamedTuple):
    """A computed value; ``undefined`` when the formula was 0/0 (the value is then
    1.0). ``parts`` are counts reported beside the value, named by the statistic's
    :attr:`Statistic.parts` (segment agreement: agreed and total segments).

    A named tuple rather than a dataclass: a report makes one per statistic, pair and
    transcript, and tuples are made several times faster."""

    value: float
    undefined: bool = False
    parts: tuple[float, ...] = ()


UNDEFINED = Measure(1.0, True)
UNDEFINED_BAND = "undefined"
"""What a band column says for a 0/0 value: it is reported as 1.0 but is no evidence of
agreement, so it is named by no band (and coloured by none)."""


def ratio(numerator: int, denominator: int) -> Measure:
    """``numerator / denominator`` of exact integers, divided once (so the result is the
    correctly rounded rational); 0/0 is :data:`UNDEFINED`."""
    if denominator == 0:
        return UNDEFINED
    return Measure(numerator / denominator)


def of_table(fraction: PairFraction) -> Callable[[PairAgreement], Measure]:
    """A pair statistic's computation from its fraction of the pair's 2×2 counts."""

    def measure(pair: PairAgreement) -> Measure:
        c = pair.counts
        return ratio(*fraction(c.both, c.a_only, c.b_only, c.neither))

    return measure


class Scope(StrEnum):
    """What a statistic is computed for."""

    PAIR = "pair"
    """One pair of coders: from their 2×2 table and segment counts."""
    CODERS = "coders"
    """All compared coders at once: from the coverage histogram."""


@dataclass(frozen=True, slots=True)
class Band:
    """A named range of values; ``tone`` ranks it from 0 (worst) to 5 (best), which is
    what renderers colour by."""

    label: str
    tone: int


@dataclass(frozen=True, slots=True)
class BandScale:
    """A way of naming values (Landis–Koch for kappa-like coefficients)."""

    name: str
    bands: tuple[Band, ...]
    classify: Callable[[float], Band]
    note: str
    """One line explaining the bands, as reports print it."""
    brief: str
    """The same, short enough for an 80-column screen."""


def coefficient_text(measure: Measure) -> str:
    """Three decimals; ``*`` marks a 0/0 value (reported as 1.0)."""
    return f"{measure.value:.3f}" + ("*" if measure.undefined else "")


def percent_text(measure: Measure) -> str:
    """A percentage with one decimal, without the sign."""
    return f"{measure.value:.1f}"


def decimals(number_format: str) -> int:
    """How many decimals a spreadsheet number format such as ``"0.000"`` shows."""
    _, point, fraction = number_format.partition(".")
    return len(fraction) if point else 0


@dataclass(frozen=True, slots=True)
class Statistic:
    """One agreement statistic: how it is computed and how every output shows it.

    Exactly one of ``of_pair`` and ``of_coders`` is given; it returns the
    :class:`Measure` of one comparison (one transcript, or the pooled counts). Means
    over transcripts are taken by the report, not here.
    """

    key: str
    """JSON key and CSV column (stable: scripts read them)."""
    name: str
    """Heading of the number in spreadsheets, e.g. ``"agreement %"``."""
    label: str
    """Column heading in the terminal table and the HTML page, e.g. ``"agree %"``."""
    symbol: str
    """Short name on the 80-column screen, e.g. ``"κ"`` or ``"agree%"``."""
    word: str = ""
    """How a sentence names it (``"agree 92.1%"``); default: :attr:`symbol`."""
    of_pair: Callable[[PairAgreement], Measure] | None = None
    of_coders: Callable[[Coverage], Measure] | None = None
    min_coders: int = 2
    """Fewer compared coders than this: not applicable (``null`` in JSON, no column)."""
    undefined_key: str | None = None
    """Key of the 0/0 flag (``"kappa_undefined"``); ``None`` if it cannot be 0/0."""
    parts: tuple[str, ...] = ()
    """Names of :attr:`Measure.parts`. With parts, JSON nests ``{key: {part…, value_name}}``
    and CSV has a ``key_part`` column each, then ``key_value_name``."""
    value_name: str = "value"
    text: Callable[[Measure], str] = coefficient_text
    """The value as tables print it."""
    number_format: str = "0.000"
    """Spreadsheet number format of the value (``"0.0"`` for percentages); CSV rounds
    to as many decimals (see :func:`decimals`)."""
    brief: Callable[[Measure], str] | None = None
    """Shorter text for per-transcript rows (default: :attr:`text`)."""
    screen: Callable[[Measure], str] | None = None
    """Text in the screen's table (default: :attr:`brief`)."""
    width: int = 6
    """Widest :attr:`screen` text, in cells (the screen sizes its columns by it)."""
    suffix: str = ""
    """Written after the value in a sentence (``"%"``)."""
    band: BandScale | None = None
    """How values are named and coloured; ``None``: not banded."""
    headline: bool = False
    """Shown first, with its band and its mean beside it."""
    shown: bool = True
    """In the tables, page, workbook summary and screen (else in JSON and CSV only)."""
    option: str = ""
    """Its name in ``--stats`` (default: :attr:`key`)."""
    definition: str = ""
    """One sentence defining it, with its source, printed in the rules block."""
    pair_fraction: PairFraction | None = None
    """A pair statistic's numerator and denominator from the 2×2 counts, written with
    arithmetic only so that it also runs on arrays (bootstrap intervals)."""
    coverage_fraction: CoverageFraction | None = None
    """The same for an all-coder statistic, from the coverage counts."""
    interval_key: str | None = None
    """JSON key of its bootstrap interval (``"alpha_ci"``) when intervals are asked for;
    ``None``: no interval. Needs a fraction."""
    verdict_key: str | None = None
    """JSON key of Krippendorff's verdict on its interval (``"alpha_verdict"``)."""
    reads_sections: bool = False
    """Computed from the coders' units and gaps (:attr:`Coverage.sections
    <qualcode.domain.agreement.Coverage>`), not only from counts: a report computes the
    sections only when a statistic asks for them."""

    def __post_init__(self) -> None:
        if (self.of_pair is None) == (self.of_coders is None):
            raise ValueError(f"statistic {self.key!r}: give exactly one of of_pair, of_coders")
        if self.interval_key and self.pair_fraction is None and self.coverage_fraction is None:
            raise ValueError(f"statistic {self.key!r}: an interval needs a fraction")

    @property
    def scope(self) -> Scope:
        return Scope.PAIR if self.of_pair is not None else Scope.CODERS

    def applies(self, coders: int) -> bool:
        """Whether it is computed when ``coders`` coders are compared."""
        return coders >= self.min_coders

    @property
    def option_name(self) -> str:
        return self.option or self.key

    @property
    def in_words(self) -> str:
        return self.word or self.symbol

    def brief_text(self, measure: Measure) -> str:
        return (self.brief or self.text)(measure)

    def screen_text(self, measure: Measure) -> str:
        return (self.screen or self.brief or self.text)(measure)

    def band_of(self, measure: Measure) -> Band | None:
        """The band of a value; ``None`` when not banded or when the value was 0/0 (its
        1.0 is a convention, not "almost perfect" agreement)."""
        if self.band is None or measure.undefined:
            return None
        return self.band.classify(measure.value)
