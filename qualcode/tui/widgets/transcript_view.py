"""The transcript the coder works in: keyboard and mouse selection over
:class:`TranscriptRows` (move by character, word, sentence, row, turn, page; extend with
shift or after ``space``), announcing every change as :class:`TranscriptView.SelectionChanged`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from qualcode.domain.codings import Coding
from qualcode.domain.transcripts import Turn
from qualcode.domain.words import iter_word_spans
from qualcode.tui import text_layout as layout
from qualcode.tui.widgets.transcript_rows import STRIPES, CodeMark, TranscriptRows

__all__ = ["CodeMark", "TranscriptView"]


def _binding(key: str, action: str, description: str, binding_id: str) -> Binding:
    return Binding(key, action, description, show=False, id=binding_id, tooltip=description)


class TranscriptView(TranscriptRows, can_focus=True):
    """Shows one transcript; the cursor and selection are code-point offsets."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript-view--cursor",
        "transcript-view--selection",
        "transcript-view--speaker",
        "transcript-view--gutter",
        "transcript-view--hit",
        "transcript-view--flag",
        "transcript-view--flagged",
        "transcript-view--suggestion",
    }
    DEFAULT_CSS = """
    TranscriptView { background: $surface; scrollbar-gutter: stable; }
    TranscriptView > .transcript-view--cursor { background: $foreground; color: $background; }
    TranscriptView > .transcript-view--selection { background: $accent 60%; }
    TranscriptView > .transcript-view--speaker { text-style: bold; color: $text-primary; }
    TranscriptView > .transcript-view--gutter { color: $text-muted; }
    TranscriptView > .transcript-view--hit { background: $warning 50%; }
    TranscriptView > .transcript-view--flag { background: $error; color: $text; text-style: bold; }
    TranscriptView > .transcript-view--flagged { text-style: italic; color: $text-error; }
    TranscriptView > .transcript-view--suggestion { text-style: dim italic; }
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
        self.marking = False
        self._words_cache: list[int] | None = None
        self._sentences_cache: list[int] | None = None
        self._goal_column: int | None = None

    def load(
        self,
        text: str,
        turns: Sequence[Turn],
        codings: Sequence[Coding],
        marks: dict[str, CodeMark],
    ) -> None:
        """Show a transcript; the cursor goes to its start."""
        self.show(text, turns, marks)
        self.cursor, self.anchor_offset, self.marking = 0, None, False
        self._words_cache = None  # computed on first use
        self._sentences_cache = None
        self.set_codings(codings)
        self._ensure_wrapped()
        self.scroll_to(0, 0, animate=False)
        self._announce()

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

    def _offset_at(self, x: int, y: int) -> int:
        self._ensure_wrapped()
        index = min(len(self._lines) - 1, max(0, self.scroll_offset.y + y))
        line = self._lines[index]
        column = x - self._gutter - STRIPES - 1
        return min(max(line.start, line.start + column), line.end)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.focus()
        self.cursor = self._offset_at(*event.get_content_offset_capture(self))
        self.anchor_offset, self.marking = self.cursor, False
        self.capture_mouse()
        self._invalidate()
        self._announce()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.app.mouse_captured is self:
            self.cursor = self._offset_at(*event.get_content_offset_capture(self))
            self._invalidate()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.app.mouse_captured is self:
            self.capture_mouse(False)
            self.cursor = self._offset_at(*event.get_content_offset_capture(self))
            self._invalidate()
            self._announce()

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self._scroll_cursor_into_view()
