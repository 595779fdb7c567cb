"""The main window's tabs, in order: each area's panel factory, imported (so mypy, import-linter
and "find usages" see every one).

A composition module: only ``desktop.app`` imports it. The areas' panel modules import
``desktop.shell.main_window`` for its types, so the list cannot live there without a cycle.
A new area adds its factory here.
"""

from __future__ import annotations

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.alarm.incidents_view import add_incidents_panel
from desktop.markers.panel_hook import add_markers_panel
from desktop.movements.panel_hook import add_movements_panel
from desktop.reception.panel_hook import add_reception_panel
from desktop.shell.main_window import PanelFactory, add_office_panel
from desktop.weekly_test.weekly_test_page import add_weekly_test_panel

PANELS: tuple[PanelFactory, ...] = (
    add_alarms_panel,
    add_incidents_panel,
    add_weekly_test_panel,
    add_markers_panel,
    add_reception_panel,
    add_movements_panel,
    add_office_panel,
)
