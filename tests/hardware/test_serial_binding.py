"""A device id speaks only from where it is registered (issue 12, hole 10).

Any serial port could speak for any device id: a frame on Interview Room 1's port raised
Interview Room 2, and 50 unregistered ids raised 50 "unknown location" alarms in every office.
Now a frame from elsewhere is raised as "Unknown location: panic device X heard on Y" (never as
the registered room), and unknown ids raise in the office of the bridge that heard them only.
Two simulated USB buttons on real ptys, the real serial driver, the real alarm service and bus on
SQLite and PostgreSQL; the USB serial numbers a pty cannot have are given to the driver.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hardware import wire_protocol as protocol
from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.alarm_bus import AlarmRaised
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmEvent, PanicDevice
from safedesk.services.buttons.device_binding import bind
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually

BRIDGE = "BRIDGE-CENTRAL"


@pytest.fixture
def rooms(tmp_path: Path, office: SeededOffice) -> Iterator[dict[str, SimulatedSerialDevice]]:
    """The USB buttons of Interview Rooms 1 and 2, each on its own port."""
    buttons = {
        room: SimulatedSerialDevice(
            device_id=office.device_ids[room],
            heartbeat_s=0.1,
            resend_s=0.2,
            link_path=tmp_path / f"ttyROOM{n}",
        )
        for n, room in ((1, "Interview Room 1"), (2, "Interview Room 2"))
    }
    for button in buttons.values():
        button.plug_in()
    try:
        yield buttons
    finally:
        for button in buttons.values():
            button.close()


@pytest.fixture
def bridge(
    db: Database, clock: FakeClock, rooms: dict[str, SimulatedSerialDevice]
) -> Iterator[tuple[Services, SerialButtonSource]]:
    services = Services.build(Config(), db, clock, BRIDGE)
    serials = {b.port_path: f"E661{n:012X}" for n, b in enumerate(rooms.values(), start=1)}
    driver = SerialButtonSource(
        services.alarms,
        clock,
        SerialButtonConfig(
            port_urls=tuple(serials), discover=False, scan_interval_s=0.05, backoff_initial_s=0.05
        ),
        usb_serial_finder=serials.get,
    )
    driver.start()
    try:
        yield services, driver
    finally:
        driver.stop()
        services.close()


def _alarms(db: Database) -> list[AlarmEvent]:
    with db.session() as s:
        return list(s.scalars(select(AlarmEvent).order_by(AlarmEvent.id)))


def test_a_frame_on_room_1s_port_for_room_2s_device_is_raised_as_unknown_location(
    db: Database,
    clock: FakeClock,
    office: SeededOffice,
    rooms: dict[str, SimulatedSerialDevice],
    bridge: tuple[Services, SerialButtonSource],
) -> None:
    services, _ = bridge
    room1, room2 = rooms["Interview Room 1"], rooms["Interview Room 2"]
    with db.session() as s:  # registered: Interview Room 2's button is on its own port
        bind(s, room2.device_id, Actor.system("ADMIN"), clock.now(), host=BRIDGE)
        bind(s, room2.device_id, Actor.system("ADMIN"), clock.now(), port=room2.port_path)
    assert eventually(lambda: room1.led_state is not None and room2.led_state is not None)

    # Something on Interview Room 1's port says it is Interview Room 2's button.
    room1.send_frame(protocol.press(room2.device_id, 0x51F00F, 1, 0))
    assert eventually(lambda: len(_alarms(db)) == 1)
    [alarm] = _alarms(db)
    assert alarm.room_id is None and alarm.device_pk is None
    assert alarm.office_id == office.office_id  # the bridge's office, not every office
    view = services.alarms.alert(alarm.id)
    assert view.room_name == (
        f"Unknown location: panic device {room2.device_id} heard on port {room1.port_path} "
        f"(USB serial E661000000000001) on {BRIDGE}"
    )
    assert "Interview Room 2" not in view.room_name
    # Interview Room 2's own light is not told "help is coming" for someone else's frame.
    time.sleep(0.5)  # several heartbeats, each answered with the LED state
    assert room2.led_state == "idle" and "delivered" not in room2.led_history

    # The real Interview Room 2 button still raises its own room.
    press = room2.press()
    assert room2.wait_for_ack(press)
    assert eventually(lambda: len(_alarms(db)) == 2)
    assert _alarms(db)[1].room_id == office.room_ids["Interview Room 2"]


def test_a_heartbeat_from_the_wrong_port_does_not_keep_a_device_online(
    db: Database,
    clock: FakeClock,
    office: SeededOffice,
    rooms: dict[str, SimulatedSerialDevice],
    bridge: tuple[Services, SerialButtonSource],
) -> None:
    room1, room2 = rooms["Interview Room 1"], rooms["Interview Room 2"]
    assert eventually(lambda: room2.led_state is not None)
    room2.unplug()  # Interview Room 2's button is unplugged...
    clock.advance(120)
    for _ in range(3):  # ...and Interview Room 1's port pretends it is still there
        room1.send_frame(protocol.heartbeat(room2.device_id, 0x51F00F, 0, "idle"))
        time.sleep(0.1)
    assert eventually(lambda: room1.led_state is not None)
    time.sleep(0.3)
    with db.session() as s:
        seen = s.scalars(
            select(PanicDevice.last_seen_at).where(PanicDevice.device_id == room2.device_id)
        ).one()
    assert seen is not None and seen < clock.now() - timedelta(seconds=60)


def test_unregistered_ids_raise_in_the_bridges_office_only(
    db: Database,
    clock: FakeClock,
    office: SeededOffice,
    rooms: dict[str, SimulatedSerialDevice],
    bridge: tuple[Services, SerialButtonSource],
) -> None:
    services, _ = bridge
    room1 = rooms["Interview Room 1"]
    assert eventually(lambda: room1.led_state is not None)  # heard: bound to this bridge
    elsewhere = services.bus.subscribe(office_id=office.other_office_id)
    here = services.bus.subscribe(office_id=office.office_id)
    try:
        for n in range(50):
            room1.send_frame(protocol.press(f"pico-unregistered-{n:02d}", 0xBAD, 1, 0))
        assert eventually(lambda: len(_alarms(db)) == 50, timeout=20)
        raised_here = 0
        deadline = time.monotonic() + 10
        while raised_here < 50 and time.monotonic() < deadline:
            raised_here += sum(isinstance(m.event, AlarmRaised) for m in here.get(timeout=0.1))
        assert raised_here == 50
        assert all(a.office_id == office.office_id for a in _alarms(db))
        assert [m for m in elsewhere.get(timeout=0.5) if isinstance(m.event, AlarmRaised)] == []
        assert services.alarms.open_alarms(office.other_office_id) == []
    finally:
        elsewhere.close()
        here.close()
