"""Heartbeats written by a thread of their own, so a driver's reader never waits on the database.

A USB button's port reader used to record each heartbeat itself: with the database hung, every
heartbeat held the reader for the pool's whole wait, and a press arriving on that port waited
behind its own heartbeats. Now the reader only leaves the latest heartbeat of each device here
(a newer one replaces an older one: only "last seen" matters) and this thread writes them.
Heartbeats are never stored for later: while the database is down, nothing updates last seen.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from safedesk.button_events import DeviceHeard, PressSink
from safedesk.db.failures import is_environment
from safedesk.outbox.trouble_log import TroubleLog

log = logging.getLogger(__name__)


class HeartbeatWriter:
    """``offer`` from any thread (never blocks); ``start``/``stop`` the writing thread."""

    def __init__(self, sink: PressSink, *, name: str = "outbox-heartbeats") -> None:
        self.sink = sink
        self.name = name
        self.written = 0
        self._latest: dict[str, DeviceHeard] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._trouble = TroubleLog(log)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def offer(self, heard: DeviceHeard) -> None:
        with self._lock:
            previous = self._latest.get(heard.device_id)
            if previous is not None and heard.firmware_version is None:
                # A heartbeat replacing a queued HELLO keeps the firmware version it carried.
                heard = dataclasses.replace(heard, firmware_version=previous.firmware_version)
            self._latest[heard.device_id] = heard
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def write(self, heard: DeviceHeard) -> None:
        """Record one heartbeat now; failures are logged once per state change, not raised."""
        try:
            self.sink.heard(heard)
        except Exception as exc:
            if is_environment(exc):
                self._trouble.failing(
                    "database",
                    f"heartbeats not recorded while the database is unreachable: {exc}",
                    level=logging.WARNING,
                )
            elif self._trouble.mark(f"heartbeat {heard.device_id}"):
                # A bug, not the environment: loud, with the trace, once until it works again.
                log.exception("recording the heartbeat of panic button %s failed", heard.device_id)
            return
        self.written += 1
        self._trouble.recovered("database", "heartbeats recorded again")
        self._trouble.recovered(
            f"heartbeat {heard.device_id}", f"heartbeat of {heard.device_id} recorded again"
        )

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch, self._latest = list(self._latest.values()), {}
            for heard in batch:
                if self._stopping.is_set():
                    return
                self.write(heard)
