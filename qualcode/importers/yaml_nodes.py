"""PyYAML node-tree helpers shared by the codebook and cases-file importers.

Files are composed into nodes (never constructed into Python objects), so every check can
point at the line and column of the node it is about, and scalars are read as the text the
user wrote.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence

import yaml

from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.text_entry import MAX_NESTING, check_encodable, enter_name, enter_text

_NULL_TAG = "tag:yaml.org,2002:null"

# (key node, value node) for each field of a mapping, by key text.
Fields = dict[str, tuple[yaml.ScalarNode, yaml.Node]]


def error_at(source: str, node: yaml.Node, reason: str) -> InputError:
    """An ``InputError`` pointing at the start of ``node`` (1-based line and column)."""
    mark = node.start_mark
    return InputError(source, reason, line=mark.line + 1, column=mark.column + 1)


class _TooDeep(yaml.composer.ComposerError):
    """Lists and mappings nested deeper than ``MAX_NESTING``."""


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader refusing lists and mappings nested deeper than ``MAX_NESTING``.

    PyYAML composes nested nodes recursively; counting the depth here turns a deeply
    nested document into one located error instead of a ``RecursionError``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in stubs
                raise _TooDeep(
                    None,
                    None,
                    f"lists and mappings are nested more than {MAX_NESTING} levels deep",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _ScalarAliasLoader(_DepthLimitedLoader):
    """SafeLoader refusing aliases (``*name``) of lists and mappings.

    A reused list or mapping can form a cycle or grow a tree exponentially; refusing it at
    the alias itself lets the error point where the alias is written."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in stubs
            anchor = getattr(event, "anchor", None)
            if anchor in self.anchors and not isinstance(self.anchors[anchor], yaml.ScalarNode):
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"alias *{anchor} repeats a list or mapping; write it out instead",
                    event.start_mark,
                )
        return super().compose_node(parent, index)


def compose_yaml(text: str, source: str, *, collection_aliases: bool = True) -> yaml.Node:
    """Compose a single YAML document into its node tree.

    Syntax errors become ``InputError`` at the problem's position; an empty document
    (nothing but blanks and comments) is an error too. With ``collection_aliases=False``
    an alias may only repeat a scalar. Nesting deeper than ``MAX_NESTING`` lists and
    mappings is a ``LimitError``."""
    loader = _DepthLimitedLoader if collection_aliases else _ScalarAliasLoader
    try:
        node = yaml.compose(text, Loader=loader)
    except _TooDeep as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise LimitError(source, str(exc.problem), line=line, column=column) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise LimitError(source, "lists and mappings are nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:
            reason = f"{exc.problem} ({exc.context})"
        reason = " ".join(reason.split())
        if mark is None:
            raise InputError(source, reason) from None
        raise InputError(source, reason, line=mark.line + 1, column=mark.column + 1) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        reason = f"{exc.reason} (U+{char:04X})"
        raise InputError(source, reason, line=line, column=column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises the two kinds above
        raise InputError(source, " ".join(str(exc).split())) from None
    if node is None:
        raise InputError(source, "the file is empty", line=1, column=1)
    return node


def is_null(node: yaml.Node) -> bool:
    """True for ``~``, ``null`` or a missing value; a quoted ``"null"`` is text."""
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def kind_of(node: yaml.Node) -> str:
    """How to name a node's kind in an error message."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "null" if is_null(node) else "text"


def scalar_text(source: str, node: yaml.Node, what: str) -> str:
    """The text of a scalar as written (numbers and booleans stay strings), in NFC;
    a lone surrogate (a ``"\\uD800"`` escape) is an ``InputError`` at the node."""
    if not isinstance(node, yaml.ScalarNode) or is_null(node):
        raise error_at(source, node, f"{what} must be text, not {kind_of(node)}")
    value = str(node.value)
    mark = node.start_mark
    check_encodable(value, source, line=mark.line + 1, column=mark.column + 1)
    return unicodedata.normalize("NFC", value)


def name_text(source: str, node: yaml.Node, what: str) -> str:
    """A scalar that is a name, spaces around it dropped, by the identifier rule of
    :mod:`qualcode.domain.text_entry`, located at the node."""
    mark = node.start_mark
    value = scalar_text(source, node, what).strip()
    return enter_name(value, source, line=mark.line + 1, column=mark.column + 1)


def long_text(source: str, node: yaml.Node, what: str) -> str | None:
    """An optional long-text field (description, memo) by the long-text rule of
    :mod:`qualcode.domain.text_entry`; ``null`` means absent."""
    if is_null(node):
        return None
    mark = node.start_mark
    value = scalar_text(source, node, what)
    return enter_text(value, source, line=mark.line + 1, column=mark.column + 1)


def optional_text(source: str, node: yaml.Node, what: str) -> str | None:
    """Like ``scalar_text`` but ``null`` means absent."""
    return None if is_null(node) else scalar_text(source, node, what)


def read_mapping(
    source: str, node: yaml.Node, what: str, allowed: Sequence[str] | None = None
) -> Fields:
    """The fields of a mapping node, checking for non-text keys, duplicate keys and,
    when ``allowed`` is given, unknown keys (with a "did you mean" hint)."""
    if not isinstance(node, yaml.MappingNode):
        raise error_at(source, node, f"{what} must be a mapping, not {kind_of(node)}")
    fields: Fields = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or is_null(key):
            raise error_at(source, key, f"keys in {what} must be text, not {kind_of(key)}")
        name = str(key.value)
        mark = key.start_mark
        check_encodable(name, source, line=mark.line + 1, column=mark.column + 1)
        if name in fields:
            first = fields[name][0].start_mark.line + 1
            raise error_at(source, key, f"duplicate key {name!r} (first on line {first})")
        if allowed is not None and name not in allowed:
            raise error_at(source, key, unknown_key_reason(name, what, allowed))
        fields[name] = (key, value)
    return fields


def unknown_key_reason(name: str, what: str, allowed: Sequence[str], noun: str = "field") -> str:
    """``unknown field 'color' in a code; did you mean 'colour'? (allowed: ...)``."""
    reason = f"unknown {noun} {name!r} in {what}"
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.7)
    if close:
        reason += f"; did you mean {close[0]!r}?"
    return f"{reason} (allowed: {', '.join(allowed)})"


def read_sequence(source: str, node: yaml.Node, what: str) -> list[yaml.Node]:
    """The items of a list node; ``null`` is an empty list."""
    if is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise error_at(source, node, f"{what} must be a list, not {kind_of(node)}")
    return list(node.value)
