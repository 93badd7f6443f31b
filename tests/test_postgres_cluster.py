"""The throw-away PostgreSQL cluster the suite starts for itself: ours alone (no TCP port,
a socket in its own folder), fast (fsync off), never run as root, and gone afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL
from tests.postgres_cluster import ThrowAwayCluster

pytestmark = pytest.mark.postgresql


def settings_of(url: str, *names: str) -> list[str]:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        rows = [connection.execute(f"SHOW {name}").fetchone() for name in names]
    return [str(row[0]) for row in rows if row is not None]


@pytest.mark.skipif(
    bool(POSTGRES_URL), reason="QUALCODE_TEST_POSTGRES_URL names a server that is not ours"
)
def test_the_sessions_server_is_private_and_fast(postgres_server: str) -> None:
    fsync, listen, directory = settings_of(
        postgres_server, "fsync", "listen_addresses", "data_directory"
    )
    assert fsync == "off"
    assert listen == ""  # a Unix socket only: no port shared with other runs
    owner = Path(directory).stat().st_uid
    assert owner != 0  # PostgreSQL refuses root; under root it runs as nobody
    if os.geteuid() != 0:
        assert owner == os.geteuid()


def test_a_stopped_cluster_leaves_nothing_behind() -> None:
    cluster = ThrowAwayCluster()
    url = cluster.start()
    assert settings_of(url, "server_encoding") == ["UTF8"]
    cluster.stop()
    cluster.stop()  # twice is harmless
    assert not cluster.root.exists()
    with pytest.raises(psycopg.OperationalError):
        settings_of(url, "server_encoding")
