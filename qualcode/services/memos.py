"""Free-text memos on the project, a transcript or a code (coding memos live on the coding):
writing one, correcting or deleting one, listing them back, and how many each transcript
and code has. A correction or deletion is logged with the old text (``memo_edit``,
``memo_delete``), so nothing written is lost, and undo (services/history.py) takes it
back."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action
from qualcode.domain.memos import StoredMemo
from qualcode.services.blind_rounds import refuse_in_round, refuse_others_in_round
from qualcode.services.codebook import resolve_code
from qualcode.services.transcripts import unknown_transcript_message
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

MEMO_FIELDS = ("id", "target", "author", "created", "text")
"""Column order of memo listings."""


@dataclass(frozen=True, slots=True)
class Memo:
    """A memo as listed. ``target_type`` is ``project``, ``transcript``, ``code`` or
    ``coding``; ``target_name`` is the transcript's name, the code's path or the coding's
    id (``None`` on the project). A coding's memo has no id of its own (``id`` is
    ``None``): its author is the coding's coder and ``created`` the coding's creation time,
    as a coding's memo records neither. ``created`` is ISO-8601 UTC ("...Z")."""

    id: int | None
    target_type: str
    target_name: str | None
    author: str | None
    created: str
    text: str

    @property
    def target(self) -> str:
        """``project``, ``transcript NAME``, ``code PATH`` or ``coding ID``."""
        if self.target_name is None:
            return self.target_type
        return f"{self.target_type} {self.target_name}"

    def as_row(self) -> tuple[int | None, str, str | None, str, str]:
        """The memo in :data:`MEMO_FIELDS` order."""
        return (self.id, self.target, self.author, self.created, self.text)

    def as_record(self) -> dict[str, object]:
        return dict(zip(MEMO_FIELDS, self.as_row(), strict=True))


def add_memo(
    project: Project,
    text: str,
    *,
    transcript: str | None = None,
    code_path: str | None = None,
    author: str | None = None,
) -> str:
    """Store a memo; returns a description of its target ("on transcript 'x'")."""
    with project.unit_of_work() as uow:
        if transcript is not None:
            target_id = uow.transcripts.id_of(transcript)
            if target_id is None:
                raise NotFoundError(unknown_transcript_message(transcript, uow.transcripts.names()))
            target_type, described = "transcript", f"on transcript {transcript!r}"
        elif code_path is not None:
            code = resolve_code(uow, code_path)
            target_type, target_id, described = "code", code.id, f"on code {code.path!r}"
        else:
            target_type, target_id, described = "project", None, "on the project"
        memo_id = uow.memos.add(target_type, target_id, author, text)
        uow.events.log(
            Action.MEMO,
            f"memo {memo_id} {described}",
            {"memo_id": memo_id, "target_type": target_type, "target_id": target_id, "text": text},
            coder=author,
        )
    return f"{memo_id} {described}"


def edit_memo(
    project: Project,
    memo_id: int,
    text: str,
    *,
    author: str | None = None,
    editor: str | None = None,
) -> tuple[str, bool]:
    """Replace memo ``memo_id``'s text, and its author when ``author`` is given; one
    transaction, logged as ``memo_edit`` with the text and author before and after, under
    ``editor`` (default: ``author``), whose undo takes it back. Returns a description
    ("3 on transcript 'x'") and whether anything changed (when not, nothing is logged).
    A blank text is an :class:`InputError`; an unknown id a :class:`NotFoundError`.
    During a blind round only the editor's own memo may be changed
    (:class:`~qualcode.domain.errors.BlindRoundError`; an authorless memo is not theirs)."""
    if not text.strip():
        raise InputError("memos edit", "the memo text is empty (delete removes a memo)")
    with project.unit_of_work() as uow:
        old = _existing(uow, memo_id)
        acting = editor if editor is not None else author
        refuse_others_in_round(project, uow, f"memo {memo_id}", acting, old.author or "")
        new_author = old.author if author is None else author
        described = f"{memo_id} {_described(uow, old)}"
        if (old.text, old.author) == (text, new_author):
            return described, False
        uow.memos.update(memo_id, text, new_author)
        uow.events.log(
            Action.MEMO_EDIT,
            f"edit memo {described}",
            {
                "memo_id": memo_id,
                "before": {"text": old.text, "author": old.author},
                "after": {"text": text, "author": new_author},
            },
            coder=editor if editor is not None else author,
        )
    return described, True


def delete_memo(project: Project, memo_id: int, *, editor: str | None = None) -> str:
    """Delete memo ``memo_id``; one transaction, logged as ``memo_delete`` with the whole
    memo (text, author, target, creation time) under ``editor``, whose undo puts it back
    under the same id. Returns a description ("3 on the project"); an unknown id is a
    :class:`NotFoundError`. During a blind round only ``editor``'s own memo may be
    deleted (a memo without an author counts as someone else's)."""
    with project.unit_of_work() as uow:
        old = _existing(uow, memo_id)
        refuse_others_in_round(project, uow, f"memo {memo_id}", editor, old.author or "")
        described = f"{memo_id} {_described(uow, old)}"
        memo = {
            "id": old.id,
            "target_type": old.target_type,
            "target_id": old.target_id,
            "author": old.author,
            "created": old.created,
            "text": old.text,
            "guid": uow.memos.guid_of(memo_id),
        }
        uow.memos.delete(memo_id)
        uow.events.log(Action.MEMO_DELETE, f"delete memo {described}", {"memo": memo}, coder=editor)
    return described


def revert_memo_event(uow: UnitOfWork, action: str, payload: dict[str, object]) -> None:
    """Take back a ``memo_edit`` (the old text and author again) or a ``memo_delete``
    (the memo back under its id); refused when the memo changed since."""
    if action == "memo_edit":
        _overwrite(uow, payload, "after", "before")
    else:
        stored, guid = _deleted(payload)
        if uow.memos.get(stored.id) is not None:
            raise InputError("undo", f"memo {stored.id} exists again; nothing was changed")
        uow.memos.restore(stored, guid)


def replay_memo_event(uow: UnitOfWork, action: str, payload: dict[str, object]) -> None:
    """Do a ``memo_edit`` or ``memo_delete`` again after its undo."""
    if action == "memo_edit":
        _overwrite(uow, payload, "before", "after")
    else:
        stored, _ = _deleted(payload)
        current = uow.memos.get(stored.id)
        if current is None or current.text != stored.text:
            raise InputError("redo", f"memo {stored.id} has changed since; nothing was changed")
        uow.memos.delete(stored.id)


def _overwrite(uow: UnitOfWork, payload: dict[str, object], expected: str, wanted: str) -> None:
    memo_id = payload.get("memo_id")
    now, then = payload.get(expected), payload.get(wanted)
    if not (isinstance(memo_id, int) and isinstance(now, dict) and isinstance(then, dict)):
        raise InputError("history", "the memo event lacks its memo id or texts")
    current = uow.memos.get(memo_id)
    if current is None or (current.text, current.author) != (now.get("text"), now.get("author")):
        raise InputError("history", f"memo {memo_id} has changed since; nothing was changed")
    author = then.get("author")
    uow.memos.update(memo_id, str(then.get("text")), None if author is None else str(author))


def _deleted(payload: dict[str, object]) -> tuple[StoredMemo, str | None]:
    memo = payload.get("memo")
    if not isinstance(memo, dict) or not isinstance(memo.get("id"), int):
        raise InputError("history", "the memo event lacks the deleted memo")
    target_id, author, guid = memo.get("target_id"), memo.get("author"), memo.get("guid")
    stored = StoredMemo(
        memo["id"],
        str(memo.get("target_type")),
        target_id if isinstance(target_id, int) else None,
        None if author is None else str(author),
        str(memo.get("created")),
        str(memo.get("text")),
    )
    return stored, None if guid is None else str(guid)


def _existing(uow: UnitOfWork, memo_id: int) -> StoredMemo:
    found = uow.memos.get(memo_id)
    if found is None:
        raise NotFoundError(
            f"no memo with id {memo_id} (`qualcode memos` lists them; a coding's memo is "
            "changed with `qualcode memo --coding ID`)"
        )
    return found


def _described(uow: UnitOfWork, memo: StoredMemo) -> str:
    """ "on the project", "on transcript 'x'" or "on code 'a/b'"."""
    names = {
        "transcript": uow.transcripts.names_by_id(),
        "code": {code.id: code.path for code in uow.codebook.codes()},
    }
    listed = _listed(memo, names)
    if listed.target_name is None:
        return "on the project"
    return f"on {listed.target_type} {listed.target_name!r}"


def list_memos(
    project: Project,
    *,
    transcript: str | None = None,
    code_path: str | None = None,
    project_only: bool = False,
    with_codings: bool = False,
    sub_codes: bool = True,
    author: str | None = None,
) -> list[Memo]:
    """Memos, oldest first. At most one filter: ``transcript`` (memos on it), ``code_path``
    (memos on the code and, unless ``sub_codes`` is false, its sub-codes, as ``qualcode
    codings --code`` counts them) or ``project_only``; ``author`` keeps only that
    author's. ``with_codings`` adds the memos of codings after them (of codings in that
    transcript, or with that code or a sub-code), by transcript and position.
    An unknown transcript or code is a :class:`NotFoundError`; a contradiction an
    :class:`InputError`."""
    refuse_in_round(project, "listing memos", None if author is None else [author])
    if sum((transcript is not None, code_path is not None, project_only)) > 1:
        raise InputError("memos", "give at most one of --transcript, --code, --project-only")
    if project_only and with_codings:
        raise InputError("memos", "--all adds coding memos; it cannot go with --project-only")
    with project.reading() as uow:
        codes = uow.codebook.codes()
        code_ids: list[int] = []
        transcripts: list[str] = []
        if transcript is not None:
            transcript_id = uow.transcripts.id_of(transcript)
            if transcript_id is None:
                raise NotFoundError(unknown_transcript_message(transcript, uow.transcripts.names()))
            stored = uow.memos.find("transcript", [transcript_id], author=author)
            transcripts = [transcript]
        elif code_path is not None:
            code = resolve_code(uow, code_path, codes)
            below = code.path + "/"
            code_ids = [
                c.id for c in codes if c.id == code.id or (sub_codes and c.path.startswith(below))
            ]
            stored = uow.memos.find("code", code_ids, author=author)
        else:
            stored = uow.memos.find("project" if project_only else None, author=author)
        names = {
            "transcript": uow.transcripts.names_by_id(),
            "code": {code.id: code.path for code in codes},
        }
        found = [_listed(memo, names) for memo in stored]
        if with_codings:
            found.extend(_coding_memos(uow, transcripts, code_ids, author))
    return found


def transcript_memo_counts(uow: UnitOfWork, *, author: str | None = None) -> dict[str, int]:
    """Transcript name -> number of memos on it (only ``author``'s when given;
    transcripts with memos only)."""
    counts = uow.memos.counts("transcript", author=author)
    if not counts:
        return {}
    names = uow.transcripts.names_by_id()
    return {names[tid]: count for tid, count in counts.items() if tid in names}


def _listed(memo: StoredMemo, names: dict[str, dict[int, str]]) -> Memo:
    target_name: str | None = None
    if memo.target_id is not None and memo.target_type not in names:
        target_name = f"#{memo.target_id}"  # a target type other tools may have written
    elif memo.target_id is not None:
        known = names[memo.target_type].get(memo.target_id)
        # a memo left behind by a removed transcript or code still lists, by its old id
        target_name = known if known is not None else f"#{memo.target_id} (removed)"
    return Memo(memo.id, memo.target_type, target_name, memo.author, memo.created, memo.text)


def _coding_memos(
    uow: UnitOfWork, transcripts: list[str], code_ids: list[int], author: str | None
) -> list[Memo]:
    # code ids (a code and its sub-codes) or else transcripts (none: every coding)
    codings = uow.codings.find(
        code_ids=code_ids,
        transcripts=() if code_ids else transcripts,
        coders=() if author is None else [author],
    )
    with_memo = sorted(
        (c for c in codings if c.memo and c.memo.strip()),
        key=lambda c: (c.transcript, c.start, c.id),
    )
    return [Memo(None, "coding", str(c.id), c.coder, c.created_at, c.memo or "") for c in with_memo]
