"""The transcript, wrapped, with coded spans marked and a keyboard/mouse selection.

Built on Textual's line API: ``render_line`` draws only the rows on screen, so a
50,000-word transcript costs no more to paint than a short one. Each row shows a gutter
(the turn's timestamp on its first row), a margin of coding stripes (one marker per code
covering the row: the code's shortcut or initial, in its colour, so overlaps are visible
and readable without colour), then the text. Coded text is underlined and tinted with
its code's colour; text under two or more codings is bold as well.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.domain.codings import Coding
from qualcode.domain.transcripts import Turn
from qualcode.domain.words import iter_word_spans
from qualcode.tui import text_layout as layout

STRIPES = 3  # code markers shown per row; a "+" marks more


@dataclass(frozen=True, slots=True)
class CodeMark:
    """How a code is drawn: its colour (``#rrggbb``) and one-character marker."""

    colour: str
    marker: str


def _binding(key: str, action: str, description: str, binding_id: str) -> Binding:
    return Binding(key, action, description, show=False, id=binding_id, tooltip=description)


class TranscriptView(ScrollView, can_focus=True):
    """Shows one transcript; the cursor and selection are code-point offsets."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript-view--cursor",
        "transcript-view--selection",
        "transcript-view--speaker",
        "transcript-view--gutter",
        "transcript-view--hit",
    }
    DEFAULT_CSS = """
    TranscriptView { background: $surface; scrollbar-gutter: stable; }
    TranscriptView > .transcript-view--cursor { background: $foreground; color: $background; }
    TranscriptView > .transcript-view--selection { background: $accent 60%; }
    TranscriptView > .transcript-view--speaker { text-style: bold; color: $text-primary; }
    TranscriptView > .transcript-view--gutter { color: $text-muted; }
    TranscriptView > .transcript-view--hit { background: $warning 50%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("left", "move('char', -1)", "Cursor left", "transcript.left"),
        _binding("right", "move('char', 1)", "Cursor right", "transcript.right"),
        _binding("shift+left", "move('char', -1, True)", "Extend left", "transcript.extend-left"),
        _binding("shift+right", "move('char', 1, True)", "Extend right", "transcript.extend-right"),
        _binding("ctrl+left", "move('word', -1)", "Previous word", "transcript.word-left"),
        _binding("ctrl+right", "move('word', 1)", "Next word", "transcript.word-right"),
        _binding(
            "ctrl+shift+left",
            "move('word', -1, True)",
            "Extend a word left",
            "transcript.extend-word-left",
        ),
        _binding(
            "ctrl+shift+right",
            "move('word', 1, True)",
            "Extend a word right",
            "transcript.extend-word-right",
        ),
        _binding("up", "move('line', -1)", "Line up", "transcript.up"),
        _binding("down", "move('line', 1)", "Line down", "transcript.down"),
        _binding("shift+up", "move('line', -1, True)", "Extend a line up", "transcript.extend-up"),
        _binding(
            "shift+down", "move('line', 1, True)", "Extend a line down", "transcript.extend-down"
        ),
        _binding(
            "left_parenthesis",
            "move('sentence', -1)",
            "Previous sentence",
            "transcript.sentence-back",
        ),
        _binding(
            "right_parenthesis", "move('sentence', 1)", "Next sentence", "transcript.sentence-next"
        ),
        _binding(
            "left_square_bracket", "move('turn', -1)", "Previous turn", "transcript.turn-back"
        ),
        _binding("right_square_bracket", "move('turn', 1)", "Next turn", "transcript.turn-next"),
        _binding("home", "move('home', 0)", "Start of row", "transcript.home"),
        _binding("end", "move('end', 0)", "End of row", "transcript.end"),
        _binding("ctrl+home", "move('top', 0)", "Start of transcript", "transcript.top"),
        _binding("ctrl+end", "move('bottom', 0)", "End of transcript", "transcript.bottom"),
        _binding("pageup", "move('page', -1)", "Page up", "transcript.page-up"),
        _binding("pagedown", "move('page', 1)", "Page down", "transcript.page-down"),
        _binding("space", "toggle_mark", "Start/stop selecting (moves extend)", "transcript.mark"),
        _binding("S", "select_sentence", "Select the sentence", "transcript.select-sentence"),
        _binding("T", "select_turn", "Select the turn", "transcript.select-turn"),
        _binding("escape", "clear_selection", "Clear the selection", "transcript.clear"),
    ]

    @dataclass
    class SelectionChanged(Message):
        """The cursor moved or the selection changed (``selection`` is ``[start, end)``
        or ``None``)."""

        view: TranscriptView
        cursor: int
        selection: tuple[int, int] | None

        @property
        def control(self) -> TranscriptView:
            return self.view

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.turns: tuple[Turn, ...] = ()
        self.codings: tuple[Coding, ...] = ()
        self.marks: dict[str, CodeMark] = {}
        self.cursor = 0
        self.anchor_offset: int | None = None
        self.marking = False
        self.hits: list[tuple[int, int]] = []
        self._lines: layout.WrappedLines = layout.WrappedLines([0], [0])
        self._line_starts: list[int] = []
        self._wrapped_width = -1
        self._words_cache: list[int] | None = None
        self._sentences_cache: list[int] | None = None
        self._turn_starts: list[int] = []
        self._turn_first_line: dict[int, int] = {}
        self._stretches: list[layout.Stretch] = []
        self._stretch_ends: list[int] = []
        self._goal_column: int | None = None
        self._part_styles: dict[str, Style] = {}
        self._region: tuple[int, int] | None = None
        self._strips: dict[int, Strip] = {}
        self._strips_key: tuple[int, Style] | None = None
        self._code_style_cache: dict[tuple[str, Color], tuple[Style, Style, Style]] = {}
        self._gutter = 0

    # -- content -------------------------------------------------------------------------
    def load(
        self,
        text: str,
        turns: Sequence[Turn],
        codings: Sequence[Coding],
        marks: dict[str, CodeMark],
    ) -> None:
        """Show a transcript; the cursor goes to its start."""
        self.text = text
        self.turns = tuple(turns)
        self.marks = dict(marks)
        self._code_style_cache.clear()
        self.cursor, self.anchor_offset, self.marking = 0, None, False
        self.hits = []
        self._words_cache = None  # computed on first use
        self._sentences_cache = None
        self._turn_starts = [turn.start for turn in self.turns]
        self._gutter = 8 if any(t.timestamp is not None for t in self.turns) else 0
        self._wrapped_width = -1
        self._lines = layout.WrappedLines([0], [0])
        self._line_starts = self._lines.starts
        self.set_codings(codings)
        self._ensure_wrapped()
        self.scroll_to(0, 0, animate=False)
        self._announce()

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

    def select_span(self, start: int, end: int) -> None:
        """Select ``[start, end)`` and scroll it into view (centred)."""
        self.anchor_offset, self.cursor, self.marking = start, end, False
        self._goal_column = None
        self._ensure_wrapped()
        line = layout.line_index(self._line_starts, start)
        self.scroll_to(y=max(0, line - self._region_size()[1] // 3), animate=False)
        self._invalidate()
        self._announce()

    @property
    def _words(self) -> list[int]:
        if self._words_cache is None:
            self._words_cache = [start for start, _ in iter_word_spans(self.text)]
        return self._words_cache

    @property
    def _sentences(self) -> list[int]:
        if self._sentences_cache is None:
            self._sentences_cache = layout.sentence_starts(self.text, self._turn_starts)
        return self._sentences_cache

    # -- layout --------------------------------------------------------------------------
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

    def on_resize(self, event: events.Resize) -> None:
        self._region = None
        self._ensure_wrapped()
        self._scroll_cursor_into_view()

    # -- painting ------------------------------------------------------------------------
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
        segments.append(Segment(" " * (STRIPES - used + 1), base))
        return segments

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
                style += self._coded_style(stretches[stretch_index], tint_base)
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

    # -- moving --------------------------------------------------------------------------
    def action_move(self, unit: str, steps: int, extend: bool = False) -> None:
        self._ensure_wrapped()
        before = (self.cursor, self.anchor_offset)
        if extend or self.marking:
            if self.anchor_offset is None:
                self.anchor_offset = self.cursor
        else:
            self.anchor_offset = None
        self.cursor = self._target(unit, steps)
        if unit not in ("line", "page"):
            self._goal_column = None
        self._scroll_cursor_into_view()
        # only rows between the old and new cursor and selection ends look different
        points = [p for p in (*before, self.cursor, self.anchor_offset) if p is not None]
        self._invalidate(min(points), max(points) + 1)
        self._announce()

    def _target(self, unit: str, steps: int) -> int:
        cursor, length = self.cursor, len(self.text)
        if unit == "char":
            return min(max(0, cursor + steps), length)
        if unit in ("word", "sentence", "turn"):
            points = {"word": self._words, "sentence": self._sentences, "turn": self._turn_starts}[
                unit
            ]
            found = layout.next_boundary(points, cursor, steps > 0)
            return found if found is not None else (length if steps > 0 else 0)
        if unit == "top":
            return 0
        if unit == "bottom":
            return length
        index = layout.line_index(self._line_starts, cursor)
        line = self._lines[index]
        if unit == "home":
            return line.start
        if unit == "end":
            return line.end
        if self._goal_column is None:
            self._goal_column = cursor - line.start
        jump = steps if unit == "line" else steps * max(1, self._region_size()[1] - 1)
        target = self._lines[min(max(0, index + jump), len(self._lines) - 1)]
        return min(target.start + self._goal_column, target.end)

    def action_toggle_mark(self) -> None:
        self.marking = not self.marking
        if self.marking:
            self.anchor_offset = self.cursor
        self._invalidate()
        self._announce()

    def action_select_sentence(self) -> None:
        offset = self.cursor
        following = layout.next_boundary(self._turn_starts, offset - 1, True)
        if following is not None and "\n" not in self.text[offset:following]:
            offset = following  # on a "Name:" label: the turn's first sentence
        start, end = layout.sentence_around(self.text, self._sentences, offset)
        self.select_span(start, end)

    def action_select_turn(self) -> None:
        index = max(0, layout.line_index(self._turn_starts, self.cursor))
        if self.turns:
            turn = self.turns[index]
            self.select_span(turn.start, turn.end)

    def action_clear_selection(self) -> None:
        self.anchor_offset, self.marking = None, False
        self._invalidate()
        self._announce()

    def _scroll_cursor_into_view(self) -> None:
        if not self._lines:
            return
        line = layout.line_index(self._line_starts, self.cursor)
        top = round(self.scroll_offset.y)
        height = max(1, self._region_size()[1])
        if line < top:
            self.scroll_to(y=line, animate=False)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False)

    def _announce(self) -> None:
        self.post_message(self.SelectionChanged(self, self.cursor, self.selection))

    # -- mouse ---------------------------------------------------------------------------
    def _offset_at(self, x: int, y: int) -> int:
        self._ensure_wrapped()
        index = min(len(self._lines) - 1, max(0, self.scroll_offset.y + y))
        line = self._lines[index]
        column = x - self._gutter - STRIPES - 1
        return min(max(line.start, line.start + column), line.end)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        self.cursor = self._offset_at(event.x, event.y)
        self.anchor_offset, self.marking = self.cursor, False
        self.capture_mouse()
        self._invalidate()
        self._announce()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.app.mouse_captured is self:
            self.cursor = self._offset_at(event.x, event.y)
            self._invalidate()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.app.mouse_captured is self:
            self.capture_mouse(False)
            self.cursor = self._offset_at(event.x, event.y)
            self._invalidate()
            self._announce()


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
