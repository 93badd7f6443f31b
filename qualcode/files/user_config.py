"""Where the user's own qualcode files live: the settings file (``config.json``) and,
beside it, the ledger of files qualcode wrote (:mod:`qualcode.files.written_files`).

``QUALCODE_CONFIG`` names another settings file; everything kept beside it follows it
(the test suite gives every process a file of its own, so no test touches the user's).
Otherwise the per-user config folder of the platform (``$XDG_CONFIG_HOME/qualcode`` or
``~/.config/qualcode`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_ENV = "QUALCODE_CONFIG"


def configured_path() -> Path | None:
    """The settings file ``QUALCODE_CONFIG`` names, or None when it names none."""
    configured = os.environ.get(CONFIG_ENV)
    return Path(configured) if configured else None


def config_path() -> Path:
    """The user's settings file (it need not exist yet)."""
    configured = configured_path()
    if configured is not None:
        return configured
    from platformdirs import user_config_path

    return user_config_path("qualcode", appauthor=False) / "config.json"
