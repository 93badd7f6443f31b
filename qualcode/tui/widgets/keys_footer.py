"""The footer of every workspace screen, with quit and help first.

Textual's footer lists the focused widget's keys, then the screen's, then the app's: at
80 columns the context keys fill the line and quit and help (the app's) fall off the
end. Here they lead, so a new user always sees how to leave and how to find every key;
the rest follow in Textual's order (all of them are in help and the palette too)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

FIRST_ACTIONS = ("quit", "app.quit", "help", "app.help")  # in this order


def _rank(widget: object) -> int:
    action = getattr(widget, "action", None)  # a footer key's action; other parts have none
    return FIRST_ACTIONS.index(action) // 2 if action in FIRST_ACTIONS else len(FIRST_ACTIONS)


class KeysFooter(Footer):
    """A :class:`Footer` whose quit and help keys come first."""

    def compose(self) -> ComposeResult:
        if any(b.binding.group is not None for b in self.screen.active_bindings.values()):
            yield from super().compose()  # grouped keys are laid out in containers: as is
            return
        # keys only: a stable sort keeps the others in Textual's order
        yield from sorted(super().compose(), key=_rank)
