"""Re-anchoring: carrying spans through an edit of their text.

An :class:`EditScript` lists how an old text became a new one as blocks ``(tag, old_start,
old_end, new_start, new_end)`` with tags ``equal``, ``replace``, ``insert``, ``delete``,
covering both texts in order (rapidfuzz's ``Levenshtein.opcodes``, or built from known
replacements). Offsets are half-open code points.

A span maps boundary by boundary: a start follows the character it stands before, an end
the character it stands after. So text inserted exactly at a span's edge stays outside it,
text inserted inside it joins it, and deleted text leaves it. Then the span's stored anchor
text is compared with the new text there: unchanged is ``kept``. An alignment is not always
the edit that was made — beside repeated letters, or where an insertion and a deletion next
to each other became one replacement, it may draw an edit across a span's edge — so an
exact copy of the old text close by (within the reach of the edits at the span's edges, or
between the unchanged runs of :data:`CONTEXT` characters around it) is taken as the span,
``kept``. Otherwise the span is ``adjusted`` if its new text is still similar enough, or
flagged for ``review`` — never dropped.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from qualcode.domain.spans import span_text

Block = tuple[str, int, int, int, int]

KEPT = "kept"
ADJUSTED = "adjusted"
REVIEW = "review"
DEFAULT_THRESHOLD = 80.0  # percent similarity (rapidfuzz ratio) below which a span is flagged
CONTEXT = 16  # an unchanged run this long is trusted to be aligned correctly


class EditScript:
    """Maps offsets of an old text to a new one through edit blocks."""

    def __init__(self, blocks: Iterable[Block], old_length: int, new_length: int) -> None:
        self.blocks: list[Block] = [b for b in blocks if b[1] != b[2] or b[3] != b[4]]
        self.old_length = old_length
        self.new_length = new_length
        # Blocks that cover old characters, for finding the block of a character.
        self._covering = [b for b in self.blocks if b[2] > b[1]]
        self._covering_starts = [b[1] for b in self._covering]
        self._edit_starts = [b[1] for b in self.blocks if b[0] != "equal"]
        self._context = [b for b in self.blocks if b[0] == "equal" and b[2] - b[1] >= CONTEXT]
        self._context_ends = [b[2] for b in self._context]
        self._context_starts = [b[1] for b in self._context]
        self._slides = [(b[1], b[2], b[1], b[2], b[3], b[4]) for b in self.edits()]

    def with_texts(self, old: str, new: str) -> EditScript:
        """The same script, aware of the texts, so that :meth:`slack` also covers edits
        that could slide along repeated letters to a span's edge."""
        self._slides = self._slide_ranges(old, new)
        return self

    @property
    def changed(self) -> bool:
        return any(tag != "equal" for tag, *_ in self.blocks)

    def edits(self) -> list[Block]:
        """The blocks that change something."""
        return [b for b in self.blocks if b[0] != "equal"]

    def _block_of(self, character: int) -> Block:
        index = bisect_right(self._covering_starts, character) - 1
        return self._covering[index]

    def start(self, position: int) -> int:
        """Where a span start at ``position`` (before old character ``position``) goes."""
        if position >= self.old_length:
            return self.new_length
        tag, i1, i2, j1, j2 = self._block_of(position)
        if tag == "equal":
            return j1 + (position - i1)
        if tag == "delete" or position == i1:
            return j1
        return j1 + (position - i1) * (j2 - j1) // (i2 - i1)  # inside a replaced stretch

    def end(self, position: int) -> int:
        """Where a span end at ``position`` (after old character ``position - 1``) goes."""
        if position <= 0:
            return 0
        tag, i1, i2, j1, j2 = self._block_of(position - 1)
        if tag == "equal":
            return j1 + (position - i1)
        if tag == "delete":
            return j1
        if position == i2:
            return j2
        return j1 + -((position - i1) * (j2 - j1) // -(i2 - i1))  # ceiling, inside a replace

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), max(self.start(start), self.end(end))

    def reach(self, start: int, end: int, length: int) -> list[tuple[int, int]]:
        """Stretches of the new text (half-open) where a span ``[start, end)`` of
        ``length`` characters may really have gone when an edit touches one of its edges:
        around each changing block that touches ``start`` or ``end`` — or could be slid
        along repeated letters to touch them — widened by the span's length and by the
        old text the edit covers, slid or not (an alignment may draw a deletion up to its
        own length away from where it was made, beside letters that repeat)."""
        found = []
        for boundary in {start, end}:
            index = bisect_right(self._edit_starts, boundary)
            for low, high, _i1, _i2, j1, j2 in self._slides[max(0, index - 2) : index + 1]:
                if low <= boundary <= high:
                    widen = length + (high - low)
                    found.append((max(0, j1 - widen), min(self.new_length, j2 + widen)))
        return found

    def context(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of the new text between the unchanged runs of at least
        :data:`CONTEXT` characters nearest before ``start`` and after ``end`` (the text's
        ends when there are none): where the span must be if the alignment around it is
        to be trusted at all."""
        index = bisect_right(self._context_ends, start) - 1
        low = self._context[index][4] if index >= 0 else 0
        index = bisect_right(self._context_starts, end - 1)
        high = self._context[index][3] if index < len(self._context) else self.new_length
        return low, max(low, high)

    def _slide_ranges(self, old: str, new: str) -> list[tuple[int, int, int, int, int, int]]:
        """For each changing block: the old-text range ``(low, high)`` it could cover when
        slid along repeated letters (an insertion or deletion of "a" in "aaaa" could sit
        anywhere in the run), then the block itself ``(i1, i2, j1, j2)``."""
        ranges = []
        for index, (tag, i1, i2, j1, j2) in enumerate(self.blocks):
            if tag == "equal":
                continue
            low, high = i1, i2
            before = self.blocks[index - 1] if index else None
            after = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
            if tag == "delete":
                floor = before[1] if before and before[0] == "equal" else i1
                ceiling = after[2] if after and after[0] == "equal" else i2
                while low > floor and old[low - 1] == old[low - 1 + i2 - i1]:
                    low -= 1
                shift = 0
                while i2 + shift < ceiling and old[i1 + shift] == old[i2 + shift]:
                    shift += 1
                high = i2 + shift
            elif tag == "insert":
                floor = before[1] if before and before[0] == "equal" else i1
                ceiling = after[2] if after and after[0] == "equal" else i2
                step = 0
                while i1 - step > floor and new[j1 - step - 1] == new[j2 - step - 1]:
                    step += 1
                low = i1 - step
                shift = 0
                while i1 + shift < ceiling and new[j1 + shift] == new[j2 + shift]:
                    shift += 1
                high = i2 + shift
            ranges.append((low, high, i1, i2, j1, j2))
        return ranges


def edit_script(old: str, new: str) -> EditScript:
    """The edit script between two texts (Levenshtein alignment, rapidfuzz)."""
    blocks = (tuple(op) for op in Levenshtein.opcodes(old, new))
    return EditScript(blocks, len(old), len(new)).with_texts(old, new)  # type: ignore[arg-type]


def replacement_script(old_length: int, replacements: Sequence[tuple[int, int, str]]) -> EditScript:
    """The edit script of known replacements ``(start, end, new_text)`` in the old text
    (sorted, not overlapping), e.g. names swapped for pseudonyms."""
    blocks: list[Block] = []
    old_at = new_at = 0
    for start, end, text in replacements:
        if start < old_at:
            raise ValueError(f"replacement at {start} overlaps the one before")
        if start > old_at:
            blocks.append(("equal", old_at, start, new_at, new_at + start - old_at))
            new_at += start - old_at
        tag = "replace" if end > start and text else ("insert" if text else "delete")
        blocks.append((tag, start, end, new_at, new_at + len(text)))
        old_at, new_at = end, new_at + len(text)
    if old_length > old_at:
        blocks.append(("equal", old_at, old_length, new_at, new_at + old_length - old_at))
        new_at += old_length - old_at
    return EditScript(blocks, old_length, new_at)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a span went: ``status`` is ``kept`` (same text), ``adjusted`` (text changed,
    still ``similarity`` ≥ threshold) or ``review`` (changed too much, or its text was
    deleted: then a one-character span at the place it was). ``text`` is the new text at
    ``[start, end)``; ``similarity`` is 0–100."""

    start: int
    end: int
    text: str
    status: str
    similarity: float


def place_span(
    new: str,
    script: EditScript,
    start: int,
    end: int,
    anchor: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> Placement:
    """Carry the span ``[start, end)`` whose text was ``anchor`` into ``new``."""
    if not new:
        raise ValueError("the new text is empty")
    mapped_start, mapped_end = script.span(start, end)
    if span_text(new, mapped_start, mapped_end) == anchor:
        return Placement(mapped_start, mapped_end, anchor, KEPT, 100.0)
    # An exact copy of the old text beside where the span maps (within the reach of the
    # edits at its edges), or anywhere between the unchanged runs around it, is the span
    # itself: the alignment drew an edit next to it across its edge.
    reach = [*script.reach(start, end, len(anchor)), script.context(start, end)]
    found = _nearby_anchor(new, anchor, mapped_start, reach)
    if found is not None:
        return Placement(found, found + len(anchor), anchor, KEPT, 100.0)
    text = span_text(new, mapped_start, mapped_end)
    similarity = fuzz.ratio(anchor, text) if text else 0.0
    if similarity >= threshold:
        return Placement(mapped_start, mapped_end, text, ADJUSTED, similarity)
    if not text:
        at = min(mapped_start, len(new) - 1)
        return Placement(at, at + 1, new[at : at + 1], REVIEW, 0.0)
    return Placement(mapped_start, mapped_end, text, REVIEW, similarity)


def _nearby_anchor(new: str, anchor: str, mapped: int, reach: list[tuple[int, int]]) -> int | None:
    """The start of an exact copy of ``anchor`` lying wholly within one of the ``reach``
    stretches, nearest to ``mapped`` first; ``None`` when there is none. This finds a span
    whose neighbouring edit the alignment drew across its edge (repeated letters, or an
    insertion and a deletion beside it merged into one replacement)."""
    best: int | None = None
    for low, high in reach:
        at = new.find(anchor, low, high)
        while at != -1:
            if best is None or abs(at - mapped) < abs(best - mapped):
                best = at
            at = new.find(anchor, at + 1, high)
    return best if anchor else None
