"""Which codings of each compared coder an agreement report compares, by origin.

A coding is *suggested* when it was accepted from ``qualcode suggest`` and *human*
otherwise. ``--origin`` takes ``ORIGIN`` (every compared coder) or ``CODER=ORIGIN`` (that
coder; the others keep all their codings unless named too). What a researcher usually
asks — do the suggestions a coder accepted agree with another coder's own coding? — is
``--origin anna=suggested --origin bo=human``. A bare ``ORIGIN`` and ``CODER=ORIGIN``
may be combined: the coder's own wins (``--origin human --origin anna=suggested``).
"""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.domain.errors import FieldError
from qualcode.domain.suggestions import HUMAN, ORIGINS, SUGGESTED

ALL = "all"
"""A coder whose codings are not filtered, as reports name it beside filtered ones."""

Origins = tuple[tuple[str, str], ...]
"""Each compared coder and the origin of the codings compared (:data:`HUMAN`,
:data:`SUGGESTED` or :data:`ALL`), in the coders' order; empty: no filter."""

DESCRIBED = {
    HUMAN: "codings made by hand only",
    SUGGESTED: "accepted suggestions only",
    ALL: "all codings",
}


def split_origin(value: str) -> tuple[str | None, str]:
    """``"anna=suggested"`` → ``("anna", "suggested")``; ``"human"`` → ``(None,
    "human")``. The origin is checked (a :class:`FieldError` for ``origin``), the coder
    name only stripped."""
    coder, equals, origin = value.rpartition("=")
    origin = origin.strip().lower()
    if origin not in ORIGINS:
        choices = " or ".join(ORIGINS)
        raise FieldError(
            "origin", f"unknown origin {origin!r} in {value!r}; use {choices}, or CODER=ORIGIN"
        )
    if not equals:
        return None, origin
    name = coder.strip()
    if not name:
        raise FieldError("origin", f"no coder before '=' in {value!r}")
    return name, origin


def parse_origins(values: Sequence[str], coders: Sequence[str]) -> Origins:
    """Each of ``coders`` with the origin of its codings to compare, from ``--origin``
    values (see the module); empty when none is given. A :class:`FieldError` for
    ``origin`` when a value names an unknown origin, a coder who is not compared, or the
    same coder (or every coder) twice."""
    every: str | None = None
    own: dict[str, str] = {}
    for value in values:
        coder, origin = split_origin(value)
        if coder is None:
            if every is not None:
                raise FieldError("origin", "give one origin for every coder, not two")
            every = origin
            continue
        if coder not in coders:
            listed = ", ".join(coders)
            raise FieldError("origin", f"{coder!r} is not a compared coder ({listed})")
        if coder in own:
            raise FieldError("origin", f"coder {coder!r} is given an origin twice")
        own[coder] = origin
    if every is None and not own:
        return ()
    return tuple((coder, own.get(coder, every or ALL)) for coder in coders)


def origin_text(origins: Origins) -> str:
    """``codings compared: anna: accepted suggestions only; bo: all codings`` (headers
    and notes); empty without a filter."""
    if not origins:
        return ""
    return "codings compared: " + "; ".join(
        f"{coder}: {DESCRIBED[origin]}" for coder, origin in origins
    )


def origin_rule(origins: Origins, missing: Sequence[str] = ()) -> str:
    """The rules line saying what was compared; empty without a filter. ``missing``:
    coders the filter left with no coding in the compared transcripts (named, since
    their "agreement" is with an empty coding)."""
    if not origins:
        return ""
    rule = (
        f"By origin (--origin), {origin_text(origins)}. An accepted suggestion is a "
        "coding accepted from `qualcode suggest`; every other coding is made by hand. "
        "Which transcripts are compared does not change (finished is judged on all codings)."
    )
    if all(origin == SUGGESTED for _, origin in origins):
        rule += (
            " Every coder's accepted suggestions are compared with each other's: whether "
            "they accepted the same suggestions, not suggestions against a coder's own "
            "coding (for that: --origin CODER=suggested --origin OTHER=human)."
        )
    wanted = dict(origins)
    for coder in missing:
        found = DESCRIBED[wanted[coder]].removesuffix(" only")
        rule += f" {coder} has no {found} in the compared transcripts."
    return rule
