"""Every CLI command is documented in the README, and has help text."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from qualcode.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def all_commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in cli.commands.items():
        found.append((name, command))
        if isinstance(command, click.Group):
            found.extend((f"{name} {sub}", c) for sub, c in command.commands.items())
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=[n for n, _ in all_commands()])
def test_command_is_documented(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no help text"
    first, *rest = name.split()
    if first == "open":
        assert "`qualcode PROJECT`" in README
        return
    if rest:
        # `qualcode codebook PROJECT import ...` or `qualcode transcript replace PROJECT ...`
        assert f"`qualcode {first} PROJECT" in README or f"`qualcode {name} PROJECT" in README
        assert f"{rest[0]} " in README
    else:
        assert f"`qualcode {first} " in README or f"qualcode {first} PROJECT" in README


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("## ", 1)[0]
    blocks = [b.split("```", 1)[0].strip() for b in quick_start.split("```sh")[1:]]
    assert blocks == ["pip install -e . && qualcode demo", "pip install -e '.[test]' && pytest"]
