"""The case values of the speaker at the cursor: a survey respondent's answers to the
closed questions (or a focus-group participant's attributes) at hand while coding their
turns. Hidden when the turn's speaker belongs to no case."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from qualcode.domain.cases import SpeakerCases
from qualcode.domain.transcripts import Turn


def turn_at(text: str, turns: Sequence[Turn], offset: int) -> Turn | None:
    """The turn ``offset`` is in, counting a turn's "Name:" label (on the line it starts)
    as part of it; ``None`` before the first turn's line."""
    starts = [turn.start for turn in turns]
    index = bisect_right(starts, offset) - 1
    following = index + 1
    if following < len(turns) and offset >= text.rfind("\n", 0, turns[following].start) + 1:
        index = following  # on the next turn's label
    return turns[index] if index >= 0 else None


class SpeakerDetails(Static):
    """``R07 · Kommune Odense · Barnets alder 9 · …`` for the turn at the cursor."""

    shown = ""  # the text shown, plain (tests read it)

    def show_for(self, turn: Turn | None, speakers: SpeakerCases) -> None:
        cases = speakers.get(turn.speaker, {}) if turn is not None and turn.speaker else {}
        text = Text()
        for case, values in cases.items():
            if text:
                text.append("\n")
            text.append(case, style="bold")
            for attribute, value in values:
                text.append("\n")
                text.append(f"{attribute}: ", style="dim")
                text.append(value)
        if text.plain != self.shown:
            self.update(text)  # a Text: stored values are never read as markup
            self.shown = text.plain
        self.display = bool(cases)
