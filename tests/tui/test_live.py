"""Live updates: a workspace shows what another connection commits, without a key press.

Each test runs the app on a tiny project and writes from the test itself through the
services on a second project object (another connection, as another process would), on
SQLite and on PostgreSQL. The app's state is polled for at most WAIT_S seconds: a bound,
not a timing assertion."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from time import monotonic
from typing import Any

import pytest
from textual.pilot import Pilot

from qualcode.domain.codebook import CodeSpec
from qualcode.domain.spans import Span
from qualcode.services import live
from qualcode.services.codebook_edit import add_code
from qualcode.services.coding import apply_code, remove_coding
from qualcode.services.coding_changes import adjust_coding, recode_coding, set_memo
from qualcode.services.memos import add_memo
from qualcode.services.project import Project, init_project, open_project
from qualcode.services.reanchor import replace_text, text_from_editor
from qualcode.services.transcript_names import rename_transcript
from qualcode.services.transcripts import import_transcripts
from qualcode.tui.app import create_app
from qualcode.tui.screens.agreement import AgreementScreen, open_agreement
from qualcode.tui.screens.code_editor import CodeEdit
from qualcode.tui.screens.codebook_actions import save_edit, save_merge
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.disagreements import DisagreementScreen
from qualcode.tui.screens.matrix import MatrixScreen
from qualcode.tui.screens.retrieval import RetrievalScreen
from qualcode.tui.screens.status_line import status_line
from qualcode.tui.widgets.coding_list import CodingList
from tests.conftest import Cli

WAIT_S = 5.0
NAME = "talk"
TEXT = "Interviewer: How was the week?\n\nMia: Long. The school called twice about Elias.\n"


@pytest.fixture
def tiny(location: str, tmp_path: Path) -> tuple[str, dict[str, int]]:
    """One short transcript and two codes; yields the location and the codes' ids."""
    source = tmp_path / f"{NAME}.txt"
    source.write_text(TEXT, encoding="utf-8")
    project = init_project(location)
    import_transcripts(project, [source])
    codes = {name: add_code(project, CodeSpec(name), None, "anna") for name in ("care", "school")}
    project.close()
    return location, codes


@pytest.fixture
def writer(tiny: tuple[str, dict[str, int]]) -> Iterator[Project]:
    """The other coder's connection."""
    project = open_project(tiny[0])
    yield project
    project.close()


@asynccontextmanager
async def workspace(
    location: str, tmp_path: Path, *, blind: bool = False
) -> AsyncIterator[tuple[Pilot[Any], CodingScreen]]:
    """anna's workspace on the project, once its counts and transcript list are loaded."""
    project = open_project(location)
    app = create_app(project, "anna", blind=blind, config_file=tmp_path / "config.json")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await until(pilot, lambda: NAME in screen.memo_counts)  # counts and list loaded
        yield pilot, screen
    app.workspace.project.close()


async def until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    """Wait (letting the app run) until ``condition`` holds, at most WAIT_S seconds."""
    deadline = monotonic() + WAIT_S
    while not condition():
        assert monotonic() < deadline, "the workspace did not show the change"
        await pilot.pause(0.05)


def counts(screen: CodingScreen) -> dict[str, tuple[int, int]]:
    return {e.path: (e.here, e.project) for e in screen.entries}


def spans(screen: CodingScreen) -> list[tuple[int, str, int, int, str | None]]:
    return [(c.id, c.code_path, c.start, c.end, c.memo) for c in screen.view.codings]


async def test_another_coders_work_appears_without_a_key(
    tiny: tuple[str, dict[str, int]], writer: Project, tmp_path: Path
) -> None:
    location, codes = tiny
    async with workspace(location, tmp_path) as (pilot, screen):
        screen.view.select_span(3, 9)  # the coder's own place, which must stay put
        place = (screen.view.cursor, screen.view.anchor_offset, screen.view.scroll_y)

        coding = apply_code(writer, NAME, "care", "bo", span=Span(45, 51))[0]
        await until(pilot, lambda: spans(screen) == [(coding.id, "care", 45, 51, None)])
        assert counts(screen)["care"] == (1, 1)

        recode_coding(writer, coding.id, codes["school"], "bo")
        await until(pilot, lambda: spans(screen) == [(coding.id, "school", 45, 51, None)])
        assert counts(screen)["care"] == (0, 0)
        assert counts(screen)["school"] == (1, 1)

        adjust_coding(writer, coding.id, Span(45, 62), "bo")
        set_memo(writer, coding.id, "twice!", "bo")
        await until(pilot, lambda: spans(screen) == [(coding.id, "school", 45, 62, "twice!")])

        remove_coding(writer, coding.id, coder="bo")
        await until(pilot, lambda: spans(screen) == [])
        assert counts(screen)["school"] == (0, 0)
        assert (screen.view.cursor, screen.view.anchor_offset, screen.view.scroll_y) == place


async def test_memos_and_codebook_edits_appear(
    tiny: tuple[str, dict[str, int]], writer: Project, tmp_path: Path
) -> None:
    async with workspace(tiny[0], tmp_path) as (pilot, screen):
        add_memo(writer, "the school calls a lot", transcript=NAME, author="bo")
        await until(pilot, lambda: screen.memo_counts.get(NAME) == 1)
        add_code(writer, CodeSpec("worry"), None, "bo")
        await until(pilot, lambda: "worry" in counts(screen))


async def test_the_coders_own_work_is_not_counted_twice(
    tiny: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    location, codes = tiny
    async with workspace(location, tmp_path) as (pilot, screen):
        screen.view.select_span(45, 51)
        await screen.apply_code(codes["care"])
        feed = screen.live.feed
        assert feed is not None
        await until(pilot, lambda: bool(feed.own.ids) and feed.last_id >= max(feed.own.ids))
        await pilot.pause()
        assert counts(screen)["care"] == (1, 1)
        assert len(screen.view.codings) == 1
        assert screen.live.applied == 0


async def test_blind_workspace_receives_nothing_of_other_coders(
    tiny: tuple[str, dict[str, int]], writer: Project, tmp_path: Path
) -> None:
    async with workspace(tiny[0], tmp_path, blind=True) as (pilot, screen):
        apply_code(writer, NAME, "care", "bo", span=Span(45, 51))
        add_memo(writer, "bo's thought", transcript=NAME, author="bo")
        # a shared action committed after them: once it is shown, they were read past
        add_code(writer, CodeSpec("after"), None, "bo")
        await until(pilot, lambda: "after" in counts(screen))
        await pilot.pause()
        assert spans(screen) == []
        assert counts(screen)["care"] == (0, 0)
        assert screen.memo_counts.get(NAME, 0) == 0


def test_blind_events_are_filtered_in_the_query(
    tiny: tuple[str, dict[str, int]], writer: Project
) -> None:
    start = live.latest_event_id(writer)
    apply_code(writer, NAME, "care", "bo", span=Span(45, 51))
    apply_code(writer, NAME, "care", "anna", span=Span(3, 9))
    seen = live.events_since(writer, start, "anna", blind=True)
    assert [(e.action, e.coder) for e in seen] == [("apply", "anna")]
    everyone = live.events_since(writer, start, "anna", blind=False)
    assert [e.coder for e in everyone] == ["bo", "anna"]


async def test_presence_shows_who_else_has_the_project_open(
    tiny: tuple[str, dict[str, int]],
    writer: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.1)  # beats often enough for a test
    async with workspace(tiny[0], tmp_path) as (pilot, screen):
        await until(pilot, lambda: live.who(writer) == [live.Presence("anna", NAME)])
        assert live.heartbeat(writer, "bo's session", "bo", NAME) == [live.Presence("anna", NAME)]
        await until(pilot, lambda: "also here: bo (talk)" in status_line(screen))
        live.leave(writer, "bo's session")
        await until(pilot, lambda: "also here" not in status_line(screen))
    assert live.who(writer) == []  # the workspace took its row with it


@pytest.mark.parametrize(
    ("seconds_later", "present"),
    [
        (0, ["anna", "bo"]),  # both just beat
        (14, ["anna", "bo"]),  # within the 15 s timeout
        (16, ["bo"]),  # anna's row expired; bo beats again at that moment
    ],
    ids=["now", "within", "expired"],
)
def test_presence_expires_without_a_heartbeat(
    tiny: tuple[str, dict[str, int]], writer: Project, seconds_later: int, present: list[str]
) -> None:
    start = dt.datetime(2026, 12, 7, 12, 0, 0)
    live.heartbeat(writer, "a", "anna", NAME, now=start)
    later = start + dt.timedelta(seconds=seconds_later)
    others = live.heartbeat(writer, "b", "bo", None, now=later)
    assert [p.coder for p in others] == [c for c in present if c != "bo"]
    assert [p.coder for p in live.who(writer, now=later)] == present


async def test_a_rename_and_an_edit_of_the_open_transcript_follow(
    tiny: tuple[str, dict[str, int]], writer: Project, tmp_path: Path
) -> None:
    async with workspace(tiny[0], tmp_path) as (pilot, screen):
        screen.view.select_span(40, 44)
        rename_transcript(writer, NAME, "talk-1", coder="bo")
        await until(pilot, lambda: screen.transcript == "talk-1")
        edited = TEXT.replace("twice", "three times")
        replace_text(writer, "talk-1", text_from_editor(edited, "bo's editor"), coder="bo")
        await until(pilot, lambda: screen.view.text == edited)
        assert screen.view.cursor == 44  # before the edit, so the same place
        coding = apply_code(writer, "talk-1", "care", "bo", span=Span(45, 51))[0]
        await until(pilot, lambda: [c.id for c in screen.view.codings] == [coding.id])


async def test_a_blind_round_started_elsewhere_blinds_an_open_workspace(
    tiny: tuple[str, dict[str, int]], writer: Project, tmp_path: Path
) -> None:
    location, _ = tiny
    theirs = apply_code(writer, NAME, "care", "bo", span=Span(45, 51))[0]
    async with workspace(location, tmp_path) as (pilot, screen):
        await until(pilot, lambda: [c.id for c in screen.view.codings] == [theirs.id])
        Cli()("round", location, "start")
        await until(pilot, lambda: screen.workspace.blind)
        assert not screen.view.codings
        assert counts(screen)["care"] == (0, 0)
        school = apply_code(writer, NAME, "school", "bo", span=Span(3, 9))[0]  # nothing arrives
        await pilot.pause(0.3)
        assert not screen.view.codings
        screen.view.cursor = 20
        Cli()("round", location, "reveal")
        await until(pilot, lambda: not screen.workspace.blind)  # switched back, live
        assert sorted(s[0] for s in spans(screen)) == sorted([theirs.id, school.id])
        assert counts(screen)["care"] == (1, 1)
        assert "BLIND" not in status_line(screen)
        assert screen.view.cursor == 20  # the coder's place stays


async def test_a_reveal_leaves_a_coder_who_chose_blind_coding_blind(
    tiny: tuple[str, dict[str, int]],
    writer: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    location, _ = tiny
    apply_code(writer, NAME, "care", "bo", span=Span(45, 51))
    async with workspace(location, tmp_path, blind=True) as (pilot, screen):
        told = kept_notifications(pilot, monkeypatch)
        Cli()("round", location, "start")
        Cli()("round", location, "reveal")
        await until(pilot, lambda: any("stays on" in m for m in told))
        assert screen.workspace.blind
        assert screen.view.codings == ()


def kept_notifications(pilot: Pilot[Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every message the app is asked to show from now on, kept (a toast that expires or
    whose screen closes leaves the app's own list)."""
    told: list[str] = []
    notify = pilot.app.notify

    def keep(message: str, *args: Any, **kwargs: Any) -> None:
        told.append(message)
        notify(message, *args, **kwargs)

    monkeypatch.setattr(pilot.app, "notify", keep)
    return told


def notes(pilot: Pilot[Any]) -> list[Any]:
    return list(pilot.app._notifications)


@asynccontextmanager
async def two_workspaces(
    location: str, tmp_path: Path
) -> AsyncIterator[tuple[Pilot[Any], CodingScreen, Pilot[Any], CodingScreen]]:
    """anna's and bo's workspaces on one project, at once (two apps in one event loop)."""
    bo_app = create_app(open_project(location), "bo", config_file=tmp_path / "bo.json")
    async with workspace(location, tmp_path) as (pilot, anna), bo_app.run_test() as bo_pilot:
        bo = bo_app.screen
        assert isinstance(bo, CodingScreen)
        await until(bo_pilot, lambda: NAME in bo.memo_counts)
        yield pilot, anna, bo_pilot, bo
    bo_app.workspace.project.close()


async def test_two_workspaces_see_each_others_codings(
    tiny: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    """Two coders, two apps on one project: each codes (the action its keys run), and each
    sees the other's coding arrive."""
    location, codes = tiny
    async with two_workspaces(location, tmp_path) as (pilot, anna, bo_pilot, bo):
        anna.view.select_span(3, 9)
        await anna.apply_code(codes["care"])
        bo.view.select_span(45, 51)
        await bo.apply_code(codes["school"])

        def seen(screen: CodingScreen) -> set[tuple[str, str]]:
            return {(c.coder, c.code_path) for c in screen.view.codings}

        both = {("anna", "care"), ("bo", "school")}
        await until(pilot, lambda: seen(anna) == both)
        await until(bo_pilot, lambda: seen(bo) == both)
        assert counts(anna) == counts(bo) == {"care": (1, 1), "school": (1, 1)}


async def test_two_workspaces_editing_one_code_end_in_the_winners_state(
    tiny: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    """Both coders rename "care" from the same codebook: the second is refused, naming
    the first, and both workspaces end showing the first one's name."""
    location, _ = tiny
    async with two_workspaces(location, tmp_path) as (pilot, anna, bo_pilot, bo):
        annas = next(e for e in anna.entries if e.path == "care")
        bos = next(e for e in bo.entries if e.path == "care")  # seen before anna saves
        await save_edit(anna, annas, CodeEdit(CodeSpec("caring"), None))
        anna.post_message(anna.CodebookChanged(anna, "code_edit"))  # as her dialog closes
        # bo's dialog closes too; his codebook follows anna's edit live
        assert await save_edit(bo, bos, CodeEdit(CodeSpec("looking after"), None))

        def refusals() -> list[str]:
            # (the test's context has bo's app as the active one: anna's screen would
            # notify there too, so the message is told apart by its text)
            return [n.message for n in bo.app._notifications if "changed this code" in n.message]

        await until(bo_pilot, lambda: bool(refusals()))
        assert refusals() == [
            "anna changed this code (now caring) while you were editing it; nothing was "
            "changed (the codebook shows their version now)"
        ]
        for screen, its_pilot in ((anna, pilot), (bo, bo_pilot)):
            await until(its_pilot, partial(lambda s: "caring" in counts(s), screen))
            assert set(counts(screen)) == {"caring", "school"}


async def test_an_open_matrix_recounts_in_place_when_a_colleague_codes(
    tiny: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    """anna's matrix (transcripts × themes) is open on the "care" cell while bo codes in
    his workspace: the count goes up without a key press, the cursor stays on the cell,
    and anna is told briefly what came in."""
    location, codes = tiny
    async with two_workspaces(location, tmp_path) as (pilot, anna, _, bo):
        await pilot.press("ctrl+x")
        matrix = pilot.app.screen
        assert isinstance(matrix, MatrixScreen)
        await pilot.press("r")  # rows: cases (the project has none) -> transcripts
        await until(pilot, lambda: matrix.matrix is not None and matrix.table.row_count == 2)
        await pilot.press("right")  # the "care" column is the first: move to "school"
        place = matrix.table.cursor_coordinate
        assert matrix.table.shown(place.row, place.column) == "0"
        bo.view.select_span(45, 51)
        await bo.apply_code(codes["school"])
        await until(pilot, lambda: matrix.table.shown(place.row, place.column) == "1")
        assert matrix.table.cursor_coordinate == place
        assert pilot.app.screen is matrix
        await until(
            pilot, lambda: any(n.message == "updated: 1 coding from bo" for n in notes(pilot))
        )
        assert anna.live.refreshed == 1


async def test_two_workspaces_merging_one_code_end_in_the_winners_state(
    tiny: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    """Both coders merge "care" (with a coding of bo's) from the same codebook, anna into
    "school", bo (a moment later) into "home", which chloé has just added: bo is refused,
    naming anna, and both workspaces end showing her merge, with the same counts."""
    location, codes = tiny
    async with two_workspaces(location, tmp_path) as (pilot, anna, bo_pilot, bo):
        bo.view.select_span(45, 51)
        await bo.apply_code(codes["care"])
        other = open_project(location)
        home = add_code(other, CodeSpec("home"), None, "chloé")
        other.close()
        for screen, its_pilot in ((anna, pilot), (bo, bo_pilot)):
            await until(its_pilot, partial(lambda s: counts(s).get("care") == (1, 1), screen))
            await until(its_pilot, partial(lambda s: "home" in counts(s), screen))
        annas = next(e for e in anna.entries if e.path == "care")
        bos = next(e for e in bo.entries if e.path == "care")  # seen before anna merges
        await save_merge(anna, annas, codes["school"])
        await save_merge(bo, bos, home)

        def refusals() -> list[str]:
            return [n.message for n in bo.app._notifications if "was merged" in n.message]

        await until(bo_pilot, lambda: bool(refusals()))
        assert refusals()[0].startswith("code 'care' was merged into 'school' by anna at ")
        for screen, its_pilot in ((anna, pilot), (bo, bo_pilot)):
            await until(its_pilot, partial(lambda s: "care" not in counts(s), screen))
            await until(its_pilot, partial(lambda s: counts(s)["school"] == (1, 1), screen))
        assert counts(anna) == counts(bo) == {"school": (1, 1), "home": (0, 0)}


@pytest.mark.parametrize("location", ["sqlite"], indirect=True)
async def test_open_retrieval_lists_a_colleagues_new_passage_in_place(
    tiny: tuple[str, dict[str, int]], writer: Project, tmp_path: Path
) -> None:
    """The passages of "care" are open when bo codes one more: the list grows without a
    key press and the highlighted passage stays highlighted."""
    apply_code(writer, NAME, "care", "bo", span=Span(45, 51))
    async with workspace(tiny[0], tmp_path) as (pilot, screen):
        screen.codebook.select_code(tiny[1]["care"])
        await pilot.press("ctrl+g")
        retrieval = pilot.app.screen
        assert isinstance(retrieval, RetrievalScreen)
        listing = retrieval.query_one(CodingList)
        await until(pilot, lambda: len(listing.places) == 1)
        apply_code(writer, NAME, "care", "bo", span=Span(60, 70))
        await until(pilot, lambda: len(listing.places) == 2)
        assert listing.highlighted == 0
        assert pilot.app.screen is retrieval


async def test_a_round_closes_an_open_agreement_and_refuses_disagreements(
    tiny: tuple[str, dict[str, int]],
    writer: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """anna compares coders when a round starts elsewhere: the agreement screen closes
    with a notification; during the round the disagreement screen says why in one
    notification and closes, leaving no empty screen behind."""
    location, _ = tiny
    for coder, span in [("anna", Span(45, 51)), ("bo", Span(45, 55))]:
        apply_code(writer, NAME, "care", coder, span=span)
    async with workspace(location, tmp_path) as (pilot, screen):
        told = kept_notifications(pilot, monkeypatch)
        open_agreement(pilot.app, screen.workspace)
        agreement = pilot.app.screen
        assert isinstance(agreement, AgreementScreen)
        await until(pilot, lambda: agreement.report is not None)
        Cli()("round", location, "start")
        await until(pilot, lambda: pilot.app.screen is screen)
        assert any("closed the agreement view" in m for m in told), told
        assert screen.workspace.blind
        await pilot.app.push_screen(DisagreementScreen(screen.workspace, ("anna", "bo")))
        await until(pilot, lambda: pilot.app.screen is screen)
        assert any("comparing coders must wait" in m for m in told), told
