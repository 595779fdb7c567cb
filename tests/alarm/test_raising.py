"""Raising alarms from presses, on SQLite and PostgreSQL: the procedure a button relies on."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import func, select

from safedesk.alarm_bus import AlarmPressedAgain, AlarmRaised, TestPressReceived
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database, DatabaseUnavailable
from safedesk.demo.office import seed_office
from safedesk.models import (
    AlarmEvent,
    AlarmOutcome,
    AlarmPress,
    AlarmTest,
    AuditEntry,
    BusEvent,
    Marker,
    MarkerCategory,
    MarkerRestricted,
    PanicDevice,
    Person,
    TestResult,
    Visit,
)
from safedesk.services.hub import Services
from safedesk.services.shared import audit
from tests.helpers.office import SeededOffice


def _press(device_id: str, seq: int, clock: FakeClock, boot: int = 1) -> ButtonPress:
    return ButtonPress(
        device_id=device_id,
        sequence=seq,
        pressed_at=clock.now() - timedelta(milliseconds=40),
        source=DeviceKind.SERIAL,
        boot_id=boot,
    )


def _bus_kinds(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(BusEvent.kind).order_by(BusEvent.id)))


def test_a_press_raises_an_alarm_for_the_room_and_announces_it(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    receipt = services.alarms.press(_press(office.device_ids["Interview Room 3"], 1, clock))

    assert receipt.created and not receipt.is_test
    view = services.alarms.alert(receipt.alarm_id)
    assert view.room_name == "Interview Room 3"
    assert view.room_location == "First floor, past the lifts"
    assert view.office_name == "Derby Central Housing Office"
    assert view.office_address.startswith("Council House")
    assert view.office_phone == "01332 640000"
    assert view.raised_at == clock.now()
    assert view.call_999_text == (
        "Derby Central Housing Office, Council House, Corporation Street, Derby DE1 2FS. "
        "Room: Interview Room 3 (First floor, past the lifts). Call-back number: 01332 640000."
    )
    messages = services.bus.poll(0)
    assert [m.kind for m in messages] == [AlarmRaised.KIND]
    raised = messages[0].event
    assert isinstance(raised, AlarmRaised)
    assert raised.alarm_id == receipt.alarm_id
    assert raised.office_id == office.office_id
    assert raised.room_name == "Interview Room 3"
    with db.session() as s:
        assert [e.action for e in audit.entries(s, subject_type="alarm")] == ["alarm.raised"]
        device = s.scalars(
            select(PanicDevice).where(
                PanicDevice.device_id == office.device_ids["Interview Room 3"]
            )
        ).one()
        assert device.last_seen_at == clock.now()


def test_a_resent_press_does_not_make_a_second_alarm(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    press = _press(office.device_ids["Interview Room 1"], 7, clock)
    first = services.alarms.press(press)
    clock.advance(0.5)
    again = services.alarms.press(press)

    assert first.created and not again.created
    assert again.alarm_id == first.alarm_id
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AlarmEvent)) == 1
        assert s.scalar(select(func.count()).select_from(AlarmPress)) == 1
        assert s.get_one(AlarmEvent, first.alarm_id).press_count == 1
    assert _bus_kinds(db) == [AlarmRaised.KIND]


def test_a_new_press_while_the_rooms_alarm_is_open_is_recorded_as_pressed_again(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device = office.device_ids["Interview Room 1"]
    first = services.alarms.press(_press(device, 1, clock))
    clock.advance(5)
    second = services.alarms.press(_press(device, 2, clock))

    assert not second.created and second.alarm_id == first.alarm_id
    assert services.alarms.alert(first.alarm_id).press_count == 2
    assert _bus_kinds(db) == [AlarmRaised.KIND, AlarmPressedAgain.KIND]
    pressed_again = services.bus.poll(0)[1].event
    assert isinstance(pressed_again, AlarmPressedAgain) and pressed_again.press_count == 2


def test_a_press_from_a_second_device_in_the_same_room_joins_the_open_alarm(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    with db.session() as s:
        s.add(
            PanicDevice(
                device_id="hotkey:DESK-2",
                kind=DeviceKind.HOTKEY,
                room_id=office.room_ids["Reception desk 2"],
                registered_at=clock.now(),
            )
        )
    first = services.alarms.press(_press(office.device_ids["Reception desk 2"], 1, clock))
    second = services.alarms.press(_press("hotkey:DESK-2", 1, clock))
    assert second.alarm_id == first.alarm_id and not second.created


def test_a_press_after_the_alarm_was_resolved_raises_a_new_alarm(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device = office.device_ids["Interview Room 2"]
    first = services.alarms.press(_press(device, 1, clock))
    services.alarms.resolve(
        first.alarm_id, office.actor("twhitfield"), AlarmOutcome.FALSE_ALARM, "Knocked by a bag"
    )
    second = services.alarms.press(_press(device, 2, clock))
    assert second.created and second.alarm_id != first.alarm_id


def test_an_unregistered_device_still_raises_an_alarm_for_unknown_location(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        receipt = services.alarms.press(_press("pico-NOT-REGISTERED", 3, clock))

    assert receipt.created
    view = services.alarms.alert(receipt.alarm_id)
    assert view.unknown_location and view.room_id is None and view.office_id is None
    assert "pico-NOT-REGISTERED" in view.room_name
    assert view.call_999_text.startswith("Location not known")
    assert any(
        "UNREGISTERED" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records
    )
    raised = services.bus.poll(0)[0].event
    assert isinstance(raised, AlarmRaised) and raised.unknown_location
    # Every office's screens see it: an office filter lets unknown locations through.
    sub = services.bus.subscribe(after_id=0, office_id=office.other_office_id)
    assert [m.event.alarm_ref for m in sub.get(timeout=2)] == [receipt.alarm_id]
    sub.close()
    assert [v.alarm_id for v in services.alarms.open_alarms(office.office_id)] == [receipt.alarm_id]
    again = services.alarms.press(_press("pico-NOT-REGISTERED", 4, clock))
    assert again.alarm_id == receipt.alarm_id and not again.created


def test_a_heartbeat_updates_last_seen_and_registers_nothing(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    clock.advance(60)
    device_id = office.device_ids["Interview Room 1"]
    services.alarms.heard(DeviceHeard(device_id, clock.now(), DeviceKind.SERIAL, "1.1.0"))
    services.alarms.heard(DeviceHeard("pico-stranger", clock.now(), DeviceKind.SERIAL, "1.0.0"))
    with db.session() as s:
        device = s.scalars(select(PanicDevice).where(PanicDevice.device_id == device_id)).one()
        assert device.last_seen_at == clock.now()
        assert device.firmware_version == "1.1.0"
        assert (
            s.scalar(
                select(func.count())
                .select_from(PanicDevice)
                .where(PanicDevice.device_id == "pico-stranger")
            )
            == 0
        )


def test_the_alert_shows_who_is_in_the_room_and_their_instructions_never_the_reason(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    now = clock.now()
    with db.session() as s:
        person = Person(forenames="Gary", surname="Pratt", created_at=now, updated_at=now)
        s.add(person)
        s.flush()
        marker = Marker(
            person_id=person.id,
            category=MarkerCategory.OFFENDER,
            instructions=["Two members of staff at all times"],
            restricted=True,
            contact_role="asb_manager",
            placed_at=now - timedelta(days=30),
            review_due=date(2027, 1, 1),
        )
        s.add(marker)
        s.flush()
        s.add(MarkerRestricted(marker_id=marker.id, reason="SECRET REASON", detail="SECRET"))
        s.add(
            Visit(
                office_id=office.office_id,
                person_id=person.id,
                room_id=office.room_ids["Interview Room 4"],
                host_officer_id=office.staff_ids["twhitfield"],
                purpose="Rent arrears",
                arrived_at=now - timedelta(minutes=10),
                created_at=now - timedelta(hours=1),
            )
        )
        # Yesterday's visitor who never signed out is not in the room now.
        s.add(
            Visit(
                office_id=office.office_id,
                walk_in_name="Old Visitor",
                room_id=office.room_ids["Interview Room 4"],
                arrived_at=now - timedelta(days=1),
                created_at=now - timedelta(days=1),
            )
        )

    receipt = services.alarms.press(_press(office.device_ids["Interview Room 4"], 1, clock))
    view = services.alarms.alert(receipt.alarm_id)

    assert [v.name for v in view.visitors] == ["Gary Pratt"]
    visitor = view.visitors[0]
    assert visitor.flagged
    assert "Two members of staff at all times" in visitor.marker_instructions
    assert any(i.startswith("Contact") for i in visitor.marker_instructions)
    assert not any("SECRET" in i for i in visitor.marker_instructions)
    with db.session() as s:
        assert s.get_one(AlarmEvent, receipt.alarm_id).visit_id == visitor.visit_id


def test_a_press_inside_the_weekly_test_window_is_a_test_not_an_alarm(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device_id = office.device_ids["Interview Room 2"]
    with db.session() as s:
        device = s.scalars(select(PanicDevice).where(PanicDevice.device_id == device_id)).one()
        test = AlarmTest(
            week_start=clock.now().date(),
            device_pk=device.id,
            office_id=office.office_id,
            tester_id=office.staff_ids["twhitfield"],
            started_at=clock.now() - timedelta(seconds=5),
            window_ends_at=clock.now() + timedelta(seconds=115),
        )
        s.add(test)
        s.flush()
        test_id = test.id

    receipt = services.alarms.press(_press(device_id, 1, clock))

    assert receipt.is_test and receipt.created
    assert services.alarms.open_alarms() == []
    with db.session() as s:
        test = s.get_one(AlarmTest, test_id)
        assert test.alarm_id == receipt.alarm_id
        assert test.received_at == clock.now()
        assert test.latency_ms == pytest.approx(40.0)
        assert test.result is TestResult.PENDING  # the weekly-test feature decides pass/fail
        assert s.get_one(AlarmEvent, receipt.alarm_id).is_test
    assert _bus_kinds(db) == [TestPressReceived.KIND]
    # After the window a press is a real emergency again.
    clock.advance(300)
    real = services.alarms.press(_press(device_id, 2, clock))
    assert real.created and not real.is_test
    assert _bus_kinds(db) == [TestPressReceived.KIND, AlarmRaised.KIND]


def test_a_press_with_a_naive_press_time_still_raises_its_rooms_alarm_at_the_time_it_arrived(
    services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    """A driver bug (a time in no known zone) must not lose the press (issue 12, hole 5): it is
    raised at the time it arrived, and the audit entry keeps the time as received."""
    received = clock.now().replace(tzinfo=None) - timedelta(hours=1)
    press = ButtonPress(office.device_ids["Interview Room 1"], 1, received, DeviceKind.GPIO)
    receipt = services.alarms.press(press)
    assert receipt.created and not receipt.held
    with services.db.session() as s:
        alarm = s.get_one(AlarmEvent, receipt.alarm_id)
        assert alarm.room_id == office.room_ids["Interview Room 1"]
        assert alarm.pressed_at == clock.now()
        note = s.scalar(select(AuditEntry).where(AuditEntry.action == "alarm.unstorable_press"))
        assert note is not None and note.detail["received_pressed_at"] == received.isoformat()


@pytest.mark.postgresql
def test_a_press_waiting_on_a_frozen_pc_gives_up_so_the_driver_can_resend(
    pg_url: str, clock: FakeClock
) -> None:
    db = Database(pg_url)
    with db.session() as s:
        seed_office(s, clock.now())
    hub = Services.build(Config(), db, clock, "PC")
    hub.alarms.lock_timeout_s = 0.3
    with db.session() as s:
        room_id, device_id = s.execute(
            select(PanicDevice.room_id, PanicDevice.device_id).limit(1)
        ).one()
    frozen = psycopg.connect(pg_url)  # a PC stopped half-way through raising for that room
    try:
        frozen.execute("SELECT pg_advisory_xact_lock(%s, %s)", (0x5AFE, room_id))
        with pytest.raises(DatabaseUnavailable):
            hub.alarms.press(_press(device_id, 1, clock))
    finally:
        frozen.close()
    assert hub.alarms.press(_press(device_id, 1, clock)).created  # the resend gets through
    hub.close()
    db.dispose()


def test_a_press_during_a_test_window_joins_a_real_alarm_already_open_in_the_room(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device_id = office.device_ids["Interview Room 2"]
    real = services.alarms.press(_press(device_id, 1, clock))
    with db.session() as s:
        device = s.scalars(select(PanicDevice).where(PanicDevice.device_id == device_id)).one()
        s.add(
            AlarmTest(
                week_start=clock.now().date(),
                device_pk=device.id,
                office_id=office.office_id,
                tester_id=office.staff_ids["twhitfield"],
                started_at=clock.now() - timedelta(seconds=1),
                window_ends_at=clock.now() + timedelta(seconds=119),
            )
        )
    clock.advance(1)
    again = services.alarms.press(_press(device_id, 2, clock))
    assert again.alarm_id == real.alarm_id and not again.is_test
    assert _bus_kinds(db) == [AlarmRaised.KIND, AlarmPressedAgain.KIND]
