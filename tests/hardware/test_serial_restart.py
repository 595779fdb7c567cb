"""A button that restarts with the boot id it had before is still heard (issue 12, hole 6).

Its next presses used to be taken for resends of the old ones: acknowledged, LED "delivered", no
alarm, also after the host restarted. The driver now sees the press count go back in the HELLO
and stops re-acknowledging from memory, and the alarm service tells a resend (same press time)
from a new press under a repeated name (pressed now). The button is simulated on a real pty; the
sink is the real alarm service on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmOutcome, AlarmPress
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually

ROOM = "Interview Room 1"


@pytest.fixture
def button(tmp_path: Path, office: SeededOffice) -> Iterator[SimulatedSerialDevice]:
    device = SimulatedSerialDevice(
        device_id=office.device_ids[ROOM],
        heartbeat_s=0.1,
        resend_s=0.2,
        host_timeout_s=2.0,
        link_path=tmp_path / "ttyBUTTON",
    )
    device.plug_in()
    try:
        yield device
    finally:
        device.close()


class Host:
    """A PC or bridge: its own alarm service and serial driver, started and stopped as a unit."""

    def __init__(self, db: Database, clock: FakeClock, port: str) -> None:
        self.services = Services.build(Config(), db, clock, "BRIDGE-1")
        self.driver = SerialButtonSource(
            self.services.alarms,
            clock,
            SerialButtonConfig(
                port_urls=(port,), discover=False, scan_interval_s=0.05, backoff_initial_s=0.05
            ),
        )
        self.driver.start()

    def stop(self) -> None:
        self.driver.stop()
        self.services.close()


@pytest.fixture
def hosts() -> Iterator[list[Host]]:
    started: list[Host] = []
    yield started
    for host in started:
        host.stop()


def _alarms(db: Database) -> list[tuple[int, int]]:
    with db.session() as s:
        return [
            (a.id, a.press_count) for a in s.scalars(select(AlarmEvent).order_by(AlarmEvent.id))
        ]


def _resolve_all(services: Services, office: SeededOffice) -> None:
    for view in services.alarms.open_alarms(office.office_id):
        services.alarms.resolve(
            view.alarm_id, office.actor("twhitfield"), AlarmOutcome.FALSE_ALARM, "test"
        )


def test_a_button_restarted_with_its_old_boot_id_raises_a_new_alarm(
    db: Database,
    clock: FakeClock,
    office: SeededOffice,
    button: SimulatedSerialDevice,
    hosts: list[Host],
) -> None:
    host = Host(db, clock, button.port_path)
    hosts.append(host)
    first = button.press()
    assert button.wait_for_ack(first)
    assert eventually(lambda: len(_alarms(db)) == 1)
    _resolve_all(host.services, office)

    clock.advance(600)  # ten minutes later the button restarts, drawing the same boot id
    boot = button.boot_id
    button.reboot(keep_boot_id=True)
    assert eventually(lambda: button.led_state is not None)  # it said HELLO, the host answered
    again = button.press()
    assert (again, button.boot_id) == (first, boot)  # the very same (device, boot, sequence)
    assert button.wait_for_ack(again)
    assert eventually(lambda: len(_alarms(db)) == 2), "the restarted button's press was lost"
    assert button.wait_for_led("delivered")
    with db.session() as s:
        stored = s.scalars(select(AlarmPress.boot_id).order_by(AlarmPress.id)).all()
    assert [b & 0xFFFFFFFF for b in stored] == [boot, boot]
    assert stored[0] != stored[1]

    # Its resends are still resends: one alarm however often the frame arrives.
    button.send_frame(button.press_frame(again, age_ms=400))
    button.send_frame(button.press_frame(again, age_ms=900))
    time.sleep(0.3)
    assert [count for _, count in _alarms(db)] == [1, 1]


def test_after_a_host_restart_the_old_boot_id_still_raises_a_new_alarm(
    db: Database,
    clock: FakeClock,
    office: SeededOffice,
    button: SimulatedSerialDevice,
    hosts: list[Host],
) -> None:
    first_host = Host(db, clock, button.port_path)
    first = button.press()
    assert button.wait_for_ack(first)
    _resolve_all(first_host.services, office)
    first_host.stop()  # the bridge restarts: nothing of the old press is left in its memory

    clock.advance(3600)
    button.reboot(keep_boot_id=True)  # meanwhile the button restarted, same boot id
    second_host = Host(db, clock, button.port_path)
    hosts.append(second_host)
    assert eventually(lambda: button.led_state is not None)
    again = button.press()
    assert again == first
    assert button.wait_for_ack(again)
    assert eventually(lambda: len(_alarms(db)) == 2), "the restarted button's press was lost"
    views = second_host.services.alarms.open_alarms(office.office_id)
    assert [v.room_name for v in views] == [ROOM]
