"""Engines for the two supported databases, with the settings each needs to be safe.

Every pooled PostgreSQL connection has TCP keepalives and a TCP user timeout (a pulled cable or a
dead host is noticed in seconds, not after the kernel's two hours), and a connect timeout. A call
made inside a deadline (``safedesk.db.deadlines``; the press path) also waits for a free
connection only as long as its deadline has left, runs its statements under matching
``statement_timeout`` / ``lock_timeout`` limits, and has its connection cut by the watchdog if
it is still waiting at the end (a frozen server answers nothing, not even a timeout).
"""

from __future__ import annotations

import logging
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from safedesk.db import deadlines
from safedesk.db.sqlite_file import prepare_database_file
from safedesk.db.urls import normalise_url as normalise_url  # re-exported: callers import it here


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long each kind of wait may last before the caller hears "unavailable"."""

    press_s: float = 3.0  # a press-path call: pool wait + every statement + commit
    # Every other session's deadline (None: none). A bridge sets one, so nothing it runs (its
    # supervision, its LED relay's reads) can hold a pooled connection for ever on a hung server.
    call_s: float | None = None
    connect_s: int = 5  # libpq connect_timeout outside a deadline (whole seconds, at least 2)
    pool_wait_s: float = 30.0  # waiting for a pooled connection outside a deadline
    keepalive_idle_s: int = 5
    keepalive_interval_s: int = 1
    keepalive_count: int = 3
    tcp_user_timeout_ms: int = 5000  # unacknowledged data for this long: the connection is dead


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets the alarm poller read while another process writes; NORMAL is durable in WAL.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


class DeadlinePool(QueuePool):
    """A QueuePool whose wait for a free connection ends with the calling thread's deadline."""

    @property
    def _timeout(self) -> float:
        scope = deadlines.current()
        if scope is None or scope.done:
            return self._default_timeout
        return min(self._default_timeout, scope.remaining())

    @_timeout.setter
    def _timeout(self, value: float) -> None:
        self._default_timeout = value


# SQLAlchemy names a pool's logger after its class, so ours falls outside the "sqlalchemy" logger
# (WARNING by default): without this, every connection cut or invalidated is an INFO line.
logging.getLogger(f"{__name__}.{DeadlinePool.__name__}").setLevel(logging.WARNING)


def _limits_ms(scope: deadlines.Deadline) -> tuple[int, int]:
    """(statement_timeout, lock_timeout) for a call with ``scope``: the server gives up first,
    cleanly, and the watchdog's cut is only for a server that cannot answer at all."""
    whole = max(100, int(scope.seconds * 1000))
    return max(50, whole * 8 // 10), max(50, whole * 6 // 10)


def _on_checkout_postgresql(
    dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any
) -> None:
    """Our own pre-ping: attaches the connection to the caller's deadline first (so a ping to a
    frozen server is cut too) and sets the server-side limits in the same round trip."""
    scope = deadlines.current()
    if scope is not None and not scope.done:
        deadlines.WATCHDOG.attach(scope, dbapi_connection)
        record.info["deadline"] = scope
        statement_ms, lock_ms = _limits_ms(scope)
        sql = (
            f"SELECT set_config('statement_timeout', '{statement_ms}ms', false),"
            f" set_config('lock_timeout', '{lock_ms}ms', false)"
        )
        record.info["limits"] = True
    elif record.info.pop("limits", False):
        sql = "RESET statement_timeout; RESET lock_timeout"
    else:
        sql = "SELECT 1"
    autocommit = dbapi_connection.autocommit
    try:
        # Autocommit, as SQLAlchemy's own pre-ping: the settings outlive this round trip.
        if not autocommit:
            dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()
        if not autocommit:
            dbapi_connection.autocommit = False
    except Exception as exc:
        _forget_deadline(dbapi_connection, record)
        if scope is not None and scope.expired:
            raise deadlines.DeadlineExceeded(
                f"no answer from the database within {scope.seconds:g} s"
            ) from exc
        # A stale connection (server restarted, network dropped while idle): the pool replaces it.
        raise DisconnectionError(f"pooled connection is dead: {exc}") from exc


def _on_checkout_sqlite(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """SQLite: a locked file is waited on only as long as the deadline, then interrupted."""
    scope = deadlines.current()
    if scope is not None and not scope.done:
        deadlines.WATCHDOG.attach(scope, dbapi_connection)
        record.info["deadline"] = scope
        busy_ms = max(50, int(scope.remaining() * 1000))
        record.info["busy"] = True
    elif record.info.pop("busy", False):
        busy_ms = 5000
    else:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    finally:
        cursor.close()


def _forget_deadline(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    scope = record.info.pop("deadline", None)
    if isinstance(scope, deadlines.Deadline):
        deadlines.WATCHDOG.detach(scope, dbapi_connection)


def _on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # Back in the pool: the deadline of the call that used it no longer concerns it.
    _forget_deadline(dbapi_connection, record)


def _postgresql_connect_args(timeouts: DatabaseTimeouts) -> dict[str, Any]:
    return {
        "connect_timeout": max(2, timeouts.connect_s),
        "application_name": "safedesk",
        "keepalives": 1,
        "keepalives_idle": timeouts.keepalive_idle_s,
        "keepalives_interval": timeouts.keepalive_interval_s,
        "keepalives_count": timeouts.keepalive_count,
        "tcp_user_timeout": timeouts.tcp_user_timeout_ms,
    }


def _standby_is_a_lost_connection(context: ExceptionContext) -> None:
    """A server that refuses writes as read-only is a standby (not yet promoted, or demoted):
    for this PC that is no primary at all. Dropping the pool's connections makes the next call
    connect afresh, and a multi-host URL with target_session_attrs=read-write then finds the
    primary; until then the caller hears "unavailable" and holds the press."""
    if isinstance(context.original_exception, psycopg.errors.ReadOnlySqlTransaction):
        context.is_disconnect = True


def _connect_within_deadline(
    _dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]
) -> None:
    """A new connection made inside a deadline waits for the server no longer than it has left
    (whole seconds, at least 2: libpq's rule), and is not even tried with almost nothing left."""
    scope = deadlines.current()
    if scope is None or scope.done:
        return
    if scope.remaining() < 0.5:
        scope.expired = True
        raise deadlines.DeadlineExceeded(
            f"no answer from the database within {scope.seconds:g} s (no time left to connect)"
        )
    left = max(2, math.ceil(scope.remaining()))
    cparams["connect_timeout"] = min(int(cparams.get("connect_timeout", left)), left)


def make_engine(
    url: str,
    *,
    pool_size: int = 1,
    max_overflow: int = 1,
    timeouts: DatabaseTimeouts | None = None,
) -> Engine:
    timeouts = timeouts or DatabaseTimeouts()
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # Created private, or refused if other users can get at it (never chmod-ed).
            prepare_database_file(Path(parsed.database))
        in_memory = not parsed.database or parsed.database == ":memory:"
        pool_args: dict[str, Any] = (
            {} if in_memory else {"poolclass": DeadlinePool, "pool_timeout": timeouts.pool_wait_s}
        )
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **pool_args
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkout", _on_checkout_sqlite)
        event.listen(engine, "checkin", _on_checkin)
        return engine
    engine = create_engine(
        url,
        poolclass=DeadlinePool,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=timeouts.pool_wait_s,
        pool_pre_ping=False,  # _on_checkout_postgresql pings, inside the caller's deadline
        pool_recycle=1800,
        connect_args=_postgresql_connect_args(timeouts),
    )
    event.listen(engine, "checkout", _on_checkout_postgresql)
    event.listen(engine, "checkin", _on_checkin)
    event.listen(engine, "do_connect", _connect_within_deadline)
    event.listen(engine, "handle_error", _standby_is_a_lost_connection)
    return engine


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
