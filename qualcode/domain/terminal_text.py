"""Text bound for a terminal, with its control characters made visible.

A project may hold text from anywhere (a hand-edited database, an imported file), and a
terminal obeys control characters: ESC starts sequences that clear the screen, move the
cursor or set the window title, CR returns to the start of the line, BEL rings. Text shown
on a terminal therefore goes through :func:`visible` first, which shows every control
character instead of sending it:

- C0 controls (U+0000-U+001F) become their Unicode *Control Pictures* (U+2400-U+241F):
  ESC is shown as ``␛``, CR as ``␍``, BEL as ``␇``, NUL as ``␀``; one character each, so
  table columns stay aligned;
- DEL (U+007F) and the C1 controls (U+0080-U+009F, which some terminals obey like ESC
  sequences) become the escape ``\\u007f`` … ``\\u009f`` (six characters; in JSON output
  that escape reads back as the very same character).

Characters named in ``keep`` (by default newline and tab, which only lay out text) pass
unchanged. Everything else, including all printable Unicode, is left as it is.
"""

from __future__ import annotations

import re
from functools import cache

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
LINE_AND_TAB = "\n\t"


@cache
def _table(keep: str) -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}
    table.update({code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)})
    for character in keep:
        table.pop(ord(character), None)
    return table


def visible(text: str, *, keep: str = LINE_AND_TAB) -> str:
    """``text`` with every control character not in ``keep`` shown as described in the
    module docstring. Text without control characters is returned as it is (fast path)."""
    if _CONTROLS.search(text) is None:
        return text
    return text.translate(_table(keep))
