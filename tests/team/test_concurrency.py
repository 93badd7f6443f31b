"""Eight coders applying codings to one project at the same moment, on SQLite (WAL) and
PostgreSQL: every coding is stored exactly once, with exactly one event, and nobody sees
"database is locked"."""

from __future__ import annotations

from collections import Counter

from benchmarks.bench_stress import planned_span, run_stress
from qualcode.domain.spans import Span
from qualcode.services.project import open_project

PROCESSES = 8
PER_PROCESS = 100  # the barrier starts all eight at once; the benchmark runs 8 × 500


def test_eight_coders_at_once_store_every_coding_exactly_once(location: str) -> None:
    result = run_stress(location, PROCESSES, PER_PROCESS)

    assert result.errors == []
    assert sorted(o.applied for o in result.outcomes) == [PER_PROCESS] * PROCESSES
    project = open_project(location)
    with project.reading() as uow:
        rows = [(c.coder, c.id, c.start, c.end) for c in uow.codings.find()]
        events = [(e.coder, e.fields) for e in uow.events.iter_all() if e.action == "apply"]
    project.close()

    assert len(rows) == PROCESSES * PER_PROCESS
    assert Counter(name for name, *_ in rows) == {
        f"coder-{n + 1}": PER_PROCESS for n in range(PROCESSES)
    }
    # Each coder's spans are exactly the ones it was asked to code (none lost, none twice).
    length = _text_length(location)
    for index in range(PROCESSES):
        wanted = Counter(planned_span(index, number, length) for number in range(PER_PROCESS))
        stored = Counter(Span(s, e) for name, _, s, e in rows if name == f"coder-{index + 1}")
        assert stored == wanted
    # One event per coding, naming that coding and its coder.
    event_ids = [_coding_id(payload) for _, payload in events]
    assert len(event_ids) == len(set(event_ids)) == PROCESSES * PER_PROCESS
    assert set(event_ids) == {coding_id for _, coding_id, _, _ in rows}
    assert Counter(coder for coder, _ in events) == Counter(name for name, *_ in rows)


def _coding_id(payload: dict[str, object]) -> int:
    coding = payload["coding"]
    assert isinstance(coding, dict)
    return int(coding["id"])


def _text_length(location: str) -> int:
    from qualcode.services.transcripts import get_transcript

    project = open_project(location)
    try:
        return len(get_transcript(project, "parent-01-en").text)
    finally:
        project.close()
