"""Comparing coders: inter-coder agreement over a project's transcripts × codes.

Shared by the CLI (`qualcode agreement`) and the TUI. Reads happen in one read session;
nothing is written.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from qualcode.domain.agreement_intervals import IntervalSettings
from qualcode.domain.agreement_origin import ALL, Origins, parse_origins
from qualcode.domain.agreement_report import (
    DEFAULT_THRESHOLD,
    AgreementReport,
    CodingRecord,
    ExcludedTranscript,
    TranscriptUnits,
    agreement_report,
    select_transcripts,
    threshold_text,
)
from qualcode.domain.agreement_units import Unit, UnitGrid
from qualcode.domain.cycle_collection import paused
from qualcode.domain.document_info import (
    UNKNOWN_DOCUMENT,
    DocumentInfo,
    main_language,
    project_label,
)
from qualcode.domain.errors import FieldError, NotFoundError
from qualcode.domain.statistics.registry import choose
from qualcode.services.agreement_columns import statistic_columns
from qualcode.services.agreement_sweep import coded_by, of_origins, ordered_rows, sweep_comparer
from qualcode.services.blind_rounds import refuse_in_round
from qualcode.services.integrity import ensure_sound
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

UNITS = tuple(unit.value for unit in Unit)

CodingKey = tuple[int, int, int, int, int, int]
"""(coding id, transcript id, code id, coder id, start, end)."""


@dataclass(frozen=True, slots=True)
class ComparisonData:
    """What a comparison reads from a project: the coders' valid and invalid codings in
    the compared transcripts and codes, by name, plus what was left out and why."""

    coders: tuple[str, ...]
    codes: tuple[str, ...]
    code_ids: dict[str, int]
    transcripts: tuple[TranscriptUnits, ...]
    transcript_ids: dict[str, int]
    table: array[int]
    """The coders' codings by ids, six integers each (coding id, transcript id, code id,
    coder id, start, end), every transcript and code, in no particular order;
    :attr:`codings` names those compared."""
    coder_ids: dict[str, int]
    excluded: tuple[ExcludedTranscript, ...]
    basis: tuple[tuple[str, str], ...]
    document: DocumentInfo = UNKNOWN_DOCUMENT
    """The project's name and main language (of all its transcripts), for titles."""
    origin_missing: tuple[str, ...] = ()
    """Coders filtered by origin who are left with no coding in the compared
    transcripts (a report says so: their agreement is with nothing)."""

    @property
    def codings(self) -> tuple[CodingRecord, ...]:
        """(coding id, transcript, code, coder, start, end) in the compared transcripts
        and codes, as :class:`CodingSpan` (plain tuples: a large project has hundreds of
        thousands)."""
        names = {tid: name for name, tid in self.transcript_ids.items()}
        paths = {self.code_ids[path]: path for path in self.codes}
        coders = {cid: name for name, cid in self.coder_ids.items()}
        return tuple(
            (cid, names[tid], paths[code], coders[coder], s, e)
            for cid, tid, code, coder, s, e in self.rows()
            if tid in names and code in paths
        )

    def rows(self) -> list[CodingKey]:
        """:attr:`table` as tuples, by transcript id, code id, coder id, start and id."""
        return ordered_rows(self.table)


def compare_coders(
    project: Project,
    coders: Sequence[str],
    *,
    codes: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    unit: str = Unit.CHARACTER.value,
    threshold: Fraction | int = DEFAULT_THRESHOLD,
    stats: Sequence[str] = (),
    intervals: IntervalSettings | None = None,
    origin: str | Sequence[str] | None = None,
) -> AgreementReport:
    """Agreement of ``coders`` (two or more) on each compared transcript × code.

    ``codes``: code paths; each brings its sub-codes, and every code is compared on its
    own codings. Default: every code of the codebook. Codes nobody applied are listed
    too (all units agree on absence: kappa and alpha 0/0, reported as 1.0 and flagged).
    ``transcripts``: limit to these names (each still has to be finished by every
    coder, see :func:`qualcode.domain.agreement_report.select_transcripts`).
    ``unit``: one of :data:`UNITS`. ``threshold``: segment agreement percent, 0–100, exact
    (:func:`~qualcode.domain.agreement_report.parse_threshold` reads a typed one).
    ``stats``: the statistics to compute by their ``--stats`` names (``"kappa"``,
    ``"ac1,alpha"``); none: every statistic of the active registry. ``intervals``:
    bootstrap confidence intervals of the pooled kappa and alpha (see
    :mod:`qualcode.services.agreement_intervals`).
    ``origin``: only codings made by hand (``"human"``) or accepted from suggestions
    (``"suggested"``), of every coder, or per coder (``"anna=suggested"``; several
    values: :func:`~qualcode.domain.agreement_origin.parse_origins`); the report states
    it (:attr:`AgreementReport.origins`). Which transcripts are compared does not change.
    """
    if unit not in UNITS:
        raise FieldError("unit", f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    if not 0 <= threshold <= 100:
        raise FieldError("threshold", f"a percent from 0 to 100, not {threshold_text(threshold)}")
    chosen = Unit(unit)
    statistics = choose(stats)
    given = (origin,) if isinstance(origin, str) else origin or ()
    origins = parse_origins(given, check_coders(coders))
    with paused():  # a report's many small objects form no cycles (BENCHMARKS.md)
        data = load_comparison(
            project, coders, codes=codes, transcripts=transcripts, unit=chosen, origin=origins
        )
        sections = any(s.reads_sections for s in statistics)
        comparer = (
            sweep_comparer(data, threshold, sections=sections) if chosen is Unit.CHARACTER else None
        )
        report = agreement_report(
            data.coders,
            data.codes,
            data.transcripts,
            data.codings if comparer is None else (),
            unit=chosen,
            threshold=threshold,
            excluded=data.excluded,
            basis=data.basis,
            statistics=statistics,
            columns=statistic_columns,
            compare=comparer,
        )
        if intervals is not None:
            from qualcode.services.agreement_intervals import report_intervals

            report = replace(report, intervals=report_intervals(report, intervals))
    return replace(
        report, document=data.document, origins=origins, origin_missing=data.origin_missing
    )


def load_comparison(
    project: Project,
    coders: Sequence[str],
    *,
    codes: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    unit: Unit = Unit.CHARACTER,
    origin: Origins = (),
) -> ComparisonData:
    """Read and check what a comparison of ``coders`` needs (see :func:`compare_coders`);
    ``origin``: each coder's origin of codings to keep (:func:`parse_origins`)."""
    names = check_coders(coders)
    refuse_in_round(project, "comparing coders")
    missing: tuple[str, ...] = ()
    with project.reading() as uow:
        ensure_sound(uow, project.location)
        known = uow.coders.ids()
        for name in names:
            if name not in known:
                listed = ", ".join(sorted(known)) or "none yet"
                raise NotFoundError(f"unknown coder {name!r}; coders in this project: {listed}")
        coder_by_id = {known[name]: name for name in names}
        all_codes = uow.codebook.codes()
        wanted_codes = _selected_code_ids(uow, codes)
        lengths = uow.agreement.transcript_lengths()
        by_name = {name: (tid, length) for tid, name, length, _ in lengths}
        for name in transcripts:
            if name not in by_name:
                raise NotFoundError(unknown_transcript_message(name, sorted(by_name)))
        candidates = list(dict.fromkeys(transcripts)) if transcripts else sorted(by_name)
        table = uow.agreement.coding_table(coder_by_id)
        transcript_name = {tid: name for tid, name, _, _ in lengths}
        coded: dict[str, set[str]] = {}
        for tid, coder_id in coded_by(table):
            coded.setdefault(transcript_name[tid], set()).add(coder_by_id[coder_id])
        done = uow.settings.done_marks()
        compared, excluded, basis = select_transcripts(candidates, names, done, coded)
        compared_ids = [by_name[name][0] for name in compared]
        grids = _unit_grids(uow, compared_ids, unit)
        if origin:  # after choosing transcripts: those stay the same
            from qualcode.domain.suggestions import ORIGIN_KEY, SUGGESTED

            suggested = uow.suggestions.suggested_coding_ids(ORIGIN_KEY, SUGGESTED)
            kept = {known[name.strip()]: found for name, found in origin if found != ALL}
            table = of_origins(table, suggested, kept)
            among = set(compared_ids)
            left = {coder for tid, coder in coded_by(table) if tid in among}
            missing = tuple(coder_by_id[c] for c in kept if c not in left)
    # every code of the codebook (or every named code with its sub-codes), used or not:
    # a code nobody applied is agreement on absence, and a methods section lists it
    selected = tuple(c.path for c in all_codes if wanted_codes is None or c.id in wanted_codes)
    units: list[TranscriptUnits] = []
    for name in compared:
        tid, length = by_name[name]
        grid = grids.get(tid)
        if isinstance(grid, str):
            excluded.append(ExcludedTranscript(name, grid))
            continue
        units.append(TranscriptUnits(name, length, grid))
    return ComparisonData(
        coders=names,
        codes=selected,
        code_ids={c.path: c.id for c in all_codes},
        transcripts=tuple(units),
        transcript_ids={name: by_name[name][0] for name in compared},
        table=table,
        coder_ids={name: known[name] for name in names},
        excluded=tuple(excluded),
        basis=tuple(basis),
        origin_missing=missing,
        document=DocumentInfo(
            project_label(project.location),
            main_language((language, length) for _, _, length, language in lengths),
        ),
    )


def check_coders(coders: Sequence[str]) -> tuple[str, ...]:
    """Stripped coder names; at least two, all different."""
    names = tuple(c.strip() for c in coders)
    if any(not n for n in names):
        raise FieldError("coders", "a coder name is empty")
    if len(names) < 2:
        raise FieldError("coders", "name at least two coders to compare")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FieldError("coders", f"coder {duplicates[0]!r} is named twice")
    return names


def _selected_code_ids(uow: UnitOfWork, codes: Sequence[str]) -> set[int] | None:
    """The ids of the named codes and their descendants; ``None`` when none are named."""
    if not codes:
        return None
    from qualcode.services.codebook import resolve_code

    all_codes = uow.codebook.codes()
    selected: set[int] = set()
    for path in codes:
        code = resolve_code(uow, path, all_codes)
        prefix = code.path + "/"
        selected.update(c.id for c in all_codes if c.id == code.id or c.path.startswith(prefix))
    return selected


def _unit_grids(
    uow: UnitOfWork, transcript_ids: list[int], unit: Unit
) -> dict[int, UnitGrid | str]:
    """Turn or sentence units per transcript; a string says why a transcript has none
    usable (it is then excluded)."""
    if unit not in (Unit.TURN, Unit.SENTENCE):
        return {}
    from qualcode.domain.sentences import sentence_spans

    turns = uow.agreement.turn_spans(transcript_ids)
    texts = uow.agreement.texts_by_id(transcript_ids) if unit is Unit.SENTENCE else {}
    grids: dict[int, UnitGrid | str] = {}
    for tid in transcript_ids:
        own_turns = turns.get(tid)
        if unit is Unit.TURN:
            spans = own_turns or []
        else:
            text = texts[tid]
            spans = sentence_spans(text, own_turns if own_turns else None)
        try:
            grids[tid] = UnitGrid.from_spans(spans)
        except ValueError:
            grids[tid] = f"its {unit.value}s overlap"
    return grids
