"""Keeping a project sound: ``qualcode check``, review flags, backups and restoring them.

``check_project`` looks at everything a crash, a bug or a hand edit could break:

- the database itself (SQLite ``quick_check`` and ``foreign_key_check``) and, on every
  backend, each foreign key by query;
- each transcript: stored length and SHA-256 match its text, which is normalised (LF,
  NFC);
- each coding, turn and case assignment: a non-empty span inside its text (half-open code
  points); each coding's stored anchor text equals the text at its span;
- the event log: every payload is an object; every undo/redo names an earlier event and the
  named event's ``undone`` flag agrees with the last undo/redo of it; no action on a coding
  is recorded twice in a row (a duplicated entry).

Codings flagged "needs review" by a transcript edit are listed but are not problems.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.checks import FlaggedCoding, StoredSpan, StoredText
from qualcode.domain.errors import FieldError
from qualcode.domain.event_records import LoggedEvent, UnreadablePayload
from qualcode.domain.events import Action
from qualcode.domain.spans import span_problem, span_text
from qualcode.domain.transcripts import text_sha256
from qualcode.files.reading import open_regular
from qualcode.files.writing import Existing, check_target
from qualcode.services.integrity import Problem, structure_problems
from qualcode.storage.database import Project, backup_sqlite_file, open_project
from qualcode.storage.dump import (
    drop_schema,
    read_json_backup,
    read_project_file,
    write_json_backup,
)
from qualcode.storage.migrations import CURRENT_VERSION
from qualcode.storage.sqlite_file import remove_project_file
from qualcode.storage.unit_of_work import UnitOfWork

_SHOWN = 40  # characters of a text quoted in a problem
_CODING_ACTIONS = (
    Action.APPLY,
    Action.REMOVE,
    Action.RECODE,
    Action.ADJUST,
    Action.CODING_MEMO,
    Action.MEMO,  # a coding's memo as the command line logged it before it was coding_memo
)
_HISTORY_ACTIONS = ("undo", "redo")
_SPAN_TABLES = {"transcript", "coding", "turn", "case_assignment"}


@dataclass(frozen=True, slots=True)
class CheckReport:
    problems: tuple[Problem, ...]
    flagged: tuple[FlaggedCoding, ...]
    transcripts: int
    spans: int
    events: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "problems": [{"area": p.area, "message": p.message} for p in self.problems],
            "needs_review": [
                {
                    "coding": f.id,
                    "transcript": f.transcript,
                    "coder": f.coder,
                    "start": f.start,
                    "end": f.end,
                    "text": f.text,
                    "note": f.note,
                }
                for f in self.flagged
            ],
            "checked": {
                "transcripts": self.transcripts,
                "spans": self.spans,
                "events": self.events,
            },
        }


def check_project(project: Project) -> CheckReport:
    """Check the whole project in one read transaction (a consistent snapshot).

    Never fails on the damage it looks for: the structure is checked first from raw
    values (:func:`~qualcode.services.integrity.structure_problems`); the per-row checks
    after it skip rows whose values are of the wrong kind (already reported), and the
    review list is read only from a sound project."""
    problems: list[Problem] = []
    spans = 0
    events = 0
    with project.reading() as uow:
        version = uow.maintenance.schema_version()
        if version != CURRENT_VERSION:
            problems.append(
                Problem("schema", f"schema version {version}, expected {CURRENT_VERSION}")
            )
        structure = structure_problems(uow, spans=False)
        missing = set(uow.integrity.missing_tables())
        if not missing:
            problems.extend(
                Problem("database", message) for message in uow.maintenance.sqlite_problems()
            )
        problems.extend(structure)
        transcript_ids = [] if missing & _SPAN_TABLES else uow.maintenance.transcript_ids()
        for transcript_id in transcript_ids:
            stored = uow.maintenance.stored_text(transcript_id)
            if not isinstance(stored.text, str):
                continue  # NULL or not text: reported above
            problems.extend(_text_problems(stored))
            for span in uow.maintenance.stored_spans(transcript_id):
                spans += 1
                problems.extend(_span_problems(stored, span))

        def counted(items: Iterable[LoggedEvent]) -> Iterable[LoggedEvent]:
            nonlocal events
            for item in items:
                events += 1
                yield item

        if "event_log" not in missing:
            problems.extend(event_log_problems(counted(uow.events.iter_as_stored())))
        flagged = [] if structure else uow.maintenance.flagged_codings()
    return CheckReport(tuple(problems), tuple(flagged), len(transcript_ids), spans, events)


def _text_problems(stored: StoredText) -> list[Problem]:
    where = f"transcript {stored.name!r}"
    found: list[Problem] = []
    if stored.characters != len(stored.text):
        found.append(
            Problem(
                "transcript",
                f"{where}: stored length {stored.characters} but the text has "
                f"{len(stored.text)} characters",
            )
        )
    if stored.sha256 != text_sha256(stored.text):
        found.append(Problem("transcript", f"{where}: SHA-256 does not match its text"))
    if "\r" in stored.text or not unicodedata.is_normalized("NFC", stored.text):
        found.append(Problem("transcript", f"{where}: text is not normalised (CR or not NFC)"))
    return found


def _span_problems(stored: StoredText, span: StoredSpan) -> list[Problem]:
    where = f"{span.kind} {span.key} in {stored.name!r}"
    if not (isinstance(span.start, int) and isinstance(span.end, int)):
        return []  # NULL or not a whole number: reported with the values
    problem = span_problem(len(stored.text), span.start, span.end)
    if problem:
        return [Problem(span.kind, f"{where}: {problem}")]
    if span.anchor_text is not None:
        actual = span_text(stored.text, span.start, span.end)
        if actual != span.anchor_text:
            return [
                Problem(
                    span.kind,
                    f"{where} at {span.start}:{span.end}: stored text "
                    f"{_short(span.anchor_text)} differs from the transcript's {_short(actual)}",
                )
            ]
    return []


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return f"“{flat[:_SHOWN]}…”" if len(flat) > _SHOWN else f"“{flat}”"


@dataclass
class _LogState:
    by_id: dict[int, tuple[str, bool]] = field(default_factory=dict)
    last_history: dict[int, tuple[int, str]] = field(default_factory=dict)
    codings_of: dict[int, list[int]] = field(default_factory=dict)
    last_entry: dict[int, tuple[int, str]] = field(default_factory=dict)


def event_log_problems(events: Iterable[LoggedEvent]) -> list[Problem]:
    """Problems in an event log given oldest first (see the module docstring)."""
    state = _LogState()
    found: list[Problem] = []
    for event in events:
        where = f"event {event.id} ({event.action or 'no action'})"
        if not event.action:
            found.append(Problem("event log", f"{where}: has no action"))
        if isinstance(event.payload, UnreadablePayload):
            found.append(Problem("event log", f"{where}: payload is not valid JSON"))
            state.by_id[event.id] = (event.action, event.undone)
            continue
        if not isinstance(event.payload, dict):
            found.append(Problem("event log", f"{where}: payload is not an object"))
            state.by_id[event.id] = (event.action, event.undone)
            continue
        payload = event.payload
        if event.action in _HISTORY_ACTIONS:
            target = payload.get("event_id")
            if not isinstance(target, int) or target not in state.by_id:
                found.append(Problem("event log", f"{where}: names no earlier event ({target!r})"))
            elif state.by_id[target][0] in _HISTORY_ACTIONS:
                found.append(Problem("event log", f"{where}: names another undo/redo ({target})"))
            else:
                state.last_history[target] = (event.id, event.action)
                for coding_id in state.codings_of.get(target, ()):
                    state.last_entry[coding_id] = (event.id, f"{event.action}:{target}")
        else:
            ids = _coding_ids(event.action, payload)
            twice = sorted(i for i, n in Counter(ids).items() if n > 1)
            if twice:
                named = ", ".join(str(i) for i in twice)
                found.append(Problem("event log", f"{where}: names coding(s) {named} twice"))
            if ids:
                state.codings_of[event.id] = ids
            key = json.dumps([event.action, event.coder, payload], sort_keys=True, default=str)
            for coding_id in ids:
                previous = state.last_entry.get(coding_id)
                if event.action in _CODING_ACTIONS and previous and previous[1] == key:
                    found.append(
                        Problem(
                            "event log",
                            f"{where}: records the same {event.action} of coding {coding_id} "
                            f"as event {previous[0]} (duplicate entry)",
                        )
                    )
                state.last_entry[coding_id] = (event.id, key)
        state.by_id[event.id] = (event.action, event.undone)
    for event_id, (action, undone) in state.by_id.items():
        history = state.last_history.get(event_id)
        expected = history is not None and history[1] == "undo"
        if undone != expected:
            said = f"event {history[0]} ({history[1]})" if history else "no undo names it"
            found.append(
                Problem(
                    "event log",
                    f"event {event_id} ({action}) is marked {'undone' if undone else 'active'} "
                    f"but {said}",
                )
            )
    return found


def _coding_ids(action: str, payload: dict[str, object]) -> list[int]:
    coding = payload.get("coding")
    if isinstance(coding, dict) and isinstance(coding.get("id"), int):
        return [int(coding["id"])]
    codings = payload.get("codings")
    if action == "apply_batch" and isinstance(codings, list):
        return [
            int(c["id"]) for c in codings if isinstance(c, dict) and isinstance(c.get("id"), int)
        ]
    if action == "memo" and isinstance(payload.get("coding_id"), int):
        return [int(str(payload["coding_id"]))]
    return []


# -- review flags ----------------------------------------------------------------------


def flagged_codings(project: Project) -> list[FlaggedCoding]:
    with project.reading() as uow:
        return uow.maintenance.flagged_codings()


def mark_reviewed(project: Project, coding_ids: Iterable[int], coder: str | None) -> int:
    """Clear the "needs review" flag of these codings (after a person looked at them);
    returns how many were flagged. Unknown ids are refused, nothing changed."""
    wanted = sorted(set(coding_ids))

    def clear(uow: UnitOfWork) -> int:
        notes = uow.maintenance.review_notes(wanted)
        missing = [i for i in wanted if i not in notes]
        if missing:
            raise FieldError("reviewed", f"no coding with id {missing[0]}")
        flagged = {i: note for i, note in notes.items() if note is not None}
        if flagged:
            uow.maintenance.set_review_notes(dict.fromkeys(flagged))
            uow.events.log(
                Action.REVIEW_DONE,
                f"reviewed {len(flagged)} re-anchored coding(s)",
                {"notes": {str(i): note for i, note in flagged.items()}},
                coder=coder,
            )
        return len(flagged)

    return project.run_unit_of_work(clear)


# -- backups ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: str
    format: str  # "sqlite" or "json"
    rows: dict[str, int]


def backup_project(project: Project, destination: Path, *, as_json: bool = False) -> BackupResult:
    """Copy the project to ``destination``: a SQLite project as a SQLite file by the online
    backup API (consistent while coders write), or with ``as_json`` — always for
    PostgreSQL — as a JSON backup that ``qualcode init --from`` restores. Never
    replace anything (the one writer, :mod:`qualcode.files.writing`, with
    ``Existing.REFUSE``; checked here first, before any row is read)."""
    check_target(destination, Existing.REFUSE)
    if as_json or not project.is_sqlite:
        rows = write_json_backup(project, destination)
        return BackupResult(str(destination), "json", rows)
    backup_sqlite_file(Path(project.location), destination)
    _, tables = read_project_file(destination)
    return BackupResult(str(destination), "sqlite", {t.name: len(t.rows) for t in tables})


def restore_project(backup: Path, location: str) -> tuple[Project, dict[str, int]]:
    """Create a new project at ``location`` holding everything in ``backup`` (a JSON
    backup, or a qualcode SQLite file: a project or a backup of one), same ids. All or
    nothing: on any error the new project is removed again (SQLite file deleted, server
    tables dropped)."""
    with open_regular(backup) as handle:
        is_json = handle.read(1) == b"{"
    version, tables = read_json_backup(backup) if is_json else read_project_file(backup)
    project = open_project(location, create=True)
    try:
        with project.unit_of_work() as uow:
            rows = uow.maintenance.restore_rows(version, tables, str(backup))
            uow.events.log(
                Action.RESTORE,
                f"restored from {backup.name} (schema {version}): "
                f"{rows.get('transcript', 0)} transcripts, {rows.get('coding', 0)} codings",
                {"source": str(backup), "schema_version": version, "rows": rows},
            )
    except BaseException:
        if project.is_sqlite:
            project.close()
            remove_project_file(project.location)
        else:
            drop_schema(project)
            project.close()
        raise
    return project, rows
