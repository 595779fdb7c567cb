"""Plugs the marker window into the main window (listed in desktop.panels.PANELS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.markers.markers_panel import MarkersPanel
from safedesk.services.markers.desk import MarkerDesk

if TYPE_CHECKING:
    from desktop.shell.main_window import MainWindow


def add_markers_panel(window: MainWindow) -> None:
    """On every PC: a manager may sign in at a reception PC; the panel locks for everyone else."""
    desk = MarkerDesk(window.db, window.clock, window.config.markers)
    panel = MarkersPanel(desk, window.current_actor, window)
    window.user_changed.connect(lambda _user: panel.refresh())
    window.add_panel(panel, "Markers")
