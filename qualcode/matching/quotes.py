"""Quote lookup: find where a passage quoted in a research report sits in a transcript.

A printed quote differs from the transcript in predictable ways: cuts ("(…)", "[...]",
"…"), editorial insertions in square brackets, line breaks and hyphenation, typographic
quotes and dashes, surrounding quotation marks and case. Both texts are brought into a
*comparison form* (casefolded, quotes and dashes unified, whitespace runs collapsed to one
space) that remembers, for the transcript, where each of its characters came from. The
quote is split at its cuts into fragments; the longest fragment is located first (exact
``str.find``, else rapidfuzz partial alignment), then the others in order before and after
it. Results are half-open ``[start, end)`` offsets in Unicode code points into the
original transcript text, so ``text[match.start:match.end]`` is the passage.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from rapidfuzz import fuzz, process

from qualcode.domain.spans import span_text

# Lengths are in comparison-form characters (about one per code point of the original).
MAX_CUT_CHARS = 3000  # how much transcript (~500 words) a cut may leave out
SHORT_FRAGMENT_CHARS = 6  # shorter fragments are only looked for exactly, as whole words
NEAR_CHARS = 200  # most cuts leave out less; short fragments must sit this close
NEAR_SCORE = 85.0  # a fuzzy place this good near the neighbour beats a better one far off
FRAGMENT_FLOOR = 50.0  # a non-anchor fragment scoring less does not widen the span
PROBE_CHARS = 256  # long fragments are located by their first (and last) this-many
MAX_SLACK_CHARS = 80  # how far refinement may move a fragment's start or end
MAX_EXACT_ANCHORS = 50
FUZZY_ANCHORS = 5
CANDIDATES = 3
TIE_MARGIN = 1.0  # places scoring within this of the best are equally good: ambiguous

# Typographic quotes and dashes map one-to-one onto straight ones, so offsets stay put.
_UNIFY = str.maketrans("‘’‚‛′`“”„‟″«»‐‑‒–—―−", "'" * 6 + '"' * 7 + "-" * 7)
_NON_SPACE = re.compile(r"\S+")
_CUT = re.compile(r"[(\[]\s*(?:…|\.{2,})\s*[)\]]|…|\.{3,}")
_INSERTION = re.compile(r"\[[^\[\]]*\]")
_LINE_END_HYPHEN = re.compile(r"(\w+)[-‐‑\u00ad][^\S\n]*\n\s*(\w+)")
_DOUBLE_QUOTES = '"“”„‟«»'
_SINGLE_QUOTES = "'‘’‚‛"
_NEWLINE_RUN = re.compile(r"\s*\n\s*")


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """Where a quote sits: half-open ``[start, end)`` code points into the transcript
    text, and a similarity ``score`` from 0 to 100 (100 = every fragment found exactly)."""

    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class QuoteResult:
    """``best`` is the top match if its score reaches the threshold and no other place
    matches about as well, else ``None``. ``candidates`` are up to three distinct places,
    best first, whatever their score. ``ties`` are, when two or more distinct places
    reach the threshold within ``TIE_MARGIN`` points of the top score, all of them in
    text order (``best`` is then ``None``: the quote does not say which one is meant);
    ``more_ties`` says the search stopped counting them (there may be more)."""

    best: QuoteMatch | None
    candidates: tuple[QuoteMatch, ...]
    ties: tuple[QuoteMatch, ...] = ()
    more_ties: bool = False


class _Comparison(NamedTuple):
    """Comparison form of a text; ``origin[i]`` is the code-point offset in the original
    text that character ``i`` came from (a collapsed whitespace run maps to its first
    character; a casefold expansion such as ß → ss maps both characters to the ß)."""

    text: str
    origin: array[int]


class _Hit(NamedTuple):
    """A located fragment: ``[start, end)`` in comparison-form positions."""

    start: int
    end: int
    score: float


class _Chain(NamedTuple):
    """Fragments placed around one anchor: ``[start, end)`` in comparison-form positions
    from fragment number ``first`` to fragment number ``last``."""

    start: int
    end: int
    score: float
    first: int
    last: int


def _comparison_form(text: str) -> _Comparison:
    """Casefold, unify quotes and dashes, collapse whitespace runs to one space."""
    unified = text.translate(_UNIFY)
    parts: list[str] = []
    origin = array("q")
    previous_end: int | None = None
    for token in _NON_SPACE.finditer(unified):
        if previous_end is not None:
            parts.append(" ")
            origin.append(previous_end)
        word = token.group()
        folded = word.casefold()
        if len(folded) == len(word):
            origin.extend(range(token.start(), token.end()))
        else:
            folded = ""
            for offset, char in enumerate(word):
                expansion = char.casefold()
                folded += expansion
                origin.extend([token.start() + offset] * len(expansion))
        parts.append(folded)
        previous_end = token.end()
    return _Comparison("".join(parts), origin)


# Cached because a caller usually looks up many quotes in the same transcript.
_transcript_form = lru_cache(maxsize=8)(_comparison_form)


def _strip_quotation_marks(quote: str) -> str:
    """Drop quotation marks around the whole quote (a lone trailing ’ may be an apostrophe)."""
    quote = quote.strip()
    if len(quote) >= 2 and quote[0] in _SINGLE_QUOTES and quote[-1] in _SINGLE_QUOTES:
        quote = quote[1:-1]
    return quote.strip().strip(_DOUBLE_QUOTES).strip()


def _quote_fragments(quote: str, transcript: str) -> list[str]:
    """Split a printed quote at its cuts into comparison-form fragments, without editorial
    insertions or line-end hyphenation. ``transcript`` (comparison form) decides whether a
    hyphen at a line end was a real compound ("family-\\ncentred") or word division."""

    def join_hyphenated(match: re.Match[str]) -> str:
        compound = f"{match[1]}-{match[2]}"
        if compound.casefold() in transcript:
            return compound
        return match[1] + match[2]

    def drop_insertion(match: re.Match[str]) -> str:
        # "[T]he" and "walk[ed]" edit letters of a word: keep them. A free-standing
        # "[the caseworker]" or "[laughs]" is the editor's, not the speaker's.
        before = match.string[match.start() - 1 : match.start()]
        after = match.string[match.end() : match.end() + 1]
        if before.isalnum() or after.isalnum():
            return match[0][1:-1]
        return " "

    dehyphenated = _LINE_END_HYPHEN.sub(join_hyphenated, _strip_quotation_marks(quote))
    fragments = []
    for piece in _CUT.split(dehyphenated):
        folded = _comparison_form(_INSERTION.sub(drop_insertion, piece)).text
        if any(char.isalnum() for char in folded):
            fragments.append(folded)
    return fragments


def _fit_start(piece: str, comp: str, start: int, end: int, lo: int, slack: int) -> int:
    """The start within ``slack`` of ``start`` (not before ``lo``) where ``comp[start:end]``
    is most like ``piece``; tried from the inside out so a tie keeps the tighter span."""
    best_start, best = start, fuzz.ratio(piece, comp[start:end])
    for candidate in range(min(end - 1, start + slack), max(lo, start - slack) - 1, -1):
        score = fuzz.ratio(piece, comp[candidate:end])
        if score > best:
            best_start, best = candidate, score
    return best_start


def _fit_end(piece: str, comp: str, start: int, end: int, hi: int, slack: int) -> int:
    """Like :func:`_fit_start` for the end (not after ``hi``)."""
    best_end, best = end, fuzz.ratio(piece, comp[start:end])
    for candidate in range(max(start + 1, end - slack), min(hi, end + slack) + 1):
        score = fuzz.ratio(piece, comp[start:candidate])
        if score > best:
            best_end, best = candidate, score
    return best_end


def _refine(fragment: str, comp: str, start: int, end: int, lo: int, hi: int) -> _Hit:
    """Move ``start`` and ``end`` (within ``[lo, hi]``) to where ``fuzz.ratio`` with the
    fragment is highest: partial alignment always spans ``len(fragment)`` characters,
    but the passage is longer or shorter when the quote dropped or added words."""
    slack = min(len(fragment) // 4 + 8, MAX_SLACK_CHARS)
    if len(fragment) <= PROBE_CHARS:
        for _ in range(2):
            start = _fit_start(fragment, comp, start, end, lo, slack)
            end = _fit_end(fragment, comp, start, end, hi, slack)
        return _Hit(start, end, fuzz.ratio(fragment, comp[start:end]))
    # A long fragment's ends are fitted by its first and last characters only, which keeps
    # the cost independent of its length; its tail is first found near the expected end.
    head, tail = fragment[:PROBE_CHARS], fragment[-PROBE_CHARS:]
    margin = max(MAX_SLACK_CHARS, len(fragment) // 8)
    region_lo = max(start + 1, end - len(tail) - margin)
    region_hi = max(region_lo + 1, min(hi, end + margin))
    alignment = fuzz.partial_ratio_alignment(tail, comp[region_lo:region_hi])
    if alignment:
        end = region_lo + alignment.dest_end + len(tail) - alignment.src_end
        end = max(start + 1, min(hi, end))
    start = _fit_start(head, comp, start, min(end, start + len(head)), lo, slack)
    end = _fit_end(tail, comp, max(start, end - len(tail)), end, hi, slack)
    return _Hit(start, end, fuzz.ratio(fragment, comp[start:end]))


def _align(fragment: str, comp: str, lo: int, hi: int, end_limit: int | None = None) -> _Hit:
    """Best fuzzy place of ``fragment`` starting inside ``comp[lo:hi]``; its end may run
    on to ``end_limit`` (default ``hi``), as an anchor found by its probe may."""
    end_limit = hi if end_limit is None else end_limit
    probe = fragment[:PROBE_CHARS]
    alignment = fuzz.partial_ratio_alignment(probe, comp[lo:hi])
    # Without a score cutoff rapidfuzz always returns an alignment; None is typing only.
    offset = alignment.dest_start - alignment.src_start if alignment else 0
    start = max(lo, lo + offset)
    end = min(end_limit, start + len(fragment))
    return _refine(fragment, comp, start, max(end, start + 1), lo, end_limit)


def _exact_positions(fragment: str, comp: str, lo: int, hi: int) -> Iterator[int]:
    """Ascending starts of exact occurrences lying wholly inside ``comp[lo:hi]``. Short
    fragments must stand as whole words: "no" is not the start of "nobody"."""
    if len(fragment) >= SHORT_FRAGMENT_CHARS:
        position = comp.find(fragment, lo, hi)
        while position >= 0:
            yield position
            position = comp.find(fragment, position + 1, hi)
        return
    before = r"(?<!\w)" if fragment[0].isalnum() else ""
    after = r"(?!\w)" if fragment[-1].isalnum() else ""
    base = max(0, lo - 1)  # one character either side, for the word-boundary checks
    for match in re.finditer(before + re.escape(fragment) + after, comp[base : hi + 1]):
        if base + match.end() > hi:
            return
        if base + match.start() >= lo:
            yield base + match.start()


def _locate(fragment: str, comp: str, lo: int, hi: int, *, forward: bool) -> _Hit | None:
    """Place a non-anchor fragment in ``comp[lo:hi]`` as close as may be to its neighbour
    (at ``lo`` going forward, at ``hi`` going backward): first near it, exactly or fuzzily
    with at least ``NEAR_SCORE``, then anywhere in the range. Short fragments are only
    accepted exactly. ``None`` if not found at all."""
    lo, hi = max(0, lo), min(len(comp), hi)
    near = NEAR_CHARS + 2 * len(fragment)
    near_window = (lo, min(hi, lo + near)) if forward else (max(lo, hi - near), hi)
    fuzzy: _Hit | None = None
    for window_lo, window_hi in (near_window, (lo, hi)):
        if window_hi <= window_lo:
            continue
        positions = _exact_positions(fragment, comp, window_lo, window_hi)
        exact = next(positions, -1) if forward else max(positions, default=-1)
        if exact >= 0:
            return _Hit(exact, exact + len(fragment), 100.0)
        if len(fragment) >= SHORT_FRAGMENT_CHARS:
            hit = _align(fragment, comp, window_lo, window_hi)
            fuzzy = hit if fuzzy is None or hit.score > fuzzy.score else fuzzy
            if fuzzy.score >= NEAR_SCORE:
                break
    return fuzzy


def _fuzzy_anchor_hits(fragment: str, comp: str, known: list[_Hit]) -> list[_Hit]:
    """The best distinct fuzzy places for the anchor fragment that overlap none of the
    ``known`` ones, from scoring overlapping windows of the text (the loop runs in C)."""
    hits: list[_Hit] = []
    probe = fragment[:PROBE_CHARS]
    pad = max(20, len(probe) // 4)
    step = len(probe) + pad
    width = step + len(probe) + pad  # consecutive windows overlap by a whole probe
    windows = [comp[lo : lo + width] for lo in range(0, max(1, len(comp) - len(probe)), step)]
    ranked = process.extract(
        probe, windows, scorer=fuzz.partial_ratio, limit=FUZZY_ANCHORS * 3, score_cutoff=1
    )
    for _window, _score, index in ranked:
        lo = max(0, index * step - MAX_SLACK_CHARS)
        hi = min(len(comp), index * step + width + MAX_SLACK_CHARS)
        hit = _align(fragment, comp, lo, hi, end_limit=len(comp))
        if not any(_overlaps(hit, other) for other in known + hits):
            hits.append(hit)
            if len(hits) == FUZZY_ANCHORS:
                break
    return hits


def _hits_beside(fragment: str, comp: str, hit: _Hit, known: list[_Hit]) -> list[_Hit]:
    """The best fuzzy place of the anchor fragment just before ``hit`` and just after it.
    Each window of :func:`_fuzzy_anchor_hits` yields one place, so a rival (the passage
    said twice in a row) closer than a window's width would otherwise go unseen."""
    reach = 2 * len(fragment[:PROBE_CHARS]) + MAX_SLACK_CHARS  # about a window's width
    found: list[_Hit] = []
    for lo, hi in ((max(0, hit.start - reach), hit.start), (hit.end, hit.end + reach)):
        hi = min(len(comp), hi)
        if hi - lo >= max(SHORT_FRAGMENT_CHARS, len(fragment) // 2):
            other = _align(fragment, comp, lo, hi)
            if not any(_overlaps(other, kept) for kept in known + found):
                found.append(other)
    return found


def _overlaps(a: _Hit | _Chain, b: _Hit | _Chain) -> bool:
    return a.start < b.end and b.start < a.end


def _chain(fragments: list[str], anchor_index: int, anchor: _Hit, comp: str) -> _Chain:
    """Place every other fragment in order around the anchor; the span runs from the
    first placed fragment to the last and the score is the length-weighted mean."""
    hits: dict[int, _Hit] = {anchor_index: anchor}
    scores = {anchor_index: anchor.score}
    for direction in (1, -1):
        cursor = anchor.end if direction == 1 else anchor.start
        index = anchor_index + direction
        while 0 <= index < len(fragments):
            fragment = fragments[index]
            short = len(fragment) < SHORT_FRAGMENT_CHARS
            reach = (NEAR_CHARS if short else MAX_CUT_CHARS) + 2 * len(fragment)
            if direction == 1:
                hit = _locate(fragment, comp, cursor, cursor + reach, forward=True)
            else:
                hit = _locate(fragment, comp, cursor - reach, cursor, forward=False)
            scores[index] = hit.score if hit else 0.0
            if hit and hit.score >= FRAGMENT_FLOOR:
                hits[index] = hit
                cursor = hit.end if direction == 1 else hit.start
            index += direction
    total = sum(len(fragment) for fragment in fragments)
    score = sum(len(fragments[i]) * s for i, s in scores.items()) / total
    first, last = min(hits), max(hits)
    return _Chain(hits[first].start, hits[last].end, round(score, 1), first, last)


def _trimmable(char: str, keep_punctuation: bool) -> bool:
    return char.isspace() or (not keep_punctuation and not char.isalnum())


def _to_original(chain: _Chain, fragments: list[str], text: str, origin: array[int]) -> QuoteMatch:
    """Map a comparison-form span back to code points of ``text``; trim whitespace, and
    punctuation that the span's first or last fragment does not have at that end; widen
    an end that falls inside a word to the whole word (passages are coded in words)."""
    start, end = origin[chain.start], origin[chain.end - 1] + 1
    keep_lead = not fragments[chain.first][0].isalnum()
    keep_trail = not fragments[chain.last][-1].isalnum()
    trimmed_start, trimmed_end = start, end
    while trimmed_start < trimmed_end and _trimmable(text[trimmed_start], keep_lead):
        trimmed_start += 1
    while trimmed_end > trimmed_start and _trimmable(text[trimmed_end - 1], keep_trail):
        trimmed_end -= 1
    if trimmed_end > trimmed_start:
        start, end = trimmed_start, trimmed_end
    limit = MAX_SLACK_CHARS
    while limit and 0 < start < end and text[start - 1].isalnum() and text[start].isalnum():
        start, limit = start - 1, limit - 1
    limit = MAX_SLACK_CHARS
    while limit and start < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end, limit = end + 1, limit - 1
    return QuoteMatch(start, end, chain.score)


def find_quote(text: str, quote: str, *, threshold: float = 85.0) -> QuoteResult:
    """Find where ``quote`` (as printed in a report) sits in transcript ``text``.

    Returns half-open code-point offsets into ``text``. ``best`` is ``None`` when no place
    scores at least ``threshold`` (0–100), or when several places match equally well
    (within ``TIE_MARGIN``; they are in ``ties``). ``candidates`` list the nearest misses
    for an error message (an empty text, or a quote without letters or digits once cuts
    and insertions are gone, has none). A span that would end inside a word is widened
    to the whole word. An insertion at the very start or end of a quote that replaced a
    word ("[The caseworker] said") leaves that word out: nothing tells which it was.
    The quote is read in NFC, the form transcripts are stored in, so a quote pasted in
    NFD (as macOS gives it) finds its passage.
    """
    if not 0.0 <= threshold <= 100.0:
        raise ValueError(f"threshold must be between 0 and 100, got {threshold}")
    comparison = _transcript_form(text)
    comp = comparison.text
    fragments = _quote_fragments(unicodedata.normalize("NFC", quote), comp)
    if not comp or not fragments:
        return QuoteResult(None, ())
    # The longest fragment is the least ambiguous: place it first, the others around it.
    anchor_index = max(range(len(fragments)), key=lambda i: (len(fragments[i]), -i))
    anchor = fragments[anchor_index]
    exact = islice(_exact_positions(anchor, comp, 0, len(comp)), MAX_EXACT_ANCHORS)
    hits = [_Hit(position, position + len(anchor), 100.0) for position in exact]
    chains = [_chain(fragments, anchor_index, hit, comp) for hit in hits]
    if not chains or max(chain.score for chain in chains) < 100.0:
        # No exact match: the best fuzzy places, and next to the best one any rival that
        # its window hid (an exact match is only ever tied with another exact one).
        anchors = hits + _fuzzy_anchor_hits(anchor, comp, hits)
        chains += [_chain(fragments, anchor_index, hit, comp) for hit in anchors[len(hits) :]]
        if chains:
            strongest = max(range(len(chains)), key=lambda i: chains[i].score)
            beside = _hits_beside(anchor, comp, anchors[strongest], anchors)
            chains += [_chain(fragments, anchor_index, hit, comp) for hit in beside]
    # Best score first; among equals the tighter span, then the earlier one.
    chains.sort(key=lambda c: (-c.score, c.end - c.start, c.start))
    distinct: list[_Chain] = []
    for chain in chains:
        if not any(_overlaps(chain, kept) for kept in distinct):
            distinct.append(chain)
    matches = [_to_original(c, fragments, text, comparison.origin) for c in distinct]
    # A place that is only whitespace or punctuation is no help in an error message.
    places = [m for m in matches if any(ch.isalnum() for ch in span_text(text, m.start, m.end))]
    candidates = tuple(places[:CANDIDATES])
    if not candidates or candidates[0].score < threshold:
        return QuoteResult(None, candidates)
    top = candidates[0].score
    ties = sorted(
        {
            (m.start, m.end): m for m in places if m.score >= max(threshold, top - TIE_MARGIN)
        }.values(),
        key=lambda m: m.start,
    )
    if len(ties) > 1:
        return QuoteResult(None, candidates, tuple(ties), len(hits) == MAX_EXACT_ANCHORS)
    return QuoteResult(candidates[0], candidates)


def _flatten(passage: str) -> str:
    """Line breaks as ⏎, other whitespace runs as one space."""
    return " ⏎ ".join(" ".join(line.split()) for line in _NEWLINE_RUN.split(passage))


def _shorten(preview: str, width: int) -> str:
    """Keep the beginning and end of a preview longer than ``width`` around a "…"."""
    width = max(width, 9)
    if len(preview) <= width:
        return preview
    head = (width - 1) // 2
    tail = width - 1 - head
    return preview[:head].rstrip() + "…" + preview[len(preview) - tail :].lstrip()


def describe_match(text: str, match: QuoteMatch, width: int = 60) -> str:
    """One line for CLI output: ``start:end score 97.3 “preview”``. Line breaks show as
    ⏎, other whitespace runs as one space; a preview longer than ``width`` characters
    keeps its beginning and end around a "…"."""
    preview = _shorten(_flatten(span_text(text, match.start, match.end).strip()), width)
    return f"{match.start}:{match.end} score {match.score:.1f} “{preview}”"


def describe_place(text: str, match: QuoteMatch, context: int = 24, width: int = 40) -> str:
    """One line telling apart places where the same passage occurs: ``start:end “…words
    before [passage] words after…”``, with up to ``context`` characters of the text on
    each side (no cut-off words), whitespace shown as in :func:`describe_match` and the
    passage shortened to ``width`` characters."""
    before = text[max(0, match.start - context) : match.start]
    after = text[match.end : match.end + context]
    if match.start > context and " " in before.strip():
        before = before[before.index(" ") :]  # drop a cut-off word
    if match.end + context < len(text) and " " in after.strip():
        after = after[: after.rindex(" ")]
    lead = "…" if match.start > len(before) else ""
    trail = "…" if match.end + len(after) < len(text) else ""
    # Private-use marks keep the passage's edges through the whitespace flattening.
    window = _flatten(f"{before}\ue000{span_text(text, match.start, match.end)}\ue001{after}")
    left, _, rest = window.partition("\ue000")
    passage, _, right = rest.partition("\ue001")
    return f"{match.start}:{match.end} “{lead}{left}[{_shorten(passage, width)}]{right}{trail}”"
