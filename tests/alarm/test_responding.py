"""Acknowledging, escalating and resolving: what responders do, driven by a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from safedesk.alarm_bus import AlarmEscalated, AlarmResolved, AlarmResponding
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmOutcome
from safedesk.services.alarms.alarm_service import AlarmError
from safedesk.services.hub import Services
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from tests.helpers.office import SeededOffice


def _raise(
    services: Services, office: SeededOffice, clock: FakeClock, room: str = "Interview Room 1"
) -> int:
    press = ButtonPress(office.device_ids[room], 1, clock.now(), DeviceKind.SERIAL, boot_id=9)
    return services.alarms.press(press).alarm_id


def test_first_responder_acknowledges_and_every_screen_sees_who_is_going(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _raise(services, office, clock)
    sub = services.bus.subscribe(after_id=services.bus.head(), office_id=office.office_id)
    clock.advance(8)
    services.alarms.respond(alarm_id, office.actor("twhitfield"))
    clock.advance(3)
    view = services.alarms.respond(alarm_id, office.actor("sokafor"))
    services.alarms.respond(alarm_id, office.actor("sokafor"))  # a double click changes nothing

    assert view.acknowledged_by == "Tom Whitfield"
    assert [r.name for r in view.responders] == ["Tom Whitfield", "Sarah Okafor"]
    assert view.acknowledged_at == clock.now() - timedelta(seconds=3)
    events = [m.event for m in sub.get(timeout=2)]
    while len(events) < 2:
        more = sub.get(timeout=2)
        assert more, "responding events did not arrive"
        events += [m.event for m in more]
    assert [type(e) for e in events] == [AlarmResponding, AlarmResponding]
    first, second = events
    assert isinstance(first, AlarmResponding) and isinstance(second, AlarmResponding)
    assert first.first and not second.first
    assert first.device_id == office.device_ids["Interview Room 1"]  # for the button's LED
    assert second.workstation == "PC-sokafor"
    sub.close()
    with db.session() as s:
        assert [e.action for e in audit.entries(s, subject_type="alarm")].count(
            "alarm.responding"
        ) == 2


def test_only_signed_in_staff_can_respond(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _raise(services, office, clock)
    with pytest.raises(AlarmError, match="signed-in"):
        services.alarms.respond(alarm_id, Actor.system("PC"))
    with pytest.raises(AlarmError, match="no alarm"):
        services.alarms.respond(99999, office.actor("twhitfield"))


def test_unacknowledged_alarm_escalates_after_the_configured_time(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _raise(services, office, clock)
    clock.advance(29)
    assert services.alarms.escalate_due() == []
    clock.advance(1)
    assert services.alarms.escalate_due() == [alarm_id]
    assert services.alarms.escalate_due() == []  # recorded once, whoever's timer runs next

    view = services.alarms.alert(alarm_id)
    assert view.escalated_at == clock.now()
    escalated = [m.event for m in services.bus.poll(0) if isinstance(m.event, AlarmEscalated)]
    assert len(escalated) == 1 and escalated[0].unacknowledged_s == pytest.approx(30)
    with db.session() as s:
        assert [e.action for e in audit.entries(s, action="alarm.escalated")] == ["alarm.escalated"]


def test_acknowledged_alarm_does_not_escalate(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _raise(services, office, clock)
    clock.advance(12)
    services.alarms.respond(alarm_id, office.actor("gholt"))
    clock.advance(60)
    assert services.alarms.escalate_due() == []
    assert services.alarms.alert(alarm_id).escalated_at is None


def test_resolve_requires_an_outcome_and_notes_and_makes_the_incident_record(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    alarm_id = _raise(services, office, clock)
    manager = office.actor("twhitfield")
    with pytest.raises(AlarmError, match="notes are required"):
        services.alarms.resolve(alarm_id, manager, AlarmOutcome.POLICE_CALLED, "   ")
    with pytest.raises(AlarmError, match="outcome"):
        services.alarms.resolve(alarm_id, manager, "police", "Police attended")  # type: ignore[arg-type]
    assert services.alarms.alert(alarm_id).resolved_at is None

    clock.advance(600)
    view = services.alarms.resolve(
        alarm_id, manager, AlarmOutcome.POLICE_CALLED, "Visitor threatened officer; police attended"
    )
    assert view.resolved_at == clock.now() and view.outcome is AlarmOutcome.POLICE_CALLED
    assert services.alarms.open_alarms() == []
    with pytest.raises(AlarmError, match="already resolved"):
        services.alarms.resolve(alarm_id, manager, AlarmOutcome.FALSE_ALARM, "again")
    with pytest.raises(AlarmError, match="already resolved"):
        services.alarms.respond(alarm_id, manager)
    with db.session() as s:
        alarm = s.get_one(AlarmEvent, alarm_id)
        assert alarm.notes == "Visitor threatened officer; police attended"
        assert alarm.resolved_by_id == office.staff_ids["twhitfield"]
    resolved = [m.event for m in services.bus.poll(0) if isinstance(m.event, AlarmResolved)]
    assert len(resolved) == 1 and resolved[0].resolved_by_name == "Tom Whitfield"


def test_open_alarms_are_per_office_oldest_first(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    first = _raise(services, office, clock, "Interview Room 1")
    clock.advance(2)
    second = _raise(services, office, clock, "Interview Room 2")
    assert [v.alarm_id for v in services.alarms.open_alarms(office.office_id)] == [first, second]
    assert services.alarms.open_alarms(office.other_office_id) == []
    assert services.alarms.alert(first).elapsed_s(clock.now()) == pytest.approx(2)
