"""Managers' incident list: filters, incidents awaiting debrief/follow-up, CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.alarm.incidents_view import IncidentsView
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.models import AlarmOutcome
from safedesk.services.alarms.incidents import IncidentStatus
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice


def _incident(
    services: Services, office: SeededOffice, clock: FakeClock, room: str, outcome: AlarmOutcome
) -> int:
    press = ButtonPress(office.device_ids[room], 1, clock.now(), DeviceKind.SERIAL, boot_id=5)
    alarm_id = services.alarms.press(press).alarm_id
    services.alarms.respond(alarm_id, office.actor("twhitfield"))
    services.alarms.resolve(alarm_id, office.actor("twhitfield"), outcome, f"{room}: notes")
    clock.advance(minutes=5)
    return alarm_id


def _view(services: Services, office: SeededOffice, login: str) -> IncidentsView:
    return IncidentsView(
        services.incidents,
        lambda: office.actor(login),
        office_id=office.office_id,
        office_name="Derby Central Housing Office",
    )


def test_manager_sees_incidents_awaiting_follow_up_and_records_the_debrief(
    qtbot: QtBot, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    first = _incident(services, office, clock, "Interview Room 1", AlarmOutcome.POLICE_CALLED)
    _incident(services, office, clock, "Interview Room 2", AlarmOutcome.FALSE_ALARM)
    view = _view(services, office, "hmarsh")
    qtbot.addWidget(view)

    assert len(view.rows) == 2  # "needs action": both await a debrief
    assert {r.status for r in view.rows} == {IncidentStatus.AWAITING_DEBRIEF}
    view.outcome.setCurrentIndex(view.outcome.findData(AlarmOutcome.POLICE_CALLED))
    assert [r.alarm_id for r in view.rows] == [first]
    assert view.table.item(0, 3).text() == "Police called"

    view.table.selectRow(0)
    view.ask_notes = lambda _title, _prompt: "Talked to Rachel; she is OK, no time off needed."
    qtbot.mouseClick(view.debrief_button, Qt.MouseButton.LeftButton)
    assert "✔ Debrief recorded" in view.message.text()
    assert view.rows[0].status is IncidentStatus.AWAITING_FOLLOW_UP


def test_staff_who_are_not_managers_cannot_record_a_debrief(
    qtbot: QtBot, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    _incident(services, office, clock, "Interview Room 3", AlarmOutcome.RESOLVED_ON_SITE)
    view = _view(services, office, "psharma")
    qtbot.addWidget(view)
    view.table.selectRow(0)
    view.ask_notes = lambda _title, _prompt: "Debriefed."
    qtbot.mouseClick(view.debrief_button, Qt.MouseButton.LeftButton)
    assert "Not saved" in view.message.text() and "manager" in view.message.text()
    assert view.rows[0].status is IncidentStatus.AWAITING_DEBRIEF


def test_export_writes_the_filtered_incidents_as_csv(
    qtbot: QtBot, services: Services, office: SeededOffice, clock: FakeClock, tmp_path: Path
) -> None:
    _incident(services, office, clock, "Interview Room 1", AlarmOutcome.AMBULANCE_CALLED)
    _incident(services, office, clock, "Interview Room 4", AlarmOutcome.FALSE_ALARM)
    view = _view(services, office, "hmarsh")
    qtbot.addWidget(view)
    view.outcome.setCurrentIndex(view.outcome.findData(AlarmOutcome.AMBULANCE_CALLED))

    count = view.export_to(tmp_path / "incidents.csv")

    assert count == 1
    with (tmp_path / "incidents.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["room"] for r in rows] == ["Interview Room 1"]
    assert rows[0]["outcome"] == "ambulance_called"
    assert "exported" in view.message.text()
