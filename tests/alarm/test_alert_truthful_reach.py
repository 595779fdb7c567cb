"""The screens never say more than the system knows (issue 10 item 5).

"The responders on duty have been alerted" and a green "On duty" badge were shown while no
responder on the rota was signed in on any PC, and nobody got the full alert for 30 s. Now the
rota is shown as the rota, "reachable" only for responders signed in on a heartbeating PC, and
with none reachable the alarm goes to every screen at once and says why.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.app import DesktopApp, build_desktop
from desktop.shell.status_header import StatusChip
from desktop.shell.status_icons import StatusKind
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.services.hub import Services
from tests.alarm.alert_helpers import SCREEN, alert_on, press
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, heartbeat, open_screen

pytestmark = pytest.mark.gui

ON_DUTY = ("Dan Kowalski", "Sarah Okafor", "Tom Whitfield")  # Monday 09:00 on the demo rota


def test_with_no_responder_signed_in_anywhere_every_screen_gets_the_full_alert_at_once(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    rachel = open_screen(db_url, clock, office.office_id, office.actor("rgreen"))  # not on rota
    screens.append(rachel)
    qtbot.waitUntil(lambda: rachel.adapter._sub is not None, timeout=5000)

    alarm_id = press(services, office, clock, "Interview Room 1")

    window = alert_on(qtbot, rachel, alarm_id)  # no 30 s wait for an escalation
    assert alarm_id not in rachel.controller.notices
    assert window.reach_label.isVisible()
    strip = window.reach_label.text()
    assert "SENT TO EVERY SCREEN AT ONCE" in strip
    assert "is signed in on a SafeDesk PC" in strip
    for name in ON_DUTY:
        assert name in strip
    card = window.responders_label.text()
    assert "Nobody has said they are going yet" in card
    assert card.count("not signed in on any SafeDesk PC") == len(ON_DUTY)
    assert "alerted" not in card


def test_the_notice_says_to_whom_it_was_sent_not_that_they_were_alerted(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    heartbeat(services.db, clock, office.office_id, office.actor("twhitfield"))  # Tom's PC is on
    rachel = open_screen(db_url, clock, office.office_id, office.actor("rgreen"))
    screens.append(rachel)
    qtbot.waitUntil(lambda: rachel.adapter._sub is not None, timeout=5000)

    alarm_id = press(services, office, clock, "Interview Room 2")

    qtbot.waitUntil(lambda: alarm_id in rachel.controller.notices, timeout=5000)
    notice = rachel.controller.notices[alarm_id]
    assert notice.isVisible()
    body = notice.body.text()
    assert "alerted" not in body
    assert "Sent to the rota:" in body
    assert "Tom Whitfield (signed in on PC-twhitfield)" in body
    assert "Sarah Okafor (not signed in on any SafeDesk PC)" in body
    assert "Nobody has answered yet." in body
    # Once Tom says he is going, that is what it says.
    tom_actor = office.actor("twhitfield")
    services.alarms.respond(alarm_id, tom_actor)
    qtbot.waitUntil(lambda: "Tom Whitfield is going." in notice.body.text(), timeout=5000)


def _kind(chip: StatusChip) -> StatusKind:
    return chip.kind


def _open_pc(
    qtbot: QtBot, url: str, clock: FakeClock, login: str, name: str, opened: list[DesktopApp]
) -> DesktopApp:
    config = Config(workstation=WorkstationConfig(name=name, mode="responder"))
    desktop = build_desktop(
        config,
        Database(url, pool_size=2, max_overflow=2),
        clock,
        demo=False,
        sign_in_as=login,
        panel_factories=[add_alarms_panel],
    )
    opened.append(desktop)
    desktop.window.resize(*SCREEN)
    desktop.window.show()
    qtbot.waitExposed(desktop.window)
    return desktop


def test_header_shows_the_rota_as_the_rota_and_reachable_only_when_signed_in(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    rachel = _open_pc(qtbot, db_url, clock, "rgreen", "OFFICER-3", desktops)
    header = rachel.window.header

    qtbot.waitUntil(lambda: "REACHABLE" in header.rota.text(), timeout=5000)
    assert header.rota.text() == "NO RESPONDER REACHABLE (0 of 3)"
    assert _kind(header.rota) is StatusKind.WARNING  # amber, never the green "all well"
    assert header.rota_strip.isVisible()
    assert "every screen in this office at once" in header.rota_strip.text()
    for name in ON_DUTY:
        assert f"{name}: not signed in on any SafeDesk PC" in header.rota.toolTip()

    _open_pc(qtbot, db_url, clock, "twhitfield", "RESPONDER-1", desktops)  # Tom starts SafeDesk
    rachel.adapter.refresh()  # (every PC looks again every 30 s)

    qtbot.waitUntil(
        lambda: header.rota.text() == "Responders reachable: 1 of 3 on duty", timeout=5000
    )
    assert _kind(header.rota) is StatusKind.OK
    assert not header.rota_strip.isVisible()
    assert "Tom Whitfield: signed in on RESPONDER-1" in header.rota.toolTip()
