"""The walkthrough office itself: two PCs open on one database, each a whole SafeDesk."""

from __future__ import annotations

import pytest

from tests.walkthrough.conftest import SCREEN_SIZE, OfficePCs

pytestmark = pytest.mark.gui


def test_two_reception_pcs_open_on_one_office_and_fit_the_screen(office_pcs: OfficePCs) -> None:
    desk1 = office_pcs.open("psharma", mode="reception", name="DESK-1")
    desk2 = office_pcs.open("twhitfield", mode="responder", name="RESPONDER-1")
    for app in (desk1, desk2):
        window = app.window
        assert window.isVisible()
        assert window.width() <= SCREEN_SIZE[0] and window.height() <= SCREEN_SIZE[1]
        assert window.header.where.text() == "Derby Central Housing Office"
    assert "Signed in: Priya Sharma" in desk1.window.header.who.text()
    assert "Signed in: Tom Whitfield" in desk2.window.header.who.text()
    office_pcs.tab(desk1, "Reception")


def test_a_press_reaches_the_responder_pc_as_a_full_alert(office_pcs: OfficePCs) -> None:
    responder = office_pcs.open("twhitfield", mode="responder", name="RESPONDER-1")
    alarm_id = office_pcs.press_button("Interview Room 1")
    office_pcs.qtbot.waitUntil(lambda: alarm_id in responder.controller.windows, timeout=10_000)
    alert = responder.controller.windows[alarm_id]
    office_pcs.qtbot.waitExposed(alert)
    assert alert.isVisible()
