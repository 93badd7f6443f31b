"""The event log's vocabulary: every action a project records, and the one shape of a
coding in a payload.

Each user action is one transaction that writes one event: ``action`` (an :class:`Action`),
a one-line ``summary`` for people, and a JSON ``payload`` with what undo, redo, the log
and live updates need. The payload keys per action are listed beside each member; a
coding always appears as a :class:`CodingPayload`, whichever front end made it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired, TypedDict

from qualcode.domain.codings import Coding


class Action(StrEnum):
    """What an event records. The value is what the ``event_log.action`` column holds."""

    INIT = "init"  # {}
    # codings: one coding or a batch, before (and after) as CodingPayload
    APPLY = "apply"  # {"coding"}, and "origin": "suggested" for an accepted suggestion
    REMOVE = "remove"  # {"coding"}
    RECODE = "recode"  # {"coding", "after"}
    ADJUST = "adjust"  # {"coding", "after"}
    CODING_MEMO = "coding_memo"  # {"coding", "after"}
    APPLY_BATCH = "apply_batch"  # {"codings"}
    IMPORT_CODINGS = "import_codings"  # {"source", "count", "first_id"}
    # codebook
    CODE_ADD = "code_add"
    CODE_EDIT = "code_edit"  # also a rename: {"code_id", "before", "after", ...}
    # {"code_id", "fields", "parent_id", "position", "into", "path", "coding_ids"} and,
    # since merges carry everything over (older events lack them; undo then moves codings
    # only): "dropped" [{"coding", "guid", "review_note"}] duplicates removed, "kept_memos"
    # [{"id", "before", "after"}], "summaries" [{"before", "into_before", "after"}] (rows
    # with ids), "memo_ids" (code memos re-attached to "into"), "guid" (the code's exchange
    # identity), "set_members" [{"id", "set_id", "moved"}] (moved to "into", else dropped)
    CODE_MERGE = "code_merge"
    IMPORT_CODEBOOK = "import_codebook"  # {"created", "updated", "source", ...}
    # transcripts, cases, settings
    IMPORT_TRANSCRIPTS = "import_transcripts"  # {"transcripts"}
    TRANSCRIPT_EDIT = "transcript_edit"  # re-anchoring moves
    RENAME_TRANSCRIPT = "rename_transcript"  # {"transcript_id", "old", "new"}
    IMPORT_CASES = "import_cases"  # {"source", "cases"}
    IMPORT_SURVEY = "import_survey"  # {"source", "transcripts", "cases"}
    DONE = "done"  # {"transcript", "coder", "done", "previous"}
    UNDONE = "undone"  # the same, marked not done
    SETTING = "setting"  # {"key", "before", "after"}
    SUMMARY = "summary"  # framework summary of a case x code cell
    REVIEW_DONE = "review_done"  # {"notes": {coding id: note}}
    # memos
    MEMO = "memo"  # a memo added: {"memo_id", "target_type", "target_id", "text"}
    MEMO_EDIT = "memo_edit"
    MEMO_DELETE = "memo_delete"  # {"memo"}
    # consensus, exchange, maintenance
    RECONCILE = "reconcile"  # {"codings", "removed", ...}
    IMPORT_PROJECT = "import_project"  # {"source", "report"}
    MERGE = "merge"  # {"source", "report"}
    RESTORE = "restore"  # {"source", "schema_version", "rows"}
    ANONYMIZE = "anonymize"
    DISMISS_SUGGESTION = "dismiss_suggestion"  # {"transcript", "start", "end", "code", "coder"}
    # history
    UNDO = "undo"  # {"event_id", "action"}
    REDO = "redo"  # {"event_id", "action"}


CODING_ACTIONS = frozenset(
    {
        Action.APPLY,
        Action.REMOVE,
        Action.RECODE,
        Action.ADJUST,
        Action.CODING_MEMO,
        Action.APPLY_BATCH,
    }
)
CODEBOOK_ACTIONS = frozenset({Action.CODE_ADD, Action.CODE_EDIT, Action.CODE_MERGE})
STATUS_ACTIONS = frozenset({Action.DONE, Action.UNDONE})
MEMO_ACTIONS = frozenset({Action.MEMO_EDIT, Action.MEMO_DELETE})
UNDOABLE_ACTIONS = (
    CODING_ACTIONS
    | CODEBOOK_ACTIONS
    | STATUS_ACTIONS
    | MEMO_ACTIONS
    | {Action.RECONCILE, Action.REVIEW_DONE, Action.DISMISS_SUGGESTION}
)
"""What a coder's undo takes back (services/history.py has one row per action)."""


def action_of(stored: str) -> Action | None:
    """The action a stored event names; ``None`` for one this version does not know (a
    newer qualcode wrote it): it is listed, never undone."""
    try:
        return Action(stored)
    except ValueError:
        return None


class CodingPayload(TypedDict):
    """A coding as every event stores it: the coding's fields, plus its code's id so
    that undo finds the code after a rename (``code_path`` finds it in logs written
    before code ids were stored; storage/migrations.py adds the id to those), and its
    origin, so undo and redo put an accepted suggestion back as one."""

    id: int
    transcript: str
    code_path: str
    coder: str
    start: int
    end: int
    text: str
    memo: str | None
    created_at: str
    code_id: int
    origin: NotRequired[str]  # domain/codings.py ORIGINS; absent in logs before schema 9


def coding_payload(coding: Coding, code_id: int) -> CodingPayload:
    """The one payload shape of a coding (see :class:`CodingPayload`)."""
    return CodingPayload(
        id=coding.id,
        transcript=coding.transcript,
        code_path=coding.code_path,
        coder=coding.coder,
        start=coding.start,
        end=coding.end,
        text=coding.text,
        memo=coding.memo,
        created_at=coding.created_at,
        code_id=code_id,
        origin=coding.origin,
    )
