"""'Did you mean' suggestions for mistyped names."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils


def closest(name: str, choices: Sequence[str], *, cutoff: float = 70.0) -> str | None:
    """The choice most like ``name`` (case-insensitive WRatio ≥ ``cutoff``), or ``None``."""
    if not choices:
        return None
    found = process.extractOne(
        name, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=cutoff
    )
    return found[0] if found else None
