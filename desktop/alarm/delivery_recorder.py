"""Records, off the GUI thread, that this PC showed an alarm; reads who else showed it.

The alert appears first: the controller hands a ``Shown`` to ``shown`` (a queue put, nothing
more) and a worker thread writes it (``safedesk.services.alarms.alarm_deliveries``). The same thread
reads, every few seconds while an alarm shown here is open, which screens have shown it, and
emits that to the GUI thread for the alert's "Shown on: ..." line. The database being away is
the environment: the write is retried quietly (logged once per outage) and never blocks a screen.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from PySide6.QtCore import QObject, Signal

from safedesk.clock import Clock
from safedesk.db import Database, DatabaseUnavailable
from safedesk.services.alarms.alarm_deliveries import Shown, deliveries_for, record_shown

log = logging.getLogger(__name__)

POLL_S = 3.0  # how often the screens that showed an open alarm are re-read
RETRY_S = 2.0  # a write that could not reach the database is tried again after this
GIVE_UP_AFTER_S = 600.0  # a showing not recorded in ten minutes is logged and dropped


class DeliveryRecorder(QObject):
    """Signals:
    deliveries(dict): alarm id -> tuple of ``Delivery`` (every showing recorded so far).
    """

    deliveries = Signal(object)

    def __init__(
        self, db: Database, clock: Clock, *, poll_s: float = POLL_S, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._clock = clock
        self._poll_s = poll_s
        self._queue: queue.Queue[tuple[Shown, float]] = queue.Queue()
        self._watched: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._read_now = threading.Event()
        self._failing = False
        self._thread = threading.Thread(
            target=self._run, name="safedesk-delivery-recorder", daemon=True
        )
        self._thread.start()

    # --- GUI thread ------------------------------------------------------------------------------

    def shown(self, shown: Shown) -> None:
        """This PC has just shown the alarm: record it (returns at once)."""
        with self._lock:
            self._watched.add(shown.alarm_id)
        self._queue.put((shown, time.monotonic()))

    def forget(self, alarm_id: int) -> None:
        """The alarm left this PC: stop re-reading who showed it."""
        with self._lock:
            self._watched.discard(alarm_id)

    def stop(self) -> None:
        self._stop.set()
        self._read_now.set()
        self._thread.join(timeout=5)
        if self._thread.is_alive():
            log.error("delivery recorder thread did not stop within 5 s")

    # --- the worker ------------------------------------------------------------------------------

    def _run(self) -> None:
        retry: list[tuple[Shown, float]] = []
        next_read = 0.0
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=0.25)
            except queue.Empty:
                item = None
            try:
                pending = retry + ([item] if item is not None else [])
                retry = self._write(pending)
                now = time.monotonic()
                if self._read_now.is_set() or now >= next_read:
                    self._read_now.clear()
                    next_read = now + self._poll_s
                    self._read()
                if retry:
                    self._stop.wait(RETRY_S)
            except Exception:
                # A bug, not the environment: loud, and keep going (the alerts do not depend on it).
                log.exception("recording which screens showed an alarm failed")
                retry = []
                self._stop.wait(1.0)

    def _write(self, pending: list[tuple[Shown, float]]) -> list[tuple[Shown, float]]:
        left: list[tuple[Shown, float]] = []
        for shown, since in pending:
            try:
                if record_shown(self._db, shown, self._clock.now()):
                    self._read_now.set()
                self._recovered()
            except DatabaseUnavailable as exc:
                self._failed(exc)
                if time.monotonic() - since < GIVE_UP_AFTER_S:
                    left.append((shown, since))
                else:
                    log.error(
                        "could not record that alarm %d was shown on this PC: %s",
                        shown.alarm_id,
                        exc,
                    )
        return left

    def _read(self) -> None:
        with self._lock:
            watched = set(self._watched)
        if not watched:
            return
        try:
            found = deliveries_for(self._db, watched)
        except DatabaseUnavailable as exc:
            self._failed(exc)
            return
        self.deliveries.emit(found)

    def _failed(self, exc: Exception) -> None:
        if not self._failing:
            self._failing = True
            log.warning("cannot record which screens showed an alarm yet (will retry): %s", exc)

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("recording which screens showed an alarm again")
