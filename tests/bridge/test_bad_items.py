"""A press that cannot be stored as sent still raises an alarm, and one bad item never stalls.

Before: an 81-character GPIO device id (the config accepted it; the column holds 80) was
refused by PostgreSQL at every retry, never raised anything, showed "not delivered" for ever,
and every press behind it queued behind it. Real parts: the bridge as built from its config with
GPIO buttons on MockFactory pins, the real alarm service and outbox, SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory
from sqlalchemy import select

from firmware_bridge.bridge import Bridge
from firmware_bridge.bridge_config import parse_bridge_config
from hardware.gpio_button import GpioButtonSource
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind, LedState, PressReceipt
from safedesk.clock import FakeClock, SystemClock
from safedesk.config import Config, ConfigError
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmPress, AuditEntry, PanicDevice
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually

LONG_ID = "gpio:" + "derby-central-interview-room-" * 2 + "x" * 18  # 81 characters
GOOD_ID = "gpio:test-pi:17"


def test_a_gpio_device_id_longer_than_the_database_stores_is_refused_where_it_is_configured(
    tmp_path: Path,
) -> None:
    assert len(LONG_ID) == 81
    with pytest.raises(ConfigError) as refused:
        parse_bridge_config(
            {
                "database": {"url": "postgresql://bridge@db.example/safedesk"},
                "bridge": {"outbox": str(tmp_path / "o.sqlite3")},
                "gpio": [{"device_id": LONG_ID, "pin": 17}],
            },
            "bridge.toml",
        )
    assert refused.value.key == "gpio[0].device_id"
    assert "81 characters" in refused.value.problem and "at most 80" in refused.value.problem


def test_a_device_id_with_a_control_character_is_refused_where_it_is_configured(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_bridge_config(
            {
                "database": {"url": "postgresql://bridge@db.example/safedesk"},
                "bridge": {"outbox": str(tmp_path / "o.sqlite3")},
                "gpio": [{"device_id": "gpio:pi\x00:17", "pin": 17}],
            },
            "bridge.toml",
        )
    assert refused.value.key == "gpio[0].device_id"


@pytest.fixture
def bad_and_good_bridge(
    db_url: str, db: Database, office: SeededOffice, tmp_path: Path
) -> Iterator[Bridge]:
    """A bridge whose file got an 81-character id past an older check, and a good button."""
    with db.session() as s:
        s.add(
            PanicDevice(
                device_id=GOOD_ID,
                kind=DeviceKind.GPIO,
                room_id=office.room_ids["Interview Room 3"],
                registered_at=SystemClock().now(),
            )
        )
    config = parse_bridge_config(
        {
            "database": {"url": db_url},
            "bridge": {"outbox": str(tmp_path / "outbox.sqlite3"), "supervise": False},
            "gpio": [
                {"device_id": "placeholder", "pin": 5, "led_pin": 6, "bounce_ms": 10},
                {"device_id": GOOD_ID, "pin": 17, "led_pin": 27, "bounce_ms": 10},
            ],
        },
        "bridge.toml",
    )
    bad = dataclasses.replace(config.gpio[0], device_id=LONG_ID)
    config = dataclasses.replace(config, gpio=(bad, config.gpio[1]))
    bridge = Bridge.build(config, SystemClock(), pin_factory=MockFactory())
    bridge.start()
    try:
        yield bridge
    finally:
        bridge.stop()


def push(bridge: Bridge, pin: int) -> None:
    source = next(s for s in bridge.sources if isinstance(s, GpioButtonSource))
    pins = source.pin_factory
    assert isinstance(pins, MockFactory)
    pins.pin(pin).drive_low()
    time.sleep(0.08)
    pins.pin(pin).drive_high()


def test_a_press_under_an_id_too_long_to_store_raises_an_unknown_location_alarm_at_once(
    bad_and_good_bridge: Bridge, db: Database
) -> None:
    bridge = bad_and_good_bridge
    gpio = next(s for s in bridge.sources if isinstance(s, GpioButtonSource))
    push(bridge, 5)

    def unknown_alarm() -> AlarmEvent | None:
        with db.session() as s:
            return s.scalar(select(AlarmEvent).where(AlarmEvent.room_id.is_(None)))

    assert eventually(lambda: unknown_alarm() is not None, timeout=10), bridge.outbox.held()
    alarm = unknown_alarm()
    assert alarm is not None and not alarm.is_test
    assert (
        alarm.device_id.startswith("unstorable:gpio:derby-central") and len(alarm.device_id) <= 80
    )
    with db.session() as s:
        note = s.scalar(select(AuditEntry).where(AuditEntry.action == "alarm.unstorable_press"))
        assert note is not None and note.subject_id == alarm.id
        assert note.detail["received_device_id"] == LONG_ID  # what was received, in full
    assert eventually(lambda: gpio.led_state(LONG_ID) is LedState.DELIVERED)
    assert bridge.sink.backlog == 0

    # The press behind it is not held up: delivered at once, in its own room.
    started = time.monotonic()
    push(bridge, 17)
    assert eventually(lambda: gpio.led_state(GOOD_ID) is LedState.DELIVERED, timeout=5)
    assert time.monotonic() - started < 3.0
    with db.session() as s:
        good = s.scalar(select(AlarmEvent).where(AlarmEvent.device_id == GOOD_ID))
        assert good is not None and good.room_id is not None
        assert len(s.scalars(select(AlarmPress)).all()) == 2
    assert bridge.outbox.held() == []


def test_one_press_the_service_refuses_never_holds_up_the_presses_behind_it(
    db: Database, office: SeededOffice, clock: FakeClock, tmp_path: Path
) -> None:
    """A refusal that no fallback can help (a bug) is kept and retried, loudly, off the path."""
    services = Services.build(Config(), db, clock, "BRIDGE-TEST")

    class RefusesOne:
        def press(self, press: ButtonPress) -> PressReceipt:
            if press.device_id == "pico-poison":
                raise RuntimeError("a bug in the alarm service for this one press")
            return services.alarms.press(press)

        def heard(self, heard: DeviceHeard) -> None:
            services.alarms.heard(heard)

    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    sink = StoreAndForwardSink(RefusesOne(), outbox, clock)
    room_1 = office.device_ids["Interview Room 1"]
    try:
        poison = sink.press(ButtonPress("pico-poison", 1, clock.now(), DeviceKind.SERIAL, 7))
        assert poison.held  # kept, never dropped
        good = sink.press(ButtonPress(room_1, 1, clock.now(), DeviceKind.SERIAL, boot_id=7))
        assert not good.held and good.alarm_id  # straight to the database, not behind it
        assert sink.forward_now() == 1  # the refused one stays; forwarding does not raise
        later = sink.press(ButtonPress(room_1, 2, clock.now(), DeviceKind.SERIAL, boot_id=7))
        assert not later.held
        with db.session() as s:
            assert len(s.scalars(select(AlarmPress)).all()) == 2
    finally:
        services.close()
        outbox.close()
