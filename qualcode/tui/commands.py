"""The command palette ("group: Action" for every bound action, plus jumps to each
transcript and code) and the key rows of the help screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget

if TYPE_CHECKING:
    from qualcode.tui.app import QualcodeApp
    from qualcode.tui.screens.coding import CodingScreen

GROUPS = {
    "app": "app",
    "code": "code",
    "history": "history",
    "view": "view",
    "search": "search",
    "transcript": "transcript",
    "codebook": "codebook",
    "definition": "codebook",
    "memo": "memo",
    "memos": "memo",
    "review": "review",
    "passages": "view",
    "matrix": "matrix",
    "cell": "matrix",
    "agreement": "agreement",
    "agreement-transcripts": "agreement",
    "compare": "agreement",
    "reconcile": "agreement",
    "span": "agreement",
}


def bindings_of(*owners: type) -> Iterator[Binding]:
    for owner in owners:
        listed: Sequence[BindingType] = getattr(owner, "BINDINGS", ())
        for binding in listed:
            if isinstance(binding, Binding) and binding.id:
                yield binding


def palette_title(binding: Binding) -> str:
    """``code.apply`` + "Code…" -> ``code: Code…``."""
    group = GROUPS.get((binding.id or "").split(".")[0], "app")
    return f"{group}: {binding.tooltip or binding.description}"


def key_rows(
    app: QualcodeApp, owners: Sequence[type], extra: Iterable[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """(key, what it does, binding id) for every binding of ``owners``, keys as the
    keymap sets them."""
    rows = []
    for binding in bindings_of(*owners):
        keys = app.user_keymap.get(binding.id or "", binding.key)
        shown = ", ".join(
            app.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(",")
        )
        rows.append((shown, binding.tooltip or binding.description, binding.id or ""))
    rows.append((app.get_key_display(Binding("ctrl+p", "")), "Command palette", "(textual)"))
    rows.extend(extra)
    return rows


def workspace_commands(app: QualcodeApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    """Palette entries for the coding screen's actions, transcripts and codes."""
    from qualcode.tui.screens.coding import CodingScreen as Coding
    from qualcode.tui.widgets.codebook_tree import CodebookTree, CodeDefinition
    from qualcode.tui.widgets.transcript_view import TranscriptView

    if not isinstance(screen, Coding):
        yield from screen_commands(screen)
        return
    targets: dict[type, Widget] = {
        Coding: screen,
        TranscriptView: screen.view,
        CodebookTree: screen.codebook,
        CodeDefinition: screen.query_one(CodeDefinition),
    }
    for owner, target in targets.items():
        for binding in bindings_of(owner):
            yield SystemCommand(
                palette_title(binding), binding.description, _runner(target, binding.action)
            )
    blind = screen.workspace.blind
    yield SystemCommand(
        f"project: {'Stop requiring' if blind else 'Require'} blind coding",
        "The project setting blind_coding: every coder sees only their own codings",
        _blind(screen, not blind),
    )
    for entry in screen.entries:
        yield SystemCommand(
            f"code: Apply {entry.path}",
            "Code the selection with this code",
            _apply(screen, entry.id),
        )
    for name in app.transcript_names():
        yield SystemCommand(f"transcript: Open {name}", "Show this transcript", _open(screen, name))


def screen_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """Palette entries for the keys of a screen that names its ``key_owners()``."""
    key_owners = getattr(screen, "key_owners", None)
    if key_owners is None:
        return
    for binding in bindings_of(*key_owners()):
        yield SystemCommand(
            palette_title(binding), binding.description, _runner(screen, binding.action)
        )


def _runner(target: Widget, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await target.run_action(action)

    return run


def _apply(screen: CodingScreen, code_id: int) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await screen.apply_code(code_id)

    return run


def _open(screen: CodingScreen, name: str) -> Callable[[], None]:
    def run() -> None:
        screen.open_transcript(name)

    return run


def _blind(screen: CodingScreen, on: bool) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await screen.set_blind(on)

    return run
