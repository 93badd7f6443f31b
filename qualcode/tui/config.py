"""Per-user settings in a JSON file in the user config folder (platformdirs):
the coder name remembered per project, a keymap that rebinds keys by binding id, and the
theme. ``QUALCODE_CONFIG`` names another file (tests use it).

    {"coders": {"/home/me/study.qualcode": "anna"},
     "keymap": {"history.undo": "ctrl+u", "transcript.select-turn": "ctrl+t"},
     "theme": "textual-light"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.errors import InputError
from qualcode.files.user_config import CONFIG_ENV as CONFIG_ENV  # where tests look for it
from qualcode.files.user_config import config_path as config_path
from qualcode.files.writing import Existing, write_error, write_file


@dataclass
class UserConfig:
    coders: dict[str, str] = field(default_factory=dict)
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None


def project_key(location: str) -> str:
    """How a project is named in the config: its absolute path, or its URL."""
    return location if "://" in location else str(Path(location).resolve())


def load_config(path: Path | None = None) -> UserConfig:
    """Read the config; a missing file is an empty config. A broken file is an
    :class:`InputError` naming it."""
    path = path or config_path()
    if not path.exists():
        return UserConfig()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read config: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), error.msg, line=error.lineno, column=error.colno) from None
    if not isinstance(raw, dict):
        raise InputError(str(path), "config must be a JSON object")
    coders = raw.get("coders", {})
    keymap = raw.get("keymap", {})
    theme = raw.get("theme")
    for name, value in (("coders", coders), ("keymap", keymap)):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise InputError(str(path), f"{name!r} must map names to strings")
    if theme is not None and not isinstance(theme, str):
        raise InputError(str(path), "'theme' must be a string")
    return UserConfig(dict(coders), dict(keymap), theme)


def save_config(config: UserConfig, path: Path | None = None) -> None:
    path = path or config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(str(path), error, f"cannot create folder {path.parent}") from None
    data = {"coders": config.coders, "keymap": config.keymap}
    if config.theme:
        data["theme"] = config.theme  # type: ignore[assignment]
    # qualcode's own settings file, which the user may also edit by hand: replaced
    # whatever it holds, unlike an export
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_file(path, text, Existing.SETTINGS)


def remembered_coder(location: str, path: Path | None = None) -> str | None:
    return load_config(path).coders.get(project_key(location))


def remember_coder(location: str, coder: str, path: Path | None = None) -> None:
    config = load_config(path)
    key = project_key(location)
    if config.coders.get(key) != coder:
        config.coders[key] = coder
        save_config(config, path)
