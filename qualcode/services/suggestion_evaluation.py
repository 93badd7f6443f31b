"""How good the suggestions are: leave-one-transcript-out against a coder's real codings.

For each transcript the coder coded, a model is trained on the other transcripts only
and ranks the codes of every unit of the held-out one. Reported beside two baselines
computed from the same training units (the most frequent code; keyword match on code
names, descriptions and keywords): precision@1, precision@3 and recall@3 over the units
the coder coded (see :class:`~qualcode.domain.suggestions.RankingScore`), and per code the
agreement statistics of the registry between "suggested at rank 1 with a score of at
least the minimum" and the coder, over all units of the held-out transcripts — the same
engine that compares two humans.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qualcode.domain.agreement import NO_SEGMENTS, PairAgreement, PairCounts
from qualcode.domain.errors import FieldError, NotFoundError
from qualcode.domain.statistics.base import Scope
from qualcode.domain.statistics.registry import active, by_scope
from qualcode.domain.suggestions import (
    FrequencyBaseline,
    KeywordBaseline,
    RankingScore,
    UnitKind,
)
from qualcode.matching.code_model import DEFAULT, Settings
from qualcode.services.blind_rounds import refuse_in_round, round_open
from qualcode.services.suggestions import (
    DEFAULT_MIN_SCORE,
    Corpus,
    check_request,
    read_corpus,
    scored,
    train_on,
)
from qualcode.services.suggestions import training_coders as choose_coders
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project

MODEL = "model"
BASELINES = ("most_frequent", "keyword")


@dataclass(slots=True)
class _Tally:
    """A code's 2×2 table: a = suggested at rank 1, b = the coder."""

    both: int = 0
    a_only: int = 0
    b_only: int = 0
    neither: int = 0

    def add(self, suggested: bool, coded: bool) -> None:
        if suggested and coded:
            self.both += 1
        elif suggested:
            self.a_only += 1
        elif coded:
            self.b_only += 1
        else:
            self.neither += 1


@dataclass(slots=True)
class Evaluation:
    """Totals of one evaluation run (see :meth:`as_dict` for the reported shape)."""

    coder: str
    unit: UnitKind
    train_coders: list[str]
    min_score: float
    transcripts: list[str] = field(default_factory=list)
    rankings: dict[str, RankingScore] = field(default_factory=dict)
    tallies: dict[str, _Tally] = field(default_factory=dict)
    train_seconds: float = 0.0
    suggest_seconds: float = 0.0
    scored_units: int = 0

    def first_places(self, code: str) -> dict[str, object]:
        """How often each ranking put ``code`` first on a coded unit, and how often it was
        right there (``first_MODEL``, ``right_MODEL``; precision@1 of the code)."""
        found: dict[str, object] = {}
        for name, score in self.rankings.items():
            found[f"first_{name}"] = score.first[code]
            found[f"right_{name}"] = score.first_right[code]
        return found

    def as_dict(self) -> dict[str, Any]:
        statistics = [s for s in by_scope(active(), Scope.PAIR) if not s.key.startswith("segment")]
        codes = []
        for code, tally in sorted(self.tallies.items()):
            counts = PairCounts(tally.both, tally.a_only, tally.b_only, tally.neither)
            pair = PairAgreement("suggested", self.coder, counts, NO_SEGMENTS)
            row: dict[str, object] = {
                "code": code,
                "coded": tally.both + tally.b_only,
                "suggested": tally.both + tally.a_only,
                "both": tally.both,
                **self.first_places(code),
            }
            for statistic in statistics:
                assert statistic.of_pair is not None
                measure = statistic.of_pair(pair)
                row[statistic.key] = measure.value
                if statistic.undefined_key is not None:
                    row[statistic.undefined_key] = measure.undefined
            codes.append(row)
        return {
            "coder": self.coder,
            "unit": str(self.unit),
            "train_coders": self.train_coders,
            "min_score": self.min_score,
            "transcripts": self.transcripts,
            **{name: score.as_dict() for name, score in self.rankings.items()},
            "train_seconds": round(self.train_seconds, 3),
            "suggest_ms_per_transcript": round(
                1000 * self.suggest_seconds / max(1, len(self.transcripts)), 1
            ),
            "codes": codes,
        }


def evaluate(
    project: Project,
    coder: str,
    *,
    train_coders: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    unit: UnitKind = UnitKind.SENTENCE,
    min_score: float = DEFAULT_MIN_SCORE,
    blind: bool | None = None,
    settings: Settings = DEFAULT,
) -> Evaluation:
    """Leave-one-transcript-out over the transcripts ``coder`` coded (at least two), or
    over those of them named in ``transcripts``. Training uses ``train_coders`` (default:
    ``coder`` alone, as :func:`~qualcode.services.suggestions.suggest` does, so the
    figures describe the suggestions a user gets) on the other transcripts; ``coder``'s
    codings of the held-out one are the truth. Refused during a blind round (the figures
    show what ``coder`` coded) unless a workspace of ``coder`` asks for its own."""
    if not 0.0 <= min_score <= 1.0:
        raise FieldError("min_score", "must be between 0 and 1")
    refuse_in_round(project, "evaluating suggestions", {coder, *train_coders})
    with project.reading() as uow:
        if blind is None:
            blind = round_open(uow)
        coders = choose_coders(uow, coder, train_coders, blind=blind)
        check_request(project, uow, coder, coders, chosen=bool(train_coders))
        names = uow.transcripts.names()
        for name in transcripts:
            if name not in names:
                raise NotFoundError(unknown_transcript_message(name, sorted(names)))
        corpus = read_corpus(uow, sorted({*coders, coder}), unit)
    coded = corpus.coded_transcripts(coder)
    if len(coded) < 2:
        raise FieldError("coder", f"{coder} coded {len(coded)} transcript(s); need 2 or more")
    for name in transcripts:
        if name not in coded:
            raise FieldError("transcript", f"{coder} coded nothing in {name!r} to compare with")
    held_out = sorted(set(transcripts)) if transcripts else coded
    folds = [[transcript] for transcript in held_out]
    return evaluate_folds(corpus, coder, coders, folds, unit, min_score, settings)


def evaluate_folds(
    corpus: Corpus,
    coder: str,
    coders: Sequence[str],
    folds: Sequence[Sequence[str]],
    unit: UnitKind,
    min_score: float = DEFAULT_MIN_SCORE,
    settings: Settings = DEFAULT,
) -> Evaluation:
    """Train without each fold's transcripts in turn and score them against ``coder``."""
    names = [name for fold in folds for name in fold]
    result = Evaluation(coder, unit, list(coders), min_score, names)
    result.rankings = {MODEL: RankingScore(), **{name: RankingScore() for name in BASELINES}}
    result.tallies = {code: _Tally() for code in corpus.specs}
    for fold in folds:
        _hold_out(corpus, coders, fold, result, settings)
    return result


def _hold_out(
    corpus: Corpus,
    coders: Sequence[str],
    fold: Sequence[str],
    result: Evaluation,
    settings: Settings,
) -> None:
    started = time.perf_counter()
    model = train_on(corpus, coders, leave_out=set(fold), settings=settings)
    trained = time.perf_counter()
    units = [unit for name in fold for unit in corpus.labelled(result.coder, name)]
    training = corpus.training_units(coders, leave_out=set(fold))
    frequent = FrequencyBaseline(training, model.codes)
    keyword = KeywordBaseline(corpus.specs, frequent)
    scores = scored(model, keyword, units, settings)
    result.suggest_seconds += time.perf_counter() - trained
    result.train_seconds += trained - started
    for unit, row in zip(units, scores, strict=True):
        order = sorted(range(len(model.codes)), key=lambda i: -row[i])
        ranking = [model.codes[i] for i in order]
        result.rankings[MODEL].add(ranking, unit.codes)
        result.rankings["most_frequent"].add(frequent.rank(unit.text), unit.codes)
        result.rankings["keyword"].add(keyword.rank(unit.text), unit.codes)
        top = ranking[0] if row[order[0]] >= result.min_score else None
        for code, tally in result.tallies.items():
            tally.add(code == top, code in unit.codes)
    result.scored_units += len(units)
