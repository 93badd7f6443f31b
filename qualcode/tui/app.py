"""The workspace app: wiring only — the default screen, app-wide bindings, the command
palette, keymap and theme from the user config. Layout and theme live in ``app.tcss``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import WorkerFailed

from qualcode.domain.errors import NotFoundError
from qualcode.services.blind_rounds import set_viewer
from qualcode.services.error_lines import EXIT_INTERNAL, ErrorLine, error_line
from qualcode.services.integrity import ensure_project_sound
from qualcode.services.project import Project
from qualcode.services.transcripts import list_transcripts, unknown_transcript_message
from qualcode.services.workspace import blind_by_setting, for_interactive_use
from qualcode.tui import commands
from qualcode.tui.config import UserConfig, config_path, load_config, save_config
from qualcode.tui.screens.coder_prompt import CoderBackdrop, CoderPrompt
from qualcode.tui.screens.coding import CodingScreen
from qualcode.tui.screens.dialogs import HelpScreen
from qualcode.tui.session import Workspace
from qualcode.tui.widgets.codebook_tree import CodebookTree, CodeDefinition
from qualcode.tui.widgets.transcript_view import TranscriptView


class QualcodeApp(App[None]):
    """Code transcripts from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "qualcode"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help", id="app.help", tooltip="List every key"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit qualcode"),
    ]

    def __init__(
        self,
        workspace: Workspace,
        config: UserConfig | None = None,
        *,
        transcript: str | None = None,
        config_file: Path | None = None,
        ask_coder: bool = False,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.ask_coder = ask_coder  # a served session: whose workspace it is comes first
        self.config_file = config_file
        self.first_transcript = transcript
        self.config = config or UserConfig()
        self.user_keymap = dict(self.config.keymap)
        self.sub_title = f"{workspace.project.location} — {workspace.coder}"
        self.failure: ErrorLine | None = None  # why the app had to stop, if it did

    def on_mount(self) -> None:
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.set_keymap(self.user_keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.workspace.project.on_retry = self._busy_retry

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the workspace passes here (a widget's ``notify`` calls
        the app's): its text is shown as written, never read as markup, so square
        brackets in code names, transcript names and install hints ("pip install
        'qualcode[suggest]'") stay. ``markup`` is accepted for Textual's signature and
        ignored."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- errors: the one layer of services/error_lines, as notifications -----------------
    def report_error(self, error: BaseException) -> ErrorLine:
        """Show ``error`` as one notification line (an unexpected one names the log file
        holding its traceback); the workspace keeps running."""
        line = error_line(error, where="workspace")
        self.notify(line.text, severity="error", timeout=10, markup=False)  # text, not markup
        return line

    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        """Every key binding, palette command and clickable action runs here: one that
        fails becomes a notification instead of closing the workspace."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as error:
            self.report_error(error)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last resort (it would close the app and print a traceback). A failed
        background worker is reported and the workspace keeps running; anything else left
        a part of the screen unable to go on, so the app closes, without a traceback: the
        command line prints the one line (see :func:`run_workspace`)."""
        if isinstance(error, WorkerFailed):
            self.report_error(error.error)
            return
        self.failure = error_line(error, where="workspace")
        # As Textual closes after an unhandled error (the app's own message loop may be
        # the one that stopped, so an exit message would never be read), minus the
        # traceback it would print.
        self._return_code = self.failure.exit_code or EXIT_INTERNAL
        self._exception_event.set()  # a Pilot waiting for the screen stops waiting
        self._close_messages_no_wait()

    def _busy_retry(self, attempt: int, pause: float) -> None:
        """Called in the writing thread when the project is busy: say so once."""
        if attempt != 1:
            return
        message = "The project is busy (another coder is saving); retrying…"
        try:
            self.call_from_thread(self.notify, message)
        except RuntimeError:  # a write made on the UI thread itself
            self.notify(message)

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen in the palette is kept in the user config."""
        if theme.name != self.config.theme:
            self.config = load_config(self.config_file)
            self.config.theme = theme.name
            save_config(self.config, self.config_file)

    def get_default_screen(self) -> Screen[None]:
        if self.ask_coder:
            return CoderBackdrop(self.workspace.project.location)
        return CodingScreen(self.workspace, self.first_transcript)

    def on_ready(self) -> None:
        if self.ask_coder:
            self.push_screen(CoderPrompt(), self._coder_chosen)

    def _coder_chosen(self, coder: str | None) -> None:
        """The coder of a served session is known: their workspace opens."""
        if coder is None:  # escape: the question stays (ctrl+q quits)
            self.push_screen(CoderPrompt(), self._coder_chosen)
            return
        self.ask_coder = False
        self.workspace.coder = coder
        self.sub_title = f"{self.workspace.project.location} — {coder}"
        # over the backdrop, which stays below it (Textual cannot replace a default screen)
        self.push_screen(CodingScreen(self.workspace, self.first_transcript))

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def transcript_names(self) -> list[str]:
        return transcript_names(self.workspace.project)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from commands.workspace_commands(self, screen)

    def action_help(self) -> None:
        screen = self.screen
        extra = screen.shortcut_rows() if isinstance(screen, CodingScreen) else []
        key_owners = getattr(screen, "key_owners", None)  # a screen may name its own keys
        owners = (
            (QualcodeApp, *key_owners())
            if key_owners
            else (QualcodeApp, CodingScreen, TranscriptView, CodebookTree, CodeDefinition)
        )
        rows = commands.key_rows(self, owners, extra)
        where = self.config_file or config_path()
        hint = f'Rebind keys by id in {where}: {{"keymap": {{"history.undo": "ctrl+u"}}}}'
        self.push_screen(HelpScreen(rows, hint))


def transcript_names(project: Project) -> list[str]:
    return [t.name for t in list_transcripts(project)]


def create_app(
    project: Project,
    coder: str,
    *,
    blind: bool | None = None,
    config_file: Path | None = None,
    transcript: str | None = None,
    ask_coder: bool = False,
) -> QualcodeApp:
    """The real app for a project: ``blind=None`` follows the project's setting;
    ``transcript`` is shown first (default: the first one the coder has not finished);
    ``ask_coder`` asks for the coder's name first (a browser session of ``qualcode
    serve``), ``coder`` being a placeholder until then.
    A damaged project is refused (:class:`~qualcode.domain.errors.DamagedProjectError`)."""
    config = load_config(config_file)
    ensure_project_sound(project)  # a damaged project: one line pointing to qualcode check
    project = for_interactive_use(project)
    set_viewer(project, coder)  # a blind round may show this workspace its coder's own work
    if transcript is not None and transcript not in (names := transcript_names(project)):
        raise NotFoundError(unknown_transcript_message(transcript, names))
    is_blind = blind_by_setting(project) if blind is None else blind
    return QualcodeApp(
        Workspace(project, coder, is_blind, chose_blind=blind is True),
        config,
        transcript=transcript,
        config_file=config_file,
        ask_coder=ask_coder,
    )
