"""Code suggestions: units of text, the codes a coder gave them, and how good a ranking is.

Pure logic shared by the learner (``matching/code_model.py``), the service and the
benchmark. A *unit* is a sentence or a speaker turn: a half-open ``[start, end)`` span of
code points. A unit carries a code for a coder when one of the coder's codings of that
code shares at least one code point with it — the rule the agreement engine uses for
sentence and turn units, so the kappa reported for suggestions means what it means for
two humans.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.codings import HUMAN as HUMAN
from qualcode.domain.codings import ORIGINS as ORIGINS
from qualcode.domain.codings import SUGGESTED as SUGGESTED
from qualcode.domain.sentences import sentence_spans
from qualcode.domain.spans import span_text
from qualcode.domain.transcripts import Turn


class UnitKind(StrEnum):
    """What one suggestion is made for."""

    SENTENCE = "sentence"
    TURN = "turn"


# A coding's origin is stored with it (domain/codings.py); named here too for the
# suggestion code that has always imported it from here.
ORIGIN_KEY = "origin"
"""The key of the origin in an ``apply`` event's payload."""


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One unit of one transcript; ``codes`` are the code paths the coder gave it
    (empty: left uncoded)."""

    transcript: str
    start: int
    end: int
    text: str
    codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Codes suggested for one unit, best first; scores are in [0, 1]."""

    transcript: str
    start: int
    end: int
    text: str
    codes: tuple[tuple[str, float], ...]


def unit_spans(text: str, turns: Sequence[Turn], kind: UnitKind) -> list[tuple[int, int]]:
    """The units of a transcript: its turns, or the sentences inside its turns (the whole
    text when it has no speaker labels, so a label is never part of a unit)."""
    regions = [(turn.start, turn.end) for turn in turns] or [(0, len(text))]
    if kind is UnitKind.TURN:
        return [(start, end) for start, end in regions if end > start]
    return sentence_spans(text, regions)


def label_units(
    transcript: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    codings: Iterable[tuple[str, int, int]],
) -> list[TextUnit]:
    """Units with the codes of ``codings`` (``(code path, start, end)``) that touch them.

    ``spans`` must be sorted and disjoint; a coding touching no unit (only a speaker
    label, say) labels nothing."""
    return [
        TextUnit(transcript, start, end, span_text(text, start, end), codes)
        for (start, end), codes in zip(spans, unit_codes(spans, codings), strict=True)
    ]


def unit_codes(
    spans: Sequence[tuple[int, int]], codings: Iterable[tuple[str, int, int]]
) -> list[frozenset[str]]:
    """The labels :func:`label_units` gives ``spans``, without the units (training
    reads every coder's labels of a transcript whose texts it has already)."""
    starts = [start for start, _ in spans]
    ends = [end for _, end in spans]
    labels: dict[int, set[str]] = {}  # only the units a coding touches
    for code, start, end in codings:
        for index in range(bisect_right(ends, start), bisect_left(starts, end)):
            labels.setdefault(index, set()).add(code)
    none: frozenset[str] = frozenset()
    return [frozenset(labels[index]) if index in labels else none for index in range(len(spans))]


def neighbours(units: Sequence[TextUnit], reach: int = 1) -> list[tuple[int, ...]]:
    """Per unit, the indices of the ``reach`` units before and after it in the same
    transcript: its neighbours in ``units`` while they follow in text order (a list that
    holds several coders' copies of one transcript, one after the other, does not join
    the last unit of one copy to the first of the next)."""
    found: list[tuple[int, ...]] = []
    for index, unit in enumerate(units):
        near: list[int] = []
        earlier = unit
        for other in range(index - 1, max(-1, index - 1 - reach), -1):
            if units[other].transcript != unit.transcript or units[other].end > earlier.start:
                break
            near.insert(0, other)
            earlier = units[other]
        later = unit
        for other in range(index + 1, min(len(units), index + 1 + reach)):
            if units[other].transcript != unit.transcript or units[other].start < later.end:
                break
            near.append(other)
            later = units[other]
        found.append(tuple(near))
    return found


def code_texts(spec: CodeSpec) -> list[str]:
    """What a codebook says about a code, as short texts the learner can take as weak
    examples: its name (and Danish label), description, inclusion criteria, example and
    keywords. Exclusion criteria are left out: they describe other codes."""
    parts = [spec.name, spec.label_da, spec.description, spec.inclusion, spec.example]
    texts = [part for part in parts if part]
    if spec.keywords:
        texts.append(", ".join(spec.keywords))
    return texts


def ranked(
    scores: Sequence[float], names: Sequence[str], limit: int, minimum: float
) -> tuple[tuple[str, float], ...]:
    """The ``limit`` best ``(name, score)`` pairs with a score of at least ``minimum``,
    best first; ties keep the order of ``names``."""
    order = sorted(range(len(names)), key=lambda i: -scores[i])
    return tuple((names[i], float(scores[i])) for i in order[:limit] if scores[i] >= minimum)


# -- baselines ----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{3,}")


def words_of(text: str) -> list[str]:
    """Lower-case words of at least three letters (digits and underscores split words)."""
    return _WORD.findall(text.casefold())


class FrequencyBaseline:
    """Suggests the codes the coder used most often in training, the same for every unit."""

    def __init__(self, units: Iterable[TextUnit], codes: Sequence[str]) -> None:
        counts = Counter(code for unit in units for code in unit.codes)
        self.order = sorted(codes, key=lambda code: (-counts[code], codes.index(code)))

    def rank(self, _text: str) -> list[str]:
        return self.order


class KeywordBaseline:
    """Ranks codes by keyword evidence (:meth:`evidence`: a keyword or name phrase of the
    code in the unit counts 3, a word of its description or inclusion criteria 1); ties,
    and units matching nothing, fall back to the most frequent code."""

    def __init__(self, specs: dict[str, CodeSpec], fallback: FrequencyBaseline | None = None):
        self.fallback = fallback
        self.phrases: dict[str, list[str]] = {}
        self.words: dict[str, set[str]] = {}
        for path, spec in specs.items():
            names = [spec.name, *([spec.label_da] if spec.label_da else []), *spec.keywords]
            self.phrases[path] = [" ".join(words_of(name)) for name in names if words_of(name)]
            described = " ".join(part for part in (spec.description, spec.inclusion) if part)
            self.words[path] = {word for word in words_of(described) if len(word) >= 5}

    def evidence(self, text: str) -> dict[str, int]:
        """Each code's keyword evidence in ``text`` (0: none)."""
        found = words_of(text)
        joined = " " + " ".join(found) + " "
        present = set(found)
        return {
            code: 3 * sum(f" {phrase} " in joined for phrase in self.phrases[code])
            + len(self.words[code] & present)
            for code in self.phrases
        }

    def evidence_rows(self, texts: Iterable[str], codes: Sequence[str]) -> list[list[float]]:
        """Per text, the evidence for each of ``codes`` (0 for a code not in the codebook):
        :meth:`evidence`, looked up from each word of the text (one-word phrases and
        description words by word, longer phrases only when their first word is there),
        as scoring a whole large project asks for it 300,000 times."""
        single: dict[str, list[tuple[int, int]]] = {}
        longer: dict[str, list[tuple[int, str]]] = {}
        for column, code in enumerate(codes):
            for phrase in self.phrases.get(code, []):
                first, _, rest = phrase.partition(" ")
                if rest:
                    longer.setdefault(first, []).append((column, f" {phrase} "))
                else:
                    single.setdefault(first, []).append((column, 3))
            for word in self.words.get(code, set()):
                single.setdefault(word, []).append((column, 1))
        rows = []
        for text in texts:
            found = words_of(text)
            row = [0.0] * len(codes)
            joined = ""
            for word in set(found):
                for column, points in single.get(word, ()):
                    row[column] += points
                for column, phrase in longer.get(word, ()):
                    joined = joined or " " + " ".join(found) + " "
                    row[column] += 3 * (phrase in joined)
            rows.append(row)
        return rows

    def rank(self, text: str) -> list[str]:
        order = self.fallback.order if self.fallback is not None else list(self.phrases)
        position = {code: index for index, code in enumerate(order)}
        scores = self.evidence(text)
        return sorted(order, key=lambda code: (-scores.get(code, 0), position[code]))


def with_keywords(
    scores: Sequence[float], codes: Sequence[str], evidence: Mapping[str, float], weight: float
) -> list[float]:
    """Model scores raised by keyword evidence ``k``: ``(p + w·k) / (1 + w·k)`` — still in
    [0, 1], unchanged without evidence, and never lowered (BENCHMARKS.md: this prior
    carries suggestions to statements worded unlike any coded one)."""
    combined = []
    for score, code in zip(scores, codes, strict=True):
        boost = weight * evidence.get(code, 0)
        combined.append((score + boost) / (1.0 + boost))
    return combined


# -- measures -----------------------------------------------------------------------------


@dataclass(slots=True)
class RankingScore:
    """Running totals for precision@1, precision@3 and recall@3 over coded units.

    precision@k is the share of coded units for which at least one of the top ``k``
    suggestions is a code the coder gave the unit (with one code per unit, strict
    precision@3 could never pass 1/3); recall@3 is the share of the unit's codes found
    in the top three, averaged over units."""

    units: int = 0
    hits_at_1: int = 0
    hits_at_3: int = 0
    recall_at_3: float = 0.0
    first: Counter[str] = field(default_factory=Counter)
    """Per code, how many coded units had it first."""
    first_right: Counter[str] = field(default_factory=Counter)
    """Per code, how many of those the coder had given it (its precision@1 numerator)."""

    def add(self, ranking: Sequence[str], gold: frozenset[str]) -> None:
        """Count one unit (units the coder left uncoded are not counted)."""
        if not gold:
            return
        self.units += 1
        self.hits_at_1 += bool(ranking[:1]) and ranking[0] in gold
        if ranking:
            self.first[ranking[0]] += 1
            self.first_right[ranking[0]] += ranking[0] in gold
        top = set(ranking[:3])
        self.hits_at_3 += bool(top & gold)
        self.recall_at_3 += len(top & gold) / len(gold)

    def as_dict(self) -> dict[str, float | int | None]:
        def share(value: float) -> float | None:
            return value / self.units if self.units else None

        return {
            "units": self.units,
            "precision_at_1": share(self.hits_at_1),
            "precision_at_3": share(self.hits_at_3),
            "recall_at_3": share(self.recall_at_3),
        }
