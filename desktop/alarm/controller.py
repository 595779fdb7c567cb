"""Turns alarm updates into what this PC shows and sounds; the buttons' actions go to the core.

Which alert a PC gets (full screen or notice) is the rota's decision, made in the core and carried
on each ``AlarmUpdate``. The one presentation rule kept here: the PC at the desk where an alarm
was raised stays silent (the person there may be facing the aggressor) and shows only a discreet
"sent" confirmation.

Every alert or notice shown here is recorded (``DeliveryRecorder``, off the GUI thread): who was
signed in, when, and whether the alarm sound played; the alert lists the screens that showed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.alarm.alert_window import OUTCOME_WORDS, AlertWindow, local_time
from desktop.alarm.bus_adapter import AlarmUpdate, BusAdapter
from desktop.alarm.delivery_recorder import DeliveryRecorder
from desktop.alarm.notice import AlarmNotice
from desktop.alarm.sound import AlarmSound
from desktop.shell.status_icons import StatusKind
from safedesk.alarm_bus import TestPressReceived
from safedesk.clock import Clock
from safedesk.models import AlarmOutcome, DeliveryKind
from safedesk.services.alarms.alarm_deliveries import (
    NOTICE_IS_QUIET,
    SILENCED_BEFORE,
    Delivery,
    Shown,
)
from safedesk.services.alarms.alarm_service import AlarmAlreadyResolved, AlarmError, AlarmService
from safedesk.services.alarms.alert_views import AlertView
from safedesk.services.alarms.responder_reach import Reach
from safedesk.services.alarms.rota import AlertLevel
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)


class AlarmController(QObject):
    """Owns the alert windows, notices and the sound of one PC.

    Signals:
        open_alarms_changed(int): how many alarms are open (for the tray and header).
        silent_update(AlertView): an alarm raised at this PC's own desk changed (for the
            discreet confirmation on the panic button).
    """

    open_alarms_changed = Signal(int)
    silent_update = Signal(object)

    def __init__(
        self,
        alarms: AlarmService,
        adapter: BusAdapter,
        sound: AlarmSound,
        clock: Clock,
        actor: Callable[[], Actor],
        *,
        silent_room_id: int | None = None,
        silent_device_ids: frozenset[str] = frozenset(),
        sign_in: Callable[[QWidget], bool] | None = None,
        recorder: DeliveryRecorder | None = None,
        pc: tuple[str, str | None] = ("", None),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.alarms = alarms
        self.sound = sound
        self.clock = clock
        self._actor = actor
        self.silent_room_id = silent_room_id
        self.silent_device_ids = silent_device_ids
        # Opens sign-in over the alert when nobody is signed in; True once someone is.
        self.sign_in = sign_in
        self.responded: set[int] = set()  # "I'm responding" was recorded from this PC
        self.windows: dict[int, AlertWindow] = {}
        self.notices: dict[int, AlarmNotice] = {}
        self.silenced: set[int] = set()  # acknowledged on this screen: no sound here
        self.hidden: set[int] = set()  # put away by the person after acknowledging
        self.open_views: dict[int, AlertView] = {}
        self.reaches: dict[int, Reach] = {}  # who on the rota could be reached, per alarm
        self.resolved_notice: AlarmNotice | None = None  # the last "resolved by ..." notice
        # Recording which screens showed each alarm: this PC's (row key, configured name).
        self.recorder = recorder
        self.pc = pc
        self.reported: set[tuple[int, DeliveryKind]] = set()  # recorded from this PC
        self.deliveries: dict[int, tuple[Delivery, ...]] = {}  # who else showed it, per alarm
        if recorder is not None:
            recorder.deliveries.connect(self._on_deliveries)
        adapter.alarm_update.connect(self._on_alarm_update)
        adapter.test_press.connect(self._on_test_press)
        sound.availability_changed.connect(self._on_sound_availability)

    # --- updates from the bus -----------------------------------------------------------------

    def _on_alarm_update(self, update: AlarmUpdate) -> None:
        view = update.view
        if view.is_test:
            return
        if not view.is_open:
            self._take_down(view, announce=update.event is not None)
            return
        previous = self.open_views.get(view.alarm_id)
        if (
            previous is not None
            and view.press_count > previous.press_count
            and view.alarm_id not in self.responded
        ):
            # Pressed again: things may be getting worse; a screen that was only silenced sounds
            # again. A screen whose person is already going stays quiet.
            self.silenced.discard(view.alarm_id)
            self.hidden.discard(view.alarm_id)
        self.open_views[view.alarm_id] = view
        if update.reach is not None:
            self.reaches[view.alarm_id] = update.reach
        if self.is_silent_here(view):
            self.silent_update.emit(view)
        elif update.level is AlertLevel.FULL_SCREEN:
            self._show_full(view)
        else:
            self._show_notice(view)
        self._refresh_sound()
        self.open_alarms_changed.emit(len(self.open_views))

    def is_silent_here(self, view: AlertView) -> bool:
        at_my_desk = self.silent_room_id is not None and view.room_id == self.silent_room_id
        return at_my_desk or view.device_id in self.silent_device_ids

    def _show_full(self, view: AlertView) -> None:
        notice = self.notices.pop(view.alarm_id, None)
        if notice is not None:
            notice.close()
            notice.deleteLater()
        window = self.windows.get(view.alarm_id)
        reach = self.reaches.get(view.alarm_id)
        if window is None:
            window = AlertWindow(view, self, self.clock)
            window.update_view(view, reach)
            window.set_sound_problem(self.sound.problem)
            window.set_shown_on(self.deliveries.get(view.alarm_id, ()))
            window.closed.connect(self._on_window_closed)
            self.windows[view.alarm_id] = window
            log.warning(
                "showing full-screen alert for alarm %d (%s)", view.alarm_id, view.room_name
            )
        else:
            window.update_view(view, reach)
        window.set_silenced(view.alarm_id in self.silenced)
        escalated_now = view.escalated_at is not None and view.acknowledged_at is None
        if view.alarm_id in self.hidden and not escalated_now:
            return
        self.hidden.discard(view.alarm_id)
        # Cover the screen even where no window manager honours "full screen" (kiosks, Xvfb).
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
        window.raise_()
        window.activateWindow()
        self._report(view.alarm_id, DeliveryKind.FULL_ALERT)

    def _show_notice(self, view: AlertView) -> None:
        reach = self.reaches.get(view.alarm_id)
        if view.alarm_id in self.windows:
            self.windows[view.alarm_id].update_view(view, reach)
            return
        body = (
            f"{view.office_name} · raised at {local_time(view.raised_at)}\n"
            + who_knows_text(view, reach)
            + "\nKeep clear of the area unless you are asked to help."
        )
        title = f"⚠ PANIC ALARM — {view.room_name}"
        notice = self.notices.get(view.alarm_id)
        if notice is None:
            notice = AlarmNotice(StatusKind.ALARM, title, body, details=True)
            notice.details_requested.connect(lambda v=view: self._show_details(v.alarm_id))
            self.notices[view.alarm_id] = notice
            notice.show_in_corner(len(self.notices) - 1)
            self._report(view.alarm_id, DeliveryKind.NOTICE)
        else:
            notice.set_text(title, body)

    def _show_details(self, alarm_id: int) -> None:
        view = self.open_views.get(alarm_id)
        if view is None:
            return
        # Someone off duty asked to see it: the full alert, without the loud sound.
        self.silenced.add(alarm_id)
        self._show_full(view)
        self._refresh_sound()

    def _take_down(self, view: AlertView, *, announce: bool) -> None:
        self.open_views.pop(view.alarm_id, None)
        self.reaches.pop(view.alarm_id, None)
        window = self.windows.pop(view.alarm_id, None)
        notice = self.notices.pop(view.alarm_id, None)
        shown_here = window is not None or notice is not None
        unsaved = window.unsaved_notes if window is not None else ""
        if window is not None:
            window.dismiss()
        if notice is not None:
            notice.close()
            notice.deleteLater()
        self.silenced.discard(view.alarm_id)
        self.hidden.discard(view.alarm_id)
        self.responded.discard(view.alarm_id)
        self.deliveries.pop(view.alarm_id, None)
        if self.recorder is not None:
            self.recorder.forget(view.alarm_id)
        self._refresh_sound()
        self.open_alarms_changed.emit(len(self.open_views))
        if self.is_silent_here(view):
            self.silent_update.emit(view)
            return
        if announce and shown_here:
            body = resolved_text(view)
            if unsaved:
                shown = unsaved if len(unsaved) <= 300 else unsaved[:300] + "…"
                body += (
                    " The notes you were writing on this PC were NOT saved; add them to the "
                    f"incident record (Incidents tab): “{shown}”"
                )
            done = AlarmNotice(
                StatusKind.OK,
                f"✔ Alarm in {view.room_name} resolved",
                body,
                auto_close_s=None if unsaved else 30,
                delete_on_close=True,
            )
            self.resolved_notice = done
            done.show_in_corner()

    # --- which screens showed it -------------------------------------------------------------

    def _report(self, alarm_id: int, kind: DeliveryKind) -> None:
        """Record (once per alarm and way of showing it) that this PC showed the alarm."""
        if self.recorder is None or (alarm_id, kind) in self.reported:
            return
        self.reported.add((alarm_id, kind))
        if kind is DeliveryKind.NOTICE:
            played, why = False, NOTICE_IS_QUIET
        elif self.sound.problem is not None:
            played, why = False, self.sound.problem
        elif alarm_id in self.silenced:
            played, why = False, SILENCED_BEFORE
        else:
            played, why = True, None
        workstation, label = self.pc
        self.recorder.shown(
            Shown(
                alarm_id=alarm_id,
                workstation=workstation,
                label=label,
                staff_id=self._actor().staff_id,
                kind=kind,
                sound_played=played,
                no_sound_reason=why,
            )
        )

    def _on_deliveries(self, found: dict[int, tuple[Delivery, ...]]) -> None:
        for alarm_id, deliveries in found.items():
            if alarm_id not in self.open_views:
                continue
            self.deliveries[alarm_id] = deliveries
            window = self.windows.get(alarm_id)
            if window is not None:
                window.set_shown_on(deliveries)

    def _on_test_press(self, event: TestPressReceived) -> None:
        notice = AlarmNotice(
            StatusKind.TEST,
            f"TEST — {event.room_name}",
            f"Weekly alarm test press received in {event.latency_ms:.0f} ms. "
            "This is a test, not an emergency.",
            auto_close_s=20,
            delete_on_close=True,
        )
        self._test_notice = notice
        notice.show_in_corner()
        self.sound.play_test()

    def _on_window_closed(self, alarm_id: int) -> None:
        if alarm_id in self.open_views:
            self.hidden.add(alarm_id)

    def _on_sound_availability(self, ok: bool, problem: str) -> None:
        for window in self.windows.values():
            window.set_sound_problem(None if ok else problem)

    def _refresh_sound(self) -> None:
        loud = [a for a in self.windows if a in self.open_views and a not in self.silenced]
        if loud:
            self.sound.play_alarm()
        else:
            self.sound.stop()

    # --- AlertActions: what the alert's buttons do --------------------------------------------

    def respond(self, alarm_id: int) -> None:
        if self._actor().staff_id is None:
            window = self.windows.get(alarm_id)
            if self.sign_in is None or window is None or not self.sign_in(window):
                raise AlarmError("sign in first: only a signed-in member of staff can respond")
        try:
            view = self.alarms.respond(alarm_id, self._actor())
        except AlarmAlreadyResolved as exc:
            # Someone else closed it while this alert was up: take it down and say who.
            self._take_down(exc.view, announce=True)
            return
        self.responded.add(alarm_id)
        self.silenced.add(alarm_id)
        self._refresh_sound()
        window = self.windows.get(alarm_id)
        if window is not None:
            window.update_view(view)
            window.set_silenced(True)

    def resolve(self, alarm_id: int, outcome: AlarmOutcome, notes: str) -> None:
        try:
            view = self.alarms.resolve(alarm_id, self._actor(), outcome, notes)
        except AlarmAlreadyResolved as exc:
            self._take_down(exc.view, announce=True)
            return
        self._take_down(view, announce=False)

    def silence(self, alarm_id: int) -> None:
        log.info("alarm %d silenced on this PC by %s", alarm_id, self._actor().login)
        self.silenced.add(alarm_id)
        self._refresh_sound()

    def close_all(self) -> None:
        for window in list(self.windows.values()):
            window.dismiss()
        for notice in list(self.notices.values()):
            notice.close()
            notice.deleteLater()
        self.windows.clear()
        self.notices.clear()
        self.sound.stop()
        if self.recorder is not None:
            self.recorder.stop()


def resolved_text(view: AlertView) -> str:
    """ "Resolved by Tom Whitfield at 10:05:12: resolved on site." (for the other screens)."""
    who = f" by {view.resolved_by}" if view.resolved_by else ""
    when = f" at {local_time(view.resolved_at)}" if view.resolved_at is not None else ""
    outcome = OUTCOME_WORDS.get(view.outcome, "") if view.outcome else ""
    return f"Resolved{who}{when}" + (f": {outcome}." if outcome else ".")


def who_knows_text(view: AlertView, reach: Reach | None) -> str:
    """Only what the system knows: who said they are going, else to whom it was sent."""
    if view.responders:
        names = ", ".join(r.name for r in view.responders)
        return f"{names} {'is' if len(view.responders) == 1 else 'are'} going."
    if reach is None:
        return "Sent to the screens of the responders on the rota. Nobody has answered yet."
    if not reach.on_duty:
        return "Nobody is on the responder rota: sent to every screen. Nobody has answered yet."
    people = ", ".join(f"{r.name} ({r.where})" for r in reach.on_duty)
    return f"Sent to the rota: {people}. Nobody has answered yet."
