"""Painting a transcript: wrapped rows with coded spans, coding stripes, timestamps.

Built on Textual's line API: ``render_line`` draws only the rows on screen, so a
50,000-word transcript costs no more to paint than a short one. Each row shows a gutter
(the turn's timestamp on its first row), a margin of coding stripes (one marker per code
covering the row: the code's shortcut or initial, in its colour, so overlaps are visible
and readable without colour), then the text. Coded text is underlined and tinted with
its code's colour; text under two or more codings is bold as well. A coding that needs
review after a transcript edit is marked with "!" between the stripes and the text and
its text is styled ``--flagged``. Painted rows are kept until something they show
changes. Interaction lives in :mod:`.transcript_view`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.domain.codings import Coding
from qualcode.domain.transcripts import Turn
from qualcode.tui import text_layout as layout

STRIPES = 3  # code markers shown per row; a "+" marks more


@dataclass(frozen=True, slots=True)
class CodeMark:
    """How a code is drawn: its colour (``#rrggbb``) and one-character marker."""

    colour: str
    marker: str


class TranscriptRows(ScrollView):
    """A transcript's rows with their codings, a cursor and a selection (code-point
    offsets). Component classes ``transcript-view--cursor``, ``--selection``,
    ``--speaker``, ``--gutter``, ``--hit``, ``--flag`` (the "!" beside a coding that needs
    review) and ``--flagged`` (its text) style the parts."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.turns: tuple[Turn, ...] = ()
        self.codings: tuple[Coding, ...] = ()
        self.marks: dict[str, CodeMark] = {}
        self.cursor = 0
        self.anchor_offset: int | None = None
        self.hits: list[tuple[int, int]] = []
        self.flagged: frozenset[int] = frozenset()  # ids of codings that need review
        self.suggested: list[tuple[int, int, str]] = []  # (start, end, code path), sorted
        self._lines: layout.WrappedLines = layout.WrappedLines([0], [0])
        self._line_starts: list[int] = [0]
        self._wrapped_width = -1
        self._turn_starts: list[int] = []
        self._turn_first_line: dict[int, int] = {}
        self._stretches: list[layout.Stretch] = []
        self._stretch_ends: list[int] = []
        self._part_styles: dict[str, Style] = {}
        self._region: tuple[int, int] | None = None
        self._strips: dict[int, Strip] = {}
        self._strips_key: tuple[int, Style] | None = None
        self._code_style_cache: dict[tuple[str, Color], tuple[Style, Style, Style]] = {}
        self._gutter = 0

    def show(self, text: str, turns: Sequence[Turn], marks: dict[str, CodeMark]) -> None:
        """Take a new text (codings follow with :meth:`set_codings`); wrapping waits for
        the widget's width."""
        self.text = text
        self.turns = tuple(turns)
        self.marks = dict(marks)
        self._code_style_cache.clear()
        self.hits = []
        self._turn_starts = [turn.start for turn in self.turns]
        self._gutter = 8 if any(t.timestamp is not None for t in self.turns) else 0
        self._wrapped_width = -1
        self._lines = layout.WrappedLines([0], [0])
        self._line_starts = self._lines.starts

    def on_resize(self, event: events.Resize) -> None:
        self._region = None
        self._ensure_wrapped()

    def set_codings(
        self, codings: Sequence[Coding], marks: dict[str, CodeMark] | None = None
    ) -> None:
        """Replace the codings drawn (after an apply, undo, ...), keeping the cursor."""
        self.codings = tuple(sorted(codings, key=lambda c: (c.start, c.end, c.id)))
        if marks is not None:
            self.marks = dict(marks)
            self._code_style_cache.clear()
        self._stretches = layout.coded_stretches([(c.start, c.end) for c in self.codings])
        self._stretch_ends = [s.end for s in self._stretches]
        self._invalidate()

    def set_flagged(self, coding_ids: Collection[int]) -> None:
        """Mark these codings as needing review (replacing the marks shown)."""
        flagged = frozenset(coding_ids)
        if flagged != self.flagged:
            self.flagged = flagged
            self._invalidate()

    def set_suggestions(self, suggested: Sequence[tuple[int, int, str]]) -> None:
        """Show these suggested codes (``(start, end, code path)``) dimmed in the margin
        (an empty list hides them)."""
        self.suggested = sorted(suggested)
        self._invalidate()

    def suggestion_at(self, offset: int) -> tuple[int, int, str] | None:
        """The suggestion whose unit holds ``offset`` (or ends right at it)."""
        index = bisect_left(self.suggested, (offset + 1,)) - 1
        for candidate in (index, index + 1):
            if 0 <= candidate < len(self.suggested):
                start, end, _ = self.suggested[candidate]
                if start <= offset <= end:
                    return self.suggested[candidate]
        return None

    def set_hits(self, hits: Sequence[tuple[int, int]]) -> None:
        self.hits = sorted(hits)
        self._invalidate()

    @property
    def selection(self) -> tuple[int, int] | None:
        if self.anchor_offset is None or self.anchor_offset == self.cursor:
            return None
        return (min(self.anchor_offset, self.cursor), max(self.anchor_offset, self.cursor))

    def codings_at(self, offset: int) -> list[Coding]:
        """Codings covering ``offset`` (or ending right at it, at the end of a span)."""
        return [c for c in self.codings if c.start <= offset < c.end or c.end == offset]

    @property
    def _text_width(self) -> int:
        return max(10, self._region_size()[0] - self._gutter - STRIPES - 1)

    def _ensure_wrapped(self) -> None:
        # before the first layout the widget has no width: wrapping then would be wasted
        if self._wrapped_width != self._text_width and self._region_size()[0]:
            self._rewrap()

    def _rewrap(self) -> None:
        width = self._text_width
        self._lines = layout.wrap_lines(self.text, width)
        self._line_starts = self._lines.starts
        self._turn_first_line = {
            index: layout.line_index(self._line_starts, turn.start)
            for index, turn in enumerate(self.turns)
        }
        self._wrapped_width = width
        self._strips.clear()
        self.virtual_size = Size(self._gutter + STRIPES + 1 + width, len(self._lines))

    def _region_size(self) -> tuple[int, int]:
        """Width and height of the text area (cached until the next resize: Textual
        computes the region afresh on every call, which is slow per painted row)."""
        if self._region is None:
            region = self.scrollable_content_region
            if not region.width:
                return (0, 0)
            self._region = (region.width, region.height)
        return self._region

    def _invalidate(self, start: int | None = None, end: int | None = None) -> None:
        """Forget painted rows (those showing offsets ``start..end``, or all) and repaint."""
        if start is None or end is None or not self._line_starts:
            self._strips.clear()
        else:
            first = layout.line_index(self._line_starts, start)
            last = layout.line_index(self._line_starts, end)
            for index in range(first, last + 1):
                self._strips.pop(index, None)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        self._ensure_wrapped()
        width = self._region_size()[0]
        base = self.rich_style
        index = self.scroll_offset.y + y
        if (width, base) != self._strips_key:
            # rows are cached while nothing they show changes: siblings' repaints and
            # scrolling back reuse them
            self._strips.clear()
            self._strips_key = (width, base)
        cached = self._strips.get(index)
        if cached is not None:
            return cached
        if index >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[index]
        segments = self._gutter_segments(index, base)
        segments.extend(self._stripe_segments(line, base))
        segments.extend(self._text_segments(line, base))
        strip = self._strips[index] = Strip(segments).adjust_cell_length(width, base)
        return strip

    def _part(self, name: str) -> Style:
        """A component class's style (cached: asking Textual per segment is slow)."""
        style = self._part_styles.get(name)
        if style is None:
            style = self._part_styles[name] = self.get_component_rich_style(
                f"transcript-view--{name}"
            )
        return style

    def _code_styles(self, path: str, tint_base: Color) -> tuple[Style, Style, Style]:
        """Stripe, coded-text and overlapped-text styles of a code (cached)."""
        key = (path, tint_base)
        found = self._code_style_cache.get(key)
        if found is None:
            mark = self.marks.get(path, CodeMark("#888888", "?"))
            colour = Color.parse(mark.colour)
            stripe = Style(
                color=colour.get_contrast_text().rich_color, bgcolor=colour.rich_color, bold=True
            )
            tint = tint_base.blend(colour, 0.35).rich_color
            found = (
                stripe,
                Style(bgcolor=tint, underline=True),
                Style(bgcolor=tint, underline=True, bold=True),
            )
            self._code_style_cache[key] = found
        return found

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._part_styles.clear()
        self._code_style_cache.clear()
        self._strips.clear()

    def _gutter_segments(self, index: int, base: Style) -> list[Segment]:
        if not self._gutter:
            return []
        style = base + self._part("gutter")
        label = ""
        line = self._lines[index]
        turn_index = bisect_left(self._turn_starts, line.start)
        for candidate in (turn_index - 1, turn_index):
            if 0 <= candidate < len(self.turns) and self._turn_first_line[candidate] == index:
                seconds = self.turns[candidate].timestamp
                if seconds is not None:
                    label = _clock(seconds)
        return [Segment(label.rjust(self._gutter - 1) + " ", style)]

    def _stripe_segments(self, line: layout.VisualLine, base: Style) -> list[Segment]:
        end = max(line.end, line.start + 1)
        covering: dict[str, None] = {}
        for stretch in layout.stretches_between(
            self._stretches, self._stretch_ends, line.start, end
        ):
            for index in stretch.codings:
                covering.setdefault(self.codings[index].code_path, None)
        paths = list(covering)
        flag = bool(self.flagged) and any(
            self.codings[index].id in self.flagged
            for stretch in layout.stretches_between(
                self._stretches, self._stretch_ends, line.start, end
            )
            for index in stretch.codings
        )
        segments: list[Segment] = []
        for path in paths[: STRIPES if len(paths) <= STRIPES else STRIPES - 1]:
            mark = self.marks.get(path, CodeMark("#888888", "?"))
            colour = Color.parse(mark.colour)
            style = base + Style(
                color=colour.get_contrast_text().rich_color, bgcolor=colour.rich_color, bold=True
            )
            segments.append(Segment(mark.marker, style))
        if len(paths) > STRIPES:
            segments.append(Segment("+", base + Style(bold=True)))
        used = sum(len(s.text) for s in segments)
        suggested = self._suggested_on(line.start, end) if used < STRIPES else None
        if suggested is not None:  # dimmed, after the codings' stripes
            mark = self.marks.get(suggested, CodeMark("#888888", "?"))
            dimmed = Style(color=Color.parse(mark.colour).rich_color)
            segments.append(Segment(mark.marker, base + self._part("suggestion") + dimmed))
            used += 1
        if flag:  # the "!" takes the place of the space before the text
            segments.append(Segment(" " * (STRIPES - used), base))
            segments.append(Segment("!", base + self._part("flag")))
        else:
            segments.append(Segment(" " * (STRIPES - used + 1), base))
        return segments

    def _suggested_on(self, start: int, end: int) -> str | None:
        """The code suggested for a unit overlapping ``[start, end)``, if any."""
        index = max(0, bisect_left(self.suggested, (start,)) - 1)
        for first, last, path in self.suggested[index : index + 3]:
            if first < end and start < last:
                return path
        return None

    def _text_segments(self, line: layout.VisualLine, base: Style) -> list[Segment]:
        start, end = line.start, line.end
        # every offset where the look may change, then one segment per run
        cuts = {start, end}
        stretches = layout.stretches_between(self._stretches, self._stretch_ends, start, end)
        for stretch in stretches:
            cuts.update((max(start, stretch.start), min(end, stretch.end)))
        selection = self.selection
        if selection:
            cuts.update(min(max(p, start), end) for p in selection)
        for hit_start, hit_end in self._hits_between(start, end):
            cuts.update((max(start, hit_start), min(end, hit_end)))
        speaker = self._speaker_label(start, end)
        if speaker:
            cuts.update(speaker)
        if start <= self.cursor < end:
            cuts.update((self.cursor, self.cursor + 1))
        points = sorted(cuts)
        background = base.bgcolor
        tint_base = Color.from_rich_color(background) if background else Color(0, 0, 0)
        segments: list[Segment] = []
        stretch_index = 0
        for left, right in pairwise(points):
            while stretch_index < len(stretches) and stretches[stretch_index].end <= left:
                stretch_index += 1
            style = base
            if speaker and speaker[0] <= left < speaker[1]:
                style += self._part("speaker")
            if stretch_index < len(stretches) and stretches[stretch_index].start <= left:
                stretch = stretches[stretch_index]
                style += self._coded_style(stretch, tint_base)
                if self.flagged and any(
                    self.codings[i].id in self.flagged for i in stretch.codings
                ):
                    style += self._part("flagged")
            if any(s <= left < e for s, e in self._hits_between(left, right)):
                style += self._part("hit")
            if selection and selection[0] <= left < selection[1]:
                style += self._part("selection")
            if left == self.cursor:
                style += self._part("cursor")
            segments.append(Segment(self.text[left:right], style))
        if self.cursor == end and (end == line.end):
            segments.append(Segment(" ", base + self._part("cursor")))
        return segments

    def _coded_style(self, stretch: layout.Stretch, tint_base: Color) -> Style:
        innermost = min(stretch.codings, key=lambda i: self.codings[i].end - self.codings[i].start)
        styles = self._code_styles(self.codings[innermost].code_path, tint_base)
        return styles[2] if len(stretch.codings) > 1 else styles[1]

    def _hits_between(self, start: int, end: int) -> list[tuple[int, int]]:
        if not self.hits:
            return []
        index = max(0, bisect_left(self.hits, (start, start)) - 1)
        found = []
        while index < len(self.hits) and self.hits[index][0] < end:
            if self.hits[index][1] > start:
                found.append(self.hits[index])
            index += 1
        return found

    def _speaker_label(self, start: int, end: int) -> tuple[int, int] | None:
        """The "Name:" label before a turn starting on this row, if any."""
        index = bisect_left(self._turn_starts, start)
        if index < len(self.turns) and self._turn_starts[index] <= end:
            turn = self.turns[index]
            label_start = self.text.rfind("\n", 0, turn.start) + 1
            label_start = max(label_start, start)
            if label_start < turn.start:
                return (label_start, turn.start)
        return None


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
