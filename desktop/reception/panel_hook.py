"""Plugs reception into the main window (listed in desktop.panels.PANELS).

On a reception PC the Reception tab is the one shown at start. Every PC gets the host
officer's "Your visitor has arrived" notices for whoever is signed in. The person index
(up to a million records) loads on a worker thread, so the window, which receives alarms,
is never held up by it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from desktop.reception.host_notice import HostNoticeWatcher
from desktop.reception.reception_window import ReceptionPanel
from safedesk.db import DatabaseUnavailable
from safedesk.demo.visits import seed_demo_visits
from safedesk.services.reception.desk import HostNotices, ReceptionDesk
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import RoomNeedsOverride
from safedesk.services.reception.visit_view import VisitError

if TYPE_CHECKING:
    from desktop.shell.main_window import MainWindow

log = logging.getLogger(__name__)


class _LoadRelay(QObject):
    progress = Signal(str)
    loaded = Signal(object)
    failed = Signal(str)


class _LoadJob(QRunnable):
    def __init__(self, window: MainWindow, relay: _LoadRelay) -> None:
        super().__init__()
        self.db = window.db
        self.clock = window.clock
        self.relay = relay

    def run(self) -> None:
        try:
            search = PersonSearch.load(self.db, self.clock, progress=self.relay.progress.emit)
        except DatabaseUnavailable as exc:
            self.relay.failed.emit(f"Cannot reach the database to load the people index: {exc}")
            return
        except Exception as exc:
            log.exception("loading the people index failed")
            self.relay.failed.emit(f"Loading the people index failed: {exc!r}")
            return
        self.relay.loaded.emit(search)


class ReceptionPage(QStackedWidget):
    """'Loading…' until the people index is in memory, then the reception panel."""

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.panel: ReceptionPanel | None = None
        self.message = QLabel(
            "<h2>Loading the people index…</h2><p>Visitor search opens in a moment. Alarms work meanwhile.</p>"
        )
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.addWidget(self.message)
        self._relay = _LoadRelay()
        self._relay.progress.connect(self._on_progress)
        self._relay.loaded.connect(self._on_loaded)
        self._relay.failed.connect(self._on_failed)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.start(_LoadJob(window, self._relay))

    def _on_progress(self, text: str) -> None:
        self.message.setText(f"<h2>Loading the people index…</h2><p>{text}</p>")

    def _on_failed(self, text: str) -> None:
        self.message.setText(
            f"<h2 style='color:#b00000'>Visitor search is not available</h2><p>{text}</p>"
            "<p>Restart SafeDesk when the database is back. Alarms are not affected.</p>"
        )

    def _on_loaded(self, search: object) -> None:
        assert isinstance(search, PersonSearch)
        window = self.window_
        desk = ReceptionDesk(window.db, window.clock, search, config=window.config)
        if window.demo:
            try:
                seed_demo_visits(desk, window.office_id)
            except (VisitError, RoomNeedsOverride) as exc:
                log.warning("demo visits not added: %s", exc)
        self.panel = ReceptionPanel(desk, window.office_id, window.current_actor, self)
        self.addWidget(self.panel)
        self.setCurrentWidget(self.panel)
        report = search.load_report
        if report is not None:
            window.statusBar().showMessage(
                f"People index: {report.people:,} people loaded in {report.seconds:.1f} s", 10_000
            )


def add_reception_panel(window: MainWindow) -> None:
    notices = HostNotices(window.db, window.clock, config=window.config)
    watcher = HostNoticeWatcher(notices, window.current_actor, window)
    watcher.start()
    if window.place.mode == "reception":
        page = ReceptionPage(window)
        index = window.add_panel(page, "Reception")
        window.tabs.setCurrentIndex(index)  # the default screen on a reception PC
        return
    # Officers and managers: today's visitors and registering meetings, loaded on first use.
    window.add_panel(LazyVisitorsPage(window), "Visitors")


class LazyVisitorsPage(QStackedWidget):
    """Loads the people index only when an officer first opens the tab."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.page: ReceptionPage | None = None
        button = QPushButton("Open today's visitors and register meetings")
        button.setStyleSheet("font-size:13pt; padding:8px 16px")
        button.clicked.connect(self._open)
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.addStretch()
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()
        self.addWidget(holder)

    def _open(self) -> None:
        if self.page is None:
            self.page = ReceptionPage(self.window_)
            self.addWidget(self.page)
        self.setCurrentWidget(self.page)
