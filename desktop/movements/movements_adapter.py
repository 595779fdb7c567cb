"""Reads the diary's bus events on a worker thread and emits Qt signals (the GUI never waits).

It subscribes to this office's diary events (an entry logged or changed, an OVERDUE alert raised
or changed), builds what the screens show through ``MovementsDesk``, and asks which alert this
PC gets (full screen or notice: the rota's rule). It also runs the duty any PC may run on a
timer: raising alerts for entries past their deadline and escalating untaken ones.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from safedesk.alarm_bus import BusEventBase, Subscription
from safedesk.alarm_bus.events import MovementChanged, OverdueChanged, OverdueRaised
from safedesk.db import DatabaseUnavailable
from safedesk.services.alarms.rota import AlertLevel
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.overdue_view import OverdueView
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

KINDS = (MovementChanged.KIND, OverdueRaised.KIND, OverdueChanged.KIND)


@dataclass(frozen=True)
class OverdueUpdate:
    """An OVERDUE alert's latest state for this PC (event None: start-up or catch-up)."""

    event: BusEventBase | None
    view: OverdueView
    level: AlertLevel


class MovementsAdapter(QObject):
    """Signals:
    board_changed(list): the office's board rows (BoardRow), after any change.
    overdue_update(OverdueUpdate): an OVERDUE alert was raised or changed (or is open at start).
    problem(str): the diary cannot be read right now ("" when it can again).
    """

    board_changed = Signal(list)
    overdue_update = Signal(object)
    problem = Signal(str)

    def __init__(
        self,
        desk: MovementsDesk,
        office_id: int,
        actor: Callable[[], Actor],
        *,
        check_s: float = 5.0,
        board_s: float = 30.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self._actor = actor
        self._check_s = check_s
        self._board_s = board_s
        self._stop = threading.Event()
        self._refresh = threading.Event()
        self._thread: threading.Thread | None = None
        self._sub: Subscription | None = None
        self._open: set[int] = set()
        self._failing = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="safedesk-movements", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        sub = self._sub
        if sub is not None:
            sub.close()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def refresh(self) -> None:
        """Re-read everything (after a user switch: the alert level depends on who it is)."""
        self._refresh.set()

    # --- the worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        snapshot = True
        next_check = 0.0
        next_board = 0.0
        while not self._stop.is_set():
            try:
                if self._sub is None:
                    self._sub = self.desk.bus.subscribe(office_id=self.office_id, kinds=KINDS)
                if snapshot or self._refresh.is_set():
                    self._refresh.clear()
                    self._snapshot()
                    snapshot = False
                board = False
                for message in self._sub.get(timeout=0.25):
                    board = True
                    event = message.event
                    if isinstance(event, OverdueRaised | OverdueChanged):
                        self._publish(event, self.desk.overdue(event.overdue_id))
                if self._sub.closed:
                    return  # the bus was closed: this PC is shutting down
                # Real time, not the injected clock: a fake clock must not freeze the reader.
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + self._check_s
                    self.desk.check_due(self.office_id)
                if board or now >= next_board:
                    next_board = now + self._board_s
                    self.board_changed.emit(self.desk.board(self.office_id))
                self._ok()
            except DatabaseUnavailable as exc:
                self._failed(f"the diary cannot be read: {exc}")
                snapshot = True
                self._stop.wait(1.0)
            except Exception as exc:
                # A bug: loud in the log and on screen, and keep reading (overdue officers).
                log.exception("movements reader cycle failed")
                self._failed(f"internal error in the diary reader: {exc!r}")
                snapshot = True
                self._stop.wait(1.0)

    def _snapshot(self) -> None:
        views = self.desk.open_overdue(self.office_id)
        for view in views:
            self._publish(None, view)
        for gone in self._open - {v.overdue_id for v in views}:
            self._publish(None, self.desk.overdue(gone))  # closed while we could not see
        self.board_changed.emit(self.desk.board(self.office_id))

    def _publish(self, event: BusEventBase | None, view: OverdueView) -> None:
        if view.is_open:
            self._open.add(view.overdue_id)
        else:
            self._open.discard(view.overdue_id)
        level = self.desk.level_for(view, self._actor().staff_id)
        self.overdue_update.emit(OverdueUpdate(event, view, level))

    def _ok(self) -> None:
        if self._failing:
            self._failing = False
            self.problem.emit("")

    def _failed(self, detail: str) -> None:
        if not self._failing:
            log.warning("%s", detail)
        self._failing = True
        self.problem.emit(detail)
