"""Code suggestions learned from the team's own codings, on this machine.

:func:`suggest` lists, per unit a coder has not coded yet, the codes a model trained on
the chosen coders' codings (and the codebook's definitions) scores highest. The model is
cached in the project (table ``suggestion_model``) under a fingerprint of the event log
and codings, and in memory for the session, so it is retrained only after a change.
Nothing is written as a coding here: accepting a suggestion is :func:`accept_suggestion`,
a normal :func:`~qualcode.services.coding.apply_code` whose event records the origin.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.codings import Coding
from qualcode.domain.document_info import main_language
from qualcode.domain.errors import FieldError, NotFoundError, ProjectError
from qualcode.domain.events import Action
from qualcode.domain.spans import Span
from qualcode.domain.suggestions import (
    ORIGIN_KEY,
    SUGGESTED,
    KeywordBaseline,
    Suggestion,
    TextUnit,
    UnitKind,
    code_texts,
    label_units,
    neighbours,
    unit_codes,
    unit_spans,
)
from qualcode.matching.code_model import (
    DEFAULT,
    CodeModel,
    Settings,
    best_columns,
    train,
    with_keyword_prior,
)
from qualcode.services.blind_rounds import refuse_in_round, round_open
from qualcode.services.coding import apply_code
from qualcode.services.history import HistoryError
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

DEFAULT_LIMIT = 3
DEFAULT_MIN_SCORE = 0.3
DISMISSED_SETTING = "suggestion_dismissals"


@dataclass(frozen=True, slots=True)
class Corpus:
    """What training and suggesting read from a project: every transcript's text and
    units, the codebook, and the codings of the coders asked for."""

    texts: dict[str, str]
    units: dict[str, list[tuple[int, int]]]
    specs: dict[str, CodeSpec]
    codings: dict[str, dict[str, list[tuple[str, int, int]]]]
    """coder -> transcript -> (code path, start, end)"""
    language: str = "en"
    """The project's main language (``main_language``): it picks the stemmer."""

    def labelled(self, coder: str, transcript: str) -> list[TextUnit]:
        """The transcript's units with ``coder``'s codes."""
        found = self.codings.get(coder, {}).get(transcript, [])
        return label_units(transcript, self.texts[transcript], self.units[transcript], found)

    def coded_transcripts(self, coder: str) -> list[str]:
        """Transcripts in which ``coder`` coded anything, by name."""
        return sorted(self.codings.get(coder, {}))

    def training_units(
        self, coders: Sequence[str], leave_out: Collection[str] = ()
    ) -> list[TextUnit]:
        """Each coder's units of each transcript the coder worked on (coded units with
        their codes, the rest as examples of no code), except those in ``leave_out``."""
        return [
            unit
            for coder in coders
            for transcript in self.coded_transcripts(coder)
            if transcript not in leave_out
            for unit in self.labelled(coder, transcript)
        ]


def read_corpus(uow: UnitOfWork, coders: Sequence[str], unit: UnitKind) -> Corpus:
    """Read texts, units, codebook and the codings of ``coders`` in one transaction."""
    texts: dict[str, str] = {}
    units: dict[str, list[tuple[int, int]]] = {}
    for name, (transcript_id, text) in uow.transcripts.texts().items():
        texts[name] = text
        units[name] = unit_spans(text, uow.transcripts.turns(transcript_id), unit)
    codes = uow.codebook.codes()
    codings: dict[str, dict[str, list[tuple[str, int, int]]]] = {}
    for coding in uow.codings.find(coders=list(coders), codes=codes) if coders else []:
        by_transcript = codings.setdefault(coding.coder, {})
        by_transcript.setdefault(coding.transcript, []).append(
            (coding.code_path, coding.start, coding.end)
        )
    language = main_language(uow.matrix.transcript_languages())
    return Corpus(texts, units, {code.path: code.spec for code in codes}, codings, language)


def scored(
    model: CodeModel,
    keywords: KeywordBaseline,
    units: Sequence[TextUnit],
    settings: Settings = DEFAULT,
) -> list[list[float]]:
    """Each unit's score per code (in ``model.codes`` order): the model's, raised by the
    codebook's keywords found in the unit. ``units`` in text order, so that each unit's
    neighbours are beside it (the model may read them)."""
    found: list[list[float]] = _score_array(model, keywords, units, settings).tolist()
    return found


def _score_array(
    model: CodeModel, keywords: KeywordBaseline, units: Sequence[TextUnit], settings: Settings
) -> Any:
    """:func:`scored` as a float64 array (units × codes)."""
    texts = [unit.text for unit in units]
    evidence = keywords.evidence_rows(texts, model.codes)
    probabilities = model.probabilities(texts, neighbours(units, settings.reach), evidence)
    return with_keyword_prior(probabilities, evidence, settings.keyword_prior)


def train_on(
    corpus: Corpus,
    coders: Sequence[str],
    leave_out: Collection[str] = (),
    settings: Settings = DEFAULT,
) -> CodeModel:
    """A model over every code of the codebook from the coders' units (weight 1 per
    coder) and each code's codebook texts (weight ``settings.weak_weight``; none at 0)."""
    texts, labels, weights, near = training_rows(corpus, coders, leave_out, settings.reach)
    optional = [True] * len(texts)  # units may be sampled on a very large project
    for path, spec in corpus.specs.items():
        for text in code_texts(spec) if settings.weak_weight > 0 else ():
            texts.append(text)
            labels.append(frozenset({path}))
            weights.append(settings.weak_weight)
            near.append(())
            optional.append(False)
    if not texts:
        raise NotFoundError("nothing to learn from: the codebook is empty and nothing is coded")
    codes = list(corpus.specs)
    evidence = (
        KeywordBaseline(corpus.specs).evidence_rows(texts, codes)
        if settings.keyword_feature
        else None
    )
    return train(
        texts,
        labels,
        codes,
        weights,
        settings=settings,
        neighbours=near,
        evidence=evidence,
        language=corpus.language,
        optional=optional,
    )


def training_rows(
    corpus: Corpus, coders: Sequence[str], leave_out: Collection[str], reach: int
) -> tuple[list[str], list[frozenset[str]], list[float], list[tuple[int, ...]]]:
    """The units of :meth:`Corpus.training_units`, with each transcript's texts read
    once: per unit and distinct label the coders gave it, one row weighing how many
    coders gave it (three coders who left a sentence uncoded are one row of weight 3),
    and each row's neighbours (``reach`` each side) as indices of rows with their texts.
    On a large project this holds a third of the units a list per coder would."""
    texts: list[str] = []
    labels: list[frozenset[str]] = []
    weights: list[float] = []
    near: list[tuple[int, ...]] = []
    same: dict[frozenset[str], frozenset[str]] = {}  # one object per distinct label
    worked = sorted({name for coder in coders for name in corpus.coded_transcripts(coder)})
    for transcript in worked:
        if transcript in leave_out:
            continue
        spans = corpus.units[transcript]
        units = label_units(transcript, corpus.texts[transcript], spans, [])
        copies = [
            unit_codes(spans, corpus.codings[coder][transcript])
            for coder in coders
            if transcript in corpus.codings.get(coder, {})
        ]
        first = len(texts)
        around = [tuple(first + n for n in found) for found in neighbours(units, reach)]
        others: list[tuple[int, frozenset[str], int]] = []
        for index, unit in enumerate(units):
            given = [same.setdefault(copy[index], copy[index]) for copy in copies]
            if given.count(given[0]) == len(given):  # the usual case: all coders agree
                label, count, rest = given[0], len(given), []
            else:
                (label, count), *rest = Counter(given).items()
            texts.append(unit.text)
            labels.append(label)
            weights.append(float(count))
            near.append(around[index])
            others += [(index, other, times) for other, times in rest]
        for index, label, count in others:
            texts.append(texts[first + index])
            labels.append(label)
            weights.append(float(count))
            near.append(around[index])
    return texts, labels, weights, near


# -- which coders a model learns from ------------------------------------------------------


def training_coders(
    uow: UnitOfWork, coder: str, chosen: Sequence[str], *, blind: bool
) -> list[str]:
    """The coders a model for ``coder`` learns from: ``chosen``, or by default only
    ``coder`` (so that suggestions never copy another coder's codes of the same
    passages unless asked to); only ``coder`` in blind mode (asking for others then is a
    :class:`FieldError`). An unknown name is a :class:`FieldError` with a "did you mean"."""
    known = uow.coders.ids()
    for name in chosen:
        if name not in known:
            raise FieldError("train_coder", unknown_coder_reason(name, known))
    if blind:
        if any(name != coder for name in chosen):
            raise FieldError(
                "train_coder", "blind coding is on: suggestions learn only from your own codings"
            )
        return [coder]
    return sorted(set(chosen)) if chosen else [coder]


def unknown_coder_reason(name: str, known: Collection[str]) -> str:
    """``no coder 'Anna' in this project; did you mean 'anna'?``"""
    from qualcode.matching.suggest import closest

    if not known:
        return f"no coder {name!r} in this project: nobody has coded yet, nothing to learn from"
    hint = closest(name, sorted(known))
    return f"no coder {name!r} in this project" + (f"; did you mean {hint!r}?" if hint else "")


def check_request(
    project: Project, uow: UnitOfWork, coder: str, coders: Sequence[str], *, chosen: bool
) -> None:
    """Refuse, in one line, a request with nothing behind it: ``coder`` unknown (the
    coder of the workspace may be new: ``project.viewer``), or none of ``coders`` has
    coded anything, when only the codebook's texts would be left to learn from (every
    unit would score alike). ``chosen``: the coders were named (``--train-coder``)."""
    known = uow.coders.ids()
    if coder not in known and project.viewer != coder:
        raise FieldError("coder", unknown_coder_reason(coder, known))
    if not any(uow.codings.counts(coder=name) for name in coders):
        if chosen:
            raise NotFoundError(f"nothing to learn from: {' and '.join(coders)} coded nothing yet")
        hint = "" if project.viewer == coder else " (--train-coder NAME learns from others')"
        raise NotFoundError(
            f"nothing to learn from: {coder} coded nothing yet, and suggestions for {coder} "
            f"learn from {coder}'s own codings{hint}"
        )


def repeated_coders(coder: str, coders: Sequence[str]) -> list[str]:
    """The other coders a model for ``coder`` learns from: its suggestions can repeat
    their codes on the transcripts they coded (not independent of them)."""
    return [name for name in coders if name != coder]


# -- the cache ------------------------------------------------------------------------------

STORED_MODELS = 3
"""At most this many models stay cached in a project (the newest; stale ones go at once):
a model of a large project is megabytes, one per choice of coders and unit."""
_MEMORY: dict[tuple[str, str], tuple[str, CodeModel]] = {}
_MEMORY_LOCK = threading.Lock()


# The model's settings are part of the key: a model cached by an earlier version with other
# defaults is not used after an upgrade (it is pruned as the older one).
_MODEL_SIGNATURE = hashlib.sha256(repr(DEFAULT).encode()).hexdigest()[:12]


def _cache_key(coders: Sequence[str], unit: UnitKind) -> str:
    key = {"unit": str(unit), "coders": sorted(coders), "model": _MODEL_SIGNATURE}
    return json.dumps(key, ensure_ascii=False)[:400]


def cached_or_trained(
    project: Project, coders: Sequence[str], unit: UnitKind
) -> tuple[CodeModel, bool]:
    """The model for ``coders`` and ``unit`` — from memory, from the project's cache, or
    trained now (reading every transcript) and cached — and whether it was trained."""
    key = _cache_key(coders, unit)
    with project.reading() as uow:
        wanted = uow.suggestions.fingerprint()
        with _MEMORY_LOCK:
            remembered = _MEMORY.get((project.location, key))
        if remembered is not None and remembered[0] == wanted:
            return remembered[1], False
        stored = uow.suggestions.cached_model(key, wanted)
        model = _parsed(stored) if stored is not None else None
        corpus = read_corpus(uow, coders, unit) if model is None else None
    trained = corpus is not None
    if corpus is not None:
        model = train_on(corpus, coders)
        _store(project, key, wanted, model)
    assert model is not None
    with _MEMORY_LOCK:
        _MEMORY[(project.location, key)] = (wanted, model)
    return model, trained


def _parsed(text: str) -> CodeModel | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return CodeModel.from_json(value) if isinstance(value, dict) else None


def _store(project: Project, key: str, wanted: str, model: CodeModel) -> None:
    """Cache the model in the project; a read-only or busy project just goes uncached."""
    text = json.dumps(model.to_json(), separators=(",", ":"))
    try:
        with project.unit_of_work() as uow:
            if uow.suggestions.fingerprint() == wanted:  # nobody coded while we trained
                # stale and surplus models first, so the new one reuses their pages
                uow.suggestions.prune(wanted, STORED_MODELS, key)
                uow.suggestions.store_model(key, wanted, text)
    except ProjectError:
        pass


# -- suggesting -----------------------------------------------------------------------------


def suggest(
    project: Project,
    coder: str,
    *,
    train_coders: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    unit: UnitKind = UnitKind.SENTENCE,
    limit: int = DEFAULT_LIMIT,
    min_score: float = DEFAULT_MIN_SCORE,
    blind: bool | None = None,
) -> list[Suggestion]:
    """Suggestions for the units ``coder`` has not coded (nor dismissed) in
    ``transcripts`` (default: all), in transcript and text order: per unit the ``limit``
    best codes scoring at least ``min_score`` (0..1); units with none are left out.
    The model learns from ``train_coders`` (default: ``coder`` alone; see
    :func:`training_coders`). ``blind`` defaults to the project's blind-coding setting.
    During a blind round only a workspace of ``coder`` learning from ``coder`` alone may
    ask (:func:`~qualcode.services.blind_rounds.refuse_in_round`): suggestions and the
    units left out show what was coded."""
    if limit < 1:
        raise FieldError("limit", "must be at least 1")
    if not 0.0 <= min_score <= 1.0:
        raise FieldError("min_score", "must be between 0 and 1")
    refuse_in_round(project, "suggestions", {coder, *train_coders})
    with project.reading() as uow:
        if blind is None:
            blind = round_open(uow)
        coders = training_coders(uow, coder, train_coders, blind=blind)
        check_request(project, uow, coder, coders, chosen=bool(train_coders))
        names = set(uow.transcripts.names())
        for name in transcripts:
            if name not in names:
                raise NotFoundError(unknown_transcript_message(name, sorted(names)))
        wanted = sorted(set(transcripts)) if transcripts else sorted(names)
        own = (
            []
            if uow.coders.id_of(coder) is None
            else uow.codings.find(coders=[coder], transcripts=wanted if transcripts else ())
        )
        dismissed = _dismissed(uow, coder)
        mine: dict[str, list[tuple[str, int, int]]] = {}
        for coding in own:
            mine.setdefault(coding.transcript, []).append(
                (coding.code_path, coding.start, coding.end)
            )
        documents = []  # only the transcripts asked for are read
        for name in wanted:
            found_text = uow.transcripts.text_of(name)
            assert found_text is not None
            transcript_id, text = found_text
            spans = unit_spans(text, uow.transcripts.turns(transcript_id), unit)
            documents.append((name, text, spans))
        keywords = KeywordBaseline({code.path: code.spec for code in uow.codebook.codes()})
    model, _ = cached_or_trained(project, coders, unit)
    found: list[Suggestion] = []
    batch: list[TextUnit] = []  # whole transcripts, scored a few thousand units at a time
    for position, (name, text, spans) in enumerate(documents):
        batch += label_units(name, text, spans, mine.get(name, []))
        if len(batch) >= SCORE_BATCH or position == len(documents) - 1:
            found += _offered(model, keywords, batch, dismissed, limit, min_score)
            batch = []
    return found


SCORE_BATCH = 5_000
"""Units scored at once by :func:`suggest` (bounds memory on a whole large project)."""


def _offered(
    model: CodeModel,
    keywords: KeywordBaseline,
    units: Sequence[TextUnit],
    dismissed: dict[tuple[str, int, int], set[str]],
    limit: int,
    min_score: float,
) -> list[Suggestion]:
    """Suggestions for the open units of ``units`` (whole transcripts in text order):
    every unit is scored (a coded neighbour is context), the uncoded ones are offered,
    each with its ``limit`` best codes (ties in codebook order, as
    :func:`~qualcode.domain.suggestions.ranked`) scoring at least ``min_score``, codes
    the coder dismissed for the unit left out."""
    scores = _score_array(model, keywords, units, DEFAULT)
    column = {code: index for index, code in enumerate(model.codes)}
    for index, unit_ in enumerate(units):
        for code in dismissed.get((unit_.transcript, unit_.start, unit_.end), ()):
            if code in column:
                scores[index, column[code]] = -1.0
    best = best_columns(scores, limit)
    found = []
    for index, unit_ in enumerate(units):
        if unit_.codes:
            continue
        row = scores[index]
        codes = tuple((model.codes[c], float(row[c])) for c in best[index] if row[c] >= min_score)
        if codes:
            found.append(Suggestion(unit_.transcript, unit_.start, unit_.end, unit_.text, codes))
    return found


def accept_suggestion(
    project: Project, suggestion: Suggestion, coder: str, code: str | None = None
) -> Coding:
    """Code the suggestion's unit with its best code (or ``code``) as ``coder``: one
    ``apply`` event, undoable like any coding, whose payload records origin
    ``"suggested"``."""
    chosen = code if code is not None else suggestion.codes[0][0]
    coding, _ = apply_code(
        project,
        suggestion.transcript,
        chosen,
        coder,
        span=Span(suggestion.start, suggestion.end),
        origin=SUGGESTED,
    )
    return coding


def accepted_count(project: Project) -> int:
    """How many existing codings were accepted suggestions (undone ones not counted)."""
    with project.reading() as uow:
        return len(uow.suggestions.suggested_coding_ids(ORIGIN_KEY, SUGGESTED))


def dismiss_suggestion(project: Project, suggestion: Suggestion, coder: str) -> None:
    """Stop suggesting the suggestion's best code for its unit to ``coder`` (kept in the
    project; other coders still see it). One ``dismiss_suggestion`` event, undoable
    (:func:`revert_dismissal`); no model is retrained for it."""
    code = suggestion.codes[0][0]
    payload: dict[str, object] = {
        "transcript": suggestion.transcript,
        "start": suggestion.start,
        "end": suggestion.end,
        "code": code,
        "coder": coder,
    }
    with project.unit_of_work() as uow:
        replay_dismissal(uow, payload)
        uow.events.log(
            Action.DISMISS_SUGGESTION,
            f"{coder} dismissed suggestion {code} for {suggestion.transcript} "
            f"{suggestion.start}:{suggestion.end}",
            payload,
            coder=coder,
        )


def replay_dismissal(uow: UnitOfWork, payload: dict[str, object]) -> None:
    """Add the dismissal a ``dismiss_suggestion`` payload names to its coder's list."""
    coder, entry = _dismissal(payload)
    table = _dismissals(uow)
    entries = list(table.get(coder, []))
    if entry not in entries:
        entries.append(entry)
    table[coder] = entries
    uow.settings.set(DISMISSED_SETTING, table)


def revert_dismissal(uow: UnitOfWork, payload: dict[str, object]) -> None:
    """Take back the dismissal a ``dismiss_suggestion`` payload names (undo): the code is
    suggested for that unit again."""
    coder, entry = _dismissal(payload)
    table = _dismissals(uow)
    table[coder] = [kept for kept in table.get(coder, []) if kept != entry]
    uow.settings.set(DISMISSED_SETTING, table)


def _dismissals(uow: UnitOfWork) -> dict[str, list[object]]:
    value = uow.settings.get(DISMISSED_SETTING, {})
    if not isinstance(value, dict):
        return {}
    return {str(k): list(v) for k, v in value.items() if isinstance(v, list)}


def _dismissal(payload: dict[str, object]) -> tuple[str, list[object]]:
    """The coder and the stored entry of a ``dismiss_suggestion`` payload."""
    coder, transcript, code = payload.get("coder"), payload.get("transcript"), payload.get("code")
    start, end = payload.get("start"), payload.get("end")
    if not (
        isinstance(coder, str)
        and isinstance(transcript, str)
        and isinstance(code, str)
        and isinstance(start, int)
        and isinstance(end, int)
    ):
        raise HistoryError(
            "this dismissal was logged without its coder or unit; nothing was changed"
        )
    return coder, [transcript, start, end, code]


def _dismissed(uow: UnitOfWork, coder: str) -> dict[tuple[str, int, int], set[str]]:
    value = uow.settings.get(DISMISSED_SETTING, {})
    entries = value.get(coder, []) if isinstance(value, dict) else []
    found: dict[tuple[str, int, int], set[str]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, list) and len(entry) == 4:
            transcript, start, end, code = entry
            found.setdefault((str(transcript), int(start), int(end)), set()).add(str(code))
    return found
