"""The alert names the member of staff in the room (issue 10 item 6).

For an interview room, the host officer of the visit; for a reception desk, whoever is signed in
at that desk's PC (workstation.desk). A desk alarm never says "No visitor is booked into this
room": nobody is booked into a desk; who has arrived and is waiting is what helps.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from safedesk.clock import FakeClock
from safedesk.models import Visit
from safedesk.services.hub import Services
from tests.alarm.alert_helpers import alert_on, press
from tests.helpers.office import SeededOffice
from tests.helpers.screens import Screen, heartbeat, open_screen

pytestmark = pytest.mark.gui


def _arrived(
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    name: str,
    *,
    room: str | None,
    host: str | None,
) -> None:
    now = clock.now()
    with services.db.session() as s:
        s.add(
            Visit(
                office_id=office.office_id,
                walk_in_name=name,
                room_id=office.room_ids[room] if room else None,
                host_officer_id=office.staff_ids[host] if host else None,
                purpose="Rent arrears",
                expected_at=now - timedelta(minutes=20),
                arrived_at=now - timedelta(minutes=10),
                created_at=now - timedelta(hours=1),
            )
        )


def test_interview_room_alert_names_the_host_officer_in_the_room(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    _arrived(services, office, clock, "Karen Walsh", room="Interview Room 1", host="rgreen")
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)

    alarm_id = press(services, office, clock, "Interview Room 1")

    window = alert_on(qtbot, tom, alarm_id)
    people = window.people_label.text()
    assert "<b>Staff in the room:</b> <b>Rachel Green</b> (seeing Karen Walsh)" in people
    assert "<b>Karen Walsh</b>" in people
    assert window.people_title.text() == "IN THE ROOM NOW"


def test_desk_alarm_names_who_is_signed_in_at_that_desk(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    desk = office.room_ids["Reception desk 1"]
    # Priya's reception PC at desk 1 heartbeats with her signed in; desk 2's PC with Gary.
    heartbeat(
        services.db,
        clock,
        office.office_id,
        office.actor("psharma"),
        name="DESK-1",
        desk_room_id=desk,
        mode="reception",
    )
    heartbeat(
        services.db,
        clock,
        office.office_id,
        office.actor("gholt"),
        name="DESK-2",
        desk_room_id=office.room_ids["Reception desk 2"],
        mode="reception",
    )
    _arrived(services, office, clock, "Brian Achterberg", room=None, host="rgreen")
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)

    alarm_id = press(services, office, clock, "Reception desk 1")

    window = alert_on(qtbot, tom, alarm_id)
    people = window.people_label.text()
    assert "No visitor is booked into this room" not in people
    assert (
        "<b>Staff at the desk:</b> <b>Priya Sharma</b> (signed in at this desk on DESK-1)" in people
    )
    assert "Gary Holt" not in people  # at the other desk
    assert "Arrived and waiting (not yet in a room)" in people
    assert "Brian Achterberg" in people
    assert window.people_title.text() == "AT THE DESK NOW"


def test_desk_alarm_with_nobody_known_at_the_desk_says_so_plainly(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    screens: list[Screen],
) -> None:
    tom = open_screen(db_url, clock, office.office_id, office.actor("twhitfield"))
    screens.append(tom)
    qtbot.waitUntil(lambda: tom.adapter._sub is not None, timeout=5000)

    alarm_id = press(services, office, clock, "Reception desk 2")

    window = alert_on(qtbot, tom, alarm_id)
    people = window.people_label.text()
    assert "nobody is known to be signed in at this desk's PC" in people
    assert "whoever is at the counter is not known" in people
    assert "No visitor is booked into this room" not in people
