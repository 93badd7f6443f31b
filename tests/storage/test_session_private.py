"""The session is private to the unit of work: nothing outside ``qualcode/storage`` reaches
a session, a connection, an engine or a row class, and the unit of work and its
repositories take and return domain values only.

Two scans: the source of every module outside storage (what it imports from storage and
which private attributes it reaches for), and the live unit of work (its repositories'
public attributes and method signatures). The import-linter contracts in pyproject keep
the imports; these keep the values that cross the boundary."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from qualcode.services.project import Project
from qualcode.storage.database import engine_of
from qualcode.storage.tables import Base
from qualcode.storage.unit_of_work import UnitOfWork

REPO = Path(__file__).resolve().parents[2]
QUALCODE = REPO / "qualcode"

# Names imported from storage that may carry SQLAlchemy objects, and why. None: the open
# project's engine is private (`_engine`; storage reaches it through `database.engine_of`,
# which the scan below refuses outside storage).
EXEMPT: set[str] = set()

# Private attributes of storage objects: the unit of work's and repositories' session
# and unit, the quick reader's connection.
PRIVATE_ATTRIBUTES = {"_session", "_uow", "_connection", "_engine", "_read_sessions"}


def _sqlalchemy_typed(value: object) -> bool:
    """Whether ``value`` is SQLAlchemy's (a session, connection, engine, table, statement
    or one of their classes) or a row class."""
    if isinstance(value, type):
        return value.__module__.startswith("sqlalchemy") or issubclass(value, Base)
    return type(value).__module__.startswith("sqlalchemy")


def _named_types(annotation: object, namespace: dict[str, Any]) -> Iterator[object]:
    """The objects the names in an annotation (a string under postponed evaluation)
    stand for in the module that wrote it."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    for name in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text):
        if name in namespace:
            yield namespace[name]


def _signature_leaks(function: Any) -> list[str]:
    """Parameters and return value of ``function`` whose annotation names SQLAlchemy or a
    row class."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    namespace = getattr(inspect.unwrap(function), "__globals__", {})
    annotations = {name: p.annotation for name, p in signature.parameters.items()}
    annotations["return"] = signature.return_annotation
    return [
        name
        for name, annotation in annotations.items()
        if annotation is not inspect.Signature.empty
        and any(_sqlalchemy_typed(found) for found in _named_types(annotation, namespace))
    ]


def _leaks(value: object) -> list[str]:
    """What about an object imported from storage would hand out SQLAlchemy: the object
    itself, a function's signature, a class's public fields and methods."""
    if _sqlalchemy_typed(value):
        return ["is SQLAlchemy's or a row class"]
    if inspect.isfunction(value):
        return [f"signature ({name})" for name in _signature_leaks(value)]
    if inspect.isclass(value):
        module = importlib.import_module(value.__module__)
        found = [
            f"field {name}"
            for name, annotation in inspect.get_annotations(value).items()
            if not name.startswith("_")
            and any(_sqlalchemy_typed(t) for t in _named_types(annotation, vars(module)))
        ]
        for name, member in vars(value).items():
            if not name.startswith("_") and inspect.isfunction(member):
                found += [f"{name} ({leak})" for leak in _signature_leaks(member)]
        return found
    return []


def _storage_names_used(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """(line, storage module, name) for every name a module takes from storage: names
    imported from a storage module, and attributes used on an imported storage module."""
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "qualcode.storage":
            for alias in node.names:
                modules[alias.asname or alias.name] = f"qualcode.storage.{alias.name}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "qualcode.storage."
        ):
            for alias in node.names:
                yield node.lineno, str(node.module), alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            yield node.lineno, modules[node.value.id], node.attr


def _modules_outside_storage() -> Iterator[Path]:
    for path in sorted(QUALCODE.rglob("*.py")):
        if "storage" not in path.relative_to(QUALCODE).parts:
            yield path


def test_nothing_imported_from_storage_hands_out_sqlalchemy() -> None:
    found: list[str] = []
    for path in _modules_outside_storage():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, module, name in _storage_names_used(tree):
            if f"{module}.{name}" in EXEMPT:
                continue
            value = getattr(importlib.import_module(module), name)
            found += [
                f"{path.relative_to(REPO)}:{line}: {module}.{name} {leak}" for leak in _leaks(value)
            ]
    assert found == []


def test_nothing_outside_storage_reaches_a_private_storage_attribute() -> None:
    found = [
        f"{path.relative_to(REPO)}:{node.lineno}: .{node.attr}"
        for path in _modules_outside_storage()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES
    ]
    assert found == []


def _repositories(uow: UnitOfWork) -> dict[str, object]:
    return {
        name: getattr(uow, name)
        for name, member in vars(UnitOfWork).items()
        if isinstance(member, cached_property)
    }


def test_the_unit_of_work_and_its_repositories_show_no_session(project: Project) -> None:
    with project.unit_of_work() as uow:
        repositories = _repositories(uow)
        public = {name: getattr(uow, name) for name in dir(uow) if not name.startswith("_")}
        assert not [name for name, value in public.items() if _sqlalchemy_typed(value)]
        found: list[str] = []
        for area, repository in repositories.items():
            for name in dir(repository):
                if name.startswith("_"):
                    continue
                value = getattr(repository, name)
                if _sqlalchemy_typed(value):
                    found.append(f"uow.{area}.{name}")
                elif callable(value):
                    found += [f"uow.{area}.{name} ({leak})" for leak in _signature_leaks(value)]
    assert len(repositories) >= 15  # every area of the project has its repository
    assert found == []


def test_the_scans_would_catch_a_leak() -> None:
    # The checks above are only worth something if they see what they look for.
    from sqlalchemy.orm import Session

    from qualcode.storage import dump
    from qualcode.storage.tables import CodingRow

    assert _leaks(CodingRow)
    assert _leaks(Session)
    assert _leaks(dump.project_tables)  # returns SQLAlchemy tables
    tree = ast.parse("from qualcode.storage import dump\ndump.project_tables()\n")
    assert list(_storage_names_used(tree)) == [(2, "qualcode.storage.dump", "project_tables")]
    assert not _leaks(UnitOfWork)
    assert not _leaks(Project.unit_of_work)
    assert not _leaks(Project)  # its engine is private
    assert _leaks(engine_of)  # storage's way to it, refused outside storage
