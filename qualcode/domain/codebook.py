"""The codebook: a tree of codes, addressed by path ("continuity/meeting the child")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

PATH_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """A code as written in a codebook file, with its children."""

    name: str
    label_da: str | None = None
    description: str | None = None
    inclusion: str | None = None
    exclusion: str | None = None
    example: str | None = None
    colour: str | None = None
    shortcut: str | None = None
    keywords: tuple[str, ...] = ()
    children: tuple[CodeSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Codebook:
    """A whole codebook: a name and its top-level codes (themes)."""

    name: str | None
    codes: tuple[CodeSpec, ...]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Code:
    """A stored code. ``path`` joins the names from the root with ``/``."""

    id: int
    path: str
    parent_id: int | None
    spec: CodeSpec = field(compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR)


def join_path(parent: str | None, name: str) -> str:
    return name if not parent else f"{parent}{PATH_SEPARATOR}{name}"


def split_path(path: str) -> list[str]:
    """Split a code path, ignoring spaces around separators and empty parts."""
    return [part.strip() for part in path.split(PATH_SEPARATOR) if part.strip()]


def walk(codes: tuple[CodeSpec, ...], parent: str | None = None) -> Iterator[tuple[str, CodeSpec]]:
    """Depth-first (path, spec) pairs, parents before children."""
    for spec in codes:
        path = join_path(parent, spec.name)
        yield path, spec
        yield from walk(spec.children, path)
