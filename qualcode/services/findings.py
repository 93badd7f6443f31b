"""The draft findings chapter (``qualcode findings``): per theme how many cases raised
it, overall and by an attribute's values, its sub-codes, quotes spread across cases,
framework summaries and the cases that did not raise it.

Every count is the presence measure of the theme-by-case matrix that ``qualcode matrix``
counts (:func:`qualcode.services.matrices.build_matrix`, rows = cases), so the chapter
and the matrix cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.domain.cases import AttributeDef
from qualcode.domain.codebook import StoredCode
from qualcode.domain.document_info import project_label
from qualcode.domain.errors import FieldError, NotFoundError
from qualcode.domain.findings import (
    PHRASES,
    Candidate,
    case_label,
    chapter_language,
    check_label,
    choose_quotes,
    parse_case_noun,
    trim_quote,
)
from qualcode.domain.findings_chapter import (
    Chapter,
    CodeCount,
    Quote,
    ThemeFindings,
    ValueCount,
)
from qualcode.domain.matrices import Matrix, Measure
from qualcode.domain.matrix_rows import NO_VALUE, value_order
from qualcode.services.blind_rounds import refuse_in_round
from qualcode.services.integrity import ensure_sound
from qualcode.services.matrices import MatrixRequest, build_matrix, resolve_listed_code
from qualcode.storage.database import Project

DEFAULT_QUOTES = 3
DEFAULT_LABEL = "{case}"


@dataclass(frozen=True, slots=True)
class FindingsRequest:
    """A chapter as asked for. ``codes``: the themes (or any codes, each with its
    sub-codes) to write about, default every top-level code; ``by``: ``attribute:NAME``
    or ``None``; ``case_noun``: ``SINGULAR/PLURAL``; ``language``: ``en``, ``da`` or
    ``None`` for the language most transcript text is in; ``label``: the quotes' case
    label with ``{case}`` and ``{ATTRIBUTE}`` fields."""

    codes: tuple[str, ...] = ()
    coders: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    by: str | None = None
    quotes: int = DEFAULT_QUOTES
    case_noun: str | None = None
    language: str | None = None
    label: str = DEFAULT_LABEL
    transcripts: tuple[str, ...] = ()  # only these transcripts' text (default all)


@dataclass(frozen=True, slots=True)
class _Project:
    name: str
    codes: list[StoredCode]
    attributes: dict[str, AttributeDef]
    values: dict[str, dict[str, str]]  # case -> attribute -> value
    languages: list[tuple[str | None, int]]


def build_findings(project: Project, request: FindingsRequest) -> Chapter:
    """The chapter for ``request``. Raises :class:`NotFoundError` for an unknown code,
    coder or attribute and :class:`InputError` for a malformed option (one line each);
    :class:`~qualcode.domain.errors.BlindRoundError` during a blind round."""
    refuse_in_round(project, "findings", request.coders)  # named for the command run
    if request.quotes < 0:
        raise FieldError("quotes", f"expected 0 or more, got {request.quotes}")
    if request.language is not None and request.language not in PHRASES:
        raise FieldError("language", f"expected {' or '.join(PHRASES)}, got {request.language!r}")
    known = _read_project(project)
    by = _by_attribute(request.by, known.attributes)
    check_label(request.label, list(known.attributes))
    language = request.language or chapter_language(known.languages)
    noun = parse_case_noun(request.case_noun, PHRASES[language])
    sections = _sections(project, request, known)
    codes_matrix = build_matrix(project, _matrix_request(request, "codes", passages=False))
    themes: list[ThemeFindings] = []
    for code, matrix, column in sections:
        themes.append(_theme(code, matrix, column, codes_matrix, known, request, by, language))
    return Chapter(
        project=known.name,
        language=language,
        noun=noun,
        by=by.name if by else None,
        themes=tuple(themes),
        coders=codes_matrix.settings.coders,
        filters=codes_matrix.settings.filters,
        quotes_wanted=request.quotes,
    )


def _read_project(project: Project) -> _Project:
    with project.reading() as uow:
        ensure_sound(uow, project.location)
        return _Project(
            name=project_label(project.location),  # never a URL's password
            codes=uow.codebook.codes(),
            attributes={name: d for name, (_, d) in uow.cases.attribute_defs().items()},
            values={case.name: dict(case.attributes) for case in uow.cases.all()},
            languages=[(t.language, t.characters) for t in uow.transcripts.summaries()],
        )


def _by_attribute(spec: str | None, attributes: dict[str, AttributeDef]) -> AttributeDef | None:
    if spec is None:
        return None
    kind, colon, name = spec.partition(":")
    if kind.strip() != "attribute" or not colon or not name.strip():
        raise FieldError("by", f"expected attribute:NAME, got {spec!r}")
    if name.strip() not in attributes:
        listed = ", ".join(attributes) or "none"
        raise NotFoundError(f"unknown attribute {name.strip()!r} (attributes: {listed})")
    return attributes[name.strip()]


def _matrix_request(request: FindingsRequest, columns: str, *, passages: bool) -> MatrixRequest:
    return MatrixRequest(
        rows="cases",
        columns=columns,
        coders=request.coders,
        transcripts=request.transcripts,
        where=request.where,
        words=False,
        passages=passages,
    )


def _sections(
    project: Project, request: FindingsRequest, known: _Project
) -> list[tuple[StoredCode, Matrix, int]]:
    """Each chapter section's code, the matrix holding its column and the column: the
    themes matrix for every theme, or one matrix per listed code (in codebook order)."""
    if not request.codes:
        matrix = build_matrix(project, _matrix_request(request, "themes", passages=True))
        themes = [c for c in known.codes if c.parent_id is None]
        return [(code, matrix, column) for column, code in enumerate(themes)]
    with project.reading() as uow:
        chosen = {resolve_listed_code(uow, path, known.codes).id for path in request.codes}
    found: list[tuple[StoredCode, Matrix, int]] = []
    for code in (c for c in known.codes if c.id in chosen):
        matrix = build_matrix(project, _matrix_request(request, code.path, passages=True))
        found.append((code, matrix, 0))
    return found


def _theme(
    code: StoredCode,
    matrix: Matrix,
    column: int,
    codes_matrix: Matrix,
    known: _Project,
    request: FindingsRequest,
    by: AttributeDef | None,
    language: str,
) -> ThemeFindings:
    cases = matrix.rows
    present = [bool(matrix.value(Measure.PRESENCE, 0, row, column)) for row in range(len(cases))]
    total = matrix.value(Measure.PRESENCE, 0, len(cases), column)
    assert isinstance(total, int)
    theme = CodeCount(
        code.path,
        _heading(code, language, code.path),
        code.spec.description,
        total,
        len(cases),
        _by_value(present, cases, known, by),
    )
    subcodes = tuple(
        _subcode(sub, code, codes_matrix, known, by, language)
        for sub in known.codes
        if sub.path.startswith(code.path + "/")
    )
    candidates = [
        Candidate(row, passage.text)
        for row in range(len(cases))
        for passage in matrix.cell_passages(0, row, column)
    ]
    quotes = tuple(
        Quote(
            trim_quote(chosen.text),
            cases[chosen.case],
            case_label(request.label, cases[chosen.case], known.values.get(cases[chosen.case], {})),
        )
        for chosen in choose_quotes(candidates, request.quotes)
    )
    summaries = tuple(
        (cases[row], found.text)
        for row in range(len(cases))
        if (found := matrix.summaries.get((row, column))) is not None
    )
    return ThemeFindings(
        theme=theme,
        subcodes=subcodes,
        quotes=quotes,
        passage_cases=len({c.case for c in candidates}),
        summaries=summaries,
        negative=tuple(case for case, yes in zip(cases, present, strict=True) if not yes),
    )


def _subcode(
    code: StoredCode,
    theme: StoredCode,
    codes_matrix: Matrix,
    known: _Project,
    by: AttributeDef | None,
    language: str,
) -> CodeCount:
    """A sub-code with its own sub-codes: a case raised it when any of those codes is
    present in the case's row of the codes matrix (presence of a union is the union of
    presences, both counted within the case's text)."""
    members = [
        codes_matrix.columns.index(c.path)
        for c in known.codes
        if c.path == code.path or c.path.startswith(code.path + "/")
    ]
    cases = codes_matrix.rows
    present = [
        any(codes_matrix.value(Measure.PRESENCE, 0, row, column) for column in members)
        for row in range(len(cases))
    ]
    relative = code.path[len(theme.path) + 1 :]
    return CodeCount(
        code.path,
        _heading(code, language, relative),
        code.spec.description,
        sum(present),
        len(cases),
        _by_value(present, cases, known, by),
    )


def _heading(code: StoredCode, language: str, fallback: str) -> str:
    """The Danish label in a Danish chapter (when the codebook has one), else the name."""
    if language == "da" and code.spec.label_da:
        return code.spec.label_da
    return fallback


def _by_value(
    present: Sequence[bool], cases: Sequence[str], known: _Project, by: AttributeDef | None
) -> tuple[ValueCount, ...]:
    """Per value of ``by`` (in the attribute's order; cases without a value last, as the
    matrix's attribute rows have them): cases with that value, and of them those raising
    the code."""
    if by is None:
        return ()
    counts: dict[str, list[int]] = {}
    for case, yes in zip(cases, present, strict=True):
        value = known.values.get(case, {}).get(by.name, "")
        tally = counts.setdefault(value, [0, 0])
        tally[0] += int(yes)
        tally[1] += 1
    return tuple(
        ValueCount(value or NO_VALUE, counts[value][0], counts[value][1])
        for value in sorted(counts, key=lambda v: value_order(by, v))
    )
