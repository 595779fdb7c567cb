"""The host officer's "Your visitor has arrived" notice, with the flag and instructions.

HostNoticeWatcher polls the core every few seconds for visitors who arrived for the signed-in
officer and opens one notice window each; closing it with "On my way" records that it was seen.
A flag found while the visitor is in the building notifies the host again (a new notice with
the flag). It also watches the rooms of the officer's visitors: when the panic button of a room
holding their flagged visitor goes offline or fails, a red RoomAlarmWindow opens on top, on
their PC and on every reception screen of the office.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.reception.focus_style import FOCUS_STYLE
from desktop.reception.rich_text import plain
from desktop.shell.screen_fit import keep_on_screen_once_shown
from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.db import DatabaseUnavailable
from safedesk.services.reception.alarm_problems import RoomAlarmProblem
from safedesk.services.reception.desk import HostNotices
from safedesk.services.reception.host_officer import HostNotice
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)

POLL_MS = 3000


class HostNoticeWindow(QWidget):
    """Signals:
    seen(int): the officer closed the notice for this visit id.
    """

    seen = Signal(int)

    def __init__(self, notice: HostNotice, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.notice = notice
        visit = notice.visit
        self.setWindowTitle("Your visitor has arrived")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        title = QLabel("Your visitor has arrived")
        title.setStyleSheet("font-size:22pt; font-weight:bold")
        layout.addWidget(title)
        arrived = visit.arrived_at.astimezone().strftime("%H:%M") if visit.arrived_at else ""
        facts = [
            f"<b style='font-size:15pt'>{plain(visit.visitor_name)}</b>",
            f"Arrived {arrived}",
            f"Room: <b>{plain(visit.room_name or 'not given a room yet: ask reception')}</b>",
        ]
        if visit.purpose:
            facts.append(f"About: {plain(visit.purpose)}")
        details = QLabel("<br>".join(facts))
        details.setWordWrap(True)
        details.setStyleSheet("font-size:12pt")
        layout.addWidget(details)
        if visit.flagged:
            box = QWidget()
            box.setObjectName("flag")
            row = QHBoxLayout(box)
            icon = QLabel()
            icon.setPixmap(status_pixmap(StatusKind.ALARM, 72))
            row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
            items = "".join(f"<li>{plain(text)}</li>" for text in visit.instructions)
            who = ", ".join(
                f"{plain(w.person_name)}{'' if w.booked_person else ' (possible match)'}"
                for w in visit.active_warnings
            )
            flag = QLabel(
                "<div style='font-size:16pt; font-weight:bold'>FLAGGED FILE</div>"
                f"<div>{who}</div>"
                f"<div style='font-size:13pt'>Before you meet them:<ul>{items}</ul></div>"
            )
            flag.setWordWrap(True)
            row.addWidget(flag, 1)
            layout.addWidget(box)
            box.setStyleSheet("#flag { border: 3px solid #b00000; background: #fff0f0; }")
        if visit.high_risk:
            risk = QLabel(f"<b>HIGH-RISK MEETING.</b> {plain(visit.risk_notes or '')}")
            risk.setWordWrap(True)
            risk.setStyleSheet("font-size:12pt; color:#7a0000")
            layout.addWidget(risk)
        self.ok = QPushButton("OK, I'm on my way")
        self.ok.setStyleSheet("font-size:13pt; padding:6px 14px")
        self.ok.clicked.connect(self._on_ok)
        layout.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignRight)
        self.setStyleSheet(FOCUS_STYLE)

    def _on_ok(self) -> None:
        self.seen.emit(self.notice.visit.id)
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing by the title bar counts as seen too; the notice is not meant to nag forever.
        self.seen.emit(self.notice.visit.id)
        super().closeEvent(event)


class RoomAlarmWindow(QWidget):
    """ "Panic alarm not working" in the room of a flagged visitor: red, on top, until read.

    Signals:
        seen(object): the RoomAlarmProblem was read ("I've read this").
    """

    seen = Signal(object)

    def __init__(
        self, problem: RoomAlarmProblem, *, for_host: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.problem = problem
        self._told = False
        visit = problem.visit
        self.setWindowTitle(problem.headline)
        self.setObjectName("roomAlarm")
        self.setMinimumWidth(620)
        self.setMaximumWidth(900)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(status_pixmap(StatusKind.ALARM, 72))
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        if for_host:
            ask = (
                "Your visitor is in a room whose panic button cannot be relied on. Move to a "
                "room whose alarm works, or ask reception to stay in touch with you."
            )
        else:
            ask = (
                f"Tell {plain(visit.host_name or 'the officer')} now, and move the visitor to "
                "a room whose alarm works (Change room…)."
            )
        items = "".join(f"<li>{plain(text)}</li>" for text in visit.instructions)
        self.text = QLabel(
            f"<div style='font-size:18pt; font-weight:bold'>{plain(problem.headline)}</div>"
            f"<div style='font-size:13pt; margin-top:6px'>{plain(problem.who)}</div>"
            f"<div style='font-size:13pt; margin-top:6px'><b>{ask}</b></div>"
            + (f"<div style='font-size:12pt'>Instructions:<ul>{items}</ul></div>" if items else "")
        )
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.text, 1)
        layout.addLayout(top)
        self.ok = QPushButton("I've read this (Enter)")
        self.ok.setDefault(True)
        self.ok.setStyleSheet("font-size:13pt; padding:6px 14px")
        self.ok.clicked.connect(self._on_ok)
        layout.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignRight)
        self.setStyleSheet(
            "#roomAlarm { background:#fff0f0; border: 6px solid #b00000; }" + FOCUS_STYLE
        )

    def _tell(self) -> None:
        if not self._told:
            self._told = True
            self.seen.emit(self.problem)

    def _on_ok(self) -> None:
        self._tell()
        self.hide()
        self.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_ok()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tell()
        super().closeEvent(event)


class HostNoticeWatcher(QObject):
    """Polls for arrived visitors for the signed-in officer and shows a notice for each, and
    for a room alarm that stopped working while their flagged visitor is in the room.

    Signals:
        shown(object): a HostNoticeWindow was opened.
        alarm_shown(object): a RoomAlarmWindow was opened.
        failed(str): the database could not be reached for the poll.
    """

    shown = Signal(object)
    alarm_shown = Signal(object)
    failed = Signal(str)

    def __init__(
        self, desk: HostNotices, actor: Callable[[], Actor], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        # One window per notification: a flag found later notifies the host again.
        self.windows: dict[tuple[int, datetime | None], HostNoticeWindow] = {}
        self.alarm_windows: dict[tuple[int, int, str], RoomAlarmWindow] = {}
        self._recorded: set[tuple[int, datetime | None]] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        self._timer.start()
        self.poll()

    def poll(self) -> None:
        who = self.actor()
        if who.staff_id is None:
            return
        try:
            notices = self.desk.host_notices(who.staff_id)
            problems = self.desk.host_alarm_problems(who.staff_id)
        except DatabaseUnavailable as exc:
            log.warning("host notices: %s", exc)
            self.failed.emit(str(exc))
            return
        for notice in notices:
            key = (notice.visit.id, notice.visit.host_notified_at)
            if key in self.windows:
                continue
            window = HostNoticeWindow(notice)
            window.seen.connect(lambda _visit_id, k=key: self._on_seen(k))
            self.windows[key] = window
            window.show()
            keep_on_screen_once_shown(window)  # a 1366x768 laptop shows all of it
            window.raise_()
            self.shown.emit(window)
        for problem in problems:
            if problem.key in self.alarm_windows:
                continue
            alarm = RoomAlarmWindow(problem, for_host=True)
            alarm.seen.connect(self._on_alarm_seen)
            self.alarm_windows[problem.key] = alarm
            alarm.show()
            keep_on_screen_once_shown(alarm)
            alarm.raise_()
            alarm.activateWindow()
            self.alarm_shown.emit(alarm)

    def _on_seen(self, key: tuple[int, datetime | None]) -> None:
        if key in self._recorded:
            return
        self._recorded.add(key)
        try:
            self.desk.mark_notice_seen(self.actor(), key[0])
        except DatabaseUnavailable as exc:
            log.warning("host notice seen not recorded: %s", exc)
            self.failed.emit(str(exc))

    def _on_alarm_seen(self, problem: object) -> None:
        assert isinstance(problem, RoomAlarmProblem)
        try:
            self.desk.record_alarm_problem_seen(self.actor(), problem)
        except DatabaseUnavailable as exc:
            log.warning("room alarm notice seen not recorded: %s", exc)
            self.failed.emit(str(exc))
