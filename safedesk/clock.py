"""Injected time, so rules (escalation, test windows, reviews) are testable without sleeping."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Source of the current time; every rule takes one instead of reading the system clock."""

    def now(self) -> datetime:
        """Timezone-aware UTC now."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for measuring intervals."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to; tests drive escalation and week boundaries with it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float = 0.0, **kwargs: float) -> None:
        delta = timedelta(seconds=seconds, **kwargs)
        with self._lock:
            self._now += delta
            self._mono += delta.total_seconds()

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs a timezone-aware time")
        with self._lock:
            self._mono += (when - self._now).total_seconds()
            self._now = when


class SkewedClock:
    """A PC or bridge whose own clock is ``ahead_s`` seconds off ``base`` (negative: slow).

    ``step`` moves its wall clock and not its monotonic one, as NTP does when it corrects a
    Raspberry Pi that booted with a stale time (it has no real-time clock). Tests and the bench
    run a bridge or a PC on one of these, with ``base`` standing for the database server.
    """

    def __init__(self, base: Clock, ahead_s: float) -> None:
        self._base = base
        self._ahead_s = ahead_s
        self._lock = threading.Lock()

    @property
    def ahead_s(self) -> float:
        with self._lock:
            return self._ahead_s

    def now(self) -> datetime:
        return self._base.now() + timedelta(seconds=self.ahead_s)

    def monotonic(self) -> float:
        return self._base.monotonic()

    def step(self, seconds: float) -> None:
        """The wall clock jumps by ``seconds`` (NTP stepping it); monotonic time does not."""
        with self._lock:
            self._ahead_s += seconds


def utc(dt: datetime) -> datetime:
    """Normalise a datetime read back from a database (SQLite loses the zone) to aware UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
