"""The bus on one PC's SQLite file: several processes, woken by polling the increasing event id.

SQLite serialises writers, so ids commit in order. The pump holds one connection (WAL lets it
read while others write) and polls ``PRAGMA data_version`` every few ms, reading the log by id
only when another connection has committed. A publish in the same process wakes it at once.
"""

from __future__ import annotations

import functools
import logging

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from safedesk.alarm_bus.interface import AlarmBus
from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.db.failures import internal_error_text, is_environment

log = logging.getLogger(__name__)


class SqliteAlarmBus(AlarmBus):
    backend = "sqlite"

    def __init__(
        self, db: Database, clock: Clock, *, poll_interval_s: float = 0.01, gap_hold_s: float = 30.0
    ) -> None:
        super().__init__(db, clock, gap_hold_s=gap_hold_s)
        self.poll_interval_s = poll_interval_s

    def _announce(self, session: Session, bus_id: int) -> None:
        """Nothing to send: readers poll the ids, and this process is woken after commit."""
        del session, bus_id

    def _pump_main(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                with self.db.engine.connect() as conn:
                    if self._cursor is None:
                        self._cursor = self._new_cursor(conn)
                    self._set_health(True)
                    backoff = 0.2
                    seen_version: object = None
                    next_full_read = 0.0
                    while not self._stop.is_set():
                        # data_version changes whenever another connection commits: a poll costs
                        # one pragma until something happened. A full read every second anyway
                        # (and on a local kick) keeps gap expiry and health checks going.
                        version = conn.exec_driver_sql("PRAGMA data_version").scalar()
                        now = self._monotonic()
                        if version != seen_version or now >= next_full_read or self._kick.is_set():
                            self._kick.clear()
                            seen_version = version
                            next_full_read = now + 1.0
                            self._fetch_new(functools.partial(self._read, conn))
                        # End the implicit read so the next poll sees other processes' commits.
                        conn.rollback()
                        self._kick.wait(self.poll_interval_s)
            except Exception as exc:
                if isinstance(exc, DBAPIError) and is_environment(exc):
                    self._set_health(False, f"{type(exc.orig).__name__}: {exc.orig}")
                else:
                    # A bug, not the environment (safedesk.db.failures): loud in the log (the
                    # traceback once per new error, not every retry) and on the banner, and keep
                    # reading: a pump that dies leaves this PC deaf to alarms.
                    detail = internal_error_text(exc)
                    if detail != self.health().last_error:
                        log.exception("alarm bus pump failed (a bug, not an outage); restarting")
                    self._set_health(False, detail)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
