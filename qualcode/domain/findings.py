"""A draft findings chapter: how counts are phrased and which quotes are shown (standard
library only).

The numbers themselves come from the theme-by-case matrix (presence per case, see
:mod:`qualcode.domain.matrices`); this module only words them ("10 of 12 families",
"10 ud af 12 familier"), picks quotes spread across cases and trims them to complete
sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qualcode.domain.document_info import main_language
from qualcode.domain.errors import FieldError
from qualcode.domain.sentences import sentence_spans
from qualcode.domain.spans import span_text

CUT = "(…)"
DEFAULT_QUOTE_CHARACTERS = 320
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*\Z")
_FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Phrases:
    """The words of a chapter in one language. ``{n}``, ``{m}``, ``{noun}``, ``{k}`` and
    ``{name}`` are filled in by the functions below."""

    language: str
    title: str
    count: str  # "{n} of {m} {noun}"
    raised: str  # sentence: "{count} raised this theme."
    by: str  # "By {name}: "
    subcodes: str
    quotes: str
    quotes_from: str  # "{q} {quote_word} from {k} {noun}."
    quote_words: tuple[str, str]
    summaries: str
    negative: str  # "{Nouns} that did not raise this theme"
    everyone: str  # "Every {noun} raised this theme."
    no_quotes: str
    no_value: str
    coders: str
    filters: str
    none: str
    lead: str  # "Counts: ..."
    raised_column: str  # header of the by-attribute table's count column
    theme_column: str  # the workbook's column headers
    definition_column: str
    counts_caption: str  # the workbook's counts sheet: "{Nouns} raising each theme"
    about: str  # the workbook's settings sheet
    default_noun: tuple[str, str]


PHRASES: Mapping[str, Phrases] = {
    "en": Phrases(
        language="en",
        title="Findings",
        count="{n} of {m} {noun}",
        raised="{count} raised this theme.",
        by="By {name}: ",
        subcodes="Sub-codes",
        quotes="Quotes",
        quotes_from="{q} {quote_word} from {k} {noun}.",
        quote_words=("quote", "quotes"),
        summaries="Framework summaries",
        negative="{Nouns} that did not raise this theme",
        everyone="Every {noun} raised this theme.",
        no_quotes="No coded passages.",
        no_value="(no value)",
        coders="Coders",
        filters="Filters",
        none="none",
        raised_column="raised it",
        theme_column="theme",
        definition_column="definition",
        counts_caption="{Nouns} raising each theme",
        about="About the counts",
        lead="A {noun} raised a theme when its text holds at least one passage coded with "
        "the theme or one of its sub-codes (the presence measure of qualcode matrix).",
        default_noun=("case", "cases"),
    ),
    "da": Phrases(
        language="da",
        title="Resultater",
        count="{n} ud af {m} {noun}",
        raised="{count} nævner dette tema.",
        by="Fordelt på {name}: ",
        subcodes="Underkoder",
        quotes="Citater",
        quotes_from="{q} {quote_word} fra {k} {noun}.",
        quote_words=("citat", "citater"),
        summaries="Opsummeringer (framework)",
        negative="{Nouns}, der ikke nævner temaet",
        everyone="Alle {nouns} nævner temaet.",
        no_quotes="Ingen kodede passager.",
        no_value="(ingen værdi)",
        coders="Kodere",
        filters="Filtre",
        none="ingen",
        raised_column="nævner det",
        theme_column="tema",
        definition_column="definition",
        counts_caption="{Nouns}, der nævner hvert tema",
        about="Om optællingen",
        lead="En {noun} nævner et tema, når dens tekst rummer mindst én passage kodet med "
        "temaet eller en af dets underkoder (målet presence i qualcode matrix).",
        default_noun=("case", "cases"),
    ),
}


@dataclass(frozen=True, slots=True)
class CaseNoun:
    singular: str
    plural: str

    def of(self, count: int) -> str:
        return self.singular if count == 1 else self.plural


def parse_case_noun(text: str | None, phrases: Phrases) -> CaseNoun:
    """``"family/families"`` (singular/plural) or one word used for both; ``None`` or empty
    is the language's default. Raises :class:`InputError` for an empty half."""
    if not text or not text.strip():
        return CaseNoun(*phrases.default_noun)
    singular, slash, plural = text.partition("/")
    singular, plural = singular.strip(), (plural.strip() if slash else singular.strip())
    if not singular or not plural or "/" in plural:
        raise FieldError("case-noun", f"expected SINGULAR/PLURAL, got {text!r}")
    return CaseNoun(singular, plural)


def chapter_language(languages: Sequence[tuple[str | None, int]]) -> str:
    """The chapter's language: the project's (document_info.main_language, from
    ``(language, characters)`` per transcript) where the chapter has its phrases, else
    English."""
    language = main_language(languages)
    return language if language in PHRASES else "en"


def count_phrase(phrases: Phrases, noun: CaseNoun, n: int, m: int) -> str:
    """``"10 of 12 families"``: the noun agrees with ``m`` (the denominator)."""
    return phrases.count.format(n=n, m=m, noun=noun.of(m))


def raised_sentence(phrases: Phrases, noun: CaseNoun, n: int, m: int) -> str:
    return phrases.raised.format(count=_capitalised(count_phrase(phrases, noun, n, m)))


def by_value_sentence(
    phrases: Phrases, noun: CaseNoun, name: str, counts: Sequence[tuple[str, int, int]]
) -> str:
    """``"By age: 0-5: 1 of 1 case; 6-11: 2 of 2 cases."`` from ``(value, n, m)``."""
    parts = [f"{value}: {count_phrase(phrases, noun, n, m)}" for value, n, m in counts]
    return phrases.by.format(name=name) + "; ".join(parts) + "."


def quotes_sentence(phrases: Phrases, noun: CaseNoun, quotes: int, cases: int) -> str:
    word = phrases.quote_words[0 if quotes == 1 else 1]
    return phrases.quotes_from.format(q=quotes, quote_word=word, k=cases, noun=noun.of(cases))


def negative_heading(phrases: Phrases, noun: CaseNoun) -> str:
    return phrases.negative.format(Nouns=_capitalised(noun.plural))


def everyone_sentence(phrases: Phrases, noun: CaseNoun) -> str:
    return phrases.everyone.format(noun=noun.singular, nouns=noun.plural)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- quotes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage that may be quoted: its case (by position in case order) and its text."""

    case: int
    text: str


def choose_quotes(candidates: Sequence[Candidate], wanted: int) -> list[Candidate]:
    """Up to ``wanted`` passages, spread across cases: one from each case in turn (cases
    with more passages first, then in case order), so with *k* cases holding passages the
    quotes come from min(*k*, ``wanted``) cases. Within a case the passage that trims to
    the most text of complete sentences near :data:`DEFAULT_QUOTE_CHARACTERS` comes
    first; ties keep the passage order. The result is in case order, then passage order."""
    if wanted <= 0:
        return []
    by_case: dict[int, list[tuple[int, Candidate]]] = {}
    for position, candidate in enumerate(candidates):
        by_case.setdefault(candidate.case, []).append((position, candidate))
    for passages in by_case.values():
        passages.sort(key=lambda item: (_quality(item[1].text), item[0]))
    order = sorted(by_case, key=lambda case: (-len(by_case[case]), case))
    chosen: list[tuple[int, Candidate]] = []
    round_number = 0
    while len(chosen) < wanted:
        took = False
        for case in order:
            if round_number < len(by_case[case]) and len(chosen) < wanted:
                chosen.append(by_case[case][round_number])
                took = True
        if not took:
            break
        round_number += 1
    chosen.sort(key=lambda item: (item[1].case, item[0]))
    return [candidate for _position, candidate in chosen]


def _quality(text: str) -> tuple[int, int]:
    """Lower is better: passages without a complete sentence last, then by distance of
    the trimmed length from the ideal."""
    trimmed = trim_quote(text)
    whole = 0 if _complete_sentences(text) else 1
    return whole, abs(len(trimmed) - DEFAULT_QUOTE_CHARACTERS // 2)


def _complete_sentences(text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e in sentence_spans(text) if _is_complete(text, s, e)]


def _is_complete(text: str, start: int, end: int) -> bool:
    """Begins like a sentence (its first letter is not lower-case) and ends with a full
    stop, question or exclamation mark or ellipsis."""
    passage = span_text(text, start, end)
    first = next((ch for ch in passage if ch.isalnum()), "")
    return bool(first) and not first.islower() and bool(_ENDS_SENTENCE.search(passage))


def trim_quote(text: str, limit: int = DEFAULT_QUOTE_CHARACTERS) -> str:
    """The passage as a quote: only complete sentences (a fragment at either end, where
    the coding starts or stops mid-sentence, is left out), at most ``limit`` characters
    where more than one sentence would exceed it (the first sentences are kept), and
    :data:`CUT` "(…)" where anything was left out. Whitespace runs become one space. A
    passage without a complete sentence is kept whole (cut at a word near ``limit``)."""
    spans = sentence_spans(text)
    complete = [i for i, (s, e) in enumerate(spans) if _is_complete(text, s, e)]
    if not complete:
        flat = " ".join(text.split())
        if len(flat) <= limit:
            return flat
        cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
        return f"{cut} {CUT}"
    first, last = complete[0], complete[0]
    length = spans[first][1] - spans[first][0]
    for index in range(first + 1, len(spans)):
        start, end = spans[index]
        if not _is_complete(text, start, end) or length + 1 + (end - start) > limit:
            break
        last, length = index, length + 1 + (end - start)
    kept = " ".join(" ".join(text[s:e].split()) for s, e in spans[first : last + 1])
    before = CUT + " " if first > 0 else ""
    after = " " + CUT if last < len(spans) - 1 else ""
    return before + kept + after


# -- case labels ---------------------------------------------------------------------------


def check_label(template: str, attributes: Sequence[str]) -> None:
    """Raise :class:`InputError` when ``template`` names a field other than ``case`` and
    the attributes (or has an unmatched brace)."""
    names = _FIELD.findall(template)
    rest = _FIELD.sub("", template)
    if "{" in rest or "}" in rest:
        raise FieldError("label", f"unmatched brace in {template!r}")
    for name in names:
        if name != "case" and name not in attributes:
            known = ", ".join(["case", *attributes])
            raise FieldError("label", f"unknown field {{{name}}} (fields: {known})")


def case_label(template: str, case: str, values: Mapping[str, str]) -> str:
    """``template`` with ``{case}`` and ``{ATTRIBUTE}`` filled in (a missing value is
    empty; separators left dangling by it are dropped). Nothing else is interpreted."""

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        return case if name == "case" else values.get(name, "")

    filled = _FIELD.sub(fill, template)
    return re.sub(r"(?:,\s*)+$", "", re.sub(r"^(?:\s*,)+\s*", "", filled)).strip()
