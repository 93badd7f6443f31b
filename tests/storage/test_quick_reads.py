"""The standard-library read path of the listing commands: the same answers as the
SQLAlchemy repositories, and ``None`` (so the command opens the project fully) whenever
the project needs more than reading."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qualcode.domain.spans import Span
from qualcode.services import quick_listings
from qualcode.services.cases import import_cases
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import apply_code
from qualcode.services.project import Project, init_project, open_project
from qualcode.services.transcripts import import_transcripts, list_transcripts
from qualcode.storage import migrations, quick_reads, sqlite_file
from tests.conftest import TRANSCRIPTS, Cli, write


@pytest.fixture
def mixed(tmp_path: Path) -> Iterator[Project]:
    """Transcripts with and without turns, speakers and cases; names out of file order."""
    project = init_project(tmp_path / "mixed.qualcode")
    import_transcripts(
        project,
        [
            write(tmp_path / "zeta.txt", "Just a note without any speaker.\n"),
            write(tmp_path / "Ærø.txt", "B: Hej.\nA: Goddag.\nB: Farvel.\nC: Ja.\n"),
        ],
        case_from_filename=True,
    )
    import_transcripts(project, [TRANSCRIPTS / "focus-group-01-en.txt"], speaker_cases=True)
    codebook = """codes:
  - name: openness
    label_da: åbenhed
    keywords: [open, honest]
    children:
      - name: about rights
        shortcut: r
      - name: about limits
  - name: Ærlighed
    description: plain speaking
"""
    import_codebook(project, write(tmp_path / "codebook.yaml", codebook))
    cases = """case,transcript,age:number,visited:date,size:ordinal(small<large),note
zeta,,4,2025-03-01,large,first
Ærø,,11,2024-12-24,small,
"""
    import_cases(project, write(tmp_path / "cases.csv", cases))
    apply_code(project, "Ærø", "openness/about rights", "bo", span=Span(3, 7))
    yield project
    project.close()


def quick_summaries(location: str) -> object:
    with quick_reads.quick_reader(location) as reader:
        assert reader is not None
        return reader.transcript_summaries()


def test_the_schema_version_is_named_once_for_both_read_paths() -> None:
    assert sqlite_file.SCHEMA_VERSION == migrations.CURRENT_VERSION


def test_quick_reads_equal_the_repositorys(demo_template: Path, mixed: Project) -> None:
    for location in (str(demo_template), mixed.location):
        project = open_project(location)
        try:
            with project.reading() as uow:
                summaries = uow.transcripts.summaries()
                expected = (
                    summaries,
                    [uow.transcripts.get(summary.name) for summary in summaries],
                    uow.settings.counts(),
                    sorted(uow.coders.ids()),
                    uow.codebook.codes(),
                    uow.cases.all(),
                    [definition for _, definition in uow.cases.attribute_defs().values()],
                )
        finally:
            project.close()
        with quick_reads.quick_reader(location) as reader:
            assert reader is not None
            found = (
                reader.transcript_summaries(),
                [reader.transcript(summary.name) for summary in summaries],
                reader.counts(),
                sorted(reader.coder_names()),
                reader.codes(),
                reader.cases(),
                reader.attribute_defs(),
            )
            assert reader.transcript("no such transcript") is None
        assert found == expected
        # nothing empty: every kind of row was compared
        assert all(found[1:3] + found[4:])
        assert min(found[2].transcripts, found[2].codes, found[2].codings, found[2].cases) > 0
    names = [summary.name for summary in list_transcripts(mixed)]
    assert names == ["focus-group-01-en", "zeta", "Ærø"]  # code point order, as SQLite sorts


def test_an_empty_project_lists_nothing(project: Project) -> None:
    assert quick_listings.transcript_summaries(project.location) == []


def make_old(path: Path) -> None:
    raw = sqlite3.connect(path)  # as qualcode wrote it before schema 4
    raw.execute("ALTER TABLE coding DROP COLUMN review_note")
    raw.execute("UPDATE schema_version SET version = 3")
    raw.commit()
    raw.close()


def make_newer(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO schema_version (version) VALUES (?)", (sqlite_file.SCHEMA_VERSION + 1,)
    )
    raw.commit()
    raw.close()


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda path: make_old(path), id="older schema: must be migrated"),
        pytest.param(lambda path: make_newer(path), id="newer schema: must be refused"),
        pytest.param(lambda path: path.unlink(), id="missing"),
        pytest.param(lambda path: path.write_text("not a database " * 20), id="text file"),
        pytest.param(lambda path: path.write_bytes(b""), id="empty file"),
    ],
)
def test_projects_needing_more_than_reading_get_no_quick_reader(
    project: Project, spoil: object
) -> None:
    path = Path(project.location)
    project.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert callable(spoil)
    spoil(path)
    with quick_reads.quick_reader(str(path)) as reader:
        assert reader is None


def test_a_url_gets_no_quick_reader() -> None:
    with quick_reads.quick_reader("postgresql+psycopg://nobody@127.0.0.1:1/none") as found:
        assert found is None


def test_a_foreign_sqlite_file_gets_no_quick_reader(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE transcript (id INTEGER)").connection.commit()
    with quick_reads.quick_reader(str(other)) as reader:
        assert reader is None


def test_quick_reading_changes_nothing_and_works_on_a_read_only_file(
    demo_template: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "demo.qualcode"
    shutil.copy(demo_template, copy)
    before = copy.read_bytes()
    copy.chmod(stat.S_IRUSR)
    try:
        assert quick_summaries(str(copy))
    finally:
        copy.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert copy.read_bytes() == before


@pytest.mark.parametrize(
    ("arguments", "quick_function"),
    [
        (("transcripts",), "transcript_summaries"),
        (("transcripts", "--format", "json"), "transcript_summaries"),
        (("transcripts", "--format", "csv"), "transcript_summaries"),
        (("info",), "project_summary"),
        (("info", "--format", "json"), "project_summary"),
        (("show", "focus-group-02-da"), "transcript"),
        (("show", "focus-group-02-da", "--span", "100:180"), "transcript"),
        (("show", "parent-04-da", "--turns"), "transcript"),
        (("codebook",), "codes"),
        (("cases",), "cases"),
        (("cases", "--format", "json"), "cases"),
    ],
)
def test_a_listing_is_the_same_by_either_path(
    run: Cli,
    demo_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    arguments: tuple[str, ...],
    quick_function: str,
) -> None:
    command, *rest = arguments
    quick = run(command, demo_template, *rest)
    with monkeypatch.context() as patched:
        patched.setattr(quick_listings, quick_function, lambda *_arguments: None)
        full = run(command, demo_template, *rest)
    assert (quick.stdout, quick.stderr) == (full.stdout, full.stderr)
    assert len(quick.stdout) > 50


def test_show_errors_are_the_full_paths(run: Cli, demo_template: Path) -> None:
    missing = run("show", demo_template, "parent-01", expect=1)
    assert missing.stderr == (
        f"Error: {demo_template}: unknown transcript 'parent-01'; did you mean 'parent-01-en'? "
        "(see: qualcode transcripts PROJECT)\n"
    )
    outside = run("show", demo_template, "parent-01-en", "--span", "0:6000000", expect=1)
    assert outside.stderr == (
        "Error: parent-01-en: span 0:6000000 is out of range (text has 15101 characters)\n"
    )


def test_an_older_project_listed_is_upgraded_with_a_note(
    run: Cli, demo_template: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "demo.qualcode"
    shutil.copy(demo_template, copy)
    make_old(copy)
    result = run("transcripts", copy)
    assert f"note: {copy} was upgraded from schema version 3" in result.stderr
    assert "parent-01-en" in result.stdout
    assert run("transcripts", copy).stderr == ""


@pytest.mark.parametrize(
    "arguments",
    [
        ("transcripts",),
        ("info",),
        ("show", "parent-01-en", "--span", "0:11"),
        ("codebook",),
        ("cases",),
    ],
)
def test_listing_a_sqlite_project_does_not_load_sqlalchemy(
    demo_template: Path, arguments: tuple[str, ...]
) -> None:
    command, *rest = arguments
    argv = [command, str(demo_template), *rest]
    code = (
        f"import sys\nfrom qualcode.cli import cli\ncli({argv!r}, standalone_mode=False)\n"
        "print('LOADED', *sorted(m for m in sys.modules if m.startswith('sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.count("\n") >= 2  # the listing, then the modules
    assert result.stdout.rstrip().endswith("LOADED")
