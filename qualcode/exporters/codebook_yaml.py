"""``Codebook`` -> codebook YAML text, in the same schema the importer reads.

Keys follow the schema's order and absent fields are left out. Text that YAML would
read as something else (``yes``, ``null``, ``1``, ``#2E86AB``) is quoted, multi-line
text is written as a literal block (``|``) and long single-line text as a folded one
(``>``), wrapped at spaces. ``parse_codebook(dump_codebook(cb)) == cb`` for any valid
codebook, and dumping what was parsed gives the same text again.
"""

from __future__ import annotations

from typing import Any

import yaml

from qualcode.domain.codebook import Codebook, CodeSpec

_WIDTH = 80  # PyYAML wraps after passing this column, so lines stay well under 100
_FOLD_AFTER = 60  # characters; longer single-line text is written as a folded block
# Line breaks YAML would normalise to "\n" (or that the emitter cannot write raw)
# inside a block or single-quoted scalar; text holding any of them is double-quoted.
_RAW_BREAKS = frozenset("\r\x85\u2028\u2029")


class _FlowList(list[Any]):
    """A list written inline: ``keywords: [a, b]``."""


class _DoubleQuoted(str):
    """Text always written in double quotes (colours: ``"#2E86AB"``)."""

    __slots__ = ()


class _CodebookDumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key and picks readable string styles."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # PyYAML writes `codes:\n- name: x` by default; indent the dashes for readability.
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if any(char in _RAW_BREAKS for char in value):
        style = '"'
    elif "\n" in value:
        style = "|"  # the emitter falls back to quotes when a block cannot hold the text
    elif len(value) > _FOLD_AFTER and " " in value and "\t" not in value and value[0] != " ":
        # Long prose: folded at spaces, read back as one line. Leading blanks would make
        # the first line "more indented", which keeps its line break instead of folding.
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_double_quoted(dumper: yaml.SafeDumper, value: _DoubleQuoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_CodebookDumper.add_representer(str, _represent_text)
_CodebookDumper.add_representer(_DoubleQuoted, _represent_double_quoted)
_CodebookDumper.add_representer(_FlowList, _represent_flow_list)


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML text (ends with a newline; ``allow_unicode`` keeps æøå)."""
    document: dict[str, Any] = {}
    if codebook.name is not None:
        document["name"] = codebook.name
    if codebook.description is not None:
        document["description"] = codebook.description
    document["codes"] = [_code_document(spec) for spec in codebook.codes]
    return yaml.dump(
        document,
        Dumper=_CodebookDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_WIDTH,
    )


def _code_document(spec: CodeSpec) -> dict[str, Any]:
    """One code as a mapping in schema order, leaving out absent fields."""
    document: dict[str, Any] = {"name": spec.name}
    optional_texts = {
        "label_da": spec.label_da,
        "description": spec.description,
        "inclusion": spec.inclusion,
        "exclusion": spec.exclusion,
        "example": spec.example,
    }
    document.update({key: value for key, value in optional_texts.items() if value is not None})
    if spec.colour is not None:
        document["colour"] = _DoubleQuoted(spec.colour)
    if spec.shortcut is not None:
        document["shortcut"] = spec.shortcut
    if spec.keywords:
        document["keywords"] = _FlowList(spec.keywords)
    if spec.children:
        document["children"] = [_code_document(child) for child in spec.children]
    return document
