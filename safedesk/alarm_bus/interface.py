"""The alarm bus: one interface, a SQLite and a PostgreSQL implementation chosen by the database URL.

Writers call ``publish(session, event, at=...)`` inside the transaction that makes the change, so
the event exists exactly when the change does. Readers never trust a push alone: every
implementation reads the ``bus_events`` table by id (the truth) and uses its wake-up mechanism
(polling, LISTEN/NOTIFY) only to read sooner.

One background "pump" per bus object reads the log and fans events out to every ``Subscription``
in the process, so 100 screens in one process cost one database connection, not 100.

Typical screen worker thread::

    sub = services.bus.subscribe(office_id=my_office)       # from now on
    open_alarms = services.alarms.open_alarms(my_office)    # then the current state
    while running:
        for message in sub.get(timeout=1.0):                 # [] after a quiet second
            emit(message.event)
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from safedesk.alarm_bus.cursor import GapTrackingCursor
from safedesk.alarm_bus.events import (
    BusEventBase,
    BusMessage,
    UnknownBusEvent,
    UnrecognisedEvent,
    event_from_row,
)
from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.models import BusEvent

log = logging.getLogger(__name__)

# How many recent ids a new reader inspects for holes (transactions still in flight).
PRIME_WINDOW = 256
FETCH_LIMIT = 2000
# wait() is woken by the pump; it also re-reads this often in case the pump is reconnecting.
WAIT_RECHECK_S = 0.5
# A subscriber holds at most this many undelivered messages; past it, it reads the log by id.
MAX_QUEUED = 1000


@dataclass(frozen=True)
class BusHealth:
    """Whether this PC is receiving alarms: the NOT CONNECTED banner is driven from here."""

    connected: bool
    since_monotonic: float  # when the current state began (time.monotonic())
    last_error: str | None = None


@dataclass(frozen=True)
class Lag:
    """A subscriber that stopped draining: how far behind it is (for its screen to say so)."""

    behind: bool
    dropped: int  # messages not kept in memory since it fell behind (re-read from the log)
    since_monotonic: float


class Subscription:
    """One reader's queue of bus messages (a screen, a driver's LED relay, the bench).

    Messages arrive exactly once each; ``get`` blocks until there is something or the timeout.
    The queue is bounded (``max_queued``): a reader that stops draining does not grow without
    end. Past the bound it is *behind*: new messages are not kept, and ``get`` reads them back
    from the log by id, in order, so nothing is lost; ``lag()`` says so meanwhile.
    """

    def __init__(
        self,
        bus: AlarmBus,
        *,
        office_id: int | None = None,
        kinds: Iterable[str] | None = None,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        if max_queued < 1:
            raise ValueError("max_queued must be at least 1")
        self._bus = bus
        self.office_id = office_id
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.max_queued = max_queued
        self._queue: deque[BusMessage] = deque()
        self._delivered: set[int] = set()
        self._cond = threading.Condition()
        self.closed = False
        # Behind: every wanted message with id >= _resume_from is in the log, not in memory.
        self._resume_from: int | None = None
        self._dropped = 0
        self._behind_since = 0.0
        self._lowest_dropped_while_reading: int | None = None
        self._reading = False

    def wants(self, message: BusMessage) -> bool:
        """Office filter: an event for another office is not ours; unknown location is everyone's."""
        if self.kinds is not None and message.kind not in self.kinds:
            return False
        office = message.event.office_id
        return self.office_id is None or office is None or office == self.office_id

    def _offer(self, messages: Iterable[BusMessage]) -> None:
        with self._cond:
            added = False
            for message in messages:
                if message.id in self._delivered or not self.wants(message):
                    continue
                if self._keep_in_log(message.id):
                    continue
                self._delivered.add(message.id)
                self._queue.append(message)
                added = True
            self._prune_delivered()
            if added or self._resume_from is not None:
                self._cond.notify_all()

    def _keep_in_log(self, bus_id: int) -> bool:
        """Full (or already behind): leave this message in the log for ``get`` to read back.

        A late message below the resume point (an id that committed after later ones) is still
        queued: the read-back starts above it and would never see it.
        """
        if self._resume_from is None:
            if len(self._queue) < self.max_queued:
                return False
            self._resume_from = bus_id
            self._dropped = 0
            self._behind_since = time.monotonic()
            log.warning(
                "alarm bus reader (office %s) fell behind: %d messages waiting undrained; "
                "reading the rest from the log by id",
                self.office_id,
                len(self._queue),
            )
        elif bus_id < self._resume_from:
            return False
        self._resume_from = min(self._resume_from, bus_id)
        self._dropped += 1
        if self._reading and (
            self._lowest_dropped_while_reading is None
            or bus_id < self._lowest_dropped_while_reading
        ):
            self._lowest_dropped_while_reading = bus_id
        return True

    def _prune_delivered(self) -> None:
        if len(self._delivered) > 50_000:
            keep = sorted(self._delivered)[-20_000:]
            self._delivered = set(keep)

    def forget(self, ids: Iterable[int]) -> None:
        """Take ``ids`` off the delivered list: after a failover the new primary may give those
        ids to other events, which must then be delivered (``PostgresAlarmBus``)."""
        with self._cond:
            self._delivered.difference_update(ids)

    def lag(self) -> Lag:
        """Whether this reader is behind (its screen says so until it has caught up)."""
        with self._cond:
            return Lag(self._resume_from is not None, self._dropped, self._behind_since)

    def get(self, timeout: float) -> list[BusMessage]:
        """Everything waiting, or the first thing to arrive within ``timeout`` seconds ([] if none).

        Behind, it also reads the next ``max_queued`` messages back from the log (id order, each
        exactly once); the reader keeps calling ``get`` until ``lag().behind`` is False.
        """
        with self._cond:
            if not self._queue and self._resume_from is None and not self.closed:
                self._cond.wait(timeout)
            batch = list(self._queue)
            self._queue.clear()
            resume_from = self._resume_from
            if resume_from is None or self.closed or self._reading:
                return batch
            self._reading = True
            self._lowest_dropped_while_reading = None
        try:
            caught_up, read_to = self._read_back(resume_from, batch)
        except (SQLAlchemyError, OSError) as exc:
            # The environment (the database is away): keep what we have, try again next call.
            log.warning("alarm bus reader cannot read back from the log yet: %s", exc)
            caught_up, read_to = False, resume_from - 1
        with self._cond:
            self._reading = False
            lowest = self._lowest_dropped_while_reading
            if caught_up and lowest is None:
                log.info(
                    "alarm bus reader (office %s) caught up: %d messages read back from the log",
                    self.office_id,
                    self._dropped,
                )
                self._resume_from = None
                self._dropped = 0
            else:
                # Whatever was not read, or arrived while reading, is read back next time.
                self._resume_from = read_to + 1 if lowest is None else min(read_to + 1, lowest)
            self._prune_delivered()
        return batch

    def _read_back(self, resume_from: int, batch: list[BusMessage]) -> tuple[bool, int]:
        """Append up to ``max_queued`` wanted messages from id ``resume_from`` on to ``batch``.

        Returns (reached the end of the log, highest id read).
        """
        after = resume_from - 1
        taken = 0
        while taken < self.max_queued:
            page = self._bus.poll(after, limit=FETCH_LIMIT)
            for message in page:
                after = message.id
                with self._cond:
                    if message.id in self._delivered or not self.wants(message):
                        continue
                    self._delivered.add(message.id)
                batch.append(message)
                taken += 1
                if taken >= self.max_queued:
                    return False, after
            if len(page) < FETCH_LIMIT:
                return True, after
        return False, after

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        self._bus._unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class AlarmBus(abc.ABC):
    """Publish events in a transaction; read them by id, exactly once, across processes and PCs."""

    backend: str = ""

    def __init__(self, db: Database, clock: Clock, *, gap_hold_s: float = 30.0) -> None:
        self.db = db
        self.clock = clock
        self.gap_hold_s = gap_hold_s
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._generation = 0  # bumped on every delivery; wait() sleeps until it moves
        self._kick = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Waiting and gap hold times are I/O timing, not business rules: always real time, so a
        # FakeClock driving escalation in a test cannot freeze a reader.
        self._monotonic = time.monotonic
        self._health = BusHealth(connected=True, since_monotonic=self._monotonic())
        self._cursor: GapTrackingCursor | None = None

    # --- writing ------------------------------------------------------------------------------

    def publish(self, session: Session, event: BusEventBase, *, at: datetime) -> int:
        """Add ``event`` to the log in the caller's transaction; return its bus id.

        Call it after the state change is flushed: the id is taken as late as possible, which
        keeps out-of-order commits (PostgreSQL) rare; readers handle them anyway.
        """
        row = BusEvent(
            kind=event.KIND,
            office_id=event.office_id,
            alarm_id=event.alarm_ref,
            payload=event.to_payload(),
            created_at=at,
        )
        session.add(row)
        session.flush()
        self._announce(session, row.id)
        # Wake this process's own readers the moment the transaction commits.
        sa_event.listen(session, "after_commit", self._on_local_commit, once=True)
        return row.id

    @abc.abstractmethod
    def _announce(self, session: Session, bus_id: int) -> None:
        """Backend hook run inside the publishing transaction (PostgreSQL: NOTIFY)."""

    def _on_local_commit(self, _session: Session) -> None:
        self._kick.set()

    # --- reading ------------------------------------------------------------------------------

    def head(self) -> int:
        """The highest committed bus id now (0 for an empty log): "from now on" starts here."""
        with self.db.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(BusEvent.id), 0))).scalar_one())

    def poll(self, after_id: int, limit: int = FETCH_LIMIT) -> list[BusMessage]:
        """Committed events with id > ``after_id`` in id order (one query, no waiting).

        A plain id cursor can miss a PostgreSQL row that commits after a later one; long-lived
        readers should ``subscribe`` (gap-tracked) instead.
        """
        with self.db.engine.connect() as conn:
            return self._read(conn, after_id, [], limit)

    def wait(self, after_id: int, timeout: float) -> list[BusMessage]:
        """Block up to ``timeout`` s for events with id > ``after_id``; [] if none came.

        For worker threads that keep their own cursor. Woken by the pump, re-checked by query.
        """
        self._ensure_pump()
        deadline = self._monotonic() + timeout
        while True:
            seen = self._generation  # read before the query, so no delivery slips between
            messages = self.poll(after_id)
            if messages:
                return messages
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                return []
            with self._changed:
                if self._generation == seen:
                    self._changed.wait(min(remaining, WAIT_RECHECK_S))

    def subscribe(
        self,
        *,
        after_id: int | None = None,
        office_id: int | None = None,
        kinds: Iterable[str] | None = None,
        max_queued: int = MAX_QUEUED,
    ) -> Subscription:
        """A queue of events from now on (``after_id=None``) or from a remembered id onwards.

        Registered with the pump before the catch-up read, so nothing falls between them.
        """
        sub = Subscription(self, office_id=office_id, kinds=kinds, max_queued=max_queued)
        self._ensure_pump()
        with self._lock:
            self._subs.append(sub)
        if after_id is not None:
            last = after_id
            while True:
                batch = self.poll(last)
                sub._offer(batch)
                if len(batch) < FETCH_LIMIT:
                    break
                last = batch[-1].id
        return sub

    def health(self) -> BusHealth:
        """Connected or not, since when, and the last error (for the banner and the tray)."""
        return self._health

    def close(self) -> None:
        """Stop the pump and wake every waiting reader."""
        self._stop.set()
        self._kick.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            with sub._cond:
                sub.closed = True
                sub._cond.notify_all()

    # --- the pump -----------------------------------------------------------------------------

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def _ensure_pump(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            if self._stop.is_set():
                raise RuntimeError("the alarm bus is closed")
            if self._cursor is None:
                # Fix "now" before the caller goes on: an event committed after subscribe()
                # returns must be delivered, however late the pump thread gets going.
                try:
                    with self.db.engine.connect() as conn:
                        self._cursor = self._new_cursor(conn)
                except DBAPIError as exc:
                    log.warning(
                        "alarm bus cannot read the log yet (%s); the pump will retry", exc.orig
                    )
            self._thread = threading.Thread(
                target=self._pump_main, name=f"alarm-bus-{self.backend}", daemon=True
            )
            self._thread.start()

    @abc.abstractmethod
    def _pump_main(self) -> None:
        """Read new events until ``_stop``; call ``_deliver`` with each batch."""

    def _new_cursor(self, conn: Connection) -> GapTrackingCursor:
        """A cursor at the current head that still expects recent ids not yet committed."""
        top = int(conn.execute(select(func.coalesce(func.max(BusEvent.id), 0))).scalar_one())
        recent = conn.execute(
            select(BusEvent.id).where(BusEvent.id > top - PRIME_WINDOW).order_by(BusEvent.id)
        ).scalars()
        ids = list(recent)
        cursor = GapTrackingCursor(
            max(top - PRIME_WINDOW, 0), hold_s=self.gap_hold_s, monotonic=self._monotonic
        )
        cursor.accept(ids)
        return cursor

    def _fetch_new(self, read: Callable[[int, list[int], int], list[BusMessage]]) -> int:
        """One read through the pump's cursor; deliver what is new; return how many."""
        cursor = self._cursor
        if cursor is None:
            raise RuntimeError("pump cursor not initialised")
        cursor.expire()
        total = 0
        while True:
            messages = read(cursor.high, cursor.gaps, FETCH_LIMIT)
            fresh = set(cursor.accept(m.id for m in messages))
            new = [m for m in messages if m.id in fresh]
            if new:
                self._deliver(new)
                total += len(new)
            if len(messages) < FETCH_LIMIT:
                return total

    def _deliver(self, messages: list[BusMessage]) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub._offer(messages)
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def _set_health(self, connected: bool, error: str | None = None) -> None:
        if connected != self._health.connected or error != self._health.last_error:
            if connected:
                log.info("alarm bus (%s) connected", self.backend)
            else:
                log.error("alarm bus (%s) NOT CONNECTED: %s", self.backend, error)
            since = (
                self._health.since_monotonic
                if connected == self._health.connected
                else self._monotonic()
            )
            self._health = BusHealth(connected=connected, since_monotonic=since, last_error=error)

    # --- row decoding -------------------------------------------------------------------------

    @staticmethod
    def _read(conn: Connection, after_id: int, gaps: list[int], limit: int) -> list[BusMessage]:
        condition = BusEvent.id > after_id
        if gaps:
            condition = condition | BusEvent.id.in_(gaps)
        rows = conn.execute(
            select(BusEvent.id, BusEvent.kind, BusEvent.payload, BusEvent.created_at)
            .where(condition)
            .order_by(BusEvent.id)
            .limit(limit)
        ).all()
        return decode_rows(rows)


def decode_rows(rows: Iterable[Any]) -> list[BusMessage]:
    """Bus rows -> messages. A kind this version does not know is logged and delivered as
    ``UnrecognisedEvent`` (so every cursor moves past it), never fatal."""
    messages: list[BusMessage] = []
    for bus_id, kind, payload, created_at in rows:
        try:
            event = event_from_row(kind, payload)
        except UnknownBusEvent:
            log.warning("bus event %d has unknown kind %r (newer SafeDesk?); ignored", bus_id, kind)
            office = payload.get("office_id") if isinstance(payload, dict) else None
            event = UnrecognisedEvent(
                office_id=office if isinstance(office, int) else None,
                kind=str(kind),
                payload=payload if isinstance(payload, dict) else {},
            )
        messages.append(BusMessage(id=int(bus_id), created_at=created_at, event=event))
    return messages
