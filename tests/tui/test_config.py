"""The user config: coder names remembered per project, keymap, theme; broken files
are one-line errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.domain.errors import InputError
from qualcode.tui import config


def test_coder_is_remembered_per_project(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.json"  # the folder is created on first save
    study, other = tmp_path / "study.qualcode", tmp_path / "other.qualcode"
    assert config.remembered_coder(str(study), path) is None
    config.remember_coder(str(study), "anna", path)
    config.remember_coder(str(other), "bo", path)
    assert config.project_key(str(study)) == str(study.resolve())
    assert config.remembered_coder(str(study), path) == "anna"
    assert config.remembered_coder(str(other), path) == "bo"
    assert json.loads(path.read_text())["coders"] == {
        str(study.resolve()): "anna",
        str(other.resolve()): "bo",
    }


def test_urls_are_kept_as_given(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    url = "postgresql+psycopg://me@db/study"
    config.remember_coder(url, "anna", path)
    assert config.remembered_coder(url, path) == "anna"


def test_keymap_and_theme_survive_remembering_a_coder(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"keymap": {"history.undo": "ctrl+u"}, "theme": "nord"}')
    config.remember_coder(str(tmp_path / "p.qualcode"), "anna", path)
    loaded = config.load_config(path)
    assert (loaded.keymap, loaded.theme) == ({"history.undo": "ctrl+u"}, "nord")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"config\.json:1:2: Expecting property name"),  # names line and column
        ("[1, 2]", "must be a JSON object"),
        ('{"keymap": {"history.undo": 5}}', "'keymap' must map names to strings"),
        ('{"theme": 3}', "'theme' must be a string"),
    ],
)
def test_a_broken_config_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        config.load_config(path)


def test_the_environment_names_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.CONFIG_ENV, str(tmp_path / "mine.json"))
    assert config.config_path() == tmp_path / "mine.json"
