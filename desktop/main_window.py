"""The main window: a placeholder shell that later areas fill with their panels."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget
from sqlalchemy import func, select

from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Office, Person, Room


class MainWindow(QMainWindow):
    def __init__(self, *, config: Config, db: Database, demo: bool) -> None:
        super().__init__()
        self.config = config
        self.db = db
        title = "SafeDesk" + (" — DEMO OFFICE" if demo else "")
        self.setWindowTitle(title)
        self.resize(1100, 720)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.tabs.addTab(self._overview(), "Office")
        self.statusBar().showMessage(
            f"Database: {db.display_url}   Workstation: {config.workstation_name}"
        )

    def _overview(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        with self.db.session() as s:
            offices = s.scalars(select(Office)).all()
            people = s.scalar(select(func.count()).select_from(Person)) or 0
            rooms = s.scalar(select(func.count()).select_from(Room)) or 0
            names = ", ".join(o.name for o in offices) or "(no offices yet)"
        layout.addWidget(
            QLabel(
                f"<h2>SafeDesk</h2><p>Offices: {names}</p><p>{rooms} rooms, {people:,} people on record.</p>"
            )
        )
        layout.addStretch()
        return page
