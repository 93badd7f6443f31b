"""Finding text: search hits across transcripts (exact or fuzzy) and code retrieval
(every passage coded with a code, with its context).

Offsets are half-open code points into the normalised transcript text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.domain.codings import Coding
from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.spans import span_text
from qualcode.domain.words import iter_word_spans
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project

CONTEXT_CHARS = 60
FUZZY_THRESHOLD = 80.0


@dataclass(frozen=True, slots=True)
class Snippet:
    """Text around a span: ``before`` and ``after`` are up to ``CONTEXT_CHARS`` of
    context (newlines shown as spaces), ``middle`` the span itself."""

    before: str
    middle: str
    after: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One place a search found: ``score`` is 100 for exact hits, else the fuzzy
    similarity (0–100) of the passage to the query."""

    transcript: str
    start: int
    end: int
    score: float
    snippet: Snippet


@dataclass(frozen=True, slots=True)
class Passage:
    """A coded passage with its context, for code retrieval."""

    coding: Coding
    snippet: Snippet


def snippet(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Snippet:
    """The span ``[start, end)`` of ``text`` with up to ``context`` characters either side,
    cut at word boundaries where possible."""
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    if start - context > 0 and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + context < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return Snippet(_flat(before), _flat(span_text(text, start, end)), _flat(after))


def _flat(text: str) -> str:
    return text.replace("\n", " ")


def search(
    project: Project,
    query: str,
    *,
    transcripts: Sequence[str] = (),
    fuzzy: bool = False,
    threshold: float = FUZZY_THRESHOLD,
) -> list[SearchHit]:
    """Find ``query`` in the given transcripts (all when empty), by transcript then offset.

    Exact search ignores case. Fuzzy search compares the query with every run of as
    many words (rapidfuzz ratio on lower case) and keeps the best non-overlapping runs
    scoring at least ``threshold``. The query is read in NFC, like stored text."""
    wanted = unicodedata.normalize("NFC", query).strip()
    if not wanted:
        raise InputError("search", "the search text is empty")
    with project.reading() as uow:
        texts = uow.transcripts.texts()
    for name in transcripts:
        if name not in texts:
            raise NotFoundError(unknown_transcript_message(name, sorted(texts)))
    names = sorted(transcripts) if transcripts else sorted(texts)
    hits: list[SearchHit] = []
    for name in names:
        text = texts[name][1]
        spans = _fuzzy_spans(text, wanted, threshold) if fuzzy else _exact_spans(text, wanted)
        hits.extend(
            SearchHit(name, start, end, score, snippet(text, start, end))
            for start, end, score in spans
        )
    return hits


def _exact_spans(text: str, query: str) -> list[tuple[int, int, float]]:
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    return [(m.start(), m.end(), 100.0) for m in pattern.finditer(text)]


def _fuzzy_spans(text: str, query: str, threshold: float) -> list[tuple[int, int, float]]:
    from rapidfuzz import fuzz, process

    words = list(iter_word_spans(text))
    size = max(1, sum(1 for _ in iter_word_spans(query)))
    if len(words) < size:
        return []
    starts = [w[0] for w in words[: len(words) - size + 1]]
    ends = [w[1] for w in words[size - 1 :]]
    windows = [text[s:e].lower() for s, e in zip(starts, ends, strict=True)]
    found = process.extract(
        query.lower(), windows, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
    )
    chosen: list[tuple[int, int, float]] = []
    for _, score, index in sorted(found, key=lambda item: (-item[1], item[2])):
        start, end = starts[index], ends[index]
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, float(score)))
    return sorted(chosen)


def passages(
    project: Project,
    code_id: int,
    *,
    coder: str | None = None,
    case: str | None = None,
    transcript: str | None = None,
    include_subcodes: bool = True,
) -> list[Passage]:
    """Every passage coded with a code (and its sub-codes), optionally only one coder's,
    within one case's spans, or in one transcript; by transcript then offset."""
    with project.reading() as uow:
        codes = uow.codebook.codes()
        chosen = [c for c in codes if c.id == code_id]
        if not chosen:
            raise NotFoundError(f"no code with id {code_id}")
        prefix = chosen[0].path + "/"
        code_ids = [
            c.id
            for c in codes
            if c.id == code_id or (include_subcodes and c.path.startswith(prefix))
        ]
        codings = uow.codings.find(
            code_ids=code_ids,
            coders=[coder] if coder else (),
            transcripts=[transcript] if transcript else (),
        )
        texts = uow.transcripts.texts()
        spans = uow.cases.spans_of(case) if case else None
    if spans is not None:
        codings = [
            c
            for c in codings
            if any(c.start < end and start < c.end for start, end in spans.get(c.transcript, ()))
        ]
    return [
        Passage(coding, snippet(texts[coding.transcript][1], coding.start, coding.end))
        for coding in codings
    ]
