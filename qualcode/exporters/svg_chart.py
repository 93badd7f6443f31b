"""Small bar charts drawn as inline SVG for the HTML pages: no script, no network, no
external font — a page stays one self-contained file. Every text from the project is
escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence

BAR_WIDTH = 220
ROW_HEIGHT = 22
CHARACTER_WIDTH = 7
"""About the width of one character of 12-pixel sans-serif text, in pixels."""
LABEL_LIMIT = 40
"""Characters of a bar's label; a longer one is cut with "…" (its title holds it all)."""
FILL = "#0969da"
TRACK = "#eaeef2"


def bar_chart(description: str, bars: Sequence[tuple[str, int, int]]) -> str:
    """An SVG with one bar per ``(label, n, m)``: a pale track for m and over it a bar
    n ÷ m of its length, labelled "n/m" (an m of 0 draws an empty track).
    ``description`` is the chart's accessible title. The label column is as wide as
    the longest label (up to :data:`LABEL_LIMIT` characters)."""
    labels = [_short(label) for label, _, _ in bars]
    label_width = CHARACTER_WIDTH * max((len(label) for label in labels), default=0) + 12
    width = label_width + BAR_WIDTH + 8 * CHARACTER_WIDTH
    height = ROW_HEIGHT * len(bars) + 4
    out = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{html.escape(description)}</title>",
    ]
    for index, ((label, n, m), shown) in enumerate(zip(bars, labels, strict=True)):
        top = 2 + index * ROW_HEIGHT
        filled = round(BAR_WIDTH * n / m) if m else 0
        middle = top + ROW_HEIGHT / 2 + 4
        out.extend(
            [
                f'<text x="{label_width - 6}" y="{middle}" text-anchor="end" font-size="12">'
                f"{_whole(label, shown)}{html.escape(shown)}</text>",
                f'<rect x="{label_width}" y="{top + 3}" width="{BAR_WIDTH}" '
                f'height="{ROW_HEIGHT - 6}" fill="{TRACK}"/>',
                f'<rect x="{label_width}" y="{top + 3}" width="{filled}" '
                f'height="{ROW_HEIGHT - 6}" fill="{FILL}"/>',
                f'<text x="{label_width + BAR_WIDTH + 6}" y="{middle}" font-size="12">'
                f"{n}/{m}</text>",
            ]
        )
    out.append("</svg>")
    return "".join(out)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def _whole(label: str, shown: str) -> str:
    """A cut label's full text as its tooltip."""
    return "" if label == shown else f"<title>{html.escape(label)}</title>"
