"""Incident records for managers: filters, debrief and follow-up (seed 004), CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AlarmOutcome
from safedesk.services.alarms.incidents import IncidentError, IncidentFilter, IncidentStatus
from safedesk.services.hub import Services
from safedesk.services.shared import audit
from tests.helpers.office import SeededOffice


def _incident(
    services: Services, office: SeededOffice, clock: FakeClock, room: str, seq: int
) -> int:
    press = ButtonPress(office.device_ids[room], seq, clock.now(), DeviceKind.SERIAL, boot_id=2)
    return services.alarms.press(press).alarm_id


def test_incidents_move_from_open_to_awaiting_debrief_to_follow_up_to_closed(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _incident(services, office, clock, "Interview Room 1", 1)
    manager = office.actor("lmoss")
    responder = office.actor("twhitfield")

    def status() -> IncidentStatus:
        return services.incidents.list()[0].status

    assert status() is IncidentStatus.OPEN
    with pytest.raises(IncidentError, match="still open"):
        services.incidents.record_debrief(alarm_id, manager, "Spoke to Tom")
    services.alarms.respond(alarm_id, responder)
    services.alarms.resolve(alarm_id, responder, AlarmOutcome.RESOLVED_ON_SITE, "Calmed down")
    assert status() is IncidentStatus.AWAITING_DEBRIEF
    with pytest.raises(IncidentError, match="only a manager"):
        services.incidents.record_debrief(alarm_id, responder, "I debriefed myself")
    with pytest.raises(IncidentError, match="required"):
        services.incidents.record_debrief(alarm_id, manager, " ")
    services.incidents.record_debrief(alarm_id, manager, "Debriefed Tom; no injuries; EAP offered")
    assert status() is IncidentStatus.AWAITING_FOLLOW_UP
    clock.advance(86400)
    services.incidents.record_follow_up(alarm_id, manager, "Letter sent to customer (appendix 2)")
    row = services.incidents.list()[0]
    assert row.status is IncidentStatus.CLOSED
    assert row.debriefed_by == "Linda Moss"
    assert row.responders == ("Tom Whitfield",)
    assert row.follow_up_notes is not None and "Letter sent" in row.follow_up_notes
    assert services.incidents.list(IncidentFilter(needs_action=True)) == []
    with db.session() as s:
        actions = {e.action for e in audit.entries(s, subject_type="alarm", subject_id=alarm_id)}
    assert {"incident.debriefed", "incident.follow_up", "alarm.resolved"} <= actions


def test_incident_list_filters_by_office_dates_outcome_and_status(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    responder = office.actor("twhitfield")
    first = _incident(services, office, clock, "Interview Room 1", 1)
    services.alarms.resolve(first, responder, AlarmOutcome.FALSE_ALARM, "Bag against button")
    clock.advance(timedelta(days=3).total_seconds())
    second = _incident(services, office, clock, "Interview Room 2", 1)
    services.alarms.resolve(second, responder, AlarmOutcome.POLICE_CALLED, "Threats; police came")
    third = _incident(services, office, clock, "Interview Room 3", 1)

    def ids(**kw: object) -> list[int]:
        return [r.alarm_id for r in services.incidents.list(IncidentFilter(**kw))]  # type: ignore[arg-type]

    assert ids() == [third, second, first]  # newest first
    assert ids(outcome=AlarmOutcome.POLICE_CALLED) == [second]
    assert ids(status=IncidentStatus.OPEN) == [third]
    assert ids(needs_action=True) == [third, second, first]
    assert ids(date_to=clock.now().date() - timedelta(days=1)) == [first]
    assert ids(date_from=clock.now().date()) == [third, second]
    assert ids(office_id=office.other_office_id) == []
    assert ids(date_from=date(2030, 1, 1)) == []


def test_incident_csv_has_a_header_every_incident_and_no_formula_injection(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _incident(services, office, clock, "Interview Room 4", 1)
    services.alarms.resolve(
        alarm_id,
        office.actor("twhitfield"),
        AlarmOutcome.AMBULANCE_CALLED,
        '=HYPERLINK("http://x") visitor collapsed, "quoted", line\nbreak',
    )
    out = io.StringIO()
    assert services.incidents.export_csv(out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 1
    row = rows[0]
    assert row["incident"] == str(alarm_id)
    assert row["room"] == "Interview Room 4"
    assert row["outcome"] == "ambulance_called"
    assert row["notes"].startswith("'=HYPERLINK")
    assert row["notes"].endswith("line\nbreak")
    assert row["status"] == "awaiting_debrief"


def test_monthly_figures_count_incidents_by_outcome_for_leadership(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    responder = office.actor("twhitfield")
    first = _incident(services, office, clock, "Interview Room 1", 1)
    services.alarms.resolve(first, responder, AlarmOutcome.FALSE_ALARM, "Bag")
    second = _incident(services, office, clock, "Interview Room 2", 1)
    services.alarms.resolve(second, responder, AlarmOutcome.POLICE_CALLED, "Threats")
    clock.advance(timedelta(days=10).total_seconds())  # into December
    _incident(services, office, clock, "Interview Room 3", 1)

    figures = services.incidents.monthly_figures(2026)
    assert [(f.month, f.total) for f in figures] == [("2026-11", 2), ("2026-12", 1)]
    assert figures[0].by_outcome == {"false_alarm": 1, "police_called": 1}
    assert figures[1].by_outcome == {"open": 1}
    assert figures[0].awaiting_follow_up == 2
    assert services.incidents.monthly_figures(2025) == []
