"""The demo project: the sample transcripts, cases, codebook and two coders' codings."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from qualcode.domain.errors import FileAccessError, ProjectError
from qualcode.files.writing import occupied, set_aside, set_back
from qualcode.importers.transcripts import SUPPORTED_SUFFIXES
from qualcode.services.cases import import_cases
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.project import Project, init_project
from qualcode.services.transcripts import import_transcripts
from qualcode.storage.sqlite_file import COMPANIONS, remove_project_file

DEMO_CODEBOOK = "family-collaboration.yaml"
DEMO_CODINGS = "demo-codings.csv"


def demo_data_root() -> Path:
    """The folder holding the packaged ``transcripts/`` and ``codebooks/`` (package data, so
    the demo works from a wheel, ``pip install .`` or pipx as well as from a checkout)."""
    root = resources.files("qualcode") / "demo_data"
    if not isinstance(root, Path) or not (root / "transcripts").is_dir():
        raise ProjectError(
            f"{root}: the demo data (transcripts/, codebooks/) is missing from this install "
            "of qualcode; reinstall it with: pip install --force-reinstall qualcode"
        )
    return root


def default_demo_location() -> Path:
    from platformdirs import user_data_path

    return user_data_path("qualcode", appauthor=False, ensure_exists=True) / "demo.qualcode"


def build_demo(
    location: str | Path | None,
    progress: Callable[[str], None],
    *,
    replace: bool = False,
) -> Project:
    """Build a fresh demo project at ``location`` (default: the user data folder).

    Nothing already there is destroyed. A file at a given ``location`` is refused
    (:class:`FileAccessError`, one line) unless ``replace``; then — and always at the
    default location, where an earlier demo lives — the earlier file is moved aside,
    not deleted (``NAME.before-demo-N.SUFFIX`` beside it, with its ``-wal``), and moved
    back if the build fails. Anything but a regular file (a folder, a device, a link)
    is refused either way."""
    root = demo_data_root()
    path = Path(location) if location else default_demo_location()
    kept: Path | None = None
    if occupied(path):
        if location and not replace:
            raise FileAccessError(
                f"{path}: exists already; the demo is built as a new project, so give a new "
                "file name (nothing was changed)"
            )
        kept = set_aside(path, "before-demo", COMPANIONS)
        progress(f"kept the earlier file as {kept}")
    try:
        return _build(root, path, progress)
    except BaseException:
        remove_project_file(path)  # the name was free: this is ours
        if kept is not None:
            set_back(kept, path, COMPANIONS)
        raise


def _build(root: Path, path: Path, progress: Callable[[str], None]) -> Project:
    project = init_project(path)
    try:
        _fill(root, project, progress)
    except BaseException:
        project.close()
        raise
    progress(f"demo project: {project.location}")
    return project


def _fill(root: Path, project: Project, progress: Callable[[str], None]) -> None:
    imported = import_codebook(project, root / "codebooks" / DEMO_CODEBOOK)
    progress(f"codebook: {len(imported.created)} codes")
    files = sorted(
        p for p in (root / "transcripts").iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES
    )
    outcomes = import_transcripts(project, files)
    progress(f"transcripts: {len(outcomes)} imported")
    cases_file = root / "transcripts" / "cases.csv"
    if cases_file.exists():
        result = import_cases(project, cases_file)
        progress(f"cases: {result.cases}")
    codings_file = root / "transcripts" / DEMO_CODINGS
    if codings_file.exists():
        progress(f"codings: {import_codings(project, codings_file)}")
