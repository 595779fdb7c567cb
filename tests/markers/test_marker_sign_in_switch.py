"""The Markers tab of a real main window follows whoever signs in or switches user (item 16)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp, build_desktop
from desktop.markers.assessment_dialog import RiskAssessmentDialog
from desktop.markers.markers_panel import MarkersPanel
from desktop.markers.panel_hook import add_markers_panel
from desktop.shell.sign_in import SignInDialog, UserBadge
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from tests.markers.modal import ModalDialogs
from tests.markers.office_world import PASSWORD, World

pytestmark = pytest.mark.gui

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def manager_pc(world: World, clock: FakeClock, qtbot: QtBot, db_url: str) -> Iterator[DesktopApp]:
    """A fresh PC in a manager's office: the whole main window, nobody signed in yet."""
    config = Config(workstation=WorkstationConfig(name="MANAGERS-PC", mode="manager"))
    db = Database(db_url, pool_size=2, max_overflow=2)
    app = build_desktop(
        config,
        db,
        clock,
        demo=False,
        panel_factories=[add_markers_panel],
    )
    app.window.resize(1366, 768)
    app.window.show()
    qtbot.waitExposed(app.window)
    yield app
    app.shutdown()
    app.window.close_guard = None
    app.window.close()
    db.dispose()
    for qobject in (app.window, app.controller, app.adapter, app.sound):
        qobject.deleteLater()


def _sign_in(qtbot: QtBot, app: DesktopApp, login: str) -> None:
    """Press Sign in… / Switch user… in the status bar and sign in with the keyboard."""
    badge = app.window.findChild(UserBadge)
    assert badge is not None and badge.switch_button.isVisible()

    def type_in(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        qtbot.keyClicks(dialog.login, login)
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    with ModalDialogs(type_in) as modals:
        qtbot.mouseClick(badge.switch_button, LEFT)
    assert len(modals.opened) == 1


def _markers_tab(qtbot: QtBot, app: DesktopApp) -> MarkersPanel:
    tabs = app.window.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Markers")
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())
    panel = tabs.currentWidget()
    assert isinstance(panel, MarkersPanel)
    return panel


def test_new_marker_is_offered_when_a_manager_signs_in_on_a_fresh_pc(
    qtbot: QtBot, manager_pc: DesktopApp
) -> None:
    panel = _markers_tab(qtbot, manager_pc)
    assert "Sign in as a manager" in panel.header.text()
    assert not panel.new_button.isEnabled()
    _sign_in(qtbot, manager_pc, "asb")
    assert "active markers" in panel.header.text()
    assert panel.new_button.isVisible() and panel.new_button.isEnabled()
    with ModalDialogs(lambda dialog: dialog.reject()) as modals:
        qtbot.mouseClick(panel.new_button, LEFT)
    assert [type(d) for d in modals.opened] == [RiskAssessmentDialog]


def test_new_marker_is_offered_after_switching_from_a_receptionist_to_a_manager(
    qtbot: QtBot, manager_pc: DesktopApp
) -> None:
    _sign_in(qtbot, manager_pc, "reception")
    panel = _markers_tab(qtbot, manager_pc)
    assert "not a manager" in panel.header.text()
    assert not panel.new_button.isEnabled()
    _sign_in(qtbot, manager_pc, "manager")  # Switch user… to Helen Marsh
    assert "Helen Marsh" in manager_pc.window.header.who.text()
    assert panel.new_button.isEnabled()
    # And back: a receptionist taking over the PC gets no marker actions.
    _sign_in(qtbot, manager_pc, "reception")
    assert not panel.new_button.isEnabled()
    assert panel.register_table.rowCount() == 0
