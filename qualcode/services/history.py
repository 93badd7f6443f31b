"""Multi-level undo and redo of a coder's actions, read from the event log.

Because the stack lives in the ``event_log`` table (each event's ``undone`` flag and the
full before/after state in its JSON payload), it survives a restart and is per coder:
undo takes back the coder's most recent action that is not undone yet; redo restores
the most recently undone one, until the coder does something new. Each undo and redo is
one transaction and is itself logged (as ``undo``/``redo``, naming the event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from qualcode.domain.codings import HUMAN, ORIGINS
from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.domain.event_records import EventRecord
from qualcode.domain.events import (
    CODEBOOK_ACTIONS,
    MEMO_ACTIONS,
    STATUS_ACTIONS,
    UNDOABLE_ACTIONS,
    Action,
)
from qualcode.domain.spans import Span, span_text
from qualcode.domain.suggestions import ORIGIN_KEY
from qualcode.storage.database import Project
from qualcode.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class HistoryStep:
    """What an undo or redo did: ``direction`` is ``undo`` or ``redo``; ``action`` the
    event it took back or restored; ``transcript``/``span`` where the change happened
    (``None`` for codebook edits and batches over several transcripts)."""

    direction: str
    event_id: int
    action: str
    summary: str
    transcript: str | None
    span: tuple[int, int] | None


class HistoryError(QualcodeError):
    """An undo or redo that cannot be carried out (the state moved on underneath it)."""


def undo(project: Project, coder: str) -> HistoryStep | None:
    """Take back the coder's most recent action; ``None`` when there is nothing to undo."""
    with project.unit_of_work() as uow:
        target = uow.events.last_active_event(coder, UNDOABLE_ACTIONS)
        if target is None:
            return None
        _revert(uow, target)
        uow.events.set_undone(target.id, True)
        uow.events.log(
            Action.UNDO,
            f"undo: {target.summary}",
            {"event_id": target.id, "action": target.action},
            coder=coder,
        )
        return _step("undo", target)


def redo(project: Project, coder: str) -> HistoryStep | None:
    """Restore the coder's most recently undone action; ``None`` when there is none."""
    with project.unit_of_work() as uow:
        target = uow.events.redo_candidate(coder, UNDOABLE_ACTIONS)
        if target is None:
            return None
        _replay(uow, target)
        uow.events.set_undone(target.id, False)
        uow.events.log(
            Action.REDO,
            f"redo: {target.summary}",
            {"event_id": target.id, "action": target.action},
            coder=coder,
        )
        return _step("redo", target)


def _step(direction: str, target: EventRecord) -> HistoryStep:
    coding = target.payload.get("coding")
    transcript: str | None = None
    span: tuple[int, int] | None = None
    if target.action in STATUS_ACTIONS:
        transcript = str(target.payload.get("transcript"))
    elif target.action == Action.RECONCILE:
        region = target.payload.get("region")
        if isinstance(target.payload.get("transcript"), str):  # one region, not a bulk run
            transcript = str(target.payload["transcript"])
        if isinstance(region, list) and len(region) == 2:
            span = (_int(region[0]), _int(region[1]))
    elif target.action == Action.DISMISS_SUGGESTION:
        transcript = str(target.payload.get("transcript"))
        span = (_int(target.payload.get("start")), _int(target.payload.get("end")))
    elif target.action == Action.APPLY_BATCH:
        batch = _coding_list(target.payload.get("codings"))
        names = {str(c["transcript"]) for c in batch}
        if len(names) == 1:
            transcript = names.pop()
    elif isinstance(coding, dict):
        after = target.payload.get("after")
        shown = after if direction == "redo" and isinstance(after, dict) else coding
        transcript = str(shown["transcript"])
        span = (_int(shown["start"]), _int(shown["end"]))
    return HistoryStep(direction, target.id, target.action, target.summary, transcript, span)


# -- reverting and replaying ------------------------------------------------------------

Handler = Callable[[UnitOfWork, dict[str, object]], None]
"""Takes an event back (revert) or carries it out again (replay), given its payload."""


def _codings_deleted(key: str) -> Handler:
    return lambda uow, payload: _delete(uow, [_coding(payload, key)])


def _codings_restored(key: str) -> Handler:
    # an apply event logged before codings stored their origin names it beside the coding
    return lambda uow, payload: _restore(uow, [_coding(payload, key)], _origin(payload))


def _coding_overwritten(key: str) -> Handler:
    return lambda uow, payload: _overwrite(uow, _coding(payload, key))


def _batch_deleted(uow: UnitOfWork, payload: dict[str, object]) -> None:
    _delete(uow, _coding_list(payload.get("codings")))


def _batch_restored(uow: UnitOfWork, payload: dict[str, object]) -> None:
    _restore(uow, _coding_list(payload.get("codings")))


def _consensus_reverted(uow: UnitOfWork, payload: dict[str, object]) -> None:
    _delete(uow, _coding_list(payload.get("codings")))
    _restore(uow, _coding_list(payload.get("removed")))


def _consensus_replayed(uow: UnitOfWork, payload: dict[str, object]) -> None:
    _delete(uow, _coding_list(payload.get("removed")))
    _restore(uow, _coding_list(payload.get("codings")))


def _done_set(key: str) -> Handler:
    return lambda uow, payload: _set_done(uow, payload, bool(payload.get(key)))


def _review_notes(*, restore: bool) -> Handler:
    return lambda uow, payload: _set_review_notes(uow, payload, restore=restore)


def _memo_event(action: str, *, revert: bool) -> Handler:
    def handle(uow: UnitOfWork, payload: dict[str, object]) -> None:
        from qualcode.services.memos import replay_memo_event, revert_memo_event

        (revert_memo_event if revert else replay_memo_event)(uow, action, payload)

    return handle


def _dismissal(*, revert: bool) -> Handler:
    def handle(uow: UnitOfWork, payload: dict[str, object]) -> None:
        from qualcode.services.suggestions import replay_dismissal, revert_dismissal

        (revert_dismissal if revert else replay_dismissal)(uow, payload)

    return handle


def _codebook_event(action: str, *, revert: bool) -> Handler:
    def handle(uow: UnitOfWork, payload: dict[str, object]) -> None:
        from qualcode.services.codebook_edit import replay_codebook_event, revert_codebook_event

        (revert_codebook_event if revert else replay_codebook_event)(uow, action, payload)

    return handle


UNDO_TABLE: dict[Action, tuple[Handler, Handler]] = {
    # action: (revert, replay), by the event's payload
    Action.APPLY: (_codings_deleted("coding"), _codings_restored("coding")),
    Action.REMOVE: (_codings_restored("coding"), _codings_deleted("coding")),
    Action.RECODE: (_coding_overwritten("coding"), _coding_overwritten("after")),
    Action.ADJUST: (_coding_overwritten("coding"), _coding_overwritten("after")),
    Action.CODING_MEMO: (_coding_overwritten("coding"), _coding_overwritten("after")),
    Action.APPLY_BATCH: (_batch_deleted, _batch_restored),
    **{
        a: (_codebook_event(a, revert=True), _codebook_event(a, revert=False))
        for a in CODEBOOK_ACTIONS
    },
    Action.DONE: (_done_set("previous"), _done_set("done")),
    Action.UNDONE: (_done_set("previous"), _done_set("done")),
    # a consensus layer's writes (services/reconcile.py): ``codings`` created, ``removed``
    Action.RECONCILE: (_consensus_reverted, _consensus_replayed),
    # review flags cleared: ``notes`` maps each coding id to the note an undo puts back
    Action.REVIEW_DONE: (_review_notes(restore=True), _review_notes(restore=False)),
    **{a: (_memo_event(a, revert=True), _memo_event(a, revert=False)) for a in MEMO_ACTIONS},
    # a suggestion dismissed (services/suggestions.py): suggested there again, or not
    Action.DISMISS_SUGGESTION: (_dismissal(revert=True), _dismissal(revert=False)),
}
"""How each undoable action is taken back and carried out again: one row per action, so a
new undoable action is one row (and its name in domain/events.py UNDOABLE_ACTIONS)."""


def _revert(uow: UnitOfWork, target: EventRecord) -> None:
    UNDO_TABLE[Action(target.action)][0](uow, target.payload)


def _replay(uow: UnitOfWork, target: EventRecord) -> None:
    UNDO_TABLE[Action(target.action)][1](uow, target.payload)


def _set_done(uow: UnitOfWork, payload: dict[str, object], done: bool) -> None:
    transcript = str(payload.get("transcript"))
    transcript_id = uow.transcripts.id_of(transcript)
    if transcript_id is None:
        raise NotFoundError(f"transcript {transcript!r} no longer exists; nothing was changed")
    uow.settings.set_done(transcript_id, uow.coders.ensure(str(payload.get("coder"))), done)


def _set_review_notes(uow: UnitOfWork, payload: dict[str, object], *, restore: bool) -> None:
    """Put the review notes of ``payload["notes"]`` back (``restore``) or clear them."""
    notes = payload.get("notes")
    if not isinstance(notes, dict):
        raise HistoryError("event has no review notes to restore")
    wanted: dict[int, str | None] = {}
    for key, note in notes.items():
        if not str(key).isdigit():
            raise HistoryError(f"event names {key!r} where a coding id belongs")
        wanted[int(key)] = str(note) if restore else None
    missing = [i for i in wanted if not uow.codings.exists(i)]
    if missing:
        raise HistoryError(f"coding {missing[0]} no longer exists; nothing was changed")
    uow.maintenance.set_review_notes(wanted)


def _coding(payload: dict[str, object], key: str) -> dict[str, object]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise HistoryError(f"event has no {key!r} to restore")
    return value


def _coding_list(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _int(value: object) -> int:
    if isinstance(value, int):
        return value
    raise HistoryError(f"event payload holds {value!r} where a number belongs")


def _delete(uow: UnitOfWork, codings: list[dict[str, object]]) -> None:
    ids = [_int(c["id"]) for c in codings]
    missing = [i for i in ids if not uow.codings.exists(i)]
    if missing:
        raise HistoryError(
            f"coding {missing[0]} no longer exists (changed by someone else?); nothing was undone"
        )
    uow.codings.delete_many(ids)


def _restore(uow: UnitOfWork, codings: list[dict[str, object]], origin: str | None = None) -> None:
    """Put the codings back under their ids, each with the origin its payload names
    (else ``origin``, else made by hand)."""
    texts: dict[str, str] = {}
    for coding in codings:
        coding_id = _int(coding["id"])
        if uow.codings.exists(coding_id):
            raise HistoryError(f"coding {coding_id} exists already; nothing was changed")
        transcript_id, code_id, coder_id = _ids(uow, coding)
        _check_text(uow, coding, texts)
        uow.codings.restore(
            coding_id,
            transcript_id,
            code_id,
            coder_id,
            Span(_int(coding["start"]), _int(coding["end"])),
            str(coding["text"]),
            _memo(coding),
            _timestamp(coding.get("created_at")),
            origin=_origin(coding) or origin or HUMAN,
        )


def _overwrite(uow: UnitOfWork, coding: dict[str, object]) -> None:
    coding_id = _int(coding["id"])
    if not uow.codings.exists(coding_id):
        raise HistoryError(f"coding {coding_id} no longer exists; nothing was changed")
    _, code_id, _ = _ids(uow, coding)
    _check_text(uow, coding, {})
    uow.codings.update(
        coding_id,
        code_id=code_id,
        span=Span(_int(coding["start"]), _int(coding["end"])),
        anchor_text=str(coding["text"]),
        memo=_memo(coding),
        origin=_origin(coding),  # None (older events): the coding keeps its own
    )


def _origin(values: dict[str, object]) -> str | None:
    """The origin a payload (or a coding in one) names, if it names a known one."""
    origin = values.get(ORIGIN_KEY)
    return origin if isinstance(origin, str) and origin in ORIGINS else None


def _memo(coding: dict[str, object]) -> str | None:
    memo = coding.get("memo")
    return None if memo is None else str(memo)


def _check_text(uow: UnitOfWork, coding: dict[str, object], texts: dict[str, str]) -> None:
    """Refuse to put a coding back where the transcript no longer has its text (the
    transcript was edited or replaced since): it would point at other words."""
    name = str(coding["transcript"])
    if name not in texts:
        found = uow.transcripts.get(name)
        texts[name] = found.text if found is not None else ""
    start, end = _int(coding["start"]), _int(coding["end"])
    if span_text(texts[name], start, end) != str(coding["text"]):
        raise HistoryError(
            f"the text of {name!r} at {start}:{end} has changed since; nothing was changed"
        )


def _ids(uow: UnitOfWork, coding: dict[str, object]) -> tuple[int, int, int]:
    """Transcript, code and coder ids of a coding payload (code by id when the payload
    has one, so a renamed code is still found; else by path)."""
    transcript = str(coding["transcript"])
    transcript_id = uow.transcripts.id_of(transcript)
    if transcript_id is None:
        raise NotFoundError(f"transcript {transcript!r} no longer exists; nothing was changed")
    codes = uow.codebook.codes()
    code_id = coding.get("code_id")
    if not (isinstance(code_id, int) and any(c.id == code_id for c in codes)):
        path = str(coding["code_path"])
        found = [c.id for c in codes if c.path == path]
        if not found:
            raise NotFoundError(f"code {path!r} no longer exists; nothing was changed")
        code_id = found[0]
    coder_id = uow.coders.ensure(str(coding["coder"]))
    return transcript_id, code_id, coder_id


def _timestamp(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.removesuffix("Z"))
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
