"""The bridge daemon as built from its config: a USB button on a pty and a GPIO button on
MockFactory pins raise alarms on the bus, a responder acknowledges, and each LED says so.
Also the serial faults (duplicates, reboot, unplug mid-frame) through the real alarm service.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory
from sqlalchemy import select

from firmware_bridge.bridge import Bridge
from firmware_bridge.bridge_config import parse_bridge_config
from hardware.gpio_button import GpioButtonSource
from hardware.serial_button import SerialButtonConfig
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.alarm_bus import AlarmRaised, AlarmResponding, BusMessage, Subscription
from safedesk.button_events import DeviceKind, LedState
from safedesk.clock import SystemClock
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmOutcome, AlarmPress, PanicDevice, Staff
from safedesk.services.shared.actor import Actor
from tests.bridge.tcp_proxy import TcpProxy
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually

GPIO_BUTTON = "gpio:test-pi:17"
ALARM_WAV = Path(__file__).resolve().parents[2] / "resources" / "sounds" / "alarm.wav"


def next_event(sub: Subscription, kind: type, device_id: str, timeout: float = 10.0) -> BusMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sub.get(timeout=0.2):
            event = message.event
            if isinstance(event, kind) and getattr(event, "device_id", None) == device_id:
                return message
    raise AssertionError(f"no {kind.__name__} for {device_id} on the bus")


@pytest.fixture
def usb_button(office: SeededOffice, tmp_path: Path) -> Iterator[SimulatedSerialDevice]:
    device = SimulatedSerialDevice(
        device_id=office.device_ids["Interview Room 1"],
        heartbeat_s=0.2,
        resend_s=0.2,
        host_timeout_s=2.0,
        link_path=tmp_path / "ttyBUTTON",
    )
    device.plug_in()
    yield device
    device.close()


@pytest.fixture
def bridge(
    db_url: str,
    db: Database,
    office: SeededOffice,
    usb_button: SimulatedSerialDevice,
    tmp_path: Path,
) -> Iterator[Bridge]:
    with db.session() as s:
        room_3 = office.room_ids["Interview Room 3"]
        s.add(
            PanicDevice(
                device_id=GPIO_BUTTON,
                kind=DeviceKind.GPIO,
                room_id=room_3,
                registered_at=SystemClock().now(),
            )
        )
    config = parse_bridge_config(
        {
            "database": {"url": db_url},
            "bridge": {"outbox": str(tmp_path / "outbox.sqlite3"), "supervise": False},
            "serial": {"ports": [usb_button.port_path], "discover": False},
            "gpio": [{"device_id": GPIO_BUTTON, "pin": 17, "led_pin": 27, "bounce_ms": 20}],
        },
        "test-bridge.toml",
    )
    built = Bridge.build(
        config,
        SystemClock(),
        pin_factory=MockFactory(),
        serial_overrides=SerialButtonConfig(
            port_urls=(usb_button.port_path,),
            discover=False,
            scan_interval_s=0.05,
            backoff_initial_s=0.05,
            backoff_max_s=0.3,
        ),
    )
    built.start()
    try:
        # Raw frames (test_duplicate_frames_...) are not resent: send them only once the bridge
        # hears the button, or a slow start (a loaded CI machine) loses them before the port
        # is open.
        assert eventually(
            lambda: any(usb_button.device_id in s.online_devices() for s in built.sources)
        ), "the bridge never heard the USB button"
        yield built
    finally:
        built.stop()


def gpio_source(bridge: Bridge) -> GpioButtonSource:
    return next(s for s in bridge.sources if isinstance(s, GpioButtonSource))


def test_usb_and_gpio_buttons_raise_alarms_that_are_acknowledged_and_their_leds_change(
    bridge: Bridge, office: SeededOffice, usb_button: SimulatedSerialDevice
) -> None:
    alarms = bridge.services.alarms
    with bridge.services.bus.subscribe() as sub:
        # The USB button in Interview Room 1.
        seq = usb_button.press()
        raised = next_event(sub, AlarmRaised, usb_button.device_id).event
        assert isinstance(raised, AlarmRaised) and raised.room_name == "Interview Room 1"
        assert usb_button.wait_for_ack(seq)
        assert usb_button.wait_for_led("delivered")
        alarms.respond(raised.alarm_id, office.actor("twhitfield"))
        next_event(sub, AlarmResponding, usb_button.device_id)
        assert usb_button.wait_for_led("responding"), usb_button.led_history

        # The wired button in Interview Room 3, on a MockFactory pin.
        pins = gpio_source(bridge).pin_factory
        assert isinstance(pins, MockFactory)
        pins.pin(17).drive_low()
        time.sleep(0.1)
        pins.pin(17).drive_high()
        gpio_raised = next_event(sub, AlarmRaised, GPIO_BUTTON).event
        assert isinstance(gpio_raised, AlarmRaised) and gpio_raised.room_name == "Interview Room 3"
        source = gpio_source(bridge)
        assert eventually(lambda: source.led_state(GPIO_BUTTON) is LedState.DELIVERED)
        alarms.respond(gpio_raised.alarm_id, office.actor("twhitfield"))
        assert eventually(lambda: source.led_state(GPIO_BUTTON) is LedState.RESPONDING)
        assert pins.pin(27).state in (0, 1)  # the LED pin is driven (blinking "help is coming")

        # Resolving puts both LEDs back to idle.
        alarms.resolve(raised.alarm_id, office.actor("twhitfield"), AlarmOutcome.FALSE_ALARM, "ok")
        alarms.resolve(
            gpio_raised.alarm_id, office.actor("twhitfield"), AlarmOutcome.FALSE_ALARM, "ok"
        )
        assert usb_button.wait_for_led("idle")
        assert eventually(lambda: source.led_state(GPIO_BUTTON) is LedState.IDLE)


def press_rows(db: Database, device_id: str) -> list[tuple[int, int]]:
    with db.session() as s:
        return [
            (p.boot_id, p.sequence)
            for p in s.scalars(
                select(AlarmPress).where(AlarmPress.device_id == device_id).order_by(AlarmPress.id)
            )
        ]


def test_duplicate_frames_record_one_press(
    bridge: Bridge, db: Database, usb_button: SimulatedSerialDevice
) -> None:
    frame = usb_button.press_frame(seq=1)
    for _ in range(3):
        usb_button.send_frame(frame)
    assert eventually(lambda: press_rows(db, usb_button.device_id) == [(usb_button.boot_id, 1)])
    time.sleep(0.3)  # the later copies have been handled too
    assert press_rows(db, usb_button.device_id) == [(usb_button.boot_id, 1)]
    with db.session() as s:
        [alarm] = s.scalars(select(AlarmEvent)).all()
        assert alarm.press_count == 1


def test_a_rebooted_button_starting_its_sequence_again_is_a_new_press(
    bridge: Bridge, db: Database, usb_button: SimulatedSerialDevice
) -> None:
    first_boot = usb_button.boot_id
    assert usb_button.wait_for_ack(usb_button.press())
    usb_button.reboot()
    assert usb_button.wait_for_ack(usb_button.press())
    assert press_rows(db, usb_button.device_id) == [(first_boot, 1), (usb_button.boot_id, 1)]
    with db.session() as s:
        [alarm] = s.scalars(select(AlarmEvent)).all()
        assert alarm.press_count == 2  # the room's alarm was still open: pressed again


def test_unplugged_mid_frame_then_replugged_loses_nothing_and_invents_nothing(
    bridge: Bridge, db: Database, usb_button: SimulatedSerialDevice
) -> None:
    assert usb_button.wait_for_ack(usb_button.press())
    usb_button.unplug(mid_frame=True)  # half of a press frame, then the cable is gone
    usb_button.plug_in()
    seq = usb_button.press()
    assert usb_button.wait_for_ack(seq, timeout=10)
    assert press_rows(db, usb_button.device_id) == [
        (usb_button.boot_id, 1),
        (usb_button.boot_id, seq),
    ]


def test_safedesk_bridge_runs_as_a_process_and_stops_cleanly_on_sigterm(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The real daemon (what systemd starts): a press becomes an alarm; SIGTERM exits 0."""
    db = Database(sqlite_url)
    with db.session() as s:
        from safedesk.demo.office import seed_office

        seed_office(s, SystemClock().now())
    button = SimulatedSerialDevice(
        device_id="pico-e661a4d41b31", heartbeat_s=0.2, resend_s=0.3, host_timeout_s=3.0
    )
    button.plug_in()
    config = tmp_path / "bridge.toml"
    config.write_text(
        f"""
[database]
url = "{sqlite_url}"
[bridge]
outbox = "{(tmp_path / "outbox.sqlite3").as_posix()}"
[serial]
ports = ["{button.port_path}"]
discover = false
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware_bridge.bridge_cli", "--config", str(config)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seq = button.press()
        assert button.wait_for_ack(seq, timeout=30)
        assert press_rows(db, button.device_id) == [(button.boot_id, seq)]
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)
        button.close()
        db.dispose()
    assert process.returncode == 0, out
    assert "SafeDesk bridge" in out and "starting" in out and "stopped" in out


@pytest.mark.postgresql
def test_the_bridge_started_during_an_outage_holds_sounds_and_forwards_when_postgresql_returns(
    pg_url: str,
    pg_proxy: tuple[TcpProxy, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Daemon level: the database is unreachable from the start (the proxy is cut)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type null }\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))  # the real ALSA player, into a null device
    proxy, proxy_url = pg_proxy
    direct = Database(pg_url)
    clock = SystemClock()
    with direct.session() as s:
        from safedesk.demo.office import seed_office

        seed_office(s, clock.now())
    button = SimulatedSerialDevice(
        device_id="pico-e661a4d41b31", heartbeat_s=0.2, resend_s=0.2, host_timeout_s=3.0
    )
    button.plug_in()
    proxy.cut()
    config = parse_bridge_config(
        {
            "database": {"url": proxy_url},
            "bridge": {
                "outbox": str(tmp_path / "outbox.sqlite3"),
                "local_sound": str(ALARM_WAV),
                "sound_backend": "alsa",
                "forward_retry_s": 0.1,
                "supervise": False,
            },
            "serial": {"ports": [button.port_path], "discover": False},
        },
        "bridge.toml",
    )
    bridge = Bridge.build(
        config,
        clock,
        serial_overrides=SerialButtonConfig(
            port_urls=(button.port_path,), discover=False, scan_interval_s=0.05
        ),
    )
    bridge.start()
    try:
        seq = button.press()
        assert button.wait_for_ack(seq)
        assert button.wait_for_led("not_delivered")
        assert bridge.sink.backlog == 1
        assert bridge.sounder is not None
        assert eventually(lambda: bridge.sounder is not None and bridge.sounder.plays >= 1)
        assert bridge.sounder.problem is None
        assert press_rows(direct, button.device_id) == []

        proxy.restore()
        assert eventually(lambda: bridge.sink.backlog == 0, timeout=20)
        assert press_rows(direct, button.device_id) == [(button.boot_id, seq)]
        assert button.wait_for_led("delivered")
        assert eventually(lambda: bridge.sounder is not None and not bridge.sounder.sounding)

        # The bus came back too: a responder's "I'm responding" reaches the room's LED.
        with direct.session() as s:
            alarm_id = s.scalars(select(AlarmEvent.id)).one()
            responder = s.scalars(select(Staff).where(Staff.login == "twhitfield")).one()
        bridge.services.alarms.respond(
            alarm_id, Actor(staff_id=responder.id, login="twhitfield", workstation="PC-1")
        )
        assert button.wait_for_led("responding", timeout=15), button.led_history
    finally:
        bridge.stop()
        button.close()
        direct.dispose()
