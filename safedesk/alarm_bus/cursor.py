"""Reading a growing id sequence exactly once, even when ids commit out of order.

SQLite hands out bus ids under its single write lock, so they commit in order. PostgreSQL takes
ids from a sequence at INSERT time: transaction A may take 41, transaction B 42, and B commit
first. A reader that only remembers "highest id seen = 42" would never see 41. The cursor therefore
remembers the holes below its high-water mark and keeps asking for them for ``hold_s`` seconds
(long enough for any alarm transaction to commit); a hole still empty after that was a rollback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

# A jump larger than this (a sequence restarted far ahead) is not tracked id by id.
MAX_TRACKED_GAP = 10_000


class GapTrackingCursor:
    """Which ids have been delivered, which are still expected, and what to ask for next."""

    def __init__(self, after_id: int, *, hold_s: float, monotonic: Callable[[], float]) -> None:
        self.high = after_id
        self.hold_s = hold_s
        self._monotonic = monotonic
        self._gaps: dict[int, float] = {}  # missing id -> monotonic time it was first missed

    @property
    def gaps(self) -> list[int]:
        """Ids below ``high`` not yet seen and not yet given up on (to re-read each fetch)."""
        return sorted(self._gaps)

    def accept(self, ids: Iterable[int]) -> list[int]:
        """Record fetched ids (any order); return those not delivered before, in id order."""
        now = self._monotonic()
        fresh: list[int] = []
        for bus_id in sorted(set(ids)):
            if bus_id > self.high:
                if bus_id - self.high - 1 <= MAX_TRACKED_GAP:
                    for missing in range(self.high + 1, bus_id):
                        self._gaps[missing] = now
                else:
                    log.warning(
                        "bus id jumped from %d to %d; not tracking the gap", self.high, bus_id
                    )
                self.high = bus_id
                fresh.append(bus_id)
            elif self._gaps.pop(bus_id, None) is not None:
                log.info("bus event %d committed after later ones; delivered late", bus_id)
                fresh.append(bus_id)
        return fresh

    def expire(self) -> list[int]:
        """Give up on holes older than ``hold_s`` (their transactions rolled back); return them."""
        now = self._monotonic()
        stale = [i for i, since in self._gaps.items() if now - since > self.hold_s]
        for bus_id in stale:
            del self._gaps[bus_id]
        if stale:
            log.debug("bus ids %s never committed (rolled back); no longer expected", stale)
        return stale
