"""Matrix rows: which text each row reads (cases, transcripts, speakers, attribute values).

A row's text is a set of half-open code-point spans per transcript. Filters (transcripts,
cases, attribute values) cut every row's text down to the filtered text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qualcode.domain.cases import AttributeDef, AttributeType
from qualcode.domain.matrices import MatrixLayout, MatrixSettings, RowPart
from qualcode.domain.matrix_intervals import Intervals, intersect_intervals, merge_intervals

NO_VALUE = "(no value)"
CROSSING = " × "

Region = Mapping[int, Intervals]
"""Text per transcript id: merged spans."""


@dataclass(frozen=True, slots=True)
class TranscriptInfo:
    id: int
    name: str
    characters: int


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """A case with its attribute values (stored form) and its text per transcript."""

    id: int
    name: str
    values: Mapping[str, str]
    spans: Region


@dataclass(frozen=True, slots=True)
class RowSet:
    """Rows before filtering: a label and a text region each. ``members`` are the cases a
    row counts for the cases measure (``None``: any case whose text it touches);
    ``row_cases`` the case id a row stands for (rows = cases), for framework summaries."""

    dimension: str
    labels: tuple[str, ...]
    regions: tuple[Region, ...]
    members: tuple[tuple[int, ...] | None, ...]
    row_cases: tuple[int | None, ...] = field(default=())


def case_rows(cases: Sequence[CaseInfo]) -> RowSet:
    """One row per case, in the order given."""
    return RowSet(
        "case",
        tuple(c.name for c in cases),
        tuple(c.spans for c in cases),
        tuple((c.id,) for c in cases),
        tuple(c.id for c in cases),
    )


def transcript_rows(transcripts: Sequence[TranscriptInfo]) -> RowSet:
    """One row per transcript (all its text), in the order given."""
    regions = tuple({t.id: ((0, t.characters),)} if t.characters else {} for t in transcripts)
    return RowSet(
        "transcript",
        tuple(t.name for t in transcripts),
        regions,
        (None,) * len(transcripts),
        (None,) * len(transcripts),
    )


def speaker_rows(turns: Iterable[tuple[int, int, int, str | None]]) -> RowSet:
    """One row per speaker name (sorted), reading the utterances of their turns in every
    transcript. ``turns`` are ``(transcript_id, start, end, speaker)``; turns without a
    speaker belong to no row."""
    spans: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for transcript_id, start, end, speaker in turns:
        if speaker:
            spans.setdefault(speaker, {}).setdefault(transcript_id, []).append((start, end))
    names = sorted(spans, key=lambda name: (name.casefold(), name))
    regions = tuple(
        {tid: tuple(merge_intervals(found)) for tid, found in spans[name].items()} for name in names
    )
    return RowSet("speaker", tuple(names), regions, (None,) * len(names), (None,) * len(names))


def value_order(definition: AttributeDef, value: str) -> tuple[int, float, str]:
    """Sort key for attribute values: ordinal levels in their order, numbers by size,
    dates by time, text alphabetically; no value last."""
    if value == "":
        return (2, 0.0, "")
    if definition.type is AttributeType.ORDINAL and value in definition.levels:
        return (0, float(definition.levels.index(value)), value)
    if definition.type is AttributeType.NUMBER:
        try:
            return (0, float(value), value)
        except ValueError:
            pass
    if definition.type is AttributeType.TEXT:
        return (1, 0.0, value.casefold())
    return (1, 0.0, value)


def attribute_rows(cases: Sequence[CaseInfo], definitions: Sequence[AttributeDef]) -> RowSet:
    """One row per value (one attribute) or per combination of values that some case has
    (two attributes crossed), reading the text of the cases with those values. A case
    without a value falls in the row "(no value)"."""
    groups: dict[tuple[str, ...], list[CaseInfo]] = {}
    for case in cases:
        key = tuple(case.values.get(d.name, "") for d in definitions)
        groups.setdefault(key, []).append(case)
    keys = sorted(
        groups,
        key=lambda key: tuple(value_order(d, v) for d, v in zip(definitions, key, strict=True)),
    )
    regions: list[Region] = []
    for key in keys:
        found: dict[int, list[tuple[int, int]]] = {}
        for case in groups[key]:
            for tid, spans in case.spans.items():
                found.setdefault(tid, []).extend(spans)
        regions.append({tid: tuple(merge_intervals(s)) for tid, s in found.items()})
    return RowSet(
        CROSSING.join(d.name for d in definitions),
        tuple(CROSSING.join(v or NO_VALUE for v in key) for key in keys),
        tuple(regions),
        tuple(tuple(c.id for c in groups[key]) for key in keys),
        (None,) * len(keys),
    )


def union_region(regions: Iterable[Region]) -> dict[int, Intervals]:
    found: dict[int, list[tuple[int, int]]] = {}
    for region in regions:
        for tid, spans in region.items():
            found.setdefault(tid, []).extend(spans)
    return {tid: tuple(merge_intervals(spans)) for tid, spans in found.items()}


def intersect_regions(first: Region, second: Region) -> dict[int, Intervals]:
    result: dict[int, Intervals] = {}
    for tid, spans in first.items():
        other = second.get(tid)
        if other:
            pieces = intersect_intervals(spans, other)
            if pieces:
                result[tid] = tuple(pieces)
    return result


@dataclass(frozen=True, slots=True)
class Columns:
    """Matrix columns: labels, the code each stands for, and which columns each code
    counts for."""

    labels: tuple[str, ...]
    codes: tuple[int, ...]
    code_columns: Mapping[int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class CoderGroups:
    """Blocks of coders: labels, and the block of each counted coder id."""

    labels: tuple[str, ...]
    of_coder: Mapping[int, int]


def build_layout(
    rows: RowSet,
    cases: Sequence[CaseInfo],
    columns: Columns,
    coders: CoderGroups,
    *,
    text_filter: Region | None = None,
    transcript_names: Mapping[int, str] | None = None,
    code_paths: Mapping[int, str] | None = None,
    coder_names: Mapping[int, str] | None = None,
    settings: MatrixSettings | None = None,
) -> MatrixLayout:
    """Assemble a :class:`MatrixLayout`. With ``text_filter`` every row's text is cut to
    the filtered text and rows left without text are dropped."""
    case_spans = {case.id: case.spans for case in cases}
    all_cases = tuple(case.id for case in cases)
    keep: list[int] = []
    regions: list[Region] = []
    for index, region in enumerate(rows.regions):
        cut = dict(region) if text_filter is None else intersect_regions(region, text_filter)
        if text_filter is not None and not cut:
            continue
        keep.append(index)
        regions.append(cut)
    parts: dict[int, list[RowPart]] = {}
    for new_index, (old_index, region) in enumerate(zip(keep, regions, strict=True)):
        members = rows.members[old_index]
        standing_for = rows.row_cases[old_index] if rows.row_cases else None
        for tid, spans in sorted(region.items()):
            if not spans:
                continue
            counted: list[tuple[int, Intervals]] = []
            for case_id in all_cases if members is None else members:
                found = case_spans.get(case_id, {}).get(tid)
                if found:
                    counted.append((case_id, spans if case_id == standing_for else found))
            parts.setdefault(tid, []).append(RowPart(new_index, spans, tuple(counted)))
    return MatrixLayout(
        row_dimension=rows.dimension,
        rows=tuple(rows.labels[i] for i in keep),
        columns=columns.labels,
        column_codes=columns.codes,
        groups=coders.labels,
        parts={tid: tuple(found) for tid, found in parts.items()},
        code_columns=columns.code_columns,
        coder_groups=coders.of_coder,
        transcript_names=transcript_names or {},
        code_paths=code_paths or {},
        coder_names=coder_names or {},
        row_cases=tuple(rows.row_cases[i] for i in keep) if rows.row_cases else (),
        settings=settings or MatrixSettings(),
    )
