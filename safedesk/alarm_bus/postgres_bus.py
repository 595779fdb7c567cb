"""The bus across PCs on PostgreSQL: LISTEN/NOTIFY to wake at once, the table to be right.

One dedicated psycopg connection per process LISTENs and also does the reading, so a PC costs
one connection for alarms whatever number of windows it has. After every connect and reconnect
the pump reads everything past its cursor (catch-up), and it re-reads once a second even when no
notification came, so a dropped connection or a lost NOTIFY never loses an event. Sequence ids
can commit out of order; the gap-tracking cursor keeps asking for the holes.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from safedesk.alarm_bus.cursor import GapTrackingCursor
from safedesk.alarm_bus.events import BusMessage
from safedesk.alarm_bus.interface import PRIME_WINDOW, AlarmBus, decode_rows
from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.db.urls import libpq_conninfo

log = logging.getLogger(__name__)

CHANNEL = "safedesk_bus"

_READ_SQL = (
    "SELECT id, kind, payload, created_at FROM bus_events "
    "WHERE id > %s OR id = ANY(%s) ORDER BY id LIMIT %s"
)


def psycopg_conninfo(sqlalchemy_url: str) -> str:
    """The database URL as libpq wants it, read exactly as the pool reads it: a multi-host URL
    (``?host=db1:5432&host=db2:5432&target_session_attrs=read-write``) keeps every host, so the
    listener finds the new primary after a failover as the pool does."""
    return libpq_conninfo(sqlalchemy_url)


class PostgresAlarmBus(AlarmBus):
    backend = "postgresql"

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        recheck_s: float = 1.0,
        gap_hold_s: float = 30.0,
        max_backoff_s: float = 2.0,
    ) -> None:
        super().__init__(db, clock, gap_hold_s=gap_hold_s)
        self.recheck_s = recheck_s
        self.max_backoff_s = max_backoff_s
        self._conninfo = psycopg_conninfo(db.url)
        self._listen_conn: psycopg.Connection[Any] | None = None
        self.connects = 0  # how many times the listener (re)connected, for tests and logs
        self.server: str | None = None  # "host:port" the listener is (or was last) on

    def _announce(self, session: Session, bus_id: int) -> None:
        """Nothing to do: the ``bus_events_notify`` trigger (migration 0002) NOTIFYs each row,
        delivered by the server when the transaction commits."""
        del session, bus_id

    def listener_backend_pid(self) -> int | None:
        """The server pid of the LISTEN connection (tests kill it with pg_terminate_backend)."""
        conn = self._listen_conn
        return None if conn is None or conn.closed else int(conn.info.backend_pid)

    def _connect(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=3,
            application_name="safedesk-bus",
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=1,
            keepalives_count=3,
            tcp_user_timeout=5000,
        )
        try:
            conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            # Connected but LISTEN failed (the link dropped in between): the caller never sees
            # this connection, so close it here rather than leave it to the garbage collector.
            conn.close()
            raise
        return conn

    def _read_pg(
        self, conn: psycopg.Connection[Any], after: int, gaps: list[int], limit: int
    ) -> list[BusMessage]:
        rows = conn.execute(_READ_SQL, (after, gaps, limit)).fetchall()
        return decode_rows(rows)

    def _prime(self, conn: psycopg.Connection[Any]) -> GapTrackingCursor:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM bus_events").fetchone()
        top = int(row[0]) if row else 0
        ids = [
            int(r[0])
            for r in conn.execute(
                "SELECT id FROM bus_events WHERE id > %s ORDER BY id", (top - PRIME_WINDOW,)
            )
        ]
        cursor = GapTrackingCursor(
            max(top - PRIME_WINDOW, 0), hold_s=self.gap_hold_s, monotonic=self._monotonic
        )
        cursor.accept(ids)
        return cursor

    def _pump_main(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            conn: psycopg.Connection[Any] | None = None
            try:
                conn = self._connect()
                self._listen_conn = conn
                self.connects += 1
                self._note_server(conn)
                if self._cursor is None:
                    self._cursor = self._prime(conn)
                # Catch-up: everything committed while we were away (or before we started).
                self._fetch_new(functools.partial(self._read_pg, conn))
                self._set_health(True)
                backoff = 0.1
                self._listen_loop(conn)
            except psycopg.errors.ReadOnlySqlTransaction as exc:
                # A standby (LISTEN is refused during recovery): no primary for this PC yet.
                self._set_health(False, f"the database server is a read-only standby: {exc}")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
            except psycopg.OperationalError as exc:
                self._set_health(False, f"{type(exc).__name__}: {exc}".strip())
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
            except Exception as exc:
                # A bug, not the environment: loud in the log and on the banner, and keep reading,
                # because a pump that dies leaves this PC deaf to alarms.
                log.exception("alarm bus pump failed; restarting it")
                self._set_health(False, f"internal error: {exc!r}")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
            finally:
                self._listen_conn = None
                if conn is not None and not conn.closed:
                    conn.close()

    def _note_server(self, conn: psycopg.Connection[Any]) -> None:
        """Say so when the listener comes back on another server (a failover to the standby):
        the catch-up by id that follows reads what that server has."""
        server = f"{conn.info.host}:{conn.info.port}"
        if self.server is not None and server != self.server:
            log.warning(
                "alarm bus now on the database server at %s (was %s): failover; catching up by id",
                server,
                self.server,
            )
        self.server = server

    def _listen_loop(self, conn: psycopg.Connection[Any]) -> None:
        cursor = self._cursor
        assert cursor is not None
        while not self._stop.is_set():
            wake_ids: list[int] = []
            timed_out = True
            for note in conn.notifies(timeout=self.recheck_s, stop_after=1):
                timed_out = False
                wake_ids.append(_note_id(note.payload))
            if not timed_out:
                # Drain what else is queued so a burst of 200 presses costs one read, not 200.
                for note in conn.notifies(timeout=0.0):
                    wake_ids.append(_note_id(note.payload))
            if self._kick.is_set():
                self._kick.clear()
                timed_out = True  # a local commit: read without trusting notification ids
            pending = set(cursor.gaps)
            if timed_out or any(i > cursor.high or i in pending or i < 0 for i in wake_ids):
                self._fetch_new(functools.partial(self._read_pg, conn))


def _note_id(payload: str) -> int:
    try:
        return int(payload)
    except ValueError:
        log.warning("unexpected payload %r on %s; reading the log anyway", payload, CHANNEL)
        return -1
