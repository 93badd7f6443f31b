"""What a draft findings chapter holds: per theme its counts, sub-codes, quotes,
framework summaries and negative cases (standard library only; wording in
:mod:`qualcode.domain.findings`)."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.domain.findings import PHRASES, CaseNoun, Phrases


@dataclass(frozen=True, slots=True)
class ValueCount:
    """Of the ``m`` cases with attribute value ``value``, ``n`` raised the code."""

    value: str
    n: int
    m: int


@dataclass(frozen=True, slots=True)
class CodeCount:
    """A code (with its sub-codes) raised by ``n`` of the chapter's ``m`` cases, overall
    and per value of the ``--by`` attribute (empty without it)."""

    path: str
    heading: str
    description: str | None
    n: int
    m: int
    by_value: tuple[ValueCount, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    case: str
    label: str


@dataclass(frozen=True, slots=True)
class ThemeFindings:
    theme: CodeCount
    subcodes: tuple[CodeCount, ...]
    quotes: tuple[Quote, ...]
    passage_cases: int  # cases holding at least one passage of the theme
    summaries: tuple[tuple[str, str], ...]  # (case label, summary text)
    negative: tuple[str, ...]  # case labels

    @property
    def quote_cases(self) -> int:
        return len({quote.case for quote in self.quotes})


@dataclass(frozen=True, slots=True)
class Chapter:
    """The draft chapter: the ``coders`` whose codings count (their union) and the
    ``filters`` in words (both empty for all); ``by`` names the attribute the counts are
    split by, if any; ``quotes_wanted`` is how many quotes per theme were asked for."""

    project: str
    language: str
    noun: CaseNoun
    by: str | None
    themes: tuple[ThemeFindings, ...]
    coders: tuple[str, ...]
    filters: tuple[str, ...]
    quotes_wanted: int

    @property
    def phrases(self) -> Phrases:
        return PHRASES[self.language]
