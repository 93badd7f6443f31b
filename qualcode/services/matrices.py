"""Theme-by-case matrices, co-occurrence and framework summaries (shared by CLI and TUI).

A :class:`MatrixRequest` names rows, columns, coders and filters as the user writes them;
every name is checked against the project and a mistake raises a one-line error that
lists the valid names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qualcode.domain.codebook import StoredCode, split_path
from qualcode.domain.cycle_collection import paused
from qualcode.domain.document_info import DocumentInfo, main_language, project_label
from qualcode.domain.errors import FieldError, NotFoundError
from qualcode.domain.events import Action
from qualcode.domain.matrices import (
    CodingSpan,
    FrameworkSummary,
    Matrix,
    MatrixLayout,
    MatrixSettings,
)
from qualcode.domain.matrix_cooccurrence import Cooccurrence, count_cooccurrence
from qualcode.domain.matrix_counting import count_matrix
from qualcode.domain.matrix_intervals import Intervals
from qualcode.domain.matrix_rows import (
    CaseInfo,
    CoderGroups,
    Columns,
    Region,
    RowSet,
    TranscriptInfo,
    attribute_rows,
    build_layout,
    case_rows,
    intersect_regions,
    speaker_rows,
    transcript_rows,
    union_region,
)
from qualcode.domain.memos import StoredSummary
from qualcode.services.blind_rounds import refuse_in_round, refuse_others_in_round
from qualcode.services.codebook import resolve_code
from qualcode.services.integrity import ensure_sound
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

OUTSIDE_CASES = "(outside any case)"
ROW_CHOICES = "cases, transcripts, speakers, attribute:NAME or attribute:NAME,attribute:NAME"
MAX_CROSSED = 2


@dataclass(frozen=True, slots=True)
class MatrixRequest:
    """A matrix as asked for.

    ``rows``: ``cases`` | ``transcripts`` | ``speakers`` | ``attribute:NAME`` |
    ``attribute:A,attribute:B``. ``columns``: ``themes`` (top-level codes, sub-codes
    rolled up) | ``codes`` (every code, its own codings only) | code paths separated by
    commas (each with its sub-codes). ``coders``: empty for all; ``separate_coders``
    gives one block per coder instead of their union. ``where``: ``ATTRIBUTE=VALUE``
    (values of one attribute are alternatives; different attributes must all hold).
    ``outside_cases`` (rows = cases) adds a row for the text outside every case."""

    rows: str = "cases"
    columns: str = "themes"
    coders: tuple[str, ...] = ()
    separate_coders: bool = False
    transcripts: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    words: bool = True
    passages: bool = False
    outside_cases: bool = False


def build_matrix(project: Project, request: MatrixRequest) -> Matrix:
    """Count the requested matrix (and its passages and framework summaries)."""
    refuse_in_round(project, "the matrix", request.coders)
    with project.reading() as uow, paused():  # no cycles among the counts (BENCHMARKS.md)
        ensure_sound(uow, project.location)
        context = _Context(uow)
        rows = context.rows(request.rows)
        if request.outside_cases:
            rows = context.with_outside_row(rows)
        layout = context.layout(request, rows, document_info(project, uow))
        summaries = context.summaries(layout)
        needs_text = request.words or request.passages
        return count_matrix(
            layout,
            context.codings(layout),
            text_of=(lambda tid: uow.matrix.transcript_text(tid)) if needs_text else None,
            turns_of=lambda tid: uow.matrix.transcript_turns(tid),
            collect_passages=request.passages,
            summaries=summaries,
        )


def project_document(project: Project) -> DocumentInfo:
    """What an export of ``project`` says about its source (see :func:`document_info`)."""
    with project.reading() as uow:
        return document_info(project, uow)


def document_info(project: Project, uow: UnitOfWork) -> DocumentInfo:
    """The project's name and the language most of its text is in, for exported documents."""
    languages = uow.matrix.transcript_languages()
    return DocumentInfo(project_label(project.location), main_language(languages))


def build_cooccurrence(project: Project, request: MatrixRequest) -> Cooccurrence:
    """Code × code overlap events within the filtered text (``rows`` is ignored)."""
    refuse_in_round(project, "the co-occurrence matrix", request.coders)
    with project.reading() as uow, paused():  # no cycles among the counts (BENCHMARKS.md)
        ensure_sound(uow, project.location)
        context = _Context(uow)
        whole = transcript_rows(context.transcripts)
        everything = RowSet("text", ("all text",), (union_region(whole.regions),), (None,), ())
        layout = context.layout(request, everything, document_info(project, uow))
        return count_cooccurrence(layout, context.codings(layout))


def resolve_listed_code(
    uow: UnitOfWork, path: str, codes: list[StoredCode] | None = None
) -> StoredCode:
    """:func:`resolve_code`, with the valid code paths listed in the error."""
    codes = codes if codes is not None else uow.codebook.codes()
    try:
        return resolve_code(uow, path, codes)
    except NotFoundError as error:
        known = ", ".join(c.path for c in codes) or "none"
        raise NotFoundError(f"{error} (codes: {known})") from None


class _Context:
    """The project's names and ids, read once per request."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.codes = uow.codebook.codes()
        self.transcripts = uow.matrix.transcripts()
        self.cases = uow.matrix.cases()
        self.coders = uow.matrix.coder_names()
        self.codes_by_id = {c.id: c for c in self.codes}

    # -- rows ------------------------------------------------------------------------------
    def rows(self, spec: str) -> RowSet:
        wanted = spec.strip()
        if wanted in ("cases", "case"):
            return case_rows(self.cases)
        if wanted in ("transcripts", "transcript"):
            return transcript_rows(self.transcripts)
        if wanted in ("speakers", "speaker"):
            return speaker_rows(self.uow.matrix.speaker_turns())
        if wanted.startswith("attribute:"):
            names = [part.strip() for part in wanted.split(",")]
            if len(names) > MAX_CROSSED:
                raise FieldError("rows", f"at most {MAX_CROSSED} attributes can be crossed")
            if any(not n.startswith("attribute:") or not n[10:].strip() for n in names):
                raise FieldError("rows", f"expected {ROW_CHOICES}, got {spec!r}")
            definitions = self.uow.cases.attribute_defs()
            chosen = []
            for name in (n[10:].strip() for n in names):
                if name not in definitions:
                    known = ", ".join(definitions) or "none"
                    raise NotFoundError(f"unknown attribute {name!r} (attributes: {known})")
                chosen.append(definitions[name][1])
            return attribute_rows(self.cases, chosen)
        raise FieldError("rows", f"expected {ROW_CHOICES}, got {spec!r}")

    # -- columns ---------------------------------------------------------------------------
    def columns(self, spec: str) -> tuple[Columns, str]:
        wanted = spec.strip()
        if wanted == "themes":
            themes = [c for c in self.codes if c.parent_id is None]
            index = {c.id: i for i, c in enumerate(themes)}
            mapping = {c.id: (index[self._theme_of(c).id],) for c in self.codes}
            return (
                Columns(tuple(c.path for c in themes), tuple(c.id for c in themes), mapping),
                "themes (top-level codes, sub-codes rolled up)",
            )
        if wanted == "codes":
            return (
                Columns(
                    tuple(c.path for c in self.codes),
                    tuple(c.id for c in self.codes),
                    {c.id: (i,) for i, c in enumerate(self.codes)},
                ),
                "codes (each code's own codings)",
            )
        chosen = self._listed_codes(wanted)
        listed: dict[int, list[int]] = {}
        for column, code in enumerate(chosen):
            for member in self._with_descendants(code):
                listed.setdefault(member.id, []).append(column)
        return (
            Columns(
                tuple(c.path for c in chosen),
                tuple(c.id for c in chosen),
                {k: tuple(v) for k, v in listed.items()},
            ),
            ", ".join(c.path for c in chosen) + " (each with its sub-codes)",
        )

    def _listed_codes(self, spec: str) -> list[StoredCode]:
        try:
            return [resolve_code(self.uow, spec, self.codes)]
        except NotFoundError:
            pass  # not one code: a comma-separated list
        chosen: list[StoredCode] = []
        for part in spec.split(","):
            if not split_path(part):
                raise FieldError("cols", f"empty code name in {spec!r}")
            code = resolve_listed_code(self.uow, part, self.codes)
            if code not in chosen:
                chosen.append(code)
        return chosen

    def _theme_of(self, code: StoredCode) -> StoredCode:
        while code.parent_id is not None:
            code = self.codes_by_id[code.parent_id]
        return code

    def _with_descendants(self, code: StoredCode) -> list[StoredCode]:
        prefix = code.path + "/"
        return [c for c in self.codes if c.id == code.id or c.path.startswith(prefix)]

    # -- coders and filters ----------------------------------------------------------------
    def coder_groups(self, names: Sequence[str], separate: bool) -> tuple[CoderGroups, list[str]]:
        by_name = {name: cid for cid, name in self.coders.items()}
        chosen = list(dict.fromkeys(names)) if names else list(by_name)
        for name in chosen:
            if name not in by_name:
                known = ", ".join(by_name) or "none"
                raise NotFoundError(f"unknown coder {name!r} (coders: {known})")
        if separate and chosen:
            return CoderGroups(
                tuple(chosen), {by_name[name]: i for i, name in enumerate(chosen)}
            ), chosen
        label = " + ".join(chosen) if chosen else "(no coders)"
        return CoderGroups((label,), {by_name[name]: 0 for name in chosen}), chosen

    def text_filter(self, request: MatrixRequest) -> tuple[Region | None, list[str]]:
        described: list[str] = []
        region: Region | None = None
        if request.transcripts:
            by_name = {t.name: t for t in self.transcripts}
            chosen: list[TranscriptInfo] = []
            for name in request.transcripts:
                if name not in by_name:
                    message = unknown_transcript_message(name, sorted(by_name))
                    raise NotFoundError(message)
                chosen.append(by_name[name])
            region = {t.id: ((0, t.characters),) for t in chosen if t.characters}
            described.append("transcripts: " + ", ".join(t.name for t in chosen))
        selected = self._filtered_cases(request, described)
        if selected is not None:
            cases_region = union_region(c.spans for c in selected)
            region = cases_region if region is None else intersect_regions(region, cases_region)
        return region, described

    def _filtered_cases(
        self, request: MatrixRequest, described: list[str]
    ) -> list[CaseInfo] | None:
        selected: list[CaseInfo] | None = None
        if request.cases:
            by_name = {c.name: c for c in self.cases}
            for name in request.cases:
                if name not in by_name:
                    known = ", ".join(by_name) or "none"
                    raise NotFoundError(f"unknown case {name!r} (cases: {known})")
            selected = [by_name[name] for name in dict.fromkeys(request.cases)]
            described.append("cases: " + ", ".join(c.name for c in selected))
        if request.where:
            wanted = self._where(request.where)
            matching = [
                c for c in self.cases if all(c.values.get(a) in v for a, v in wanted.items())
            ]
            selected = matching if selected is None else [c for c in selected if c in matching]
            described.extend(f"{a} = {' or '.join(v)}" for a, v in wanted.items())
        return selected

    def _where(self, conditions: Sequence[str]) -> dict[str, list[str]]:
        definitions = self.uow.cases.attribute_defs()
        wanted: dict[str, list[str]] = {}
        for condition in conditions:
            name, equals, value = condition.partition("=")
            name, value = name.strip(), value.strip()
            if not equals or not name:
                raise FieldError("where", f"expected ATTRIBUTE=VALUE, got {condition!r}")
            if name not in definitions:
                known = ", ".join(definitions) or "none"
                raise NotFoundError(f"unknown attribute {name!r} (attributes: {known})")
            present = sorted({c.values[name] for c in self.cases if c.values.get(name)})
            if value not in present:
                raise NotFoundError(
                    f"no case has {name} = {value!r} (values: {', '.join(present) or 'none'})"
                )
            wanted.setdefault(name, []).append(value)
        return wanted

    # -- assembling ------------------------------------------------------------------------
    def layout(self, request: MatrixRequest, rows: RowSet, document: DocumentInfo) -> MatrixLayout:
        columns, columns_text = self.columns(request.columns)
        groups, coders = self.coder_groups(request.coders, request.separate_coders)
        text_filter, filters = self.text_filter(request)
        return build_layout(
            rows,
            self.cases,
            columns,
            groups,
            text_filter=text_filter,
            transcript_names={t.id: t.name for t in self.transcripts},
            code_paths={c.id: c.path for c in self.codes},
            coder_names=self.coders,
            settings=MatrixSettings(
                rows=request.rows,
                columns=columns_text,
                coders=tuple(coders),
                separate_coders=request.separate_coders,
                filters=tuple(filters),
                document=document,
            ),
        )

    def with_outside_row(self, rows: RowSet) -> RowSet:
        """``rows`` plus one row reading the text outside every case."""
        assigned = union_region(c.spans for c in self.cases)
        outside: dict[int, Intervals] = {}
        for transcript in self.transcripts:
            gaps: list[tuple[int, int]] = []
            position = 0
            for start, end in assigned.get(transcript.id, ()):
                if start > position:
                    gaps.append((position, start))
                position = max(position, end)
            if position < transcript.characters:
                gaps.append((position, transcript.characters))
            if gaps:
                outside[transcript.id] = tuple(gaps)
        return RowSet(
            rows.dimension,
            (*rows.labels, OUTSIDE_CASES),
            (*rows.regions, outside),
            (*rows.members, ()),
            (*rows.row_cases, None),
        )

    def codings(self, layout: MatrixLayout) -> Iterator[CodingSpan]:
        """The layout's codings; a filter the query does not need is left out of it."""
        codes, coders = set(layout.code_columns), set(layout.coder_groups)
        transcripts = set(layout.parts)
        return self.uow.matrix.coding_spans(
            code_ids=None if codes >= {c.id for c in self.codes} else codes,
            coder_ids=None if coders >= set(self.coders) else coders,
            transcript_ids=None if len(transcripts) == len(self.transcripts) else transcripts,
        )

    def summaries(self, layout: MatrixLayout) -> dict[tuple[int, int], FrameworkSummary]:
        if not any(case is not None for case in layout.row_cases):
            return {}
        rows = {case: i for i, case in enumerate(layout.row_cases) if case is not None}
        columns = {code: i for i, code in enumerate(layout.column_codes)}
        found: dict[tuple[int, int], FrameworkSummary] = {}
        for stored in self.uow.matrix.summaries():
            if stored.case_id in rows and stored.code_id in columns:
                row, column = rows[stored.case_id], columns[stored.code_id]
                found[(row, column)] = FrameworkSummary(
                    layout.rows[row],
                    layout.columns[column],
                    stored.text,
                    stored.author,
                    stored.updated_at,
                )
        return found


# -- framework summaries -------------------------------------------------------------------


def _case_id(uow: UnitOfWork, name: str) -> int:
    case_id = uow.cases.id_of(name)
    if case_id is None:
        known = ", ".join(c.name for c in uow.matrix.cases()) or "none"
        raise NotFoundError(f"unknown case {name!r} (cases: {known})")
    return case_id


def get_framework_summary(
    project: Project, case: str, code: str, reader: str | None = None
) -> FrameworkSummary | None:
    """The summary of a case × code cell, or ``None``. During a blind round only
    ``reader``'s own summary is shown (:class:`~qualcode.domain.errors.BlindRoundError`
    otherwise, also when ``reader`` is not given)."""
    with project.reading() as uow:
        case_id = _case_id(uow, case)
        resolved = resolve_listed_code(uow, code)
        stored = uow.matrix.summary(case_id, resolved.id)
        what = f"the summary of {case} × {resolved.path}"
        refuse_others_in_round(project, uow, what, reader, _owner(stored))
        if stored is None:
            return None
        return FrameworkSummary(case, resolved.path, stored.text, stored.author, stored.updated_at)


def _owner(stored: StoredSummary | None) -> str | None:
    """Whose a stored summary is (``""``, nobody's in particular, when it has no author;
    ``None`` when there is none)."""
    return None if stored is None else stored.author or ""


def set_framework_summary(
    project: Project, case: str, code: str, text: str, author: str | None = None
) -> FrameworkSummary | None:
    """Write (or with empty ``text``, remove) the summary of a case × code cell in one
    transaction, logged with the text before and after. Returns the summary now stored.
    During a blind round ``author`` is required and may not replace another's summary."""
    with project.unit_of_work() as uow:
        case_id = _case_id(uow, case)
        resolved = resolve_listed_code(uow, code)
        before = uow.matrix.summary(case_id, resolved.id)
        what = f"the summary of {case} × {resolved.path}"
        refuse_others_in_round(project, uow, what, author, _owner(before))
        cleaned = text.strip()
        if cleaned:
            uow.matrix.set_summary(case_id, resolved.id, cleaned, author)
        else:
            uow.matrix.delete_summary(case_id, resolved.id)
        uow.events.log(
            Action.SUMMARY,
            f"framework summary {case} × {resolved.path} " + ("set" if cleaned else "removed"),
            {
                "case": case,
                "code": resolved.path,
                "before": before.text if before else None,
                "after": cleaned or None,
            },
            coder=author,
        )
        stored = uow.matrix.summary(case_id, resolved.id)
    if stored is None:
        return None
    return FrameworkSummary(case, resolved.path, stored.text, stored.author, stored.updated_at)
