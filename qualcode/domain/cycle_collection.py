"""Pausing Python's cyclic garbage collector around work that makes many objects and no
reference cycles (an agreement report: hundreds of thousands of small values, all freed
by reference counting). The collector would only scan them again and again — about a
third of a large report's time, and a fifth of importing the database layer. Standard
library only, so a command can pause it before its first heavy import."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cyclic collector off for a block, restored after (nested blocks leave it off
    until the outermost ends)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
