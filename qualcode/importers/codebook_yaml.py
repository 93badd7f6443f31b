"""Codebook YAML file -> ``Codebook``, with every mistake located by line and column.

The file is composed into PyYAML's node tree (never constructed into Python objects), so
each check can point at the node it is about, and every scalar is read as the text the
user wrote: ``shortcut: 1`` is the string ``"1"``, ``name: yes`` is ``"yes"``.

A file may define a code only in part: the reader records which fields each entry wrote
(``CodebookFile.given``), so an import keeps what a field left out has stored. A field
written empty — ``""``, ``null``, ``~``, nothing after the colon, ``[]``, blank prose —
is given as empty: a new code has none, and an existing code's value is cleared.

The node helpers live in :mod:`qualcode.importers.yaml_nodes`, shared with the cases-file
importer.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from qualcode.domain.codebook import DEFINITION_FIELDS, Codebook, CodebookFile, CodeSpec, join_path
from qualcode.domain.errors import InputError, LimitError
from qualcode.domain.text_entry import (
    MAX_CODE_DEPTH,
    enter_name,
    enter_shortcut,
    enter_text,
    name_key,
)
from qualcode.files.reading import TREE_FILE_LIMIT, read_bytes
from qualcode.importers.yaml_nodes import (
    Fields,
    compose_yaml,
    error_at,
    is_null,
    kind_of,
    long_text,
    optional_text,
    read_mapping,
    read_sequence,
    scalar_text,
)

CODEBOOK_FIELDS = ("name", "description", "codes")
CODE_FIELDS = ("name", *DEFINITION_FIELDS, "children")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def load_codebook(path: Path) -> Codebook:
    """Read a codebook YAML file (UTF-8, BOM allowed). Raises ``InputError``."""
    return load_codebook_file(path).codebook


def load_codebook_file(path: Path) -> CodebookFile:
    """Read a codebook YAML file with the fields each entry wrote (for merging)."""
    source = str(path)
    data = read_bytes(path, limit=TREE_FILE_LIMIT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, "not valid UTF-8", offset=exc.start) from None
    return parse_codebook_file(text, source)


def parse_codebook(text: str, source: str) -> Codebook:
    """Parse and validate codebook YAML text; ``source`` names it in errors.

    Raises ``InputError`` at the first problem, located at the offending node."""
    return parse_codebook_file(text, source).codebook


def parse_codebook_file(text: str, source: str) -> CodebookFile:
    """As :func:`parse_codebook`, with the fields each entry wrote."""
    return _CodebookReader(text, source).read()


class _CodebookReader:
    """One validation pass; collects the shortcuts used anywhere in the tree."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.shortcut_nodes: list[tuple[str, yaml.Node]] = []  # every shortcut given
        self.given: dict[str, frozenset[str]] = {}  # code path -> fields its entry wrote

    def read(self) -> CodebookFile:
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
        codes = self._read_codes(fields["codes"][1], "codes", 1, None)
        self._check_shortcuts_unique()
        codebook = Codebook(name=name, codes=codes, description=description)
        written = frozenset(field for field in ("name", "description") if field in fields)
        return CodebookFile(codebook, self.given, written)

    def _text_field(self, fields: Fields, field: str) -> str | None:
        """The field's text; ``None`` when absent or written empty (blank text too)."""
        if field not in fields:
            return None
        text = long_text(self.source, fields[field][1], field)
        return text if text and text.strip() else None

    def _read_codes(
        self, node: yaml.Node, what: str, level: int, parent: str | None
    ) -> tuple[CodeSpec, ...]:
        items = read_sequence(self.source, node, what)
        if items and level > MAX_CODE_DEPTH:
            mark = items[0].start_mark
            raise LimitError(
                self.source,
                f"codes are nested more than {MAX_CODE_DEPTH} levels deep",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        codes: list[CodeSpec] = []
        first_line: dict[str, int] = {}
        for item in items:
            code, name_node = self._read_code(item, level, parent)
            key = name_key(code.name)
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

    def _read_code(
        self, node: yaml.Node, level: int, parent: str | None
    ) -> tuple[CodeSpec, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise error_at(
                self.source, node, f"each code must be a mapping with a name, not {kind_of(node)}"
            )
        fields = read_mapping(self.source, node, "a code", CODE_FIELDS)
        if "name" not in fields:
            raise error_at(self.source, node, "code is missing its 'name'")
        name_node = fields["name"][1]
        name = self._read_name(name_node)
        path = join_path(parent, name)
        self.given[path] = frozenset(field for field in DEFINITION_FIELDS if field in fields)
        colour = self._read_colour(fields)
        shortcut = self._read_shortcut(fields)
        keywords = self._read_keywords(fields)
        children: tuple[CodeSpec, ...] = ()
        if "children" in fields:
            children = self._read_codes(fields["children"][1], "children", level + 1, path)
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
        if any(char in name for char in "\r\n\x85\u2028\u2029"):
            raise error_at(self.source, node, f"code name {name!r} spans several lines")
        mark = node.start_mark
        return enter_name(name, self.source, line=mark.line + 1, column=mark.column + 1)

    def _read_colour(self, fields: Fields) -> str | None:
        if "colour" not in fields:
            return None
        key, node = fields["colour"]
        if is_null(node):
            self._refuse_commented_colour(key, node)
            return None
        colour = scalar_text(self.source, node, "colour")
        if colour == "":
            return None  # written empty: no colour
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
        if not shortcut:
            return None  # written empty: no shortcut
        mark = node.start_mark
        shortcut = enter_shortcut(shortcut, self.source, line=mark.line + 1, column=mark.column + 1)
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
            mark = item.start_mark
            keywords.append(
                enter_text(keyword, self.source, line=mark.line + 1, column=mark.column + 1)
            )
        return tuple(keywords)


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line, node.start_mark.column
