"""A researcher's day from the command line, on the real sample transcripts."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import CODEBOOKS, TRANSCRIPTS, Cli, write

ALL_TRANSCRIPTS = sorted(
    p for p in TRANSCRIPTS.iterdir() if p.suffix in {".txt", ".md", ".docx", ".vtt", ".srt"}
)


@pytest.fixture
def study(location: str, run: Cli) -> str:
    """A project on each backend (SQLite file, PostgreSQL database) with every sample
    transcript and the family-collaboration codebook."""
    run("init", location)
    run("import", location, *ALL_TRANSCRIPTS)
    run("codebook", location, "import", CODEBOOKS / "family-collaboration.yaml")
    return location


def test_import_reports_normalisation_per_file(tmp_path: Path, run: Cli) -> None:
    path = tmp_path / "p.qualcode"
    run("init", path)
    result = run("import", path, *ALL_TRANSCRIPTS, "--format", "json")
    by_name = {o["name"]: o for o in json.loads(result.stdout)}
    assert len(by_name) == len(ALL_TRANSCRIPTS) >= 8
    assert by_name["parent-03-da"]["encoding"] == "windows-1252"
    assert any("CRLF" in note for note in by_name["parent-03-da"]["notes"])
    assert by_name["focus-group-01-en"]["encoding"] == "utf-8-sig"
    assert "BOM stripped" in by_name["focus-group-01-en"]["notes"]
    assert all(o["status"] == "imported" and o["turns"] > 10 for o in by_name.values())


def test_danish_windows_file_is_stored_exactly(study: str, run: Cli) -> None:
    raw = (TRANSCRIPTS / "parent-03-da.txt").read_bytes().decode("cp1252")
    expected = unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    shown = run("show", study, "parent-03-da").stdout
    assert shown == expected
    assert any(letter in shown for letter in "æøå")


def test_typographic_characters_survive(study: str, run: Cli) -> None:
    source = (TRANSCRIPTS / "parent-01-en.txt").read_text(encoding="utf-8")
    shown = run("show", study, "parent-01-en").stdout
    for char in "’“”–":
        assert shown.count(char) == source.count(char) > 0


def test_transcripts_listing(study: str, run: Cli) -> None:
    listed = json.loads(run("transcripts", study, "--format", "json").stdout)
    fg = next(t for t in listed if t["name"] == "focus-group-01-en")
    assert fg["speakers"] == ["Moderator", "Anne", "Bilal", "Carla", "Dev"]
    assert all(t["words"] >= 1500 for t in listed)
    table = run("transcripts", study).stdout
    assert table.splitlines()[0].split() == [
        "name",
        "characters",
        "words",
        "turns",
        "speakers",
        "case",
        "language",
    ]


def test_show_span_prints_exactly_those_code_points(study: str, run: Cli) -> None:
    full = run("show", study, "parent-04-da").stdout
    assert run("show", study, "parent-04-da", "--span", "5:60").stdout == full[5:60] + "\n"


def test_cases_with_typed_attributes_and_speaker_cases(study: str, run: Cli) -> None:
    run("cases", study, "import", TRANSCRIPTS / "cases.csv")
    cases = {c["case"]: c for c in json.loads(run("cases", study, "--format", "json").stdout)}
    family = cases["Family 01"]
    assert family["assignments"][0]["transcript"] == "parent-01-en"
    assert set(family["attributes"]) >= {"child_age_group", "cost_level", "municipality_size"}
    anne = cases["Caseworker Anne"]
    text = run("show", study, "focus-group-01-en").stdout
    turns = run("show", study, "focus-group-01-en", "--turns").stdout
    anne_turns = sum(1 for line in turns.splitlines() if "  Anne  " in line)
    assert len(anne["assignments"]) == anne_turns > 0
    for assignment in anne["assignments"]:
        assert assignment["speaker"] == "Anne"
        before = text[: assignment["start"]].rstrip(" ")
        assert before.endswith("Anne:")


def test_codebook_round_trip_is_stable(study: str, tmp_path: Path, run: Cli) -> None:
    exported = run("codebook", study, "export").stdout
    again = run("codebook", study, "import", write(tmp_path / "cb.yaml", exported)).stdout
    assert "0 codes created, 0 updated" in again
    assert run("codebook", study, "export").stdout == exported
    tree = run("codebook", study).stdout
    assert "continuity" in tree
    assert "\n  " in tree  # sub-codes indented under their theme


def test_code_by_span_turn_and_quote(study: str, run: Cli) -> None:
    text = run("show", study, "parent-01-en").stdout
    by_span = json.loads(
        run(
            "code",
            study,
            "parent-01-en",
            "continuity",
            "--coder",
            "anna",
            "--span",
            "13:60",
            "--format",
            "json",
        ).stdout
    )
    assert by_span["text"] == text[13:60]
    by_turn = json.loads(
        run(
            "code",
            study,
            "parent-01-en",
            "recognition",
            "--coder",
            "anna",
            "--turn",
            "2",
            "--format",
            "json",
        ).stdout
    )
    second_turn = text.split("\n\n")[1]
    assert second_turn.split(": ", 1)[1].startswith(by_turn["text"][:30])
    passage = by_turn["text"][:200]
    words = passage.split()
    quote = " ".join(words[:6]) + " (…) " + " ".join(words[-6:])
    by_quote = json.loads(
        run(
            "code",
            study,
            "parent-01-en",
            "openness",
            "--coder",
            "bo",
            "--quote",
            quote,
            "--format",
            "json",
        ).stdout
    )
    assert by_quote["score"] >= 85
    assert by_quote["start"] == by_turn["start"]
    assert text[by_quote["start"] : by_quote["end"]] == by_quote["text"]


def test_subcode_path_and_listing_filters(study: str, run: Cli) -> None:
    tree = run("codebook", study, "export").stdout
    assert "meeting the child" in tree
    run(
        "code",
        study,
        "parent-01-en",
        "continuity/meeting the child",
        "--coder",
        "anna",
        "--span",
        "100:150",
    )
    run("code", study, "parent-03-da", "openness", "--coder", "bo", "--span", "10:20")
    listed = json.loads(run("codings", study, "--code", "continuity", "--format", "json").stdout)
    assert [c["code"] for c in listed] == ["continuity/meeting the child"]
    assert (
        json.loads(run("codings", study, "--coder", "bo", "--format", "json").stdout)[0][
            "transcript"
        ]
        == "parent-03-da"
    )


def test_codings_export_import_round_trip(study: str, tmp_path: Path, run: Cli) -> None:
    for start in range(0, 500, 50):
        run(
            "code",
            study,
            "parent-03-da",
            "accessibility",
            "--coder",
            "anna",
            "--span",
            f"{start}:{start + 70}",
        )
    run(
        "code",
        study,
        "focus-group-02-da",
        "recognition",
        "--coder",
        "bo",
        "--turn",
        "3",
        "--memo",
        "stærk, men “tvetydig”",
    )
    exported = run("codings", study, "--format", "csv").stdout
    assert len(list(csv.reader(io.StringIO(exported)))) == 12
    fresh = tmp_path / "fresh.qualcode"
    run("init", fresh)
    run("import", fresh, *ALL_TRANSCRIPTS)
    run("codebook", fresh, "import", CODEBOOKS / "family-collaboration.yaml")
    run("codings", fresh, "import", write(tmp_path / "codings.csv", exported))

    # Every field comes back identical; ids are assigned by the importing project.
    def without_ids(text: str) -> list[list[str]]:
        return [row[1:] for row in csv.reader(io.StringIO(text))]

    again = run("codings", fresh, "--format", "csv").stdout
    assert without_ids(again) == without_ids(exported)
    run("codings", fresh, "import", write(tmp_path / "again.csv", again))
    assert len(without_ids(run("codings", fresh, "--format", "csv").stdout)) == 23


def test_uncode_and_memo(study: str, run: Cli) -> None:
    first = json.loads(
        run(
            "code",
            study,
            "parent-01-en",
            "openness",
            "--coder",
            "anna",
            "--span",
            "0:30",
            "--format",
            "json",
        ).stdout
    )
    run("code", study, "parent-01-en", "openness", "--coder", "anna", "--span", "40:90")
    run("memo", study, "a telling moment", "--coding", str(first["id"]))
    listed = json.loads(run("codings", study, "--format", "json").stdout)
    assert listed[0]["memo"] == "a telling moment"
    run("uncode", study, "--id", str(first["id"]))
    run("uncode", study, "parent-01-en", "openness", "--coder", "anna", "--span", "40:90")
    assert json.loads(run("codings", study, "--format", "json").stdout) == []
    run("memo", study, "themes feel saturated", "--code", "openness")
    actions = [e["action"] for e in json.loads(run("log", study, "--format", "json").stdout)]
    # a coding's memo is the same event from here as from the workspace: coding_memo
    assert actions[:6] == ["memo", "remove", "remove", "coding_memo", "apply", "apply"]


def test_demo_builds_a_project_with_two_coders(tmp_path: Path, run: Cli) -> None:
    location = tmp_path / "demo.qualcode"
    result = run("demo", "--path", location, "--no-open")
    assert "transcripts  " in result.stdout
    summary = json.loads(run("info", location, "--format", "json").stdout)
    assert summary["transcripts"] >= 8
    assert summary["codes"] >= 12
    assert summary["cases"] >= 10
    assert len(summary["coder_names"]) == 2
    assert summary["codings"] > 50


def test_opening_a_project_by_name_alone(study: str, run: Cli) -> None:
    # CliRunner is not a terminal, so the workspace is not launched: the summary is printed
    result = run(study, "--coder", "anna")
    assert "transcripts  8" in result.stdout
    assert "not a terminal" in result.stderr
    assert "transcripts  8" in run("info", study).stdout


def test_mark_done_per_coder(study: str, run: Cli) -> None:
    from qualcode.services.project import open_project
    from qualcode.services.status import done_marks

    run("done", study, "parent-01-en", "--coder", "anna")
    run("done", study, "parent-01-en", "--coder", "bo")
    run("done", study, "parent-01-en", "--coder", "bo", "--undo")
    assert done_marks(open_project(study)) == {"parent-01-en": {"anna"}}
    result = run("done", study, "nope", "--coder", "anna", expect=1)
    assert "unknown transcript 'nope'" in result.stderr
