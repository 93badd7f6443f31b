"""Changing a coding that exists: another code, another span, its memo. The one path for
the command line and the workspace: each change is one transaction and one event whose
payload holds the coding before and after (domain/events.py CodingPayload), so undo and
redo overwrite it one way or the other."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.codebook import StoredCode
from qualcode.domain.codings import HUMAN, Coding
from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action, coding_payload
from qualcode.domain.spans import Span, span_problem, span_text
from qualcode.services.coding import own_coding
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork


def recode_coding(project: Project, coding_id: int, code_id: int, coder: str) -> Coding:
    """Give one of the coder's codings another code; an accepted suggestion given
    another code becomes a coding made by hand (origin ``human``)."""
    return _change(project, coding_id, coder, Action.RECODE, code_id=code_id)


def adjust_coding(project: Project, coding_id: int, span: Span, coder: str) -> Coding:
    """Move one of the coder's codings to ``span`` (its anchor text follows)."""
    return _change(project, coding_id, coder, Action.ADJUST, span=span)


def set_memo(project: Project, coding_id: int, memo: str | None, coder: str | None) -> Coding:
    """Set (or with an empty text, clear) the memo on one of the coder's codings
    (``coder=None``: on the coding of whoever made it, as the command line's ``memo
    --coding`` without ``--author`` does, refused during a blind round)."""
    cleaned = memo.strip() if memo else None
    return _change(
        project, coding_id, coder, Action.CODING_MEMO, memo=cleaned or None, set_memo=True
    )


def _change(
    project: Project,
    coding_id: int,
    coder: str | None,
    action: Action,
    *,
    code_id: int | None = None,
    span: Span | None = None,
    memo: str | None = None,
    set_memo: bool = False,
) -> Coding:
    with project.unit_of_work() as uow:
        codes = uow.codebook.codes()  # read once for the whole change
        before, before_code = own_coding(project, uow, coding_id, coder, "changing", codes)
        new_code = code_id if code_id is not None else before_code
        new_path = code_path_by_id(uow, new_code, codes)
        start, end = (span.start, span.end) if span is not None else (before.start, before.end)
        _, text = _transcript_text(uow, before.transcript)
        problem = span_problem(len(text), start, end)
        if problem:
            raise InputError(before.transcript, problem)
        uow.codings.update(
            coding_id,
            code_id=new_code,
            span=Span(start, end),
            anchor_text=span_text(text, start, end),
            memo=memo if set_memo else before.memo,
            # another code chosen by hand: no longer the code a suggestion gave it (a
            # moved span or a memo keeps the coding's origin)
            origin=HUMAN if new_code != before_code else None,
        )
        after = uow.codings.find(ids=[coding_id], codes=codes)[0]
        described = {
            Action.RECODE: f"recoded coding {coding_id} from {before.code_path} to {new_path}",
            Action.ADJUST: (
                f"moved coding {coding_id} from {before.start}:{before.end} to {start}:{end}"
            ),
            Action.CODING_MEMO: f"memo on coding {coding_id}",
        }[action]
        uow.events.log(
            action,
            f"{before.coder} {described}",
            {
                "coding": coding_payload(before, before_code),
                "after": coding_payload(after, new_code),
            },
            coder=before.coder,
        )
    return after


def code_path_by_id(
    uow: UnitOfWork, code_id: int, codes: Sequence[StoredCode] | None = None
) -> str:
    """The path of the code with ``code_id`` (NotFoundError when it is gone); ``codes``:
    the codebook, when the caller has it."""
    for code in uow.codebook.codes() if codes is None else codes:
        if code.id == code_id:
            return code.path
    raise NotFoundError(f"no code with id {code_id}")


def _transcript_text(uow: UnitOfWork, name: str) -> tuple[int, str]:
    found = uow.transcripts.text_of(name)
    if found is None:
        raise NotFoundError(unknown_transcript_message(name, uow.transcripts.names()))
    return found
