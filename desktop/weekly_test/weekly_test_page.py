"""The "Weekly alarm test" page of the main window: the checklist and the year view as tabs,
plus the status controller that keeps the header chip and room flags current.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.weekly_test.checklist_window import ChecklistPanel
from desktop.weekly_test.flag_list import ButtonFlagList
from desktop.weekly_test.header_status import WeeklyTestChip, WeeklyTestStatus
from desktop.weekly_test.year_view import YearViewPanel
from safedesk.alarm_bus import TestPressReceived
from safedesk.clock import Clock
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.desk import WeeklyTestDesk

if TYPE_CHECKING:
    from desktop.shell.main_window import MainWindow


class WeeklyTestPage(QTabWidget):
    """Checklist | Year view for one office. ``status`` is the header/flags controller."""

    def __init__(
        self,
        desk: WeeklyTestDesk,
        office_id: int,
        actor: Callable[[], Actor | None],
        clock: Clock,
        header: WeeklyTestChip | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.checklist = ChecklistPanel(desk, office_id, actor, clock)
        self.year_view = YearViewPanel(desk, office_id, clock)
        self.addTab(self.checklist, "This week's checklist")
        self.addTab(self.year_view, "Year view")
        self.status = WeeklyTestStatus(desk, office_id, header, parent=self)
        # A result recorded here updates the header at once, not at the next timer tick.
        self.checklist.acted.connect(self.status.refresh)
        self.currentChanged.connect(self._on_tab)
        self.status.start()

    def _on_tab(self, index: int) -> None:
        if self.widget(index) is self.year_view:
            self.year_view.refresh()


def add_weekly_test_panel(window: MainWindow) -> None:
    """Panel factory (in ``desktop.panels.PANELS``): the weekly test tab, the header chip, and
    the strip of rooms with a panic button problem under the header on every screen (reception,
    responder).

    Other panels use ``window.weekly_test_status`` (``flags_changed``, ``flag_for_room``) to
    mark rooms in their own lists.
    """
    page = WeeklyTestPage(
        window.services.weekly_tests,
        window.office_id,
        window.current_actor,
        window.clock,
        window.header,
    )
    window.add_panel(page, "Weekly alarm test")

    def on_test_press(event: TestPressReceived) -> None:
        if event.office_id in (None, window.office_id):
            page.checklist.on_test_press(event.room_name, event.latency_ms)
            page.status.refresh()

    window.bus.test_press.connect(on_test_press)
    flags = ButtonFlagList()
    page.status.flags_changed.connect(flags.set_flags)
    flags.set_flags(page.status.flags)
    central = window.centralWidget()
    layout = central.layout() if central is not None else None
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(1, flags)  # just under the status header
    window.weekly_test_status = page.status  # type: ignore[attr-defined]
