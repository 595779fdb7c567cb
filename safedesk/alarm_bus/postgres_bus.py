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
from array import array
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from safedesk.alarm_bus.cursor import GapTrackingCursor
from safedesk.alarm_bus.events import BusMessage
from safedesk.alarm_bus.interface import PRIME_WINDOW, AlarmBus, decode_rows
from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.db.failures import internal_error_text, is_environment
from safedesk.db.urls import libpq_conninfo

log = logging.getLogger(__name__)

CHANNEL = "safedesk_bus"

_RECHECK_SQL = (
    "SELECT id, kind, payload, created_at FROM bus_events WHERE id >= %s ORDER BY id LIMIT %s"
)
_RECENT = 4096  # delivered ids remembered for the check after a failover
_RECHECK_LIMIT = 20_000

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
        self.timeline: int | None = None  # the server's WAL timeline (a promotion starts a new one)
        self.lost_in_failover: list[int] = []  # bus ids received here that a new primary lacked
        # What each recently delivered id was, to tell after a failover whether the new primary
        # still has it, and whether it has given that id to another event.
        self._recent = _RecentIds(_RECENT)

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
                moved = self._note_server(conn)
                if self._cursor is None:
                    self._cursor = self._prime(conn)
                elif moved:
                    self._reconcile_after_failover(conn)
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
            except Exception as exc:
                if is_environment(exc):
                    self._set_health(False, f"{type(exc).__name__}: {exc}".strip())
                else:
                    # A bug, not the environment (safedesk.db.failures): loud in the log (the
                    # traceback once per new error, not every retry) and on the banner, and keep
                    # reading: a pump that dies leaves this PC deaf to alarms.
                    detail = internal_error_text(exc)
                    if detail != self.health().last_error:
                        log.exception("alarm bus pump failed (a bug, not an outage); restarting")
                    self._set_health(False, detail)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
            finally:
                self._listen_conn = None
                if conn is not None and not conn.closed:
                    conn.close()

    def _note_server(self, conn: psycopg.Connection[Any]) -> bool:
        """Which server and timeline the listener is on now; True if either changed (the standby
        was promoted: a new timeline, maybe behind a name or address that did not change)."""
        server = f"{conn.info.host}:{conn.info.port}"
        timeline = _timeline(conn)
        moved = self.server is not None and (
            server != self.server or (timeline is not None and timeline != self.timeline)
        )
        if moved:
            log.warning(
                "alarm bus now on the database server at %s, timeline %s (was %s, timeline %s): "
                "failover; catching up by id",
                server,
                timeline,
                self.server,
                self.timeline,
            )
        self.server, self.timeline = server, timeline
        return moved

    def _deliver(self, messages: list[BusMessage]) -> None:
        for message in messages:
            self._recent.add(message.id, _fingerprint(message))
        super()._deliver(messages)

    def _reconcile_after_failover(self, conn: psycopg.Connection[Any]) -> None:
        """After a failover, believe the new primary, not what the old one said.

        With synchronous replication the standby has every event a PC received, and this finds
        nothing. Otherwise (asynchronous replication, or a commit whose wait for the standby was
        cut short) events this PC received may be missing there, and the new primary hands their
        ids out again to other events, which the cursor would take for ones already delivered
        and never show. So every id from the first that differs is forgotten (cursor and
        readers) and read again from the new primary; the lost ones are logged loudly.
        """
        recent = self._recent.items()
        if not recent:
            return
        rows = conn.execute(_RECHECK_SQL, (min(recent), _RECHECK_LIMIT)).fetchall()
        on_server = {m.id: m for m in decode_rows(rows)}
        changed = sorted(
            bus_id
            for bus_id, seen in recent.items()
            if bus_id not in on_server or _fingerprint(on_server[bus_id]) != seen
        )
        if not changed:
            return
        first = changed[0]
        lost = [i for i in changed if i not in on_server]
        self.lost_in_failover += lost
        log.error(
            "FAILOVER LOST ALARM BUS EVENTS: %d event(s) this PC received are not on the new "
            "primary (ids %s): the standby never had them (asynchronous replication?); alarms "
            "they raised may still be on screen here and no longer in the database. %d id(s) "
            "now name other events: reading them again",
            len(lost),
            lost[:20],
            len(changed) - len(lost),
        )
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.forget(changed)
        self._recent.drop(changed)
        cursor = GapTrackingCursor(first - 1, hold_s=self.gap_hold_s, monotonic=self._monotonic)
        again = [m for bus_id, m in sorted(on_server.items()) if bus_id >= first]
        cursor.accept(m.id for m in again)
        self._cursor = cursor
        if again:
            self._deliver(again)  # readers drop what they already had; the rest is new to them

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


class _RecentIds:
    """The last ``size`` delivered bus ids with a fingerprint of each, 16 bytes apiece (a
    screen's memory stays small however long it runs)."""

    def __init__(self, size: int) -> None:
        self._ids = array("q", [0] * size)
        self._prints = array("q", [0] * size)
        self._next = 0
        self._count = 0

    def add(self, bus_id: int, fingerprint: int) -> None:
        slot = self._next % len(self._ids)
        self._ids[slot], self._prints[slot] = bus_id, fingerprint
        self._next += 1
        self._count = min(self._count + 1, len(self._ids))

    def items(self) -> dict[int, int]:
        return {self._ids[i]: self._prints[i] for i in range(self._count)}

    def drop(self, ids: list[int]) -> None:
        gone = set(ids)
        kept = [(i, p) for i, p in self.items().items() if i not in gone]
        self._next = self._count = 0
        for bus_id, fingerprint in kept:
            self.add(bus_id, fingerprint)


def _fingerprint(message: BusMessage) -> int:
    """Which event an id named: its kind and time (this process's hash; never stored)."""
    return hash((message.kind, message.created_at))


def _timeline(conn: psycopg.Connection[Any]) -> int | None:
    """The WAL timeline the server writes on (None if it will not say, e.g. a standby)."""
    try:
        row = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()
    except psycopg.errors.Error as exc:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        log.debug("cannot read the server's timeline: %s", exc)
        return None
    return int(str(row[0])[:8], 16) if row else None


def _note_id(payload: str) -> int:
    try:
        return int(payload)
    except ValueError:
        log.warning("unexpected payload %r on %s; reading the log anyway", payload, CHANNEL)
        return -1
