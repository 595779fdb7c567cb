"""The bus on one PC's SQLite file: several processes, woken by polling the increasing event id.

SQLite serialises writers, so ids commit in order; the poll is one primary-key range read on a
held connection (WAL lets it read while others write), cheap enough to run every few tens of ms.
A publish in the same process wakes the pump at once instead of waiting for the next poll.
"""

from __future__ import annotations

import functools
import logging

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from safedesk.alarm_bus.interface import AlarmBus
from safedesk.clock import Clock
from safedesk.db import Database

log = logging.getLogger(__name__)


class SqliteAlarmBus(AlarmBus):
    backend = "sqlite"

    def __init__(
        self, db: Database, clock: Clock, *, poll_interval_s: float = 0.02, gap_hold_s: float = 30.0
    ) -> None:
        super().__init__(db, clock, gap_hold_s=gap_hold_s)
        self.poll_interval_s = poll_interval_s

    def _announce(self, session: Session, bus_id: int) -> None:
        """Nothing to send: readers poll the ids, and this process is woken after commit."""
        del session, bus_id

    def _idle_recheck_s(self) -> float:
        return self.poll_interval_s

    def _pump_main(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                with self.db.engine.connect() as conn:
                    if self._cursor is None:
                        self._cursor = self._new_cursor(conn)
                    self._set_health(True)
                    backoff = 0.2
                    while not self._stop.is_set():
                        self._fetch_new(functools.partial(self._read, conn))
                        # End the implicit read so the next poll sees other processes' commits.
                        conn.rollback()
                        self._kick.wait(self.poll_interval_s)
                        self._kick.clear()
            except DBAPIError as exc:
                self._set_health(False, f"{type(exc.orig).__name__}: {exc.orig}")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
            except Exception as exc:
                # A bug, not the environment: loud in the log and on the banner, and keep reading,
                # because a pump that dies leaves this PC deaf to alarms.
                log.exception("alarm bus pump failed; restarting it")
                self._set_health(False, f"internal error: {exc!r}")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
