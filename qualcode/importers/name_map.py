"""A pseudonym map file (YAML): ``real name: pseudonym`` per line.

```yaml
Mette: Anna
Mette Hansen: Anna Berg        # longer names win over their first word
Odense: Byen
Børnehuset Solstrålen: Børnehuset Regnbuen
```

Every error names the file, line and column. The map is read, used and forgotten: it is
never stored in the project.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from qualcode.files.reading import TREE_FILE_LIMIT
from qualcode.importers.decoding import read_text_file
from qualcode.importers.yaml_nodes import compose_yaml, error_at, name_text

_STRING_TAG = "tag:yaml.org,2002:str"


def load_name_map(path: Path) -> list[tuple[str, str]]:
    """The ``(real name, pseudonym)`` pairs of a map file, in file order."""
    source = str(path)
    text = read_text_file(path, max_bytes=TREE_FILE_LIMIT).text
    root = compose_yaml(text, source, collection_aliases=False)
    if not isinstance(root, yaml.MappingNode):
        raise error_at(source, root, "expected lines of the form 'Real name: Pseudonym'")
    entries: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for key, value in root.value:
        name = _text(source, key, "name")
        pseudonym = _text(source, value, f"pseudonym for {name!r}")
        if name in seen:
            raise error_at(source, key, f"{name!r} is given twice (first on line {seen[name]})")
        if name == pseudonym:
            raise error_at(source, value, f"{name!r} would be replaced by itself")
        seen[name] = key.start_mark.line + 1
        entries.append((name, pseudonym))
    if not entries:
        raise error_at(source, root, "the map has no names")
    return entries


def _text(source: str, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STRING_TAG:
        raise error_at(source, node, f"{what} must be text")
    value = str(node.value).strip()
    if not value or "\n" in value:
        raise error_at(source, node, f"{what} must be one non-empty line")
    # NFC like the transcripts it is matched against, and by the name rule: a pseudonym
    # may become a case name or speaker label
    return name_text(source, node, what)
