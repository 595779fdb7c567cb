"""The one Qt adapter on the alarm bus: a worker thread reads the core and emits Qt signals.

Widgets never block on the database: the worker subscribes to the office's bus events, fetches
the alert view model for each alarm event, asks the rota which alert this PC gets, and emits the
result; Qt queues each signal to the GUI thread. It also runs the duties any PC may run on a timer
(escalation, rota cover announcements) and watches the connection: if the database cannot be
reached, ``connection_changed(False, ...)`` fires within seconds and the NOT CONNECTED banner
goes up; it comes down by itself when reads succeed again.

Threads, not QtAsyncio: psycopg's async mode cannot run on Qt's event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from safedesk.alarm_bus import (
    AlarmEscalated,
    AlarmPressedAgain,
    AlarmRaised,
    AlarmResolved,
    AlarmResponding,
    BusEventBase,
    BusMessage,
    DeviceOffline,
    DeviceOnline,
    NoRespondersOnDuty,
    RespondersOnDuty,
    Subscription,
    TestPressReceived,
)
from safedesk.db import DatabaseUnavailable
from safedesk.db.failures import INTERNAL_ERROR, internal_error_text, is_internal_error_text
from safedesk.services.alarms.alert_views import AlertView
from safedesk.services.alarms.responder_reach import Reach, ResponderReach, alert_level_with_reach
from safedesk.services.alarms.rota import AlertLevel
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

ALARM_EVENTS = (AlarmRaised, AlarmPressedAgain, AlarmResponding, AlarmEscalated, AlarmResolved)
# A blip shorter than this (a pooled connection replaced) does not raise the banner.
DISCONNECT_DEBOUNCE_S = 1.0


@dataclass(frozen=True)
class AlarmUpdate:
    """An alarm's latest state for this PC: what happened (None: start-up/catch-up), view, level,
    and who on the rota can be reached (None: not known)."""

    event: BusEventBase | None
    view: AlertView
    level: AlertLevel
    reach: Reach | None = None


class BusAdapter(QObject):
    """Reads the alarm bus on a worker thread; every signal arrives on the GUI thread.

    Signals:
        alarm_update(AlarmUpdate): an alarm was raised or changed (or is open at start).
        test_press(TestPressReceived): a weekly test press (not an emergency).
        device_status(DeviceOffline | DeviceOnline): a panic button went offline or came back.
        cover_changed(list[str]): names of the responders on duty now ([]: nobody on the rota).
        reach_changed(Reach): who on the rota is signed in on a running PC (every cover check).
        message(BusMessage): every bus message for this office, for panels that want them.
        connection_changed(bool, str, datetime): connected or not, the detail, since when.
        lag_changed(bool, str): this screen fell behind the bus (True, why) or caught up (False).
    """

    alarm_update = Signal(object)
    test_press = Signal(object)
    device_status = Signal(object)
    cover_changed = Signal(list)
    reach_changed = Signal(object)
    message = Signal(object)
    connection_changed = Signal(bool, str, object)
    lag_changed = Signal(bool, str)

    def __init__(
        self,
        services: Services,
        office_id: int,
        actor: Callable[[], Actor],
        *,
        disconnected_after_s: float = 5.0,
        cover_check_s: float = 30.0,
        escalation_check_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.office_id = office_id
        self.reach = ResponderReach(services.db, services.rota, services.clock)
        self._actor = actor
        self._monotonic = monotonic
        self._disconnected_after_s = disconnected_after_s
        self._cover_check_s = cover_check_s
        self._escalation_check_s = escalation_check_s
        self._stop = threading.Event()
        self._refresh = threading.Event()
        self._thread: threading.Thread | None = None
        self._sub: Subscription | None = None
        # Alarms this PC knows to be open and unacknowledged: escalation is checked while any.
        self._waiting: set[int] = set()
        self._lock = threading.Lock()
        self._last_cycle = monotonic()
        self._failing_since: float | None = None
        self._failure = ""
        self.connected = True
        self.behind = False
        # The worker can hang inside a network call; the GUI-side watchdog notices that too.
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(250)
        self._watchdog.timeout.connect(self._on_watchdog)

    # --- control (GUI thread) -----------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._last_cycle = self._monotonic()
        self._thread = threading.Thread(target=self._run, name="safedesk-bus-adapter", daemon=True)
        self._thread.start()
        self._watchdog.start()

    def stop(self) -> None:
        self._stop.set()
        self._watchdog.stop()
        sub = self._sub
        if sub is not None:
            sub.close()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)
            if thread.is_alive():
                log.error("bus adapter thread did not stop within 10 s")

    def refresh(self) -> None:
        """Re-read every open alarm (after a user switch: the alert level depends on who it is)."""
        self._refresh.set()

    # --- the worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        need_snapshot = True
        next_cover = 0.0
        next_escalation = 0.0
        while not self._stop.is_set():
            try:
                if self._sub is None:
                    self._sub = self.services.bus.subscribe(office_id=self.office_id)
                if need_snapshot or self._refresh.is_set():
                    self._refresh.clear()
                    self._snapshot()
                    need_snapshot = False
                for message in self._sub.get(timeout=0.25):
                    self._handle(message)
                self._report_lag(self._sub)
                now_mono = self._monotonic()
                if now_mono >= next_escalation:
                    next_escalation = now_mono + self._escalation_check_s
                    with self._lock:
                        waiting = bool(self._waiting)
                    if waiting:
                        self.services.alarms.escalate_due()
                if now_mono >= next_cover:
                    next_cover = now_mono + self._cover_check_s
                    self._check_cover()
                    self.reach_changed.emit(self.reach.reach(self.office_id))
                health = self.services.bus.health()
                if health.connected:
                    self._cycle_ok()
                else:
                    self._cycle_failed(
                        health.last_error or "the alarm bus cannot read the database"
                    )
                    need_snapshot = True
            except DatabaseUnavailable as exc:
                self._cycle_failed(str(exc))
                need_snapshot = True
                self._stop.wait(0.5)
            except Exception as exc:
                # A bug, not the environment: loud in the log and on screen, and keep going,
                # because a dead reader leaves this PC deaf to alarms.
                log.exception("bus adapter cycle failed (a bug, not an outage)")
                self._cycle_failed(internal_error_text(exc))
                need_snapshot = True
                self._stop.wait(0.5)

    def _report_lag(self, sub: Subscription) -> None:
        """A stalled screen says so, and says when it has caught up (it reads the log by id)."""
        lag = sub.lag()
        if lag.behind == self.behind:
            return
        self.behind = lag.behind
        if lag.behind:
            detail = (
                f"This screen fell behind the alarm bus ({lag.dropped} events waiting): "
                "catching up, alarms may show late"
            )
            log.error("bus adapter for office %d fell behind: %s", self.office_id, detail)
        else:
            detail = ""
            log.info("bus adapter for office %d caught up with the alarm bus", self.office_id)
        self.lag_changed.emit(lag.behind, detail)

    def _level(self, view: AlertView, reach: Reach | None) -> AlertLevel:
        if view.is_test:
            return AlertLevel.NOTICE
        level = self.services.rota.alert_level(
            view.office_id if view.office_id is not None else self.office_id,
            self.services.clock.now(),
            staff_id=self._actor().staff_id,
            escalated=view.escalated_at is not None,
        )
        return alert_level_with_reach(level, reach)

    def _publish_view(self, event: BusEventBase | None, view: AlertView) -> None:
        with self._lock:
            if view.is_open and view.acknowledged_at is None and view.escalated_at is None:
                self._waiting.add(view.alarm_id)
            else:
                self._waiting.discard(view.alarm_id)
        reach = None
        if view.is_open and not view.is_test:
            reach = self.reach.reach(
                view.office_id if view.office_id is not None else self.office_id
            )
        self.alarm_update.emit(AlarmUpdate(event, view, self._level(view, reach), reach))

    def _snapshot(self) -> None:
        """Every open alarm as it stands (start-up, reconnect, user switch) and the rota cover."""
        with self._lock:
            known = set(self._waiting)
        open_views = self.services.alarms.open_alarms(self.office_id)
        for view in open_views:
            self._publish_view(None, view)
        # Alarms that closed while we could not see: fetch them so their windows come down.
        for alarm_id in known - {v.alarm_id for v in open_views}:
            self._publish_view(None, self.services.alarms.alert(alarm_id))
        self._emit_cover()

    def _handle(self, message: BusMessage) -> None:
        event = message.event
        self.message.emit(message)
        if isinstance(event, ALARM_EVENTS):
            self._publish_view(event, self.services.alarms.alert(event.alarm_id))
        elif isinstance(event, TestPressReceived):
            self.test_press.emit(event)
        elif isinstance(event, DeviceOffline | DeviceOnline):
            self.device_status.emit(event)
        elif isinstance(event, NoRespondersOnDuty | RespondersOnDuty):
            self._emit_cover()

    def _emit_cover(self) -> None:
        on_duty = self.services.rota.on_duty(self.office_id, self.services.clock.now())
        self.cover_changed.emit([d.name for d in on_duty])
        self.reach_changed.emit(self.reach.reach(self.office_id))

    def _check_cover(self) -> None:
        """Shifts start and end with nobody pressing anything: any PC announces the change."""
        changed = self.services.rota.announce_cover(self.office_id, self.services.clock.now())
        if changed is not None:
            log.info("rota cover for office %d changed: covered=%s", self.office_id, changed)

    # --- connection state ---------------------------------------------------------------------

    def _cycle_ok(self) -> None:
        self._last_cycle = self._monotonic()
        self._failing_since = None
        if not self.connected:
            self.connected = True
            log.info("alarm bus reachable again: this PC receives alarms")
            self.connection_changed.emit(True, "", self.services.clock.now())

    def _cycle_failed(self, detail: str) -> None:
        self._last_cycle = self._monotonic()
        now = self._monotonic()
        if self._failing_since is None:
            self._failing_since = now
            log.warning("alarm bus read failed: %s", detail)
        self._failure = detail
        if self.connected and now - self._failing_since >= DISCONNECT_DEBOUNCE_S:
            self._declare_lost(detail)

    def _declare_lost(self, detail: str) -> None:
        self.connected = False
        state = INTERNAL_ERROR if is_internal_error_text(detail) else "NOT CONNECTED"
        log.error("%s: this PC will not receive alarms: %s", state, detail)
        self.connection_changed.emit(False, detail, self.services.clock.now())

    def _on_watchdog(self) -> None:
        stalled = self._monotonic() - self._last_cycle
        if self.connected and stalled > max(self._disconnected_after_s - 1.0, 1.0):
            self._declare_lost(f"no answer from the database for {stalled:.0f} s")
