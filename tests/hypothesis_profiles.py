"""How many examples the hypothesis properties try, by profile (QUALCODE_HYPOTHESIS_PROFILE):

- ``bounded`` (the default): at most ``BOUND`` examples a property, fresh random ones each run;
- ``ci`` (the default when CI is set): the same bound, derandomized, so that three runs in a
  row try the same examples, and no example database is written;
- ``thorough``: every property tries the number of examples its test asks for
  (``examples(400)`` is 400), for a deliberate long run.

A property states its own number with ``@settings(max_examples=examples(N))``; the profile
caps it (an explicit ``max_examples`` would otherwise override any profile)."""

from __future__ import annotations

import os

from hypothesis import settings

BOUND = 60
PROFILE_ENV = "QUALCODE_HYPOTHESIS_PROFILE"

settings.register_profile("bounded", max_examples=BOUND, deadline=None)
settings.register_profile("ci", max_examples=BOUND, deadline=None, derandomize=True, database=None)
settings.register_profile("thorough", deadline=None)


def profile_name() -> str:
    return os.environ.get(PROFILE_ENV) or ("ci" if os.environ.get("CI") else "bounded")


def load() -> None:
    settings.load_profile(profile_name())


def examples(wanted: int) -> int:
    """``wanted`` under the thorough profile, else at most ``BOUND``."""
    return wanted if profile_name() == "thorough" else min(wanted, BOUND)
