"""Turns OVERDUE updates into what this PC shows and sounds; the buttons' actions go to the core.

Which alert a PC gets (full screen or the amber notice) is decided in the core, as for a panic
alarm. The OVERDUE sound is its own (``resources/sounds/overdue.wav``) and loops on every PC
showing the full alert until someone takes it ("I'm phoning them") or the PC is silenced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from desktop.alarm.notice import AlarmNotice
from desktop.alarm.sound import AlarmSound
from desktop.movements.movements_adapter import MovementsAdapter, OverdueUpdate
from desktop.movements.overdue_window import OverdueWindow
from desktop.movements.times import hh_mm
from desktop.shell.status_icons import StatusKind
from safedesk.clock import Clock
from safedesk.models.movements import OverdueOutcome
from safedesk.services.alarms.rota import AlertLevel
from safedesk.services.movements.check_in import CheckInRefused
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.movements.overdue_view import OverdueView
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

OUTCOME_WORDS = {
    OverdueOutcome.PHONED_SAFE: "phoned in: safe",
    OverdueOutcome.RETURNED: "reported back: safe",
    OverdueOutcome.EXTENDED: "safe, visit extended",
    OverdueOutcome.POLICE_CALLED: "police called",
}


class OverdueController(QObject):
    """Owns this PC's OVERDUE windows, notices and sound.

    Signals:
        open_changed(int): how many OVERDUE alerts are open.
    """

    open_changed = Signal(int)

    def __init__(
        self,
        desk: MovementsDesk,
        adapter: MovementsAdapter,
        sound: AlarmSound,
        clock: Clock,
        actor: Callable[[], Actor],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.sound = sound
        self.clock = clock
        self._actor = actor
        self.windows: dict[int, OverdueWindow] = {}
        self.notices: dict[int, AlarmNotice] = {}
        self.views: dict[int, OverdueView] = {}
        self.silenced: set[int] = set()
        self.hidden: set[int] = set()
        self.last_notice: AlarmNotice | None = None
        adapter.overdue_update.connect(self._on_update)
        sound.availability_changed.connect(self._on_sound)

    # --- updates --------------------------------------------------------------------------------

    def _on_update(self, update: OverdueUpdate) -> None:
        view = update.view
        if not view.is_open:
            self._take_down(view, announce=update.event is not None)
            return
        self.views[view.overdue_id] = view
        if update.level is AlertLevel.FULL_SCREEN:
            self._show_full(view)
        else:
            self._show_notice(view)
        self._refresh_sound()
        self.open_changed.emit(len(self.views))

    def _show_full(self, view: OverdueView) -> None:
        notice = self.notices.pop(view.overdue_id, None)
        if notice is not None:
            notice.close()
            notice.deleteLater()
        window = self.windows.get(view.overdue_id)
        if window is None:
            window = OverdueWindow(view, self, self.clock)
            window.set_sound_problem(self.sound.problem)
            window.closed.connect(self._on_window_closed)
            self.windows[view.overdue_id] = window
            log.warning("showing the OVERDUE alert %d (%s)", view.overdue_id, view.officer_name)
        else:
            window.update_view(view)
        window.set_silenced(view.overdue_id in self.silenced)
        escalated = view.escalated_all_at is not None and view.taken_at is None
        if view.overdue_id in self.hidden and not escalated:
            return
        self.hidden.discard(view.overdue_id)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
        window.raise_()
        window.activateWindow()
        window.setFocus()

    def _show_notice(self, view: OverdueView) -> None:
        if view.overdue_id in self.windows:
            self.windows[view.overdue_id].update_view(view)
            return
        title = f"⚠ OVERDUE — {view.officer_name}"
        who = (
            f"{view.taken_by_name} is phoning them."
            if view.taken_by_name
            else "Nobody has taken it yet."  # only what is known, not who may have seen it
        )
        body = (
            f"Not back from {view.address} (due {hh_mm(view.expected_back_at)}). "
            f"Phone {view.phone}. {who}"
        )
        notice = self.notices.get(view.overdue_id)
        if notice is None:
            notice = AlarmNotice(StatusKind.WARNING, title, body, details=True)
            notice.setObjectName("overdueNotice")
            notice.details_requested.connect(lambda v=view: self._show_details(v.overdue_id))
            self.notices[view.overdue_id] = notice
            notice.show_in_corner(len(self.notices) - 1)
        else:
            notice.set_text(title, body)

    def _show_details(self, overdue_id: int) -> None:
        view = self.views.get(overdue_id)
        if view is not None:
            self.silenced.add(overdue_id)  # asked to see it: the full alert, without the sound
            self._show_full(view)
            self._refresh_sound()

    def _take_down(self, view: OverdueView, *, announce: bool) -> None:
        self.views.pop(view.overdue_id, None)
        window = self.windows.pop(view.overdue_id, None)
        notice = self.notices.pop(view.overdue_id, None)
        shown = window is not None or notice is not None
        if window is not None:
            window.dismiss()
        if notice is not None:
            notice.close()
            notice.deleteLater()
        self.silenced.discard(view.overdue_id)
        self.hidden.discard(view.overdue_id)
        self._refresh_sound()
        self.open_changed.emit(len(self.views))
        if announce and shown:
            words = OUTCOME_WORDS.get(view.outcome, "resolved") if view.outcome else "resolved"
            done = AlarmNotice(
                StatusKind.OK,
                f"✔ {view.officer_name}: {words}",
                view.resolution_notes or "",
                auto_close_s=15,
                delete_on_close=True,
            )
            done.setObjectName("overdueResolvedNotice")
            self.last_notice = done
            done.show_in_corner()

    def _on_window_closed(self, overdue_id: int) -> None:
        if overdue_id in self.views:
            self.hidden.add(overdue_id)

    def _on_sound(self, ok: bool, problem: str) -> None:
        for window in self.windows.values():
            window.set_sound_problem(None if ok else problem)

    def _refresh_sound(self) -> None:
        loud = [
            i
            for i, view in self.views.items()
            if i in self.windows and i not in self.silenced and view.taken_at is None
        ]
        if loud:
            self.sound.play_alarm()
        else:
            self.sound.stop()

    # --- OverdueActions -------------------------------------------------------------------------

    def _actor_or_refuse(self) -> Actor:
        actor = self._actor()
        if actor.staff_id is None:
            raise CheckInRefused("sign in first: only a signed-in member of staff can do this")
        return actor

    def _apply(self, view: OverdueView) -> None:
        if not view.is_open:
            self._take_down(view, announce=False)
            return
        self.views[view.overdue_id] = view
        window = self.windows.get(view.overdue_id)
        if window is not None:
            window.update_view(view)
        self._refresh_sound()

    def take(self, overdue_id: int) -> None:
        self.silenced.add(overdue_id)
        self._apply(self.desk.take(self._actor_or_refuse(), overdue_id))

    def phoned_safe(self, overdue_id: int, note: str) -> None:
        self._apply(self.desk.phoned_safe(self._actor_or_refuse(), overdue_id, note))

    def extended(self, overdue_id: int, new_back: datetime, note: str) -> None:
        self._apply(self.desk.extended(self._actor_or_refuse(), overdue_id, new_back, note))

    def police_called(self, overdue_id: int) -> None:
        self._apply(self.desk.police_called(self._actor_or_refuse(), overdue_id))

    def silence(self, overdue_id: int) -> None:
        log.info("OVERDUE %d silenced on this PC by %s", overdue_id, self._actor().login)
        self.silenced.add(overdue_id)
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
