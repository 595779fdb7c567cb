"""The host officer's "Your visitor has arrived" notice, with the flag and instructions.

HostNoticeWatcher polls the core every few seconds for visitors who arrived for the signed-in
officer and opens one notice window each; closing it with "On my way" records that it was seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.status_icons import StatusKind, status_pixmap
from safedesk.db import DatabaseUnavailable
from safedesk.services.actor import Actor
from safedesk.services.reception_desk import HostNotices
from safedesk.services.visits import HostNotice

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
            f"<b style='font-size:15pt'>{visit.visitor_name}</b>",
            f"Arrived {arrived}",
            f"Room: <b>{visit.room_name or 'not given a room yet: ask reception'}</b>",
        ]
        if visit.purpose:
            facts.append(f"About: {visit.purpose}")
        details = QLabel("<br>".join(facts))
        details.setStyleSheet("font-size:12pt")
        layout.addWidget(details)
        if visit.flagged:
            box = QWidget()
            box.setObjectName("flag")
            row = QHBoxLayout(box)
            icon = QLabel()
            icon.setPixmap(status_pixmap(StatusKind.ALARM, 72))
            row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
            items = "".join(f"<li>{text}</li>" for text in visit.instructions)
            who = ", ".join(
                f"{w.person_name}{'' if w.booked_person else ' (possible match)'}"
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
            risk = QLabel(f"<b>HIGH-RISK MEETING.</b> {visit.risk_notes or ''}")
            risk.setWordWrap(True)
            risk.setStyleSheet("font-size:12pt; color:#7a0000")
            layout.addWidget(risk)
        self.ok = QPushButton("OK, I'm on my way")
        self.ok.setStyleSheet("font-size:13pt; padding:6px 14px")
        self.ok.clicked.connect(self._on_ok)
        layout.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignRight)

    def _on_ok(self) -> None:
        self.seen.emit(self.notice.visit.id)
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing by the title bar counts as seen too; the notice is not meant to nag forever.
        self.seen.emit(self.notice.visit.id)
        super().closeEvent(event)


class HostNoticeWatcher(QObject):
    """Polls for arrived visitors for the signed-in officer and shows a notice for each.

    Signals:
        shown(object): a HostNoticeWindow was opened.
        failed(str): the database could not be reached for the poll.
    """

    shown = Signal(object)
    failed = Signal(str)

    def __init__(
        self, desk: HostNotices, actor: Callable[[], Actor], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        self.windows: dict[int, HostNoticeWindow] = {}
        self._recorded: set[int] = set()
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
        except DatabaseUnavailable as exc:
            log.warning("host notices: %s", exc)
            self.failed.emit(str(exc))
            return
        for notice in notices:
            if notice.visit.id in self.windows:
                continue
            window = HostNoticeWindow(notice)
            window.seen.connect(self._on_seen)
            self.windows[notice.visit.id] = window
            window.show()
            window.raise_()
            self.shown.emit(window)

    def _on_seen(self, visit_id: int) -> None:
        if visit_id in self._recorded:
            return
        self._recorded.add(visit_id)
        self.desk.mark_notice_seen(self.actor(), visit_id)
