"""A primary and a hot standby of the test's own (streaming replication), for failover tests.

Two clusters on spare ports with their unix sockets in a private directory, made as a council
would (``initdb``, ``pg_basebackup -R``, ``pg_ctl``, run as the ``postgres`` user); the shared
server on 5432 is never touched. ``kill_primary()`` kills the primary's postmaster and every
backend at once (SIGKILL: the database host died), ``promote()`` makes the standby the primary
(``pg_ctl promote``), and ``stop()`` stops whatever still runs and removes the directory.

With ``via_proxy`` the standby streams through a TCP proxy, so a test can cut the replication
link alone (``replication_link``): the primary then keeps running without its standby.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from tests.bridge.tcp_proxy import TcpProxy

STANDBY_NAME = "standby1"


def postgres_bin() -> Path:
    """The PostgreSQL server programs (``SAFEDESK_PG_BIN``, else the newest Debian install)."""
    configured = os.environ.get("SAFEDESK_PG_BIN")
    if configured:
        return Path(configured)
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
    )
    if not installed:
        raise RuntimeError("no PostgreSQL server programs in /usr/lib/postgresql/*/bin")
    return installed[-1].parent


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


class Server:
    """One cluster: its data directory, port and log."""

    def __init__(self, root: Path, name: str) -> None:
        self.name = name
        self.data = root / name
        self.log = root / f"{name}.log"
        self.port = spare_port()
        self.sockets = root

    def options(self) -> str:
        # fsync off: the machine never loses power in a test; a killed server loses nothing the
        # kernel has. wal_sender_timeout short: the primary notices a dead link in seconds.
        return (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories='{self.sockets}' -c fsync=off -c max_connections=80 "
            "-c wal_level=replica -c max_wal_senders=4 -c hot_standby=on "
            "-c wal_sender_timeout=5s -c wal_receiver_timeout=5s -c wal_retrieve_retry_interval=200ms"
        )

    def start(self) -> None:
        _as_postgres(
            str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-o", self.options(),
            "-l", str(self.log), "-w", "-t", "60", "start",
        )  # fmt: skip

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def processes(self) -> list[int]:
        """The postmaster and its children (empty when it is not running)."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return []
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=False
        ).stdout.split()
        return [postmaster, *(int(pid) for pid in children)]

    def kill(self) -> None:
        """SIGKILL every process of the cluster at once, as a host that loses power looks."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _as_postgres(
                    str(postgres_bin() / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                    "-w", "-t", "20", "stop",
                )  # fmt: skip
        self.kill()  # whatever pg_ctl left (a postmaster killed already leaves orphans briefly)


class ReplicatedPair:
    """A primary with one hot standby. ``start(synchronous=...)``, ``url(db)``, then fault it."""

    def __init__(self, *, via_proxy: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="safedesk-failover-"))
        shutil.chown(self.root, "postgres")
        self.root.chmod(0o700)
        self.primary = Server(self.root, "primary")
        self.standby = Server(self.root, "standby")
        self.via_proxy = via_proxy
        self.replication_link: TcpProxy | None = None
        self.promoted = False

    def start(self, *, synchronous: bool) -> None:
        """Primary, base backup, standby streaming; ``synchronous``: the primary's commits wait
        until the standby has flushed them (synchronous_standby_names, synchronous_commit=on)."""
        _as_postgres(
            str(postgres_bin() / "initdb"), "-D", str(self.primary.data), "-A", "trust",
            "-U", "postgres", "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.primary.start()
        source_port = self.primary.port
        if self.via_proxy:
            self.replication_link = TcpProxy("127.0.0.1", self.primary.port)
            source_port = self.replication_link.port
        _as_postgres(
            str(postgres_bin() / "pg_basebackup"), "-D", str(self.standby.data), "-R",
            "-X", "stream", "-c", "fast", "--no-sync",
            "-d", f"host=127.0.0.1 port={source_port} user=postgres "
            f"application_name={STANDBY_NAME}",
        )  # fmt: skip
        self.standby.start()
        self.wait_streaming()
        if synchronous:
            # Set on the primary only, after the base backup: the standby, once promoted, must
            # not wait for a standby of its own that does not exist (its commits would hang).
            with self.primary.connect() as conn:
                conn.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{STANDBY_NAME}'")
                conn.execute("ALTER SYSTEM SET synchronous_commit = 'on'")
                conn.execute("SELECT pg_reload_conf()")
            self.wait_streaming(sync_state="sync")

    def wait_streaming(self, *, sync_state: str | None = None, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            with self.primary.connect() as conn:
                rows = conn.execute(
                    "SELECT state, sync_state FROM pg_stat_replication WHERE application_name = %s",
                    (STANDBY_NAME,),
                ).fetchall()
            last = rows
            if rows and rows[0][0] == "streaming" and sync_state in (None, rows[0][1]):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the standby is not streaming ({sync_state or 'any'}): {last}")

    def url(self, dbname: str, *, user: str = "postgres") -> str:
        """What every PC and bridge is given: both servers, and only the read-write one will do."""
        return (
            f"postgresql://{user}@/{dbname}?host=127.0.0.1:{self.primary.port}"
            f"&host=127.0.0.1:{self.standby.port}&target_session_attrs=read-write"
        )

    def create_database(self, name: str) -> None:
        with self.primary.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def kill_primary(self) -> None:
        """The primary's host dies: every process gone at once, nothing written after."""
        victims = self.primary.processes()
        self.primary.kill()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.02)

    def promote(self) -> None:
        """``pg_ctl promote``: the standby ends recovery and takes writes (a new timeline)."""
        _as_postgres(str(postgres_bin() / "pg_ctl"), "-D", str(self.standby.data), "-w", "promote")
        self.promoted = True

    def stop(self) -> None:
        if self.replication_link is not None:
            self.replication_link.close()
        self.standby.stop()
        self.primary.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@contextlib.contextmanager
def replicated_pair(*, synchronous: bool, via_proxy: bool = False) -> Iterator[ReplicatedPair]:
    pair = ReplicatedPair(via_proxy=via_proxy)
    try:
        pair.start(synchronous=synchronous)
        yield pair
    finally:
        pair.stop()
