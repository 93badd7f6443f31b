"""Merging codes with other coders at work: a merge is refused, naming who got there
first, when another coder merged or renamed one of its codes since the merging coder saw
them (as two renames of one code are, services/codebook_rename.py).

:func:`merge_code_path` is the command line's merge (by paths); the workspace merges by
ids through ``codebook_edit.merge_code`` with the paths it showed as ``expected``. Both
meet :func:`merged_away`, which also tells a rename of a code merged away meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

from qualcode.domain.codebook import StoredCode, path_key
from qualcode.domain.codings import HUMAN, SUGGESTED
from qualcode.domain.errors import InputError, NotFoundError
from qualcode.domain.events import Action, coding_payload
from qualcode.domain.memos import SummaryRow
from qualcode.domain.spans import Span
from qualcode.domain.text_entry import enter_coder, enter_text
from qualcode.services.codebook import resolve_code
from qualcode.services.codebook_rename import EditConflict, renamed_away
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork

_HISTORY_DEPTH = 500  # recent merges searched for the one that took a code away


@dataclass(frozen=True, slots=True)
class MergeRecord:
    """A logged merge that took a code away: the path it had, the stored path of the code
    its codings went to now (followed through later merges; ``None`` when that code is
    gone too), who merged it (``None`` when the log has no coder) and when (ISO UTC)."""

    path: str
    into: str | None
    coder: str | None
    at: str

    def sentence(self) -> str:
        """ "code 'a/b' was merged into 'c' by anna at 2026-...Z"."""
        where = f" into {self.into!r}" if self.into is not None else ""
        who = f" by {self.coder}" if self.coder else ""
        return f"code {self.path!r} was merged{where}{who} at {self.at}"


def merge_record(
    uow: UnitOfWork, codes: list[StoredCode], *, code_id: int | None = None, path: str = ""
) -> MergeRecord | None:
    """The latest merge (not undone) that took away the code ``code_id``, or the code at
    ``path`` (compared by ``path_key``); ``None`` when no recent merge did."""
    by_id = {c.id: c for c in codes}
    merges = [e for e in uow.events.recent((Action.CODE_MERGE,), _HISTORY_DEPTH) if not e.undone]
    for event in merges:
        fields = event.fields
        was = fields.get("path")
        if fields.get("code_id") != code_id and not (
            path and isinstance(was, str) and path_key(was) == path_key(path)
        ):
            continue
        target = fields.get("into")
        for _ in range(len(merges)):  # the code merged into may have been merged on since
            if not isinstance(target, int) or target in by_id:
                break
            target = next(
                (m.fields.get("into") for m in merges if m.fields.get("code_id") == target), None
            )
        into = by_id.get(target) if isinstance(target, int) else None
        shown = was if isinstance(was, str) else path or f"code {code_id}"
        return MergeRecord(shown, None if into is None else into.path, event.coder, event.at)
    return None


def merged_away(
    uow: UnitOfWork,
    codes: list[StoredCode],
    *,
    code_id: int | None = None,
    path: str = "",
    meanwhile: bool = False,
) -> EditConflict | None:
    """The refusal for a code (by id, or by the path it had) that a logged merge took
    away; ``None`` when no recent merge took it. ``meanwhile``: the refusal comes from
    the check of what the coder saw (a workspace's codes, by id), so it says so."""
    record = merge_record(uow, codes, code_id=code_id, path=path)
    if record is None:
        return None
    if meanwhile:
        return EditConflict(
            f"{record.sentence()} while you were working on it; nothing was changed (the "
            "codebook shows the merge now)"
        )
    return EditConflict(f"{record.sentence()}; nothing was changed")


def code_gone(uow: UnitOfWork, codes: list[StoredCode], code_id: int) -> Exception:
    """Why code ``code_id`` is not there: merged away meanwhile, or never was."""
    return merged_away(uow, codes, code_id=code_id, meanwhile=True) or NotFoundError(
        f"no code with id {code_id}"
    )


def merge_code_path(project: Project, code_path: str, into_path: str, coder: str) -> Merged:
    """Merge the code at ``code_path`` into the one at ``into_path`` (as the coder wrote
    them): see ``codebook_edit.merge_code``; returns what moved. A code
    another coder merged away or renamed is an :class:`EditConflict` naming them."""
    from qualcode.services.codebook_edit import merge_code

    coder = enter_coder(coder)  # refused before the codebook is read
    with project.reading() as uow:
        codes = uow.codebook.codes()
        code, into = (_seen(uow, codes, path) for path in (code_path, into_path))
    return merge_code(project, code.id, into.id, coder, expected=(code.path, into.path))


def _seen(uow: UnitOfWork, codes: list[StoredCode], path: str) -> StoredCode:
    try:
        return resolve_code(uow, path, codes)
    except NotFoundError:
        conflict = merged_away(uow, codes, path=path) or renamed_away(uow, codes, path)
        if conflict is None:
            raise
        raise conflict from None


# -- what a merge carries over besides the codings (services/codebook_edit.merge_code) ----


@dataclass(frozen=True, slots=True)
class Merged:
    """What a merge did: the two codes' stored paths, and the codings, framework summaries
    and code memos moved to ``into``; ``duplicates``: codings dropped because ``into``
    had the same coding (coder, transcript, span) already, their memos kept on it."""

    path: str
    into: str
    codings: int
    summaries: int
    memos: int
    duplicates: int

    def describe(self) -> str:
        """ "8 codings, 1 summary, 1 memo moved, 1 duplicate dropped"."""
        moved = [
            _count(n, word)
            for n, word in (
                (self.codings, "coding"),
                (self.summaries, "summary"),
                (self.memos, "memo"),
            )
            if n or word == "coding"
        ]
        text = ", ".join(moved) + " moved"
        if self.duplicates:
            text += f", {_count(self.duplicates, 'duplicate')} dropped"
        return text


def _count(n: int, word: str) -> str:
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {word if n == 1 else plural}"


def joined_text(kept: str, added: str, source: str) -> str:
    """``added`` appended to ``kept`` under a line naming where it came from, so a merge
    that meets two texts for one place loses neither."""
    return f"{kept}\n\n--- from merged code {source}:\n{added}"


def carry_over(
    uow: UnitOfWork, code: StoredCode, into: StoredCode, codes: list[StoredCode], coder: str
) -> tuple[dict[str, object], Merged]:
    """Move ``code``'s codings, framework summaries and memos to ``into`` (dropping codings
    ``into`` already has, their memos joined onto the one kept). Returns the event payload
    keys that undo and redo need (``coding_ids``, ``dropped``, ``kept_memos``,
    ``summaries``, ``memo_ids``) and the counts."""
    duplicates = uow.codings.merge_duplicates(code.id, into.id)
    dropped: list[dict[str, object]] = []
    kept_memos: dict[int, tuple[str | None, str | None]] = {}
    if duplicates:
        marks = uow.codings.marks(duplicates)
        survivors = {c.id: c for c in uow.codings.find(ids=set(duplicates.values()), codes=codes)}
        for coding in uow.codings.find(ids=list(duplicates), codes=codes):
            survivor = duplicates[coding.id]
            before, now = kept_memos.get(survivor, (survivors[survivor].memo,) * 2)
            if coding.memo and coding.memo != now:
                now = coding.memo if not now else joined_text(now, coding.memo, code.path)
            kept_memos[survivor] = (before, now)
            guid, note = marks[coding.id]
            dropped.append(
                {"coding": dict(coding_payload(coding, code.id)), "guid": guid, "review_note": note}
            )
        uow.codings.delete_many(duplicates)
        for survivor, (_, memo) in kept_memos.items():
            uow.codings.set_memo(survivor, memo)
    moved = uow.codings.recode_all(code.id, into.id)
    summaries = _move_summaries(uow, code, into, coder)
    memo_ids = [m.id for m in uow.memos.find("code", [code.id])]
    uow.memos.retarget(memo_ids, into.id)
    in_sets = {set_id for _, set_id in uow.refi_sets.code_memberships(into.id)}
    memberships: list[dict[str, object]] = [
        {"id": member_id, "set_id": set_id, "moved": set_id not in in_sets}
        for member_id, set_id in uow.refi_sets.code_memberships(code.id)
    ]
    _move_memberships(uow, memberships, into.id)
    payload: dict[str, object] = {
        "guid": uow.codebook.guid_of(code.id),
        "set_members": memberships,
        "coding_ids": moved,
        "dropped": dropped,
        "kept_memos": [{"id": i, "before": b, "after": a} for i, (b, a) in kept_memos.items()],
        "summaries": summaries,
        "memo_ids": memo_ids,
    }
    counts = Merged(code.path, into.path, len(moved), len(summaries), len(memo_ids), len(dropped))
    return payload, counts


def _move_memberships(uow: UnitOfWork, memberships: list[dict[str, object]], into_id: int) -> None:
    """``code``'s set memberships go to ``into``; where ``into`` is in that set already,
    the membership is dropped (``moved`` false)."""
    for member in memberships:
        if member.get("moved"):
            uow.refi_sets.put_code_membership(
                _int(member.get("id")), _int(member.get("set_id")), into_id
            )
        else:
            uow.refi_sets.delete_membership(_int(member.get("id")))


def _move_summaries(
    uow: UnitOfWork, code: StoredCode, into: StoredCode, coder: str
) -> list[dict[str, object]]:
    """Each summary of ``code`` moved to ``into``, or appended to ``into``'s summary of the
    same case; one ``{"before", "into_before", "after"}`` record each (rows as stored)."""
    theirs = {s.case_id: s for s in uow.matrix.summary_rows(into.id)}
    records: list[dict[str, object]] = []
    for summary in uow.matrix.summary_rows(code.id):
        other = theirs.get(summary.case_id)
        if other is None:
            after = replace(summary, code_id=into.id)
        else:
            text = enter_text(joined_text(other.text, summary.text, code.path), "summary")
            after = replace(other, text=text, author=coder, updated_at=iso_utc_now())
            uow.matrix.delete_summary_row(summary.id)
        uow.matrix.put_summary_row(after)
        records.append(
            {
                "before": asdict(summary),
                "into_before": None if other is None else asdict(other),
                "after": asdict(after),
            }
        )
    return records


def revert_carried(uow: UnitOfWork, payload: dict[str, object], code_id: int) -> None:
    """Undo :func:`carry_over` (the code ``code_id`` exists again): codings, dropped
    duplicates, the kept codings' memos, summaries and memos as they were. A merge logged
    before these keys existed has only ``coding_ids``."""
    uow.codings.set_code(_ints(payload.get("coding_ids")), code_id)
    for memo in _records(payload.get("kept_memos")):
        survivor = _int(memo.get("id"))
        found = uow.codings.find(ids=[survivor])
        if not found or found[0].memo != _text(memo.get("after")):
            raise HistoryConflict(f"coding {survivor} was changed since; nothing was undone")
        uow.codings.set_memo(survivor, _text(memo.get("before")))
    for record in _records(payload.get("dropped")):
        _restore_dropped(uow, record, code_id)
    for record in reversed(_records(payload.get("summaries"))):
        after = _summary(record.get("after"))
        now = uow.matrix.summary(after.case_id, after.code_id)
        if now is None or now.text != after.text:
            raise HistoryConflict("a summary the merge moved was changed since; nothing was undone")
        if record.get("into_before") is not None:
            uow.matrix.put_summary_row(_summary(record.get("into_before")))
        uow.matrix.put_summary_row(_summary(record.get("before")))
    uow.memos.retarget(_ints(payload.get("memo_ids")), code_id)
    for member in _records(payload.get("set_members")):
        uow.refi_sets.put_code_membership(
            _int(member.get("id")), _int(member.get("set_id")), code_id
        )


def replay_carried(uow: UnitOfWork, payload: dict[str, object], into_id: int) -> None:
    """Carry out :func:`carry_over` again from its payload (redo), before the code goes."""
    dropped = [_int(_record(r.get("coding")).get("id")) for r in _records(payload.get("dropped"))]
    missing = [i for i in dropped if not uow.codings.exists(i)]
    if missing:
        raise HistoryConflict(f"coding {missing[0]} no longer exists; nothing was redone")
    uow.codings.delete_many(dropped)
    for memo in _records(payload.get("kept_memos")):
        uow.codings.set_memo(_int(memo.get("id")), _text(memo.get("after")))
    uow.codings.set_code(_ints(payload.get("coding_ids")), into_id)
    summaries = _records(payload.get("summaries"))
    for record in summaries:
        before, had = _summary(record.get("before")), record.get("into_before")
        now = uow.matrix.summary(before.case_id, into_id)
        unchanged = (
            now is None if had is None else now is not None and now.text == _summary(had).text
        )
        if not unchanged:  # redoing would overwrite a summary written since
            raise HistoryConflict(
                f"the summaries of case {before.case_id} changed since; nothing was redone"
            )
    for record in summaries:
        if record.get("into_before") is not None:
            uow.matrix.delete_summary_row(_summary(record.get("before")).id)
        uow.matrix.put_summary_row(_summary(record.get("after")))
    uow.memos.retarget(_ints(payload.get("memo_ids")), into_id)
    _move_memberships(uow, _records(payload.get("set_members")), into_id)


class HistoryConflict(InputError):
    """An undo or redo of a merge that the project moved on from; nothing changed."""

    def __init__(self, reason: str) -> None:
        super().__init__("undo", reason)


def _restore_dropped(uow: UnitOfWork, record: dict[str, object], code_id: int) -> None:
    coding = _record(record.get("coding"))
    coding_id = _int(coding.get("id"))
    if uow.codings.exists(coding_id):
        raise HistoryConflict(f"coding {coding_id} exists already; nothing was undone")
    transcript_id = uow.transcripts.id_of(str(coding.get("transcript")))
    if transcript_id is None:
        raise HistoryConflict(f"transcript {coding.get('transcript')!r} no longer exists")
    created = dt.datetime.fromisoformat(str(coding.get("created_at")).removesuffix("Z"))
    uow.codings.restore(
        coding_id,
        transcript_id,
        code_id,
        uow.coders.ensure(str(coding.get("coder"))),
        Span(_int(coding.get("start")), _int(coding.get("end"))),
        str(coding.get("text")),
        _text(coding.get("memo")),
        created,
        guid=_text(record.get("guid")),
        review_note=_text(record.get("review_note")),
        origin=SUGGESTED if coding.get("origin") == SUGGESTED else HUMAN,
    )


def iso_utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _summary(value: object) -> SummaryRow:
    fields = _record(value)
    return SummaryRow(
        _int(fields.get("id")),
        _int(fields.get("case_id")),
        _int(fields.get("code_id")),
        str(fields.get("text")),
        _text(fields.get("author")),
        str(fields.get("updated_at")),
    )


def _record(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InputError("undo", "the merge event holds no record where one belongs")
    return value


def _records(value: object) -> list[dict[str, object]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _int(value: object) -> int:
    if not isinstance(value, int):
        raise InputError("undo", f"the merge event holds {value!r} where an id belongs")
    return value


def _ints(value: object) -> list[int]:
    return [_int(v) for v in value] if isinstance(value, list) else []


def _text(value: object) -> str | None:
    return None if value is None else str(value)
