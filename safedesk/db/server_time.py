"""The database server's clock: the one time every decision on the alarm path is made on.

PCs and bridges disagree about the time (a Raspberry Pi has no real-time clock and boots with a
stale one until NTP answers), and every rule on the alarm path compares times written by
different machines: an alarm's escalation, a button's last heartbeat, a weekly test's window, a
lockout. So each process runs on a ``ServerClock``: a ``Clock`` whose ``now()`` is the server's
time, handed to the services and drivers in place of the PC's own clock.

- PostgreSQL: the server's ``clock_timestamp()`` is read when the process starts, on the first
  press if it has not been read yet (inside that press's transaction), and every minute
  (``ServerClockTimer``). Each reading is anchored to this process's monotonic clock, so
  ``now()`` costs no round trip (none is added to a press), and this PC's own wall clock may be
  wrong or jump (NTP stepping it) without moving any decision. The estimate is off by at most
  half the reading's round trip (about a millisecond on a LAN) plus the monotonic clock's drift
  since (tens of parts per million: a few milliseconds a minute), against limits of 10 s (a
  button offline) and 60 s (escalation).
- SQLite runs inside this process, on this PC's file: this PC's clock IS the server's clock.

Device and PC clocks are only reported: a press keeps the time its device or PC gave it (judged
in ``safedesk.services.alarms.press_time``), and the skew (this PC minus the server) is logged once
per change and shown on the desktop's header past 30 s (``safedesk.clock_skew``).
Until the server has answered once, ``now()`` is this PC's own clock (nothing better is known).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.clock_skew import Skew, SkewState, next_state, skew_message
from safedesk.db.database import Database, DatabaseUnavailable

log = logging.getLogger(__name__)

ServerTimeReader = Callable[[Session], datetime]

# A new reading this far from the running estimate means the server's clock itself moved
# (corrected by its NTP, or a promoted standby with another clock): worth a line in the log.
_SERVER_JUMP_S = 1.0


def read_postgresql_clock(session: Session) -> datetime:
    """The server's current time (``clock_timestamp()``: the moment of reading, not the
    transaction's start)."""
    value = session.scalar(text("SELECT clock_timestamp()"))
    if not isinstance(value, datetime):
        raise RuntimeError(f"the database server gave no time: {value!r}")
    return value.astimezone(UTC)


class ServerClock:
    """The server's time anchored to this process's monotonic clock; a ``Clock``.

    ``read`` None: this PC's clock is the server's (SQLite). Thread-safe.
    """

    def __init__(self, local: Clock, read: ServerTimeReader | None, *, who: str = "This PC"):
        self.local = local
        self.who = who
        self._read = read
        self._lock = threading.Lock()
        self._anchor: tuple[datetime, float] | None = None  # (server time, monotonic then)
        self._uncertainty_s = 0.0
        self._state = SkewState.IN_STEP if read is None else SkewState.UNKNOWN

    # --- Clock --------------------------------------------------------------------------------

    def now(self) -> datetime:
        with self._lock:
            anchor = self._anchor
        if anchor is None:
            return self.local.now()
        server_then, mono_then = anchor
        return server_then + timedelta(seconds=self.local.monotonic() - mono_then)

    def monotonic(self) -> float:
        return self.local.monotonic()

    # --- the server's clock -------------------------------------------------------------------

    @property
    def is_local(self) -> bool:
        """True when this PC's clock is the server's (SQLite): nothing to read."""
        return self._read is None

    @property
    def measured(self) -> bool:
        with self._lock:
            return self._read is None or self._anchor is not None

    @property
    def state(self) -> SkewState:
        with self._lock:
            return self._state

    def skew(self) -> Skew | None:
        """This PC's clock minus the server's, now (None: the server has not answered yet)."""
        if self._read is None:
            return Skew(0.0, 0.0)
        with self._lock:
            if self._anchor is None:
                return None
            uncertainty = self._uncertainty_s
        ahead = (self.local.now() - self.now()).total_seconds()
        return Skew(ahead, uncertainty)

    def measure(self, session: Session) -> Skew:
        """Read the server's clock in ``session`` (one short statement) and anchor to it."""
        if self._read is None:
            return Skew(0.0, 0.0)
        sent = self.local.monotonic()
        server = self._read(session)
        answered = self.local.monotonic()
        return self.observe(server, sent, answered)

    def observe(self, server: datetime, sent_mono: float, answered_mono: float) -> Skew:
        """Take a reading made between two monotonic times: the server's time at their midpoint."""
        if server.tzinfo is None:
            raise ValueError("the server's time must be timezone-aware")
        middle = (sent_mono + answered_mono) / 2
        uncertainty = max(0.0, (answered_mono - sent_mono) / 2)
        with self._lock:
            previous = self._anchor
            self._anchor = (server.astimezone(UTC), middle)
            self._uncertainty_s = uncertainty
        if previous is not None:
            expected = previous[0] + timedelta(seconds=middle - previous[1])
            moved = (server - expected).total_seconds()
            if abs(moved) > _SERVER_JUMP_S + uncertainty:
                log.warning(
                    "the database server's clock moved by %+.1f s since it was last read (its "
                    "clock was corrected, or another server answers now): decisions follow it",
                    moved,
                )
        skew = self.skew()
        assert skew is not None
        self._report(skew)
        return skew

    def _report(self, skew: Skew) -> None:
        """Log once per change of state: off by more than 30 s, or back in step."""
        with self._lock:
            before = self._state
            after = next_state(before, skew)
            self._state = after
        if after is before:
            return
        if after in (SkewState.FAST, SkewState.SLOW):
            log.warning(
                "%s (measured: %+.3f s, +/- %.3f s). Correct this machine's clock (NTP); "
                "presses it made before the server answered may carry wrong times",
                skew_message(skew, self.who),
                skew.ahead_s,
                skew.uncertainty_s,
            )
        elif before is SkewState.UNKNOWN:
            log.info(
                "%s's clock is within %.3f s of the database server's", self.who, abs(skew.ahead_s)
            )
        else:
            log.warning(
                "%s's clock agrees with the database server's again (off by %+.1f s)",
                self.who,
                skew.ahead_s,
            )


def server_clock_for(
    db: Database, local: Clock, *, server: Clock | None = None, who: str = "This PC"
) -> ServerClock:
    """The ServerClock for a process on ``db``.

    ``server``: where the server's time comes from when it is not the database's own clock
    (tests and the bench stand a FakeClock in for the server). Otherwise PostgreSQL's clock, or
    none to read on SQLite (this PC's clock is the server's).
    """
    if server is not None:
        return ServerClock(local, lambda _session: server.now(), who=who)
    if db.is_postgresql:
        return ServerClock(local, read_postgresql_clock, who=who)
    return ServerClock(local, None, who=who)


def server_now(session: Session, clock: Clock) -> datetime:
    """``clock.now()``, reading the server's clock first in ``session`` if it is a ServerClock
    that has not heard from the server yet (a press that arrives first, a bridge that started
    with the database down): a decision is then never made on this PC's own clock."""
    if isinstance(clock, ServerClock) and not clock.measured:
        clock.measure(session)
    return clock.now()


class ServerClockTimer:
    """Reads the server's clock at start and every ``interval_s`` on its own thread."""

    def __init__(
        self,
        clock: ServerClock,
        db: Database,
        *,
        interval_s: float = 60.0,
        retry_s: float = 5.0,
        deadline_s: float = 3.0,
    ) -> None:
        self.clock = clock
        self.db = db
        self.interval_s = interval_s
        self.retry_s = retry_s
        self.deadline_s = deadline_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def start(self) -> None:
        if self._thread is not None or self.clock.is_local:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="server-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def measure_once(self) -> Skew | None:
        """One reading (None: the database did not answer; said once per outage)."""
        try:
            with self.db.session(deadline_s=self.deadline_s) as s:
                skew = self.clock.measure(s)
        except DatabaseUnavailable as exc:
            if not self._failing:
                log.warning(
                    "cannot read the database server's clock: %s (%s)",
                    exc,
                    "keeping the last reading"
                    if self.clock.measured
                    else "using this machine's own clock until it answers",
                )
            self._failing = True
            return None
        self._failing = False
        return skew

    def _run(self) -> None:
        wait = 0.0
        while not self._stopping.wait(wait):
            try:
                ok = self.measure_once() is not None
            except Exception:
                log.exception("reading the database server's clock failed")
                ok = False
            wait = self.interval_s if ok else self.retry_s
