"""Where the suggestions fail: per-code figures, confusions, theme-level hits, the
learning curve and the human ceiling (``benchmarks/bench_suggest.py`` prints them).

Each held-out unit is ranked exactly as ``services/suggestion_evaluation`` ranks it (a
model trained without the unit's transcript, scored with the keyword prior), so the
figures here add up to the evaluation's; :func:`held_out_rankings` is that loop, exposed
unit by unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from qualcode.domain.codebook import parent_path
from qualcode.domain.suggestions import FrequencyBaseline, KeywordBaseline, RankingScore, TextUnit
from qualcode.matching.code_model import DEFAULT, Settings
from qualcode.services.suggestions import Corpus, scored, train_on


@dataclass(frozen=True, slots=True)
class Ranked:
    """One held-out unit the coder coded: its codes and the model's and keyword
    baseline's rankings, best first."""

    unit: TextUnit
    model: list[str]
    keyword: list[str]


def held_out_rankings(
    corpus: Corpus,
    coder: str,
    coders: Sequence[str],
    settings: Settings = DEFAULT,
    training_size: int | None = None,
) -> Iterator[Ranked]:
    """Leave-one-transcript-out over ``coder``'s transcripts; each held-out transcript's
    model learns from the others (only ``training_size`` of them, the next ones in name
    order, when given). Yields the units ``coder`` coded."""
    names = corpus.coded_transcripts(coder)
    for position, held in enumerate(names):
        others = [names[(position + step) % len(names)] for step in range(1, len(names))]
        leave_out = {held, *others[training_size:]} if training_size is not None else {held}
        model = train_on(corpus, coders, leave_out=leave_out, settings=settings)
        frequent = FrequencyBaseline(corpus.training_units(coders, leave_out), model.codes)
        keyword = KeywordBaseline(corpus.specs, frequent)
        units = corpus.labelled(coder, held)
        for unit, row in zip(units, scored(model, keyword, units, settings), strict=True):
            if not unit.codes:
                continue
            order = sorted(range(len(model.codes)), key=lambda i: -row[i])
            yield Ranked(unit, [model.codes[i] for i in order], keyword.rank(unit.text))


def _theme(code: str) -> str:
    return parent_path(code) or code


def failure_report(rankings: Sequence[Ranked], confusions: int = 12) -> str:
    """Markdown: per code, how often the coder gave it, how often the model put it first
    on those units (recall at rank 1), how often it put it first on any coded unit and was
    right; then the commonest (coder's code → model's first) mistakes, and precision@1
    counted by theme (the first code's theme is a theme of one of the coder's codes)."""
    given: Counter[str] = Counter()
    found_first: Counter[str] = Counter()
    found_in_3: Counter[str] = Counter()
    put_first: Counter[str] = Counter()
    right_first: Counter[str] = Counter()
    mistakes: Counter[tuple[str, str]] = Counter()
    theme_hits = keyword_theme_hits = 0
    for ranked in rankings:
        gold, first = ranked.unit.codes, ranked.model[0]
        put_first[first] += 1
        right_first[first] += first in gold
        for code in gold:
            given[code] += 1
            found_first[code] += code == first
            found_in_3[code] += code in ranked.model[:3]
        if first not in gold:
            for code in gold:
                mistakes[(code, first)] += 1
        themes = {_theme(code) for code in gold}
        theme_hits += _theme(first) in themes
        keyword_theme_hits += _theme(ranked.keyword[0]) in themes
    lines = [
        "| code | coded units | first on them | in top 3 | put first | right when first |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for code in sorted(set(given) | set(put_first)):
        lines.append(
            f"| {code} | {given[code]} | {found_first[code]} | {found_in_3[code]} | "
            f"{put_first[code]} | {right_first[code]} |"
        )
    lines += ["", "| the coder's code | the model's first instead | units |", "|---|---|---:|"]
    for (given_code, first_code), count in mistakes.most_common(confusions):
        lines.append(f"| {given_code} | {first_code} | {count} |")
    units = max(1, len(rankings))
    themed = sum(1 for ranked in rankings if any(parent_path(c) is None for c in ranked.unit.codes))
    lines.append(
        f"\nprecision@1 by theme (first code's theme is one of the coder's themes): "
        f"{theme_hits / units:.3f} (keyword match {keyword_theme_hits / units:.3f}); "
        f"coded units carrying a theme without a sub-code: {themed} of {len(rankings)}"
    )
    by_language: dict[str, list[bool]] = {}
    for ranked in rankings:
        language = ranked.unit.transcript.rsplit("-", 1)[-1]
        by_language.setdefault(language, []).append(ranked.model[0] in ranked.unit.codes)
    if set(by_language) <= {"en", "da"}:
        lines.append(
            "precision@1 by language: "
            + "; ".join(
                f"{language} {sum(hits) / len(hits):.3f} ({len(hits)} units)"
                for language, hits in sorted(by_language.items())
            )
        )
    return "\n".join(lines)


def learning_curve(corpus: Corpus, coder: str, coders: Sequence[str], sizes: Sequence[int]) -> str:
    """precision@1 of the model and the keyword baseline when each held-out transcript's
    model learns from only ``size`` of the other transcripts (the next ones in name
    order): how fast the suggestions improve with more coded transcripts."""
    cells = []
    for size in sizes:
        model_score, keyword_score = RankingScore(), RankingScore()
        for ranked in held_out_rankings(corpus, coder, coders, training_size=size):
            model_score.add(ranked.model, ranked.unit.codes)
            keyword_score.add(ranked.keyword, ranked.unit.codes)
        model_p, keyword_p = (
            score.as_dict()["precision_at_1"] or 0.0 for score in (model_score, keyword_score)
        )
        cells.append(f"{size}: {model_p:.3f} (keyword {keyword_p:.3f})")
    return f"{coder}, training transcripts → p@1: " + "; ".join(cells)


def human_ceiling(
    corpus: Corpus, coder: str, other: str, transcripts: Collection[str] | None = None
) -> str:
    """How often ``other``'s codes would be right at rank 1 on the units ``coder`` coded
    (the same units and the same hit rule as precision@1): the agreement of two humans,
    a ceiling for a model learning from such codings. ``other`` leaving a unit uncoded is
    a miss; with several codes the expected hit of picking one of them. Over
    ``transcripts`` (default: every transcript ``coder`` coded)."""
    units = hits = 0
    expected = 0.0
    for transcript in corpus.coded_transcripts(coder):
        if transcripts is not None and transcript not in transcripts:
            continue
        theirs = corpus.labelled(other, transcript)
        for unit, guess in zip(corpus.labelled(coder, transcript), theirs, strict=True):
            if not unit.codes:
                continue
            units += 1
            hits += bool(unit.codes & guess.codes)
            expected += len(unit.codes & guess.codes) / len(guess.codes) if guess.codes else 0
    return (
        f"p@1 {expected / units:.3f} (any of theirs right: {hits / units:.3f}) over {units} units"
    )
