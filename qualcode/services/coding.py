"""Applying, removing, listing and bulk-importing codings.

:func:`apply_code` and :func:`remove_coding` are the one way to code and uncode a passage,
for the command line and the workspace alike: one transaction, one event whose payload is
domain/events.py ``coding_payload`` (the coding with its code id, so undo survives renames).
Changing a coding that exists is services/coding_changes.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.codebook import StoredCode
from qualcode.domain.codings import HUMAN, ORIGINS, Coding, CodingRequest, NewCoding
from qualcode.domain.errors import FieldError, InputError, NotCodableError, NotFoundError
from qualcode.domain.events import Action, coding_payload
from qualcode.domain.spans import Span, span_problem, span_text
from qualcode.domain.suggestions import ORIGIN_KEY
from qualcode.domain.transcripts import checked_passage
from qualcode.importers.codings_csv import CodingsCsv, read_codings_csv
from qualcode.matching.quotes import (
    QuoteMatch,
    QuoteResult,
    describe_match,
    describe_place,
    find_quote,
)
from qualcode.services.blind_rounds import refuse_in_round, refuse_others_in_round
from qualcode.services.codebook import resolve_code
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.coding_writes import span_request
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Located:
    """Where a coding request points: its span, and for a quote the match found."""

    span: Span
    quote: QuoteMatch | None = None


def apply_code(
    project: Project,
    transcript: str,
    code_ref: str | int,
    coder: str,
    *,
    span: Span | None = None,
    turn: int | None = None,
    quote: str | None = None,
    memo: str | None = None,
    quote_threshold: float = 85.0,
    origin: str | None = None,
) -> tuple[Coding, Located]:
    """Code one passage, given by exactly one of ``span`` (half-open code points),
    ``turn`` (1-based turn number) or ``quote`` (found fuzzily), with the code
    ``code_ref`` (a path such as "continuity/meeting the child", or a code id). One
    transaction and one ``apply`` event; ``origin`` ("suggested" for an accepted
    suggestion) is stored with the coding and recorded in the event's payload."""
    if sum(x is not None for x in (span, turn, quote)) != 1:
        raise InputError("code", "give exactly one of --span, --turn or --quote")
    if not coder.strip():
        raise InputError("coder", "coder name is empty")
    if origin is not None and origin not in ORIGINS:
        raise FieldError("origin", f"unknown origin {origin!r}; use one of {', '.join(ORIGINS)}")

    fast = None if span is None else span_request(transcript, code_ref, coder, span, memo, origin)

    def store(uow: UnitOfWork) -> tuple[Coding, Located]:
        if fast is not None:  # PostgreSQL: one statement; else lock and take the long way
            if (added := uow.codings.add_at_span(fast)) is not None:
                return added, Located(Span(fast.start, fast.end))
            uow.codings.lock_for_adding(project.busy_timeout_ms)
        # Only adds rows: coders applying codes at once share the write lock (PostgreSQL)
        # and the whole action is re-run if the database reports a conflict.
        # The text alone (turns only for --turn): loading turns cost as much as the rest.
        found = uow.transcripts.text_of(transcript)
        if found is None:
            raise NotFoundError(unknown_transcript_message(transcript, uow.transcripts.names()))
        transcript_id, text = found
        all_codes = uow.codebook.codes()
        code = _code_by_ref(uow, code_ref, all_codes)
        if not code.spec.codable:
            raise NotCodableError(code.path)
        if span is not None:
            located = Located(span)
            checked_passage(text, span.start, span.end, transcript)
        elif turn is not None:
            turns = uow.transcripts.turns(transcript_id)
            if not 1 <= turn <= len(turns):
                raise InputError(transcript, f"has turns 1..{len(turns)}, not {turn}")
            chosen = turns[turn - 1]
            located = Located(Span(chosen.start, chosen.end))
        else:
            assert quote is not None
            result = find_quote(text, quote, threshold=quote_threshold)
            if result.ties:
                raise InputError(transcript, _ambiguous_quote_message(text, result))
            if result.best is None:
                nearest = "; ".join(describe_match(text, c) for c in result.candidates)
                raise InputError(
                    transcript,
                    f"quote not found (score below {quote_threshold:g})"
                    + (f"; nearest: {nearest}" if nearest else ""),
                )
            located = Located(Span(result.best.start, result.best.end), result.best)
        coder_id = uow.coders.ensure(coder.strip())
        coding_id = uow.codings.add(
            transcript_id,
            code.id,
            coder_id,
            located.span,
            span_text(text, located.span.start, located.span.end),
            memo,
            origin or HUMAN,
        )
        coding = uow.codings.find(ids=[coding_id], codes=all_codes)[0]
        uow.events.log(
            Action.APPLY,
            f"{coder} coded {transcript} {located.span.start}:{located.span.end} as {code.path}"
            + (f" ({origin})" if origin is not None else ""),
            {"coding": coding_payload(coding, code.id)}
            | ({ORIGIN_KEY: origin} if origin is not None else {}),
            coder=coder,
        )
        return coding, located

    return project.run_unit_of_work(store, adds_only=True, locks_itself=fast is not None)


MAX_LISTED_PLACES = 5  # places of an ambiguous quote named in the error


def _ambiguous_quote_message(text: str, result: QuoteResult) -> str:
    """Where a quote matches equally well, each place with a little context around it."""
    ties = result.ties
    at_least = "at least " if result.more_ties else ""
    listed = "; ".join(describe_place(text, match) for match in ties[:MAX_LISTED_PLACES])
    more = len(ties) - MAX_LISTED_PLACES
    scores = sorted({f"{match.score:.1f}" for match in ties}, reverse=True)
    return (
        f"quote matches {at_least}{len(ties)} places equally well "
        f"(score {'/'.join(scores)}): {listed}"
        + (f" (and {at_least}{more} more)" if more > 0 else "")
        + "; quote more of the passage, or give --span START:END"
    )


def remove_coding(project: Project, coding_id: int, *, coder: str | None = None) -> Coding:
    """Delete one coding by id, logged with everything needed to restore it. With
    ``coder`` (the workspace, ``uncode --coder``), only that coder's own coding may be
    removed; during a blind round ``coder`` is required and a refusal does not say whose
    the coding is (:class:`~qualcode.domain.errors.BlindRoundError`)."""
    with project.unit_of_work() as uow:
        coding, code_id = own_coding(project, uow, coding_id, coder, "removing")
        _delete_logged(uow, coding, code_id, coder or coding.coder)
    return coding


def own_coding(
    project: Project,
    uow: UnitOfWork,
    coding_id: int,
    coder: str | None,
    doing: str,
    codes: Sequence[StoredCode] | None = None,
) -> tuple[Coding, int]:
    """The coding a removal or change (``doing``: "removing", "changing") acts on, and its
    code's id: ``coder``'s own only when given, and always during a blind round
    (:func:`refuse_others_in_round`). ``codes``: the codebook, when the caller has it."""
    codes = uow.codebook.codes() if codes is None else codes
    found = uow.codings.find(ids=[coding_id], codes=codes)
    owner = found[0].coder if found else None
    refuse_others_in_round(project, uow, f"{doing} coding {coding_id}", coder, owner)
    if not found:
        raise NotFoundError(f"no coding with id {coding_id}")
    coding = found[0]
    if coder is not None and coding.coder != coder:
        raise InputError(
            f"coding {coding_id}", f"belongs to {coding.coder}; only they can change it"
        )
    return coding, next(c.id for c in codes if c.path == coding.code_path)


def _delete_logged(uow: UnitOfWork, coding: Coding, code_id: int, by: str) -> None:
    """Delete one coding (of the code ``code_id``) and log the ``remove`` event (the one
    shape for every front end)."""
    uow.codings.delete(coding.id)
    uow.events.log(
        Action.REMOVE,
        f"{by} removed coding {coding.id} ({coding.code_path}, {coding.transcript} "
        f"{coding.start}:{coding.end})",
        {"coding": coding_payload(coding, code_id)},
        coder=coding.coder,
    )


def _code_by_ref(
    uow: UnitOfWork, code_ref: str | int, codes: list[StoredCode] | None = None
) -> StoredCode:
    """A code by id, or by path as :func:`resolve_code` finds it."""
    codes = codes if codes is not None else uow.codebook.codes()
    if isinstance(code_ref, str):
        return resolve_code(uow, code_ref, codes)
    for code in codes:
        if code.id == code_ref:
            return code
    raise NotFoundError(f"no code with id {code_ref}")


def remove_coding_at(
    project: Project, transcript: str, code_path: str, coder: str, span: Span
) -> list[Coding]:
    """Delete the coder's codings of this code with exactly this span (half-open code
    points; a reversed, empty or out-of-range span is refused as by ``apply_code``).
    During a blind round a workspace removes only its own coder's codings."""
    with project.unit_of_work() as uow:
        refuse_others_in_round(project, uow, "removing codings", coder, coder)
        found = uow.transcripts.text_of(transcript)
        if found is None:
            raise NotFoundError(unknown_transcript_message(transcript, uow.transcripts.names()))
        transcript_id, text = found
        start, end = span.start, span.end
        checked_passage(text, start, end, transcript)
        code = resolve_code(uow, code_path)
        coder_id = uow.coders.id_of(coder)
        ids = (
            uow.codings.find_ids(transcript_id, code.id, coder_id, start, end)
            if coder_id is not None
            else []
        )
        if not ids:
            raise NotFoundError(
                f"no coding of {code.path!r} by {coder!r} at {start}:{end} in {transcript!r}"
            )
        removed = uow.codings.find(ids=ids)
        for coding in removed:
            _delete_logged(uow, coding, code.id, coder)
    return removed


def list_codings(
    project: Project,
    *,
    coders: Sequence[str] = (),
    codes: Sequence[str] = (),
    transcripts: Sequence[str] = (),
) -> list[Coding]:
    """Codings filtered by coder, code (a code includes its sub-codes) and transcript."""
    refuse_in_round(project, "listing codings", coders)
    with project.reading() as uow:
        all_codes = uow.codebook.codes()
        code_ids: list[int] = []
        for path in codes:
            code = resolve_code(uow, path, all_codes)
            prefix = code.path + "/"
            code_ids.extend(c.id for c in all_codes if c.id == code.id or c.path.startswith(prefix))
        for name in transcripts:
            if uow.transcripts.id_of(name) is None:
                raise NotFoundError(unknown_transcript_message(name, uow.transcripts.names()))
        return uow.codings.find(coders=coders, code_ids=code_ids, transcripts=transcripts)


MAX_LISTED_ROWS = 5  # invalid rows named in the error; the rest are counted


def import_codings(project: Project, path: Path) -> int:
    """Bulk-import a codings CSV in one transaction and return how many were added.

    Every row is checked first; if any is invalid the whole file is refused with one
    error naming the invalid rows by file line, in order (the first few, then a count),
    and nothing is stored. A file with a header and no rows imports nothing and writes
    nothing, not even an event-log entry (it returns 0).
    """
    parsed = read_codings_csv(path)
    if not parsed.requests and not parsed.rejected:
        return 0
    source = str(path)
    with project.unit_of_work() as uow:
        rows, problems = _validated_rows(uow, parsed)
        if problems:
            raise _invalid_rows_error(source, problems)
        first_id = uow.codings.max_id() + 1
        count = uow.codings.add_bulk(rows)
        uow.events.log(
            Action.IMPORT_CODINGS,
            f"imported {count} codings from {path.name}",
            {"source": source, "count": count, "first_id": first_id},
        )
    return count


def _invalid_rows_error(source: str, problems: dict[int, list[str]]) -> InputError:
    """One line for all invalid rows: ``file:LINE: reason`` when there is only one."""
    lines = sorted(problems)
    if len(lines) == 1:
        return InputError(source, ", ".join(problems[lines[0]]), line=lines[0])
    listed = "; ".join(
        f"line {line}: {', '.join(problems[line])}" for line in lines[:MAX_LISTED_ROWS]
    )
    more = len(lines) - MAX_LISTED_ROWS
    return InputError(
        source,
        f"{len(lines)} invalid rows, nothing imported — {listed}"
        + (f" (and {more} more)" if more > 0 else ""),
    )


class _Names:
    """Transcript and code lookups for a file's rows, each name resolved once."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.texts = uow.transcripts.texts()
        self.codes = uow.codebook.codes()
        self.code_ids: dict[str, int | str] = {}  # code path -> id, or why it is not one
        self.unknown: dict[str, str] = {}  # unknown transcript name -> message

    def code_id(self, path: str) -> int | str:
        found = self.code_ids.get(path)
        if found is None:
            try:
                found = resolve_code(self.uow, path, self.codes).id
            except NotFoundError as error:
                found = str(error)
            self.code_ids[path] = found
        return found

    def unknown_transcript(self, name: str) -> str:
        message = self.unknown.get(name)
        if message is None:
            message = self.unknown[name] = unknown_transcript_message(name, sorted(self.texts))
        return message


def _validated_rows(
    uow: UnitOfWork, parsed: CodingsCsv
) -> tuple[list[NewCoding], dict[int, list[str]]]:
    """The rows to store, and every problem by line (a row may have several). New coders
    are added as met: the transaction is rolled back if any row has a problem."""
    names = _Names(uow)
    coder_ids = uow.coders.ids()
    rows: list[NewCoding] = []
    problems: dict[int, list[str]] = {}
    for request in parsed.requests:
        code_id = names.code_id(request.code_path)
        found = names.texts.get(request.transcript)
        problem = None if found is None else _span_problem(found[1], request)
        if found is not None and problem is None and isinstance(code_id, int):
            transcript_id, text = found
            coder_id = coder_ids.get(request.coder)
            if coder_id is None:
                coder_id = coder_ids[request.coder] = uow.coders.ensure(request.coder)
            rows.append(
                NewCoding(
                    transcript_id,
                    code_id,
                    coder_id,
                    request.start,
                    request.end,
                    span_text(text, request.start, request.end),
                    request.memo,
                )
            )
            continue
        reasons = [] if found is not None else [names.unknown_transcript(request.transcript)]
        reasons += [code_id] if isinstance(code_id, str) else []
        reasons += [problem] if problem is not None else []
        problems[request.line or 0] = reasons
    for rejected in parsed.rejected:
        reasons = list(rejected.problems)
        if rejected.transcript and rejected.transcript not in names.texts:
            reasons.append(names.unknown_transcript(rejected.transcript))
        if rejected.code_path and isinstance(reason := names.code_id(rejected.code_path), str):
            reasons.append(reason)
        problems[rejected.line] = reasons
    return rows, problems


def _span_problem(text: str, request: CodingRequest) -> str | None:
    problem = span_problem(len(text), request.start, request.end)
    if problem:
        return f"{problem} in {request.transcript!r}"
    expected = request.expected_text
    # Both sides in NFC: a text column pasted in NFD still matches (the reader made it NFC).
    passage = span_text(text, request.start, request.end)
    if expected is not None and expected != unicodedata.normalize("NFC", passage):
        return (
            f"text column does not match {request.transcript!r} at "
            f"{request.start}:{request.end} (was the transcript changed?)"
        )
    return None
