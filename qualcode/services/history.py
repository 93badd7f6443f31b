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

from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.domain.events import (
    CODEBOOK_ACTIONS,
    MEMO_ACTIONS,
    STATUS_ACTIONS,
    UNDOABLE_ACTIONS,
    Action,
)
from qualcode.domain.spans import span_text
from qualcode.storage import history_queries as history
from qualcode.storage import maintenance_queries, status
from qualcode.storage.database import Project
from qualcode.storage.repositories import Repository


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
    with project.transaction() as repo:
        target = history.last_active_event(repo, coder, UNDOABLE_ACTIONS)
        if target is None:
            return None
        _revert(repo, target)
        history.set_undone(repo, target.id, True)
        repo.log_event(
            history.UNDO_ACTION,
            f"undo: {target.summary}",
            {"event_id": target.id, "action": target.action},
            coder=coder,
        )
        return _step("undo", target)


def redo(project: Project, coder: str) -> HistoryStep | None:
    """Restore the coder's most recently undone action; ``None`` when there is none."""
    with project.transaction() as repo:
        target = history.redo_candidate(repo, coder, UNDOABLE_ACTIONS)
        if target is None:
            return None
        _replay(repo, target)
        history.set_undone(repo, target.id, False)
        repo.log_event(
            history.REDO_ACTION,
            f"redo: {target.summary}",
            {"event_id": target.id, "action": target.action},
            coder=coder,
        )
        return _step("redo", target)


def _step(direction: str, target: history.EventRecord) -> HistoryStep:
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

Handler = Callable[[Repository, dict[str, object]], None]
"""Takes an event back (revert) or carries it out again (replay), given its payload."""


def _codings_deleted(key: str) -> Handler:
    return lambda repo, payload: _delete(repo, [_coding(payload, key)])


def _codings_restored(key: str) -> Handler:
    return lambda repo, payload: _restore(repo, [_coding(payload, key)])


def _coding_overwritten(key: str) -> Handler:
    return lambda repo, payload: _overwrite(repo, _coding(payload, key))


def _batch_deleted(repo: Repository, payload: dict[str, object]) -> None:
    _delete(repo, _coding_list(payload.get("codings")))


def _batch_restored(repo: Repository, payload: dict[str, object]) -> None:
    _restore(repo, _coding_list(payload.get("codings")))


def _consensus_reverted(repo: Repository, payload: dict[str, object]) -> None:
    _delete(repo, _coding_list(payload.get("codings")))
    _restore(repo, _coding_list(payload.get("removed")))


def _consensus_replayed(repo: Repository, payload: dict[str, object]) -> None:
    _delete(repo, _coding_list(payload.get("removed")))
    _restore(repo, _coding_list(payload.get("codings")))


def _done_set(key: str) -> Handler:
    return lambda repo, payload: _set_done(repo, payload, bool(payload.get(key)))


def _review_notes(*, restore: bool) -> Handler:
    return lambda repo, payload: _set_review_notes(repo, payload, restore=restore)


def _memo_event(action: str, *, revert: bool) -> Handler:
    def handle(repo: Repository, payload: dict[str, object]) -> None:
        from qualcode.services.memos import replay_memo_event, revert_memo_event

        (revert_memo_event if revert else replay_memo_event)(repo, action, payload)

    return handle


def _codebook_event(action: str, *, revert: bool) -> Handler:
    def handle(repo: Repository, payload: dict[str, object]) -> None:
        from qualcode.services.codebook_edit import replay_codebook_event, revert_codebook_event

        (revert_codebook_event if revert else replay_codebook_event)(repo, action, payload)

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
}
"""How each undoable action is taken back and carried out again: one row per action, so a
new undoable action is one row (and its name in domain/events.py UNDOABLE_ACTIONS)."""


def _revert(repo: Repository, target: history.EventRecord) -> None:
    UNDO_TABLE[Action(target.action)][0](repo, target.payload)


def _replay(repo: Repository, target: history.EventRecord) -> None:
    UNDO_TABLE[Action(target.action)][1](repo, target.payload)


def _set_done(repo: Repository, payload: dict[str, object], done: bool) -> None:
    transcript = str(payload.get("transcript"))
    transcript_id = repo.transcript_id(transcript)
    if transcript_id is None:
        raise NotFoundError(f"transcript {transcript!r} no longer exists; nothing was changed")
    status.set_done(repo, transcript_id, repo.ensure_coder(str(payload.get("coder"))), done)


def _set_review_notes(repo: Repository, payload: dict[str, object], *, restore: bool) -> None:
    """Put the review notes of ``payload["notes"]`` back (``restore``) or clear them."""
    notes = payload.get("notes")
    if not isinstance(notes, dict):
        raise HistoryError("event has no review notes to restore")
    wanted: dict[int, str | None] = {}
    for key, note in notes.items():
        if not str(key).isdigit():
            raise HistoryError(f"event names {key!r} where a coding id belongs")
        wanted[int(key)] = str(note) if restore else None
    missing = [i for i in wanted if not history.coding_exists(repo, i)]
    if missing:
        raise HistoryError(f"coding {missing[0]} no longer exists; nothing was changed")
    maintenance_queries.set_review_notes(repo, wanted)


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


def _delete(repo: Repository, codings: list[dict[str, object]]) -> None:
    ids = [_int(c["id"]) for c in codings]
    missing = [i for i in ids if not history.coding_exists(repo, i)]
    if missing:
        raise HistoryError(
            f"coding {missing[0]} no longer exists (changed by someone else?); nothing was undone"
        )
    history.delete_codings(repo, ids)


def _restore(repo: Repository, codings: list[dict[str, object]]) -> None:
    texts: dict[str, str] = {}
    for coding in codings:
        coding_id = _int(coding["id"])
        if history.coding_exists(repo, coding_id):
            raise HistoryError(f"coding {coding_id} exists already; nothing was changed")
        transcript_id, code_id, coder_id = _ids(repo, coding)
        _check_text(repo, coding, texts)
        history.restore_coding(
            repo,
            coding_id,
            transcript_id,
            code_id,
            coder_id,
            (_int(coding["start"]), _int(coding["end"])),
            str(coding["text"]),
            _memo(coding),
            _timestamp(coding.get("created_at")),
        )


def _overwrite(repo: Repository, coding: dict[str, object]) -> None:
    coding_id = _int(coding["id"])
    if not history.coding_exists(repo, coding_id):
        raise HistoryError(f"coding {coding_id} no longer exists; nothing was changed")
    _, code_id, _ = _ids(repo, coding)
    _check_text(repo, coding, {})
    history.update_coding(
        repo,
        coding_id,
        code_id=code_id,
        span=(_int(coding["start"]), _int(coding["end"])),
        anchor_text=str(coding["text"]),
        memo=_memo(coding),
    )


def _memo(coding: dict[str, object]) -> str | None:
    memo = coding.get("memo")
    return None if memo is None else str(memo)


def _check_text(repo: Repository, coding: dict[str, object], texts: dict[str, str]) -> None:
    """Refuse to put a coding back where the transcript no longer has its text (the
    transcript was edited or replaced since): it would point at other words."""
    name = str(coding["transcript"])
    if name not in texts:
        found = repo.transcript(name)
        texts[name] = found.text if found is not None else ""
    start, end = _int(coding["start"]), _int(coding["end"])
    if span_text(texts[name], start, end) != str(coding["text"]):
        raise HistoryError(
            f"the text of {name!r} at {start}:{end} has changed since; nothing was changed"
        )


def _ids(repo: Repository, coding: dict[str, object]) -> tuple[int, int, int]:
    """Transcript, code and coder ids of a coding payload (code by id when the payload
    has one, so a renamed code is still found; else by path)."""
    transcript = str(coding["transcript"])
    transcript_id = repo.transcript_id(transcript)
    if transcript_id is None:
        raise NotFoundError(f"transcript {transcript!r} no longer exists; nothing was changed")
    codes = repo.codes()
    code_id = coding.get("code_id")
    if not (isinstance(code_id, int) and any(c.id == code_id for c in codes)):
        path = str(coding["code_path"])
        found = [c.id for c in codes if c.path == path]
        if not found:
            raise NotFoundError(f"code {path!r} no longer exists; nothing was changed")
        code_id = found[0]
    coder_id = repo.ensure_coder(str(coding["coder"]))
    return transcript_id, code_id, coder_id


def _timestamp(value: object) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.removesuffix("Z"))
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
