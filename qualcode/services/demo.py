"""The demo project: the sample transcripts, cases, codebook and two coders' codings."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from qualcode.domain.errors import ProjectError
from qualcode.importers.transcripts import SUPPORTED_SUFFIXES
from qualcode.services.cases import import_cases
from qualcode.services.codebook import import_codebook
from qualcode.services.coding import import_codings
from qualcode.services.project import Project, init_project
from qualcode.services.transcripts import import_transcripts

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


def build_demo(location: str | Path | None, progress: Callable[[str], None]) -> Project:
    """Build a fresh demo project (replacing an earlier demo at the same place)."""
    root = demo_data_root()
    path = Path(location) if location else default_demo_location()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    project = init_project(path)
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
    progress(f"demo project: {project.location}")
    return project
