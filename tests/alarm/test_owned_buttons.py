"""A reception PC with a USB panic button plugged in: the app runs the serial driver itself.

Real parts: a simulated USB button on a pseudo-terminal, the real alarm service and bus on
SQLite and PostgreSQL, Qt signals queued to the GUI thread (pytest-qt).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.alarm.owned_buttons import OwnedButtons, attach, serial_config
from hardware.button_source import DeviceStatus
from hardware.serial_button import SerialButtonConfig
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.alarm_bus import DeviceOffline
from safedesk.config import DevicesConfig
from safedesk.models import AlarmEvent
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice


@pytest.fixture
def usb_button(office: SeededOffice) -> Iterator[SimulatedSerialDevice]:
    device = SimulatedSerialDevice(
        device_id=office.device_ids["Reception desk 1"], heartbeat_s=0.2, resend_s=0.2
    )
    device.plug_in()
    yield device
    device.close()


def test_the_pc_config_chooses_ports_and_usb_ids() -> None:
    assert serial_config(DevicesConfig(serial_ports=[], usb_ids=[])) is None
    config = serial_config(DevicesConfig(serial_ports=["COM5"], usb_ids=["2e8a:0005"]))
    assert config is not None
    assert (config.port_urls, config.discover, config.usb_ids) == (
        ("COM5",),
        True,
        ((0x2E8A, 0x0005),),
    )


def test_a_button_on_this_pc_raises_an_alarm_and_shows_help_is_coming(
    qtbot: QtBot, services: Services, office: SeededOffice, usb_button: SimulatedSerialDevice
) -> None:
    owned = OwnedButtons(
        services,
        serial=SerialButtonConfig(
            port_urls=(usb_button.port_path,), discover=False, scan_interval_s=0.05
        ),
        supervise=False,
    )
    try:
        with qtbot.waitSignal(owned.status_changed, timeout=5000) as online:
            owned.start()
        status = online.args[0]
        assert isinstance(status, DeviceStatus) and status.online
        qtbot.waitUntil(lambda: usb_button.device_id in owned.statuses, timeout=5000)

        seq = usb_button.press()
        assert usb_button.wait_for_ack(seq)
        with services.db.session() as s:
            [alarm] = s.scalars(select(AlarmEvent)).all()
            assert alarm.device_id == usb_button.device_id
        services.alarms.respond(alarm.id, office.actor("twhitfield"))
        assert usb_button.wait_for_led("responding")
    finally:
        owned.stop()


class FakeAdapter(QObject):
    device_status = Signal(object)


class ChecklistStatus:
    def __init__(self) -> None:
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


def test_a_device_going_offline_refreshes_the_panic_button_flags_at_once(
    qtbot: QtBot, services: Services, office: SeededOffice
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    flags = ChecklistStatus()
    window.weekly_test_status = flags  # type: ignore[attr-defined]
    adapter = FakeAdapter()
    services.config = replace(services.config, devices=DevicesConfig(serial_ports=[], usb_ids=[]))
    owned = attach(window, services, adapter)
    try:
        assert owned.source is None  # no USB buttons configured on this PC
        adapter.device_status.emit(
            DeviceOffline(
                office_id=office.office_id,
                device_id="x",
                room_id=None,
                room_name="Interview Room 1",
                last_seen_at=None,
                at=services.clock.now(),
            )
        )
        assert flags.refreshed == 1
    finally:
        owned.stop()
