"""Only qualcode/files/writing.py writes a file by name: a static check over the package,
so a command added later cannot write around the writer's rules (devices, links, .part
files, replacing a project). Writing into a stream the writer handed out, or into an
in-memory buffer, is fine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "qualcode"
WRITER = PACKAGE / "files" / "writing.py"
WRITE_MODES = set("wax+")
WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}
# Modules that write a file of qualcode's own, never one the user named (with why).
OWN_FILES = {
    "qualcode/services/error_lines.py": "appends tracebacks to qualcode's log file in the "
    "user log folder, rotating it",
    "qualcode/files/written_files.py": "keeps the ledger of files qualcode wrote (and its "
    "lock file) beside the user's settings file",
}
# Calls that write or move a file by name, whatever their arguments.
NAMED_WRITERS = {
    ("os", "replace"),
    ("os", "rename"),
    ("os", "renames"),
    ("os", "link"),
    ("json", "dump"),
    ("shutil", "copy"),
    ("shutil", "copy2"),
    ("shutil", "copyfile"),
    ("shutil", "copytree"),
    ("shutil", "move"),
}
PATH_WRITERS = {"write_text", "write_bytes", "touch", "symlink_to", "hardlink_to"}


def _dotted(node: ast.expr) -> tuple[str, str] | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def _mode(call: ast.Call, position: int) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "mode" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        return str(call.args[position].value)  # type: ignore[attr-defined]
    return None


def _names_bound_to(tree: ast.AST, calls: set[str]) -> set[str]:
    """Names bound (``x = f(...)`` or ``with f(...) as x``) to a call of one of ``calls``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        pairs: list[tuple[ast.expr, ast.expr | None]] = []
        if isinstance(node, ast.Assign):
            pairs = [(node.value, target) for target in node.targets]
        elif isinstance(node, ast.With):
            pairs = [(item.context_expr, item.optional_vars) for item in node.items]
        for value, target in pairs:
            if not (isinstance(value, ast.Call) and isinstance(target, ast.Name)):
                continue
            function = value.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name in calls:
                found.add(target.id)
    return found


def _flag_names(tree: ast.AST, expression: ast.expr) -> set[str]:
    """The ``os.O_*`` names in an ``os.open`` flags expression, through module-level
    names it is built from (``_FLAGS = os.O_RDONLY | ...``)."""
    names: set[str] = set()
    pending = [expression]
    seen: set[str] = set()
    while pending:
        for node in ast.walk(pending.pop()):
            if isinstance(node, ast.Attribute) and node.attr.startswith("O_"):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and node.id not in seen:
                seen.add(node.id)
                pending.extend(_values_of(tree, node.id))
    return names


def _values_of(tree: ast.AST, name: str) -> list[ast.expr]:
    values: list[ast.expr] = []
    for statement in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AugAssign):
            targets = [statement.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            values.append(statement.value)  # type: ignore[attr-defined]
    return values


def stray_writers(source: str, filename: str = "<module>") -> list[str]:
    """Every place in ``source`` that writes a file by name, as ``file:line what``."""
    tree = ast.parse(source, filename)
    buffers = _names_bound_to(tree, {"BytesIO", "StringIO"})
    streams = buffers | _names_bound_to(tree, {"open_for_writing"})
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        dotted = _dotted(function)
        what = None
        if dotted == ("os", "open") and len(node.args) > 1:
            flags = _flag_names(tree, node.args[1]) & WRITE_FLAGS
            what = f"os.open(..., {'|'.join(sorted(flags))})" if flags else None
        elif dotted == ("os", "fdopen"):
            mode = _mode(node, 1) or "r"
            what = f"os.fdopen(..., {mode!r})" if WRITE_MODES & set(mode) else None
        elif dotted in NAMED_WRITERS:
            what = f"{dotted[0]}.{dotted[1]}()"
        elif isinstance(function, ast.Attribute) and function.attr in PATH_WRITERS:
            what = f".{function.attr}()"
        elif isinstance(function, ast.Name) and function.id == "open":
            mode = _mode(node, 1) or "r"
            what = f"open(..., {mode!r})" if WRITE_MODES & set(mode) else None
        elif isinstance(function, ast.Attribute) and function.attr == "open":
            # Path.open(mode); a zip archive's open(entry, "w") writes inside the archive
            mode = _mode(node, 0) or "r"
            inside = isinstance(function.value, ast.Name) and function.value.id == "archive"
            what = f".open({mode!r})" if WRITE_MODES & set(mode) and not inside else None
        elif isinstance(function, ast.Attribute) and function.attr in ("replace", "rename"):
            # Path.replace(target) / Path.rename(target): one argument (str.replace has two)
            one = len(node.args) == 1 and not node.keywords
            what = f".{function.attr}(target)" if one else None
        elif (
            isinstance(function, ast.Attribute)
            and function.attr == "save"
            and not (isinstance(function.value, ast.Name) and function.value.id == "self")
        ):
            # a workbook or document saved anywhere but an in-memory buffer (a class's
            # own save method, self.save(...), is not a file)
            into = node.args[0] if node.args else None
            in_memory = isinstance(into, ast.Name) and into.id in buffers
            what = None if in_memory else ".save(...)"
        elif (isinstance(function, ast.Name) and function.id == "ZipFile") or (
            dotted == ("zipfile", "ZipFile")
        ):
            into = node.args[0] if node.args else None
            mode = _mode(node, 1) or "r"
            given = isinstance(into, ast.Name) and into.id in streams
            what = "ZipFile(path, 'w')" if WRITE_MODES & set(mode) and not given else None
        if what:
            found.append(f"{filename}:{node.lineno} {what}")
    return found


def test_only_the_writer_writes_files() -> None:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(PACKAGE.parent))
        if path == WRITER or name in OWN_FILES:
            continue
        found += stray_writers(path.read_text(encoding="utf-8"), name)
    assert found == [], "write through qualcode.files.writing instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'path.write_text("x")',  # the old write_output
        'temporary.write_bytes(b"x")',  # the old binary exports
        "temporary.replace(path)",  # the old rename over the target
        "os.replace(a, b)",  # the same through os
        "os.open(path, os.O_WRONLY | os.O_CREAT)",  # a descriptor for writing
        "FLAGS = os.O_RDWR\nos.open(path, FLAGS)",  # the same through a name
        'os.fdopen(descriptor, "w")',  # a descriptor opened as a text file to write
        'open(path, "w")',  # a plain open for writing
        'open(path, mode="ab")',  # appending
        'path.open("w", encoding="utf-8")',  # the old JSON backup
        'workbook.save("out.xlsx")',  # openpyxl straight to a file
        "document.save(path)",  # python-docx straight to a file
        'zipfile.ZipFile(path, "w")',  # the old .qdpx writer
        "json.dump(data, handle)",  # a JSON file
        "shutil.copyfile(a, b)",  # a copy
    ],
)
def test_the_check_finds_each_kind_of_writer(source: str) -> None:
    assert stray_writers(source)


@pytest.mark.parametrize(
    "source",
    [
        'text.replace("a", "b")',  # str.replace: two arguments
        "when.replace(microsecond=0)",  # datetime.replace: keywords
        "buffer = io.BytesIO()\nworkbook.save(buffer)",  # in memory
        'with open_for_writing(p) as out, zipfile.ZipFile(out, "w") as archive:\n'
        '    archive.open("entry", "w")',  # into the writer's stream
        'path.open("rb")',  # reading
        "FLAGS = os.O_RDONLY | os.O_NONBLOCK\nos.open(path, FLAGS)",  # the one reader
        'os.fdopen(descriptor, "rb")',  # reading a descriptor
        "await self.save(value)",  # a form's own save method
        "open(path)",  # reading
    ],
)
def test_the_check_lets_harmless_calls_pass(source: str) -> None:
    assert stray_writers(source) == []
