"""The demo from any install: the sample data ships inside the package (qualcode/demo_data,
a copy of the top-level transcripts/ and codebooks/), and a wheel installed into a fresh
virtualenv, away from the checkout, builds the same demo project as the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qualcode.services.demo import demo_data_root
from tests.conftest import CODEBOOKS, REPO, TRANSCRIPTS, Cli

PACKAGED = REPO / "qualcode" / "demo_data"
SYNC = "rm -r qualcode/demo_data/* && cp -r transcripts codebooks qualcode/demo_data/"


def run_checked(command: list[str | Path], **options: object) -> str:
    """Run a command; its stderr becomes the failure message."""
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, **options
    )  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr}"
    return str(done.stdout)


def files_below(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("source", [TRANSCRIPTS, CODEBOOKS], ids=["transcripts", "codebooks"])
def test_the_packaged_copy_equals_the_editable_source(source: Path) -> None:
    packaged = files_below(PACKAGED / source.name)
    assert packaged.keys() == files_below(source).keys(), f"out of step; run: {SYNC}"
    changed = [name for name, data in files_below(source).items() if packaged[name] != data]
    assert not changed, f"{changed} differ from the packaged copy; run: {SYNC}"


def test_the_demo_reads_the_packaged_copy() -> None:
    assert demo_data_root() == PACKAGED


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources (the checkout gets no build/ folder),
    offline: the build backend is the setuptools the test extra installs."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(
        REPO / "qualcode", source / "qualcode", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp_path_factory.mktemp("dist")
    run_checked(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "--wheel-dir", dist, source]
    )  # fmt: skip
    (built,) = dist.glob("qualcode-*.whl")
    return built


def test_the_wheel_carries_the_demo_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name.removeprefix("qualcode/demo_data/"): archive.read(name)
            for name in archive.namelist()
            if name.startswith("qualcode/demo_data/")
        }
    assert shipped == files_below(PACKAGED)


@pytest.mark.slow
def test_qualcode_demo_runs_from_a_wheel_in_a_fresh_virtualenv(
    wheel: Path, tmp_path: Path, demo_template: Path, run: Cli
) -> None:
    venv = tmp_path / "venv"
    run_checked([sys.executable, "-m", "venv", "--without-pip", venv])
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = next(bin_dir.glob("python*"))
    # the dependencies come from this environment (offline); qualcode itself only from the
    # wheel: a path line in a .pth file adds a folder but runs none of its .pth files, so
    # this environment's own qualcode (an editable install) stays out of sight
    site = run_checked([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    ours = [p for p in sys.path if Path(p).name in {"site-packages", "dist-packages"}]
    (Path(site.strip()) / "dependencies.pth").write_text("\n".join(ours) + "\n")
    run_checked(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--no-index", "--quiet", wheel]
    )  # fmt: skip
    away = tmp_path / "elsewhere"  # nothing of the checkout around: not the cwd, not on a path
    away.mkdir()
    environment = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    located = run_checked(
        [python, "-c", "import qualcode; print(qualcode.__file__)"], cwd=away, env=environment
    )
    assert Path(located.strip()).is_relative_to(venv), located
    demo = away / "demo.qualcode"
    built = run_checked(
        [bin_dir / "qualcode", "demo", "--no-open", "--path", demo], cwd=away, env=environment
    )
    assert str(demo) in built  # the summary names the new project

    def info(path: Path) -> dict[str, object]:
        summary: dict[str, object] = json.loads(run("info", path, "--format", "json").stdout)
        summary.pop("location", None)
        summary.pop("project", None)
        return summary

    assert info(demo) == info(demo_template)
