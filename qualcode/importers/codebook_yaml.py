"""Codebook YAML file -> ``Codebook``, with every mistake located by line and column.

The file is composed into PyYAML's node tree (never constructed into Python objects), so
each check can point at the node it is about, and every scalar is read as the text the
user wrote: ``shortcut: 1`` is the string ``"1"``, ``name: yes`` is ``"yes"``. A ``null``
(``~``, ``null`` or nothing) in an optional field means the field is absent.

The small node helpers at the top (``compose_yaml``, ``read_mapping``, ...) are shared with
the cases-file importer.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from qualcode.domain.codebook import PATH_SEPARATOR, Codebook, CodeSpec
from qualcode.domain.errors import InputError

CODEBOOK_FIELDS = ("name", "description", "codes")
CODE_FIELDS = (
    "name",
    "label_da",
    "description",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "shortcut",
    "keywords",
    "children",
)
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_NULL_TAG = "tag:yaml.org,2002:null"

# (key node, value node) for each field of a mapping, by key text.
Fields = dict[str, tuple[yaml.ScalarNode, yaml.Node]]


def error_at(source: str, node: yaml.Node, reason: str) -> InputError:
    """An ``InputError`` pointing at the start of ``node`` (1-based line and column)."""
    mark = node.start_mark
    return InputError(source, reason, line=mark.line + 1, column=mark.column + 1)


class _ScalarAliasLoader(yaml.SafeLoader):
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
    an alias may only repeat a scalar."""
    loader = yaml.SafeLoader if collection_aliases else _ScalarAliasLoader
    try:
        node = yaml.compose(text, Loader=loader)
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
    """The text of a scalar exactly as written (numbers and booleans stay strings)."""
    if not isinstance(node, yaml.ScalarNode) or is_null(node):
        raise error_at(source, node, f"{what} must be text, not {kind_of(node)}")
    return str(node.value)


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


def load_codebook(path: Path) -> Codebook:
    """Read a codebook YAML file (UTF-8, BOM allowed). Raises ``InputError``."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(source, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, "not valid UTF-8", offset=exc.start) from None
    return parse_codebook(text, source)


def parse_codebook(text: str, source: str) -> Codebook:
    """Parse and validate codebook YAML text; ``source`` names it in errors.

    Raises ``InputError`` at the first problem, located at the offending node."""
    return _CodebookReader(text, source).read()


class _CodebookReader:
    """One validation pass; collects the shortcuts used anywhere in the tree."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.shortcut_nodes: list[tuple[str, yaml.Node]] = []  # every shortcut given

    def read(self) -> Codebook:
        root = compose_yaml(self.text, self.source, collection_aliases=False)
        if not isinstance(root, yaml.MappingNode):
            raise error_at(
                self.source, root, f"a codebook must be a mapping with 'codes', not {kind_of(root)}"
            )
        fields = read_mapping(self.source, root, "the codebook", CODEBOOK_FIELDS)
        if "codes" not in fields:
            raise error_at(self.source, root, "missing field 'codes' (the list of codes)")
        name = self._text_field(fields, "name")
        description = self._text_field(fields, "description")
        codes = self._read_codes(fields["codes"][1], "codes")
        self._check_shortcuts_unique()
        return Codebook(name=name, codes=codes, description=description)

    def _text_field(self, fields: Fields, field: str) -> str | None:
        if field not in fields:
            return None
        return optional_text(self.source, fields[field][1], field)

    def _read_codes(self, node: yaml.Node, what: str) -> tuple[CodeSpec, ...]:
        items = read_sequence(self.source, node, what)
        codes: list[CodeSpec] = []
        first_line: dict[str, int] = {}
        for item in items:
            code, name_node = self._read_code(item)
            key = code.name.casefold()
            if key in first_line:
                raise error_at(
                    self.source,
                    name_node,
                    f"duplicate code name {code.name!r} among siblings"
                    f" (first on line {first_line[key]})",
                )
            first_line[key] = name_node.start_mark.line + 1
            codes.append(code)
        return tuple(codes)

    def _read_code(self, node: yaml.Node) -> tuple[CodeSpec, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise error_at(
                self.source, node, f"each code must be a mapping with a name, not {kind_of(node)}"
            )
        fields = read_mapping(self.source, node, "a code", CODE_FIELDS)
        if "name" not in fields:
            raise error_at(self.source, node, "code is missing its 'name'")
        name_node = fields["name"][1]
        name = self._read_name(name_node)
        colour = self._read_colour(fields)
        shortcut = self._read_shortcut(fields)
        keywords = self._read_keywords(fields)
        children: tuple[CodeSpec, ...] = ()
        if "children" in fields:
            children = self._read_codes(fields["children"][1], "children")
        spec = CodeSpec(
            name=name,
            label_da=self._text_field(fields, "label_da"),
            description=self._text_field(fields, "description"),
            inclusion=self._text_field(fields, "inclusion"),
            exclusion=self._text_field(fields, "exclusion"),
            example=self._text_field(fields, "example"),
            colour=colour,
            shortcut=shortcut,
            keywords=keywords,
            children=children,
        )
        return spec, name_node

    def _read_name(self, node: yaml.Node) -> str:
        if is_null(node):
            raise error_at(self.source, node, "code name is empty")
        name = scalar_text(self.source, node, "name")
        if not name.strip():
            raise error_at(self.source, node, "code name is empty")
        if name != name.strip():
            raise error_at(self.source, node, f"code name {name!r} starts or ends with spaces")
        if PATH_SEPARATOR in name:
            raise error_at(self.source, node, f"code name {name!r} contains {PATH_SEPARATOR!r}")
        if any(char in name for char in "\r\n\x85\u2028\u2029"):
            raise error_at(self.source, node, f"code name {name!r} spans several lines")
        return name

    def _read_colour(self, fields: Fields) -> str | None:
        if "colour" not in fields:
            return None
        key, node = fields["colour"]
        if is_null(node):
            self._refuse_commented_colour(key, node)
            return None
        colour = scalar_text(self.source, node, "colour")
        if not _COLOUR.fullmatch(colour):
            raise error_at(self.source, node, f'colour {colour!r} is not of the form "#RRGGBB"')
        return colour

    def _refuse_commented_colour(self, key: yaml.Node, node: yaml.Node) -> None:
        # `colour: #2E86AB` unquoted is a YAML comment, which would silently drop the colour.
        lines = self.text.splitlines()
        line = lines[key.end_mark.line] if key.end_mark.line < len(lines) else ""
        rest = line[key.end_mark.column :].lstrip().removeprefix(":").lstrip()
        if _COLOUR.match(rest):
            raise error_at(
                self.source,
                node,
                f'colour {rest[:7]} reads as a YAML comment; quote it: "{rest[:7]}"',
            )

    def _read_shortcut(self, fields: Fields) -> str | None:
        if "shortcut" not in fields:
            return None
        node = fields["shortcut"][1]
        shortcut = optional_text(self.source, node, "shortcut")
        if shortcut is None:
            return None
        if len(shortcut) != 1:
            raise error_at(self.source, node, f"shortcut {shortcut!r} must be a single character")
        self.shortcut_nodes.append((shortcut, node))
        return shortcut

    def _check_shortcuts_unique(self) -> None:
        # In document order, so the error points at the later use even when a code lists
        # its children before its own shortcut.
        first_line: dict[str, int] = {}
        by_position = sorted(self.shortcut_nodes, key=lambda use: _position(use[1]))
        for shortcut, node in by_position:
            if shortcut in first_line:
                reason = f"shortcut {shortcut!r} is already used on line {first_line[shortcut]}"
                raise error_at(self.source, node, reason)
            first_line[shortcut] = node.start_mark.line + 1

    def _read_keywords(self, fields: Fields) -> tuple[str, ...]:
        if "keywords" not in fields:
            return ()
        keywords: list[str] = []
        for item in read_sequence(self.source, fields["keywords"][1], "keywords"):
            keyword = scalar_text(self.source, item, "each keyword")
            if not keyword.strip():
                raise error_at(self.source, item, "keyword is empty")
            keywords.append(keyword)
        return tuple(keywords)


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line, node.start_mark.column
