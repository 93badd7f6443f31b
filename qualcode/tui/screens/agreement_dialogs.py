"""Dialogs of the agreement screens: what to compare (coders, unit, threshold) and the
span a consensus keeps when a disagreement is settled by editing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, SelectionList

from qualcode.domain.agreement_intervals import (
    DEFAULT_RESAMPLES,
    DEFAULT_RESAMPLING,
    DEFAULT_SEED,
    LEVELS,
    RESAMPLES,
    IntervalSettings,
    Resampling,
)
from qualcode.domain.agreement_report import DEFAULT_THRESHOLD, parse_threshold, threshold_text
from qualcode.domain.codings import Coding
from qualcode.domain.errors import InputError
from qualcode.domain.statistics import active
from qualcode.domain.statistics.registry import choose
from qualcode.domain.transcripts import Turn
from qualcode.services.agreement import UNITS
from qualcode.tui.screens.form import FormDialog, error_label, unchanged
from qualcode.tui.widgets.transcript_view import CodeMark, TranscriptView

DEFAULT_LEVEL = 95.0
DRAWN_TOO = tuple(r for r in Resampling if r is not DEFAULT_RESAMPLING)
"""The other things the bootstrap can draw, offered after the default."""


@dataclass(frozen=True, slots=True)
class ComparisonSettings:
    """What the agreement screen compares: two or more coders, the unit (one of
    :data:`qualcode.services.agreement.UNITS`) and the segment threshold in percent."""

    coders: tuple[str, ...]
    unit: str = UNITS[0]
    threshold: Fraction | int = DEFAULT_THRESHOLD
    stats: tuple[str, ...] = ()
    """The statistics to show by their ``--stats`` names; none: all."""
    level: float | None = DEFAULT_LEVEL
    """Bootstrap confidence intervals at this percent; ``None``: none."""
    resamples: int = DEFAULT_RESAMPLES
    by: Resampling = DEFAULT_RESAMPLING
    """What the bootstrap draws: whole transcripts (the default, as ``--ci-by``'s) or
    units as if independent."""

    @property
    def intervals(self) -> IntervalSettings | None:
        """The bootstrap the screen runs (the CLI's default seed, so ``qualcode
        agreement --ci`` with the same level, resamples and ``--ci-by`` gives the same
        intervals)."""
        if self.level is None:
            return None
        return IntervalSettings(self.level, self.resamples, DEFAULT_SEED, self.by)


def check_settings(
    coders: Sequence[str], typed_threshold: str, typed_stats: str = ""
) -> tuple[Fraction, tuple[str, ...]]:
    """The threshold (exact: ``66.7`` is 667/10) and statistics of these choices; an
    :class:`InputError` (source ``coders``, ``threshold`` or ``stats``) when they cannot
    be compared."""
    if len(coders) < 2:
        raise InputError("coders", "tick two or more coders (space ticks)")
    threshold = parse_threshold(typed_threshold)
    stats = tuple(name for name in typed_stats.replace(",", " ").split() if name)
    choose(stats)  # an unknown name is a FieldError for stats
    return threshold, stats


def check_intervals(typed_level: str, typed_resamples: str) -> tuple[float | None, int]:
    """The confidence level (blank: no intervals) and number of resamples typed; an
    :class:`InputError` (source ``level`` or ``resamples``) when out of range."""
    level: float | None = None
    if typed_level.strip():
        low, high = LEVELS
        try:
            level = float(typed_level)
        except ValueError:
            level = math.nan
        if not low <= level <= high:  # NaN fails too
            raise InputError(
                "level", f"a percent from {low:g} to {high:g} (blank: none), not {typed_level!r}"
            )
    fewest, most = RESAMPLES
    typed = typed_resamples.strip()
    if not typed.isascii() or not typed.isdigit() or not fewest <= int(typed) <= most:
        raise InputError("resamples", f"a whole number from {fewest} to {most:,}, not {typed!r}")
    return level, int(typed)


class SettingsDialog(FormDialog[ComparisonSettings, ComparisonSettings]):
    """Choose coders, unit and threshold; ctrl+s returns them (a mistake is shown
    beside its field), escape returns ``None``."""

    FIELDS: ClassVar[dict[str, str]] = {
        "coders": "compare-coders",
        "threshold": "compare-threshold",
        "stats": "compare-stats",
        "level": "compare-level",
        "resamples": "compare-resamples",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="compare.cancel", tooltip="Close"),
        Binding("ctrl+s", "apply", "Compare", id="compare.apply",
                tooltip="Compare with these settings"),
    ]  # fmt: skip

    def __init__(self, coders: Sequence[str], current: ComparisonSettings) -> None:
        super().__init__(unchanged)
        self.coders = list(coders)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-settings", classes="dialog"):
            yield Label(
                "Compare coders — space ticks, tab moves on, ctrl+s compares, esc cancels",
                classes="dialog-title",
            )
            yield SelectionList[str](
                *[(c, c, c in self.current.coders) for c in self.coders], id="compare-coders"
            )
            yield error_label("compare-coders")
            yield Label(
                "unit · segment threshold % · CI % (blank: none) · resamples",
                classes="compare-label",
            )
            with Horizontal(id="compare-row"):
                yield Select(
                    [(u, u) for u in UNITS],
                    value=self.current.unit,
                    allow_blank=False,
                    id="compare-unit",
                )
                yield Input(
                    threshold_text(self.current.threshold),
                    type="number",
                    id="compare-threshold",
                )
                level = self.current.level
                yield Input("" if level is None else f"{level:g}", id="compare-level")
                yield Input(str(self.current.resamples), type="integer", id="compare-resamples")
            yield error_label("compare-threshold")
            yield error_label("compare-level")
            yield error_label("compare-resamples")
            yield Label(
                f"statistics (blank: all; {', '.join(s.option_name for s in active())})",
                classes="compare-label",
            )
            with Horizontal(id="compare-stats-row"):
                yield Input(", ".join(self.current.stats), id="compare-stats")
                # whole transcripts first (the default); units, as if independent, give
                # intervals far too narrow (the note under the table says which is shown)
                yield Select(
                    [(f"CI by {r.value}", r) for r in (DEFAULT_RESAMPLING, *DRAWN_TOO)],
                    value=self.current.by,
                    allow_blank=False,
                    id="compare-by",
                )
            yield error_label("compare-stats")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        ticked = set(self.query_one(SelectionList).selected)
        coders = tuple(c for c in self.coders if c in ticked)
        threshold = self.query_one("#compare-threshold", Input).value.strip()
        unit = self.query_one("#compare-unit", Select).value
        typed_stats = self.query_one("#compare-stats", Input).value
        typed_level = self.query_one("#compare-level", Input).value
        typed_resamples = self.query_one("#compare-resamples", Input).value
        try:
            number, stats = check_settings(coders, threshold, typed_stats)
            level, resamples = check_intervals(typed_level, typed_resamples)
        except InputError as error:
            self.show_error(error)
            return
        chosen_unit = unit if isinstance(unit, str) else UNITS[0]
        drawn = self.query_one("#compare-by", Select).value
        by = drawn if isinstance(drawn, Resampling) else DEFAULT_RESAMPLING
        self.submit(ComparisonSettings(coders, chosen_unit, number, stats, level, resamples, by))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()


class SpanEditor(FormDialog[tuple[int, int], tuple[int, int]]):
    """Select the span the consensus keeps inside a region: returns ``(start, end)``
    (half-open code points) on enter, ``None`` on escape; a span outside the region is
    refused under the transcript, the selection kept."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "Keep selection", id="span.save",
                tooltip="Settle with the selected span"),
        Binding("escape", "dismiss(None)", "Cancel", id="span.cancel", tooltip="Close",
                priority=True),
    ]  # fmt: skip

    def __init__(
        self,
        text: str,
        turns: Sequence[Turn],
        codings: Sequence[Coding],
        marks: dict[str, CodeMark],
        region: tuple[int, int],
        title: str,
    ) -> None:
        super().__init__(unchanged)
        self.text, self.turns, self.codings, self.marks = text, turns, codings, marks
        self.settle_region = region
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="span-editor", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TranscriptView(id="span-view")
            yield Label("", id="span-status")
            yield error_label()

    def on_mount(self) -> None:
        view = self.query_one(TranscriptView)
        view.load(self.text, self.turns, self.codings, self.marks)
        view.select_span(*self.settle_region)
        view.focus()

    @on(TranscriptView.SelectionChanged)
    def _selection(self, event: TranscriptView.SelectionChanged) -> None:
        self.clear_errors()  # a new selection: the last refusal no longer applies
        start, end = self.settle_region
        status = self.query_one("#span-status", Label)
        if event.selection is None:
            status.update(
                f"no selection — space starts selecting; keep it inside {start}:{end} · "
                "enter keeps it, esc cancels"
            )
            return
        s, e = event.selection
        where = "inside" if start <= s < e <= end else "NOT inside"
        status.update(
            f"{s}:{e} ({e - s:,} characters), {where} {start}:{end} · enter keeps it, esc "
            "cancels · arrows move, space or shift+arrows select, S/T a sentence/turn"
        )

    def action_save(self) -> None:
        selection = self.query_one(TranscriptView).selection
        if selection is None:
            self.show_error("Select the span to keep first (space, then move)")
            return
        start, end = self.settle_region
        if not start <= selection[0] < selection[1] <= end:
            self.show_error(
                f"Keep the span inside the disagreement {start}:{end} "
                f"(the selection is {selection[0]}:{selection[1]})"
            )
            return
        self.submit(selection)
