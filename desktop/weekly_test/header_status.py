"""Keeps the header's "Weekly alarm test: x of y" chip and the room flags up to date.

Signals:
    changed(object): a new ``Checklist`` (after every refresh).
    flags_changed(object): ``dict[int, RoomFlag]`` — room id -> flag, for room lists.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.weekly_test.room_flags import RoomFlag, room_flags
from safedesk.db import DatabaseUnavailable
from safedesk.services.weekly_test.checklist import Checklist
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from safedesk.services.weekly_test.test_week import UnknownTimeZone

log = logging.getLogger(__name__)


class WeeklyTestChip(Protocol):
    """The header slot (``StatusHeader.set_weekly_test``)."""

    def set_weekly_test(
        self, done: int, total: int, *, problems: int = 0, detail: str = ""
    ) -> None: ...


def header_detail(checklist: Checklist) -> str:
    """The chip's tooltip: the full line, then every button that needs attention."""
    lines = [checklist.header_text, checklist.week.label]
    for item in checklist.items:
        if item.readiness.status.is_flagged:
            lines.append(f"• {item.room_name}: {item.readiness.summary}")
    return "\n".join(lines)


class WeeklyTestStatus(QObject):
    changed = Signal(object)
    flags_changed = Signal(object)

    def __init__(
        self,
        desk: WeeklyTestDesk,
        office_id: int,
        header: WeeklyTestChip | None = None,
        *,
        interval_ms: int = 30_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.office_id = office_id
        self.header = header
        self.checklist: Checklist | None = None
        self.flags: dict[int, RoomFlag] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        try:
            self.desk.expire_windows()  # any PC may close timed-out windows; it is race-safe
            readiness = self.desk.readiness(self.office_id)
            checklist = self.desk.checklist(self.office_id)
        except DatabaseUnavailable as exc:
            # The connection banner says NOT CONNECTED; keep showing the last known state.
            log.warning("weekly test status not refreshed: %s", exc)
            return
        except UnknownTimeZone as exc:
            # A typo in the office record: say so on the chip rather than show a wrong week.
            log.error("weekly test status: %s", exc)
            if self.header is not None:
                self.header.set_weekly_test(0, 0, problems=1, detail=str(exc))
            return
        self.checklist = checklist
        self.flags = room_flags(readiness)
        if self.header is not None:
            problems = sum(1 for i in checklist.items if i.readiness.status.is_flagged)
            self.header.set_weekly_test(
                checklist.tested,
                checklist.total,
                problems=problems,
                detail=header_detail(checklist),
            )
        self.changed.emit(checklist)
        self.flags_changed.emit(dict(self.flags))

    def flag_for_room(self, room_id: int) -> RoomFlag | None:
        return self.flags.get(room_id)
