"""The codebook: a tree of codes, addressed by path ("continuity/meeting the child").

A name is stored exactly as given (``Sted/Ærø`` from another tool stays ``Sted/Ærø``);
in a path, a ``/`` inside a name is written ``\\/`` and a backslash ``\\\\``, so
``Steder/Sted\\/Ærø`` is the code ``Sted/Ærø`` under ``Steder``. A backslash before any
other character is taken as written, so paths typed without escapes read as before."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from qualcode.domain.text_entry import name_key

PATH_SEPARATOR = "/"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """A code as written in a codebook file, with its children. ``codable`` false: a
    heading that groups codes and cannot itself be applied (REFI-QDA ``isCodable``)."""

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
    codable: bool = True


@dataclass(frozen=True, slots=True)
class Codebook:
    """A whole codebook: a name and its top-level codes (themes)."""

    name: str | None
    codes: tuple[CodeSpec, ...]
    description: str | None = None


# The fields of a code a codebook file may give or leave out (name and children are how a
# file addresses codes; ``codable`` is REFI-QDA's and no YAML field).
DEFINITION_FIELDS = (
    "label_da",
    "description",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "shortcut",
    "keywords",
)


@dataclass(frozen=True, slots=True)
class CodebookFile:
    """A codebook as read from a file, with which fields the file wrote. ``given`` maps
    each code's path (:func:`join_path` of the names) to the :data:`DEFINITION_FIELDS`
    its entry wrote, an empty value included; ``codebook_given`` names the codebook's own
    fields ("name", "description") the file wrote."""

    codebook: Codebook
    given: Mapping[str, frozenset[str]] = field(default_factory=dict)
    codebook_given: frozenset[str] = frozenset()


def merge_spec(stored: CodeSpec, incoming: CodeSpec, given: Collection[str]) -> CodeSpec:
    """A stored code after merging a file's entry for it: each field the entry wrote takes
    the entry's value (an empty one clears it), each field it left out keeps the stored
    value. The name is the entry's (it matched the stored one by ``path_key``), children
    are dropped (they merge one by one) and ``codable`` stays as stored."""
    kept: dict[str, Any] = {
        name: getattr(stored, name) for name in DEFINITION_FIELDS if name not in given
    }
    return replace(incoming, children=(), codable=stored.codable, **kept)


@dataclass(frozen=True, slots=True)
class StoredCode:
    """A code of a project's codebook. ``path`` joins the names from the root with ``/``."""

    id: int
    path: str
    parent_id: int | None
    spec: CodeSpec


def escape_name(name: str) -> str:
    """A code name as one part of a path: ``\\`` and ``/`` escaped with a backslash."""
    if "/" not in name and "\\" not in name:
        return name
    return name.replace("\\", "\\\\").replace("/", "\\/")


def join_path(parent: str | None, name: str) -> str:
    return escape_name(name) if not parent else f"{parent}{PATH_SEPARATOR}{escape_name(name)}"


def split_path(path: str) -> list[str]:
    """Split a code path into names (escapes undone), ignoring spaces around separators
    and empty parts."""
    if "\\" not in path:
        return [part.strip() for part in path.split(PATH_SEPARATOR) if part.strip()]
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(path):
        char = path[index]
        following = path[index + 1] if index + 1 < len(path) else ""
        if char == "\\" and following in ("\\", PATH_SEPARATOR):
            current.append(following)
            index += 2
            continue
        if char == PATH_SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def path_depth(path: str) -> int:
    """How deep a code sits: 0 for a top-level code (a ``/`` inside a name not counted)."""
    return max(len(split_path(path)) - 1, 0) if "\\" in path else path.count(PATH_SEPARATOR)


def parent_path(path: str) -> str | None:
    """The path of a code's parent (``None`` for a top-level code)."""
    parts = split_path(path)
    if len(parts) < 2:
        return None
    return PATH_SEPARATOR.join(escape_name(part) for part in parts[:-1])


def path_key(path: str) -> str:
    """The form in which two code paths are compared: each name's ``name_key`` (NFC,
    case folded, whitespace runs as one space), so paths that look alike are equal."""
    return PATH_SEPARATOR.join(escape_name(name_key(part)) for part in split_path(path))


def walk(codes: tuple[CodeSpec, ...], parent: str | None = None) -> Iterator[tuple[str, CodeSpec]]:
    """Depth-first (path, spec) pairs, parents before children (iterative: any depth)."""
    stack: list[tuple[str | None, tuple[CodeSpec, ...], int]] = [(parent, codes, 0)]
    while stack:
        parent_path, siblings, index = stack.pop()
        if index >= len(siblings):
            continue
        spec = siblings[index]
        path = join_path(parent_path, spec.name)
        yield path, spec
        stack.append((parent_path, siblings, index + 1))
        stack.append((path, spec.children, 0))


def code_depth(codes: Iterable[StoredCode], code_id: int | None) -> int:
    """How deep a code sits (a top-level code is 1; ``None``, the root, is 0). A parent
    missing from ``codes`` ends the count; a cycle cannot loop."""
    parents = {code.id: code.parent_id for code in codes}
    depth = 0
    seen: set[int] = set()
    while code_id is not None and code_id not in seen:
        seen.add(code_id)
        depth += 1
        code_id = parents.get(code_id)
    return depth


def subtree_height(codes: Iterable[StoredCode], code_id: int) -> int:
    """Levels from a code down to its deepest descendant (a code without children is 1)."""
    children: dict[int | None, list[int]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code.id)
    height = 0
    level = [code_id]
    seen: set[int] = set()
    while level:
        height += 1
        seen.update(level)
        level = [c for parent in level for c in children.get(parent, []) if c not in seen]
    return height


def nest(codes: list[StoredCode], make: Callable[[StoredCode, tuple[T, ...]], T]) -> tuple[T, ...]:
    """The top-level nodes of a tree built from ``codes`` (as :func:`code_tree` returns
    them: parents before children) by ``make(code, its built children)``. Built bottom-up
    without recursion, so any depth works."""
    built: dict[int | None, list[T]] = {}
    for code in reversed(codes):  # children come after their parent: build them first
        node = make(code, tuple(reversed(built.pop(code.id, []))))
        built.setdefault(code.parent_id, []).append(node)
    return tuple(reversed(built.get(None, [])))


def code_tree(rows: Iterable[tuple[int, int | None, CodeSpec]]) -> list[StoredCode]:
    """Stored codes from ``(id, parent id, spec)`` rows in sibling order: parents before
    their children, depth first, each with its path. Iterative, so a deep tree (from a
    hostile backup or an old project) cannot exhaust the stack; rows in a cycle or under
    a missing parent are left out."""
    children: dict[int | None, list[tuple[int, CodeSpec]]] = {}
    for code_id, parent_id, spec in rows:
        children.setdefault(parent_id, []).append((code_id, spec))
    result: list[StoredCode] = []
    stack: list[tuple[int | None, str | None, int]] = [(None, None, 0)]
    while stack:
        parent_id, parent_path, index = stack.pop()
        siblings = children.get(parent_id, [])
        if index >= len(siblings):
            continue
        code_id, spec = siblings[index]
        path = join_path(parent_path, spec.name)
        result.append(StoredCode(code_id, path, parent_id, spec))
        stack.append((parent_id, parent_path, index + 1))
        stack.append((code_id, path, 0))
    return result
