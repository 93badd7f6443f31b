"""Re-anchoring after `transcript replace`/`edit` is worked out before the write lock is
taken: other coders write while it runs; what they changed meanwhile is taken into
account (the work is redone), and a transcript that keeps changing is refused in one line
with nothing changed.

The heavy step (the edit script between the texts) is wrapped so that another coder acts
exactly while it runs; the real step still does the work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qualcode.domain.errors import ProjectBusyError
from qualcode.domain.spans import Span
from qualcode.matching.anchoring import EditScript, edit_script
from qualcode.services import reanchor
from qualcode.services.coding import apply_code, list_codings
from qualcode.services.project import Project, open_project
from qualcode.services.reanchor import NewText, replace_text
from qualcode.services.transcripts import get_transcript
from qualcode.storage.database import RetryPolicy
from tests.team.conftest import TRANSCRIPT

Action = Callable[[Project], None]


def _meanwhile(monkeypatch: pytest.MonkeyPatch, action: Action, location: str) -> list[int]:
    """While each edit script is computed, ``action`` runs on a second, impatient
    connection (one try, 100 ms): it fails if the project's write lock is held. Returns
    the list the number of edit scripts computed is appended to."""
    calls: list[int] = []

    def script_while_another_coder_writes(old: str, new: str) -> EditScript:
        calls.append(len(calls) + 1)
        other = open_project(location, busy_timeout_ms=100, retry=RetryPolicy(attempts=1))
        try:
            action(other)
        finally:
            other.close()
        return edit_script(old, new)

    monkeypatch.setattr(reanchor, "edit_script", script_while_another_coder_writes)
    return calls


def _new_text(project: Project) -> NewText:
    text = get_transcript(project, TRANSCRIPT).text
    return NewText("I: Hello.\n" + text.replace("caseworker", "case worker"), None, None)


def _code_elsewhere(project: Project) -> None:
    apply_code(project, "parent-03-da", "continuity", "cy", span=Span(0, 20))


def test_other_coders_write_while_anchoring_runs(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _meanwhile(monkeypatch, _code_elsewhere, coded.location)
    change = replace_text(coded, TRANSCRIPT, _new_text(coded), coder="anna")
    assert calls == [1]  # the other coder's write went through at once, and changed
    assert len(change.moves) == 5  # nothing this transcript's anchoring depends on
    assert [c.coder for c in list_codings(coded, transcripts=["parent-03-da"])].count("cy") == 1


def test_a_coding_added_meanwhile_is_carried_too(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    added: list[int] = []

    def add_once(project: Project) -> None:
        if not added:
            coding, _ = apply_code(project, TRANSCRIPT, "continuity", "cy", span=Span(200, 260))
            added.append(coding.id)

    calls = _meanwhile(monkeypatch, add_once, coded.location)
    new = _new_text(coded)
    change = replace_text(coded, TRANSCRIPT, new, coder="anna")
    assert calls == [1, 2]  # redone once, with the new coding
    assert added[0] in {move.id for move in change.moves}
    carried = {c.id: c for c in list_codings(coded, transcripts=[TRANSCRIPT])}
    assert new.text[carried[added[0]].start : carried[added[0]].end] == carried[added[0]].text
    assert get_transcript(coded, TRANSCRIPT).text == new.text


def test_a_transcript_that_keeps_changing_is_refused(
    coded: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add_every_time(project: Project) -> None:
        apply_code(project, TRANSCRIPT, "continuity", "cy", span=Span(200, 260))

    _meanwhile(monkeypatch, add_every_time, coded.location)
    before = get_transcript(coded, TRANSCRIPT)
    with pytest.raises(ProjectBusyError, match="kept changing") as caught:
        replace_text(coded, TRANSCRIPT, _new_text(coded), coder="anna")
    assert "\n" not in str(caught.value)
    assert get_transcript(coded, TRANSCRIPT) == before


def test_a_dry_run_takes_no_lock(coded: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _meanwhile(monkeypatch, _code_elsewhere, coded.location)
    before = get_transcript(coded, TRANSCRIPT)
    replace_text(coded, TRANSCRIPT, _new_text(coded), dry_run=True)
    assert calls == [1]
    assert get_transcript(coded, TRANSCRIPT) == before
