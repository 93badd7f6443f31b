"""The codebook: a tree of codes, addressed by path ("continuity/meeting the child")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qualcode.domain.text_entry import name_key

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
class StoredCode:
    """A code of a project's codebook. ``path`` joins the names from the root with ``/``."""

    id: int
    path: str
    parent_id: int | None
    spec: CodeSpec


def join_path(parent: str | None, name: str) -> str:
    return name if not parent else f"{parent}{PATH_SEPARATOR}{name}"


def split_path(path: str) -> list[str]:
    """Split a code path, ignoring spaces around separators and empty parts."""
    return [part.strip() for part in path.split(PATH_SEPARATOR) if part.strip()]


def path_key(path: str) -> str:
    """The form in which two code paths are compared: each name's ``name_key`` (NFC,
    case folded, whitespace runs as one space), so paths that look alike are equal."""
    return PATH_SEPARATOR.join(name_key(part) for part in split_path(path))


def walk(codes: tuple[CodeSpec, ...], parent: str | None = None) -> Iterator[tuple[str, CodeSpec]]:
    """Depth-first (path, spec) pairs, parents before children."""
    for spec in codes:
        path = join_path(parent, spec.name)
        yield path, spec
        yield from walk(spec.children, path)


def code_tree(rows: Iterable[tuple[int, int | None, CodeSpec]]) -> list[StoredCode]:
    """Stored codes from ``(id, parent id, spec)`` rows in sibling order: parents before
    their children, depth first, each with its path."""
    children: dict[int | None, list[tuple[int, CodeSpec]]] = {}
    for code_id, parent_id, spec in rows:
        children.setdefault(parent_id, []).append((code_id, spec))
    result: list[StoredCode] = []

    def visit(parent_id: int | None, parent_path: str | None) -> None:
        for code_id, spec in children.get(parent_id, []):
            path = join_path(parent_path, spec.name)
            result.append(StoredCode(code_id, path, parent_id, spec))
            visit(code_id, path)

    visit(None, None)
    return result
