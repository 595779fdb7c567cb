"""Bridge fixtures: the seeded demo office (from the alarm tests), a TCP proxy to PostgreSQL, and
a PostgreSQL cluster of the tests' own that they may freeze (never the shared server)."""

from __future__ import annotations

import errno
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.bridge.pg_cluster import PrivateCluster
from tests.bridge.tcp_proxy import TcpProxy


@pytest.fixture
def pg_proxy(pg_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """A proxy in front of this test's PostgreSQL database, and the URL that goes through it."""
    url = make_url(pg_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivateCluster]:
    """Our own cluster on a spare port with a migrated template database, for freezing."""
    cluster = PrivateCluster()
    try:
        cluster.start()
        cluster.create_migrated_database("sdtemplate")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def frozen_pg(private_pg: PrivateCluster) -> Iterator[tuple[PrivateCluster, str]]:
    """A fresh migrated database on the private cluster; the cluster is thawed afterwards."""
    name = f"sd_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(private_pg.url(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE sdtemplate')
    try:
        yield private_pg, private_pg.url(name)
    finally:
        private_pg.thaw()
        with psycopg.connect(private_pg.url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB filesystem (tmpfs) the test can fill to the last byte: a full SD card."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"the full-disk test needs to mount a small tmpfs (run as root): {result.stderr}",
            pytrace=False,
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


def fill_disk(folder: Path) -> Path:
    """Write a filler file until the filesystem under ``folder`` has no byte left."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        chunk = b"\0" * 65536
        while chunk:
            try:
                out.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]
    return filler
