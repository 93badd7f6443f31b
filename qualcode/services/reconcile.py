"""Reconciling coders into a consensus coder layer (two to five in bulk; two for a
region at a time).

The compared coders' own codings are never touched: results are written as codings of
a separate coder (``consensus`` by default), one transaction per action, logged as a
``reconcile`` event whose payload holds every created and removed coding (so it can be
undone). Transcripts are chosen as for agreement (finished by every compared coder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from qualcode.domain.agreement_report import (
    ExcludedTranscript,
    SkippedCoding,
    group_codings,
)
from qualcode.domain.codings import Coding, NewCoding
from qualcode.domain.errors import FieldError, InputError, NotFoundError
from qualcode.domain.events import Action
from qualcode.domain.reconciliation import (
    MAX_CODERS,
    PAIR_STRATEGIES,
    Choice,
    Region,
    Strategy,
    coded_by_at_least,
    reconcile_spans,
    regions,
    required_coders,
    resolve,
)
from qualcode.domain.spans import Span, merge_spans, span_problem, span_text
from qualcode.services.agreement import ComparisonData, load_comparison
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

DEFAULT_LAYER = "consensus"
STRATEGIES = tuple(s.value for s in Strategy)
CHOICES = tuple(c.value for c in Choice)


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What a bulk reconciliation wrote. ``strategy`` is ``None`` when the rule was
    given as a minimum number of coders (``--min``); ``minimum`` is how many coders
    had to code a character for the consensus to keep it (a and b: 1)."""

    coders: tuple[str, ...]
    into: str
    strategy: Strategy | None
    minimum: int
    created: int
    replaced: int
    transcripts: int
    codes: int
    skipped: tuple[SkippedCoding, ...]
    excluded: tuple[ExcludedTranscript, ...]

    @property
    def rule(self) -> str:
        """The rule as shown: ``union``, ``majority``, … or ``at least 2 of 3``."""
        return rule_name(self.strategy, self.minimum, len(self.coders))


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Where coders ``a`` and ``b`` differ on one code in one transcript."""

    transcript: str
    code: str
    a: str
    b: str
    region: Region


def reconcile(
    project: Project,
    coders: Sequence[str],
    *,
    into: str = DEFAULT_LAYER,
    strategy: str | None = Strategy.UNION.value,
    minimum: int | None = None,
    codes: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    replace: bool = False,
) -> ReconcileResult:
    """Write the consensus of two to five coders for every compared transcript × code.

    ``strategy``: union (coded by anyone), intersection (by all), majority (by more than
    half; for two coders the same as intersection), or — for exactly two coders — a (the
    first coder's codings) or b. Instead of a strategy, ``minimum`` keeps what at least
    that many coders coded (1 to the number of coders). Per character; the consensus
    codings are the maximal runs. When ``into`` already has codings in those
    transcripts × codes the call is refused, unless ``replace`` — then they are deleted
    first (and logged). One transaction."""
    names = _coder_names(coders, low=2, high=MAX_CODERS)
    chosen, needed = _rule(strategy, minimum, len(names))
    data, layer = _prepare(project, names, into, codes=codes, transcripts=transcripts)
    lengths = {t.name: t.length for t in data.transcripts}
    grouped, skipped = group_codings(data.coders, data.codes, lengths, data.codings)
    results: list[tuple[str, str, list[Span]]] = []
    for (transcript, code), raw in grouped.items():
        merged = [merge_spans(spans) for spans in raw]
        if chosen in PAIR_STRATEGIES:
            spans = reconcile_spans(merged[0], merged[1], chosen)
        else:
            spans = coded_by_at_least(merged, needed)
        if spans:
            results.append((transcript, code, spans))
    rule = rule_name(chosen, needed, len(names))
    with project.unit_of_work() as uow:
        removed = _existing_layer_codings(uow, layer, data, None)
        if removed and not replace:
            raise FieldError(
                "into",
                f"coder {layer!r} already has {len(removed)} coding(s) in these transcripts "
                "and codes; add --replace to replace them",
            )
        created = _write(uow, layer, data, results, removed)
        uow.events.log(
            Action.RECONCILE,
            f"{layer}: {len(created)} coding(s) from {join_names(data.coders)} "
            f"({rule}), {len(removed)} replaced",
            {
                "coders": list(data.coders),
                "into": layer,
                "strategy": chosen.value if chosen is not None else "min",
                "min": needed,
                "codings": [_payload(c, data) for c in created],
                "removed": [_payload(c, data) for c in removed],
            },
            coder=layer,
        )
    return ReconcileResult(
        coders=tuple(data.coders),
        into=layer,
        strategy=chosen,
        minimum=needed,
        created=len(created),
        replaced=len(removed),
        transcripts=len(data.transcripts),
        codes=len(data.codes),
        skipped=tuple(skipped),
        excluded=data.excluded,
    )


def rule_name(strategy: Strategy | None, minimum: int, coders: int) -> str:
    """``union``, ``majority``, … or, for a minimum, ``at least 2 of 3``."""
    return strategy.value if strategy is not None else f"at least {minimum} of {coders}"


def join_names(names: Sequence[str]) -> str:
    """``anna and bo``; ``anna, bo and chloe``."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def list_disagreements(
    project: Project,
    coders: Sequence[str],
    *,
    codes: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    include_agreed: bool = False,
) -> tuple[list[Disagreement], ComparisonData]:
    """Every region where two coders' codings of a code differ (with ``include_agreed``
    also the regions where they agree), by transcript, then code, then position.
    Returns the comparison data too, for its exclusions."""
    names = _two_coders(coders)
    data = load_comparison(project, names, codes=codes, transcripts=transcripts)
    lengths = {t.name: t.length for t in data.transcripts}
    grouped, _ = group_codings(data.coders, data.codes, lengths, data.codings)
    code_order = {code: i for i, code in enumerate(data.codes)}
    found: list[Disagreement] = []
    for transcript, code in sorted(grouped, key=lambda key: (key[0], code_order[key[1]])):
        a_raw, b_raw = grouped[(transcript, code)]
        for region in regions(merge_spans(a_raw), merge_spans(b_raw)):
            if include_agreed or not region.agreed:
                found.append(Disagreement(transcript, code, names[0], names[1], region))
    return found, data


def resolve_disagreement(
    project: Project,
    coders: Sequence[str],
    transcript: str,
    code: str,
    at: tuple[int, int],
    choice: str,
    *,
    into: str = DEFAULT_LAYER,
    spans: Sequence[tuple[int, int]] = (),
) -> list[Coding]:
    """Settle the region ``at`` (``(start, end)`` as listed by
    :func:`list_disagreements`) of one code in one transcript: ``choice`` is a, b, both,
    neither or edit (with ``spans`` inside the region). The layer's codings of this code
    overlapping the region are replaced by the result; returns the layer's new codings.
    One transaction."""
    if choice not in CHOICES:
        raise FieldError("choose", f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
    chosen = Choice(choice)
    names = _two_coders(coders)
    data, layer = _prepare(project, names, into, codes=[code], transcripts=[transcript])
    if not data.transcripts:
        reason = data.excluded[0].reason if data.excluded else "not compared"
        raise InputError(transcript, f"transcript is not compared: {reason}")
    length = data.transcripts[0].length
    path = data.codes[0]  # the named code itself: parents come before their sub-codes
    grouped, _ = group_codings(data.coders, [path], {transcript: length}, data.codings)
    a_raw, b_raw = grouped.get((transcript, path), [[], []])
    region = next(
        (r for r in regions(merge_spans(a_raw), merge_spans(b_raw)) if (r.start, r.end) == at),
        None,
    )
    if region is None:
        raise NotFoundError(
            f"no disagreement at {at[0]}:{at[1]} of {code!r} in {transcript!r} "
            "(have the codings changed? list them again)"
        )
    for start, end in spans:
        problem = span_problem(length, start, end)
        if problem:
            raise FieldError("span", problem)
    result = resolve(region, chosen, [Span(s, e) for s, e in spans])
    with project.unit_of_work() as uow:
        removed = _existing_layer_codings(uow, layer, data, (transcript, path, region))
        created = _write(uow, layer, data, [(transcript, path, result)], removed)
        uow.events.log(
            Action.RECONCILE,
            f"{layer}: {chosen.value} at {region.start}:{region.end} of {path} in {transcript}",
            {
                "coders": list(data.coders),
                "into": layer,
                "choice": chosen.value,
                "transcript": transcript,
                "code": path,
                "region": [region.start, region.end],
                "codings": [_payload(c, data) for c in created],
                "removed": [_payload(c, data) for c in removed],
            },
            coder=layer,
        )
    return created


# -- helpers --------------------------------------------------------------------------


def _two_coders(coders: Sequence[str]) -> tuple[str, str]:
    names = _coder_names(coders, low=2, high=2)
    return names[0], names[1]


def _coder_names(coders: Sequence[str], *, low: int, high: int) -> tuple[str, ...]:
    names = tuple(c.strip() for c in coders)
    if low == high == 2 and len(names) != 2:
        raise FieldError(
            "coders",
            f"disagreements and --at/--choose take exactly two coders, not {len(names)}; "
            "for more, reconcile in bulk with --strategy union, intersection or majority",
        )
    if not low <= len(names) <= high:
        raise FieldError("coders", f"reconcile from 2 to {high} coders, not {len(names)}")
    return names


def _rule(strategy: str | None, minimum: int | None, coders: int) -> tuple[Strategy | None, int]:
    """The strategy (``None`` with ``minimum``) and how many coders must have coded a
    character for the consensus to keep it."""
    if minimum is not None:
        if strategy is not None:
            raise FieldError("min", "give --strategy or --min, not both")
        if not 1 <= minimum <= coders:
            raise FieldError("min", f"must be between 1 and {coders} (the coders), not {minimum}")
        return None, minimum
    if strategy is None:
        raise FieldError("strategy", "give --strategy or --min")
    if strategy not in STRATEGIES:
        raise FieldError(
            "strategy", f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}"
        )
    chosen = Strategy(strategy)
    if chosen in PAIR_STRATEGIES:
        if coders != 2:
            raise FieldError(
                "strategy",
                f"{chosen.value!r} keeps one of two coders' codings; with {coders} coders use "
                "union, intersection, majority or --min",
            )
        return chosen, 1
    return chosen, required_coders(chosen, coders)


def _prepare(
    project: Project,
    names: Sequence[str],
    into: str,
    *,
    codes: Sequence[str],
    transcripts: Sequence[str],
) -> tuple[ComparisonData, str]:
    layer = into.strip()
    if not layer:
        raise FieldError("into", "the consensus coder name is empty")
    if layer in names:
        raise FieldError(
            "into",
            f"{layer!r} is one of the compared coders; their own codings are never changed",
        )
    data = load_comparison(project, names, codes=codes, transcripts=transcripts)
    return data, layer


def _existing_layer_codings(
    uow: UnitOfWork,
    layer: str,
    data: ComparisonData,
    region: tuple[str, str, Region] | None,
) -> list[Coding]:
    """The layer's codings in the compared transcripts × codes (or, with ``region``,
    those of that transcript and code overlapping it)."""
    layer_id = uow.coders.id_of(layer)
    if layer_id is None:
        return []
    if region is None:
        transcript_ids = set(data.transcript_ids.values())
        code_ids = {data.code_ids[c] for c in data.codes}
    else:
        transcript_ids = {data.transcript_ids[region[0]]}
        code_ids = {data.code_ids[region[1]]}
    ids = [
        cid
        for cid, tid, code_id, _, start, end in uow.agreement.coder_codings([layer_id])
        if tid in transcript_ids
        and code_id in code_ids
        and (region is None or (start < region[2].end and end > region[2].start))
    ]
    return uow.codings.find(ids=ids) if ids else []


def _write(
    uow: UnitOfWork,
    layer: str,
    data: ComparisonData,
    results: Sequence[tuple[str, str, Sequence[Span]]],
    removed: Sequence[Coding],
) -> list[Coding]:
    """Delete ``removed``, insert ``results`` as the layer's codings; return those."""
    uow.agreement.delete_codings([c.id for c in removed])
    layer_id = uow.coders.ensure(layer)
    wanted = sorted({data.transcript_ids[t] for t, _, spans in results if spans})
    texts = uow.agreement.texts_by_id(wanted)
    rows: list[NewCoding] = []
    for transcript, code, spans in results:
        tid, code_id = data.transcript_ids[transcript], data.code_ids[code]
        for span in spans:
            passage = span_text(texts[tid], span.start, span.end)
            rows.append(NewCoding(tid, code_id, layer_id, span.start, span.end, passage, None))
    before = uow.codings.max_id()
    uow.codings.add_bulk(rows)
    new_ids = uow.agreement.coding_ids_after(layer_id, before)
    return uow.codings.find(ids=new_ids) if new_ids else []


def _payload(coding: Coding, data: ComparisonData) -> dict[str, object]:
    """A coding as the event log stores it (with its code id, as other events do)."""
    return {**asdict(coding), "code_id": data.code_ids.get(coding.code_path)}
