"""Two coders editing the codebook at once: no rename is lost, and the one whose edit
clashes with the other's gets a clear message saying who changed what."""

from __future__ import annotations

import multiprocessing
import re
from multiprocessing.synchronize import Barrier

import pytest

from qualcode.domain.errors import InputError, QualcodeError
from qualcode.services.codebook import list_codes
from qualcode.services.codebook_rename import EditConflict, rename_code
from qualcode.services.history import undo
from qualcode.services.project import Project, open_project
from tests.conftest import Cli

SEEN = "continuity/holistic view"


def rename_worker(
    location: str,
    path: str,
    new_name: str,
    coder: str,
    barrier: Barrier,
    results: multiprocessing.Queue[tuple[str, str, str]],
) -> None:
    """Rename ``path`` once every worker is ready; report (coder, outcome, detail)."""
    project = open_project(location)
    barrier.wait(60)
    try:
        renamed = rename_code(project, path, new_name, coder)
        results.put((coder, "renamed", renamed.after))
    except QualcodeError as error:
        results.put((coder, type(error).__name__, str(error)))
    finally:
        project.close()


def rename_at_once(location: str, *jobs: tuple[str, str, str]) -> dict[str, tuple[str, str]]:
    """Run each (path, new name, coder) rename in its own process, all released together."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    results: multiprocessing.Queue[tuple[str, str, str]] = context.Queue()
    processes = [
        context.Process(target=rename_worker, args=(location, *job, barrier, results))
        for job in jobs
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
    return {coder: (outcome, detail) for coder, outcome, detail in outcomes}


def paths(project: Project) -> set[str]:
    return {code.path for code in list_codes(project)}


def rename_events(project: Project) -> list[str]:
    with project.reading() as uow:
        return [e.summary for e in uow.events.latest(100) if e.action == "code_edit"]


def test_two_coders_renaming_the_same_code_at_once(coded: Project) -> None:
    outcomes = rename_at_once(
        coded.location, (SEEN, "whole family", "anna"), (SEEN, "family as a whole", "bo")
    )
    winners = [c for c, (outcome, _) in outcomes.items() if outcome == "renamed"]
    assert len(winners) == 1
    winner = winners[0]
    loser = "bo" if winner == "anna" else "anna"
    won_name = outcomes[winner][1]
    assert outcomes[loser][0] == "EditConflict"
    assert re.fullmatch(
        rf"code 'holistic view' was renamed to '{won_name}' by {winner} at \S+Z while you "
        rf"were editing; your rename to '[a-z ]+' was not applied \(rename '{won_name}' if "
        r"you still want to\)",
        outcomes[loser][1],
    )
    assert won_name in paths(coded)
    assert SEEN not in paths(coded)
    assert rename_events(coded) == [f"{winner} renamed code {SEEN} to {won_name}"]


def test_two_coders_renaming_different_codes_at_once_keep_both(coded: Project) -> None:
    outcomes = rename_at_once(
        coded.location,
        (SEEN, "whole family", "anna"),
        ("accessibility/agreed contact level", "agreed contact", "bo"),
    )
    assert outcomes == {
        "anna": ("renamed", "continuity/whole family"),
        "bo": ("renamed", "accessibility/agreed contact"),
    }
    assert {"continuity/whole family", "accessibility/agreed contact"} <= paths(coded)
    assert len(rename_events(coded)) == 2


def test_two_coders_giving_two_codes_the_same_name_at_once(coded: Project) -> None:
    outcomes = rename_at_once(
        coded.location,
        (SEEN, "family", "anna"),
        ("continuity/meeting the child", "family", "bo"),
    )
    assert sorted(outcome for outcome, _ in outcomes.values()) == ["InputError", "renamed"]
    clash = next(detail for outcome, detail in outcomes.values() if outcome == "InputError")
    assert clash == "new name: 'continuity/family' exists already"
    assert sum(p == "continuity/family" for p in paths(coded)) == 1


def test_a_stale_rename_on_the_command_line_names_the_other_coder(coded: Project, run: Cli) -> None:
    result = run("codebook", coded.location, "rename", SEEN, "whole family", "--coder", "anna")
    assert result.stdout == f"renamed {SEEN} to continuity/whole family\n"
    result = run("codebook", coded.location, "rename", SEEN, "family", "--coder", "bo", expect=1)
    assert result.stderr.startswith(
        "Error: code 'holistic view' was renamed to 'continuity/whole family' by anna at "
    )
    assert result.stderr.endswith(
        "your rename to 'family' was not applied (rename 'continuity/whole family' if you "
        "still want to)\n"
    )
    assert "continuity/whole family" in paths(coded)


def test_a_rename_by_id_checks_the_name_the_coder_saw(coded: Project) -> None:
    code_id = next(c.id for c in list_codes(coded) if c.path == SEEN)
    rename_code(coded, code_id, "whole family", "anna", expected_name="holistic view")
    with pytest.raises(EditConflict, match="renamed to 'continuity/whole family' by anna"):
        rename_code(coded, code_id, "family", "bo", expected_name="holistic view")
    assert "continuity/whole family" in paths(coded)


def test_a_rename_is_undone_like_any_codebook_edit(coded: Project) -> None:
    rename_code(coded, SEEN, "whole family", "anna")
    step = undo(coded, "anna")
    assert step is not None
    assert step.action == "code_edit"
    assert SEEN in paths(coded)


@pytest.mark.parametrize(
    ("new_name", "message"),
    [
        ("", "new name: '' must be non-empty and without '/'"),
        ("a/b", "new name: 'a/b' must be non-empty and without '/'"),
        ("Meeting the child", "new name: 'continuity/meeting the child' exists already"),
    ],
)
def test_bad_names_are_refused(coded: Project, new_name: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        rename_code(coded, SEEN, new_name, "anna")
    assert str(caught.value) == message
    assert SEEN in paths(coded)
