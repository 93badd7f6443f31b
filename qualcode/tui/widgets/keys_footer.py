"""The footer of every workspace screen, with quit and help first.

Textual's footer lists the focused widget's keys, then the screen's, then the app's: at
80 columns the context keys fill the line and quit and help (the app's) fall off the
end. Here they lead, so a new user always sees how to leave and how to find every key;
the rest follow in Textual's order (all of them are in help and the palette too)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

FIRST_ACTIONS = ("quit", "app.quit", "help", "app.help")  # in this order


def _rank(widget: object) -> int:
    action = getattr(widget, "action", None)  # a footer key's action; other parts have none
    return FIRST_ACTIONS.index(action) // 2 if action in FIRST_ACTIONS else len(FIRST_ACTIONS)


class KeysFooter(Footer):
    """A :class:`Footer` whose quit and help keys come first."""

    def compose(self) -> ComposeResult:
        if any(b.binding.group is not None for b in self.screen.active_bindings.values()):
            yield from self._settled(super().compose())  # grouped keys sit in containers: as is
            return
        # keys only: a stable sort keeps the others in Textual's order
        yield from sorted(self._settled(super().compose()), key=_rank)

    def _settled(self, parts: Iterable[Widget]) -> Iterable[Widget]:
        """The parts, each key already in the look it ends up with once mounted.

        A key starts compact and is switched to the footer's setting once mounted: two
        restyles of every key on every recompose (about a fifth of a screen's start-up).
        Given its final value first, the switch is no change and costs nothing. The
        palette key is not bound to the footer's setting: Textual keeps it compact."""
        for part in parts:
            if isinstance(part, FooterKey):
                final = True if part.has_class("-command-palette") else self.compact
                part.set_reactive(FooterKey.compact, final)
                part.set_class(final, "-compact", update=False)
            yield part
