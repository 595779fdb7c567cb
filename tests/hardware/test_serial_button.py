"""The serial driver against a simulated USB button on real pseudo-terminal pairs."""

from __future__ import annotations

import ast
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
import serial.tools.list_ports
from serial.tools.list_ports_common import ListPortInfo

import hardware.serial_button
from hardware import wire_protocol as protocol
from hardware.button_source import DeviceStatus
from hardware.serial_button import (
    PICO_MICROPYTHON_USB_IDS,
    PortStats,
    find_usb_buttons,
    parse_usb_id,
)
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.button_events import DeviceKind, LedState
from safedesk.clock import FakeClock
from tests.hardware.conftest import SourceFactory
from tests.hardware.recording_sink import RecordingSink
from tests.helpers.waiting import eventually

Serial = tuple[SourceFactory, list[DeviceStatus]]


def _framed(body: bytes) -> bytes:
    return b"$" + body + b"*" + f"{protocol.crc16(body):04X}".encode() + b"\r\n"


def acks_for(button: SimulatedSerialDevice, seq: int) -> int:
    return sum(
        1
        for f in list(button.received)
        if f.kind == protocol.ACK and f.seq == seq and f.boot_id == button.boot_id
    )


def test_a_press_is_committed_then_acknowledged_and_the_led_says_delivered(
    serial_source: Serial, sink: RecordingSink, button: SimulatedSerialDevice
) -> None:
    make, statuses = serial_source
    source = make(button.port_path)
    assert eventually(lambda: "room-3-button" in source.online_devices())
    seq = button.press()
    assert button.wait_for_ack(seq)
    assert button.wait_for_led("delivered")
    [press] = sink.presses
    assert (press.device_id, press.boot_id, press.sequence) == (
        "room-3-button",
        button.boot_id,
        seq,
    )
    assert press.source is DeviceKind.SERIAL
    assert source.led_state("room-3-button") is LedState.DELIVERED
    assert statuses[0].device_id == "room-3-button" and statuses[0].online


def test_hello_and_heartbeats_reach_the_sink_with_the_firmware_version(
    serial_source: Serial, sink: RecordingSink, button: SimulatedSerialDevice
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    assert sink.wait_until(lambda: len(sink.heard_events) >= 3)
    assert {h.device_id for h in sink.heard_events} == {"room-3-button"}
    assert all(h.source is DeviceKind.SERIAL for h in sink.heard_events)
    assert source.firmware_version("room-3-button") == "1.0.0-sim"
    assert sink.heard_events[-1].firmware_version == "1.0.0-sim"


def test_no_acknowledgement_while_the_alarm_cannot_be_committed_and_the_button_keeps_resending(
    serial_source: Serial,
    sink: RecordingSink,
    button: SimulatedSerialDevice,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make, _ = serial_source
    make(button.port_path)
    sink.set_down(True)
    seq = button.press()
    pressed = time.monotonic()
    assert sink.wait_until(lambda: len(sink.failed_presses) >= 3)
    assert not button.is_acked(seq)
    assert button.wait_for_led("not_delivered")
    assert "PANIC PRESS NOT COMMITTED" in caplog.text
    loud = [r for r in caplog.records if "PANIC PRESS NOT COMMITTED" in r.getMessage()]
    # Loud once with its traceback; its resends (one every few hundred ms) are not re-logged.
    assert [r.levelno for r in loud if r.levelno >= logging.WARNING] == [logging.ERROR]
    assert loud[0].exc_info

    sink.set_down(False)
    assert button.wait_for_ack(seq)
    assert button.wait_for_led("delivered")
    assert len(sink.alarms) == 1
    # The alarm keeps the time of the press, not of the delivery: the button says how long ago.
    waited = timedelta(seconds=time.monotonic() - pressed)
    assert waited > timedelta(milliseconds=400)
    committed = sink.presses[0].pressed_at
    assert abs(committed - sink.failed_presses[0].pressed_at) < timedelta(milliseconds=150)


@pytest.mark.parametrize(
    "bad",
    [
        b"\x00\xff\xfe line noise \x1b[2J\r\n",
        b"$1,PRESS,room-3-but",  # the start of a frame, never finished
        b"$1,PRESS,room-3-button,0000ABCD,99,0*0000\r\n",  # wrong CRC
        _framed(b"1,REBOOT,room-3-button,0000ABCD,1,"),  # a kind this host does not know
        b"$" + b"9" * 500 + b"\r\n",  # an oversized line
    ],
    ids=["garbage", "split-frame", "wrong-crc", "unknown-kind", "oversized-line"],
)
def test_bad_input_is_counted_and_logged_and_the_press_next_to_it_still_raises_the_alarm(
    serial_source: Serial,
    sink: RecordingSink,
    button: SimulatedSerialDevice,
    caplog: pytest.LogCaptureFixture,
    bad: bytes,
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    assert eventually(lambda: bool(source.online_devices()))
    press = protocol.encode(button.press_frame(41))
    # The valid press arrives split across writes, with the bad input on both sides of it.
    button.send_raw(bad + press[:9])
    time.sleep(0.05)
    button.send_raw(press[9:] + bad)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    assert eventually(lambda: acks_for(button, 41) == 1)
    assert eventually(lambda: sum(source.port_stats()[button.port_path].errors.values()) >= 2)
    stats = source.port_stats()[button.port_path]
    assert set(stats.errors) <= set(protocol.REASONS)
    assert "dropped bad input" in caplog.text


def test_duplicate_press_frames_raise_one_alarm_and_each_is_acknowledged(
    serial_source: Serial, sink: RecordingSink, button: SimulatedSerialDevice
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    assert eventually(lambda: bool(source.online_devices()))
    frame = protocol.encode(button.press_frame(7, age_ms=0))
    button.send_raw(frame + frame + frame)
    assert eventually(lambda: acks_for(button, 7) == 3)
    assert len(sink.alarms) == 1
    assert len(sink.presses) == 1  # resends of a committed press never reach the sink again


def test_a_rebooted_button_starting_its_sequence_again_raises_a_new_alarm(
    serial_source: Serial,
    sink: RecordingSink,
    button: SimulatedSerialDevice,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make, _ = serial_source
    make(button.port_path)
    first = button.press()
    assert button.wait_for_ack(first)
    old_boot = button.boot_id
    button.reboot()
    again = button.press()
    assert again == first == 1
    assert button.wait_for_ack(again)
    assert {(k[1], k[2]) for k in sink.alarms} == {(old_boot, 1), (button.boot_id, 1)}
    assert "restarted" in caplog.text


def test_unplugged_mid_frame_the_button_goes_offline_and_comes_back_when_replugged(
    serial_source: Serial, sink: RecordingSink, button: SimulatedSerialDevice
) -> None:
    make, statuses = serial_source
    source = make(button.port_path)
    assert eventually(lambda: "room-3-button" in source.online_devices())
    button.unplug(mid_frame=True)
    assert eventually(lambda: "room-3-button" not in source.online_devices())
    offline = [s for s in statuses if not s.online]
    assert offline and "port lost" in offline[-1].detail
    stats = source.port_stats()[button.port_path]
    assert stats.lost == 1
    assert stats.errors.get(protocol.TRUNCATED) == 1
    assert sink.presses == []  # half a frame is never an alarm

    time.sleep(0.3)  # several failed reopen attempts while unplugged
    button.plug_in()
    assert eventually(lambda: "room-3-button" in source.online_devices())
    seq = button.press()
    assert button.wait_for_ack(seq)
    assert source.port_stats()[button.port_path].opened >= 2
    assert [s.online for s in statuses] == [True, False, True]


def test_a_press_sent_while_unplugged_arrives_after_replugging(
    serial_source: Serial, sink: RecordingSink, button: SimulatedSerialDevice
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    assert eventually(lambda: bool(source.online_devices()))
    button.unplug()
    seq = button.press()  # resent by the button until somebody acknowledges it
    time.sleep(0.3)
    button.plug_in()
    assert button.wait_for_ack(seq)
    assert len(sink.alarms) == 1


def test_a_silent_button_is_reported_offline_and_recovers_by_itself(
    serial_source: Serial, button: SimulatedSerialDevice
) -> None:
    make, statuses = serial_source
    source = make(button.port_path, silent_after_s=0.6)
    assert eventually(lambda: bool(source.online_devices()))
    button.heartbeat_s = 60.0  # the firmware hangs but the cable stays in
    assert eventually(lambda: not source.online_devices())
    assert "nothing heard" in statuses[-1].detail
    button.heartbeat_s = 0.2
    assert eventually(lambda: bool(source.online_devices()))


def test_the_led_changes_when_the_system_says_help_is_coming(
    serial_source: Serial, button: SimulatedSerialDevice
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    assert button.wait_for_led("idle")  # the reply to its hello
    source.set_led("room-3-button", LedState.RESPONDING)
    assert button.wait_for_led("responding")
    assert source.led_state("room-3-button") is LedState.RESPONDING


def test_a_state_set_while_the_button_is_away_is_shown_when_it_returns(
    serial_source: Serial, button: SimulatedSerialDevice
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    assert button.wait_for_led("idle")
    button.unplug()
    source.set_led("room-3-button", LedState.TEST)
    button.plug_in()
    assert button.wait_for_led("test")


def test_a_port_that_is_not_there_yet_is_retried_until_the_button_appears(
    serial_source: Serial, tmp_path: Path
) -> None:
    make, _ = serial_source
    link = tmp_path / "by-id-button"
    source = make(str(link))
    assert eventually(
        lambda: "cannot open" in getattr(source.port_stats().get(str(link)), "last_error", "")
    )
    late = SimulatedSerialDevice("late-button", heartbeat_s=0.2, link_path=link)
    try:
        late.plug_in()
        assert eventually(lambda: "late-button" in source.online_devices())
    finally:
        late.close()


def test_reopening_waits_for_the_backoff_on_the_injected_clock(
    serial_source: Serial, tmp_path: Path
) -> None:
    make, _ = serial_source
    clock = FakeClock()
    url = str(tmp_path / "missing")
    source = make(url, clock=clock, backoff_initial_s=10.0, backoff_max_s=60.0)
    assert eventually(lambda: url in source.port_stats())
    time.sleep(0.3)  # many scans, but the clock has not moved: no second attempt
    assert source.port_stats()[url].opened == 0
    attempts_logged = source._backoff[url]
    assert attempts_logged == 10.0
    clock.advance(10.5)
    assert eventually(lambda: source._backoff[url] == 20.0)


def test_buttons_are_found_by_usb_vendor_and_product_id(monkeypatch: pytest.MonkeyPatch) -> None:
    pico = ListPortInfo("/dev/ttyACM0")
    pico.vid, pico.pid = PICO_MICROPYTHON_USB_IDS[0]
    other = ListPortInfo("/dev/ttyUSB0")
    other.vid, other.pid = 0x0403, 0x6001
    no_usb = ListPortInfo("/dev/ttyS0")
    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda: [other, pico, no_usb])
    assert find_usb_buttons(PICO_MICROPYTHON_USB_IDS) == ["/dev/ttyACM0"]


def test_discovered_ports_are_opened_without_configuration(
    serial_source: Serial, sink: RecordingSink, button: SimulatedSerialDevice
) -> None:
    make, _ = serial_source
    source = make(discover=True)
    source._port_finder = lambda: [button.port_path]
    seq = button.press()
    assert button.wait_for_ack(seq)


def test_the_serial_driver_stays_portable_to_windows() -> None:
    tree = ast.parse(Path(hardware.serial_button.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert not imported & {"termios", "fcntl", "pty", "tty", "select", "posix", "grp", "pwd"}


def test_usb_ids_from_the_config_file_are_read_as_lsusb_prints_them() -> None:
    assert parse_usb_id("2E8A:0005") == PICO_MICROPYTHON_USB_IDS[0]
    assert parse_usb_id(" 2e8a:000a ") == (0x2E8A, 0x000A)
    for bad in ("2E8A", "2E8A:zz", "12345:1", ""):
        with pytest.raises(ValueError, match="USB id"):
            parse_usb_id(bad)


def test_field_debugging_through_spy_url_sees_the_frames_and_changes_nothing(
    serial_source: Serial,
    sink: RecordingSink,
    button: SimulatedSerialDevice,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, _ = serial_source
    source = make(f"spy://{button.port_path}")  # pyserial prints the traffic to stderr
    seq = button.press()
    assert button.wait_for_ack(seq)
    assert len(sink.alarms) == 1
    source.stop()  # before the captured stderr the spy writes to goes away
    traffic = capsys.readouterr().err
    assert "PRESS" in traffic and "ACK" in traffic


def test_a_transport_fault_is_logged_and_the_port_reopened(
    serial_source: Serial, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from serial.urlhandler import protocol_loop

    faults = iter([RuntimeError("handler bug")])

    def faulty_read(self: object, size: int = 1) -> bytes:
        fault = next(faults, None)
        if fault is not None:
            raise fault
        time.sleep(0.01)
        return b""

    monkeypatch.setattr(protocol_loop.Serial, "read", faulty_read)
    make, _ = serial_source
    source = make("loop://")
    assert eventually(lambda: source.port_stats().get("loop://", PortStats()).opened >= 2)
    assert "reading failed unexpectedly" in caplog.text
    assert "handler bug" in source.port_stats()["loop://"].last_error
