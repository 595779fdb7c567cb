"""The simulated button shipped for demo mode and ``safedesk press``, and the shared retry loop."""

from __future__ import annotations

import time

import pytest

from hardware import wire_protocol as protocol
from hardware.button_source import DeviceStatus
from hardware.press_delivery import PressDelivery
from hardware.simulated import SimulatedButtonSource, UnknownButtonError
from safedesk.button_events import ButtonPress, DeviceKind, LedState, PressReceipt
from safedesk.clock import FakeClock, SystemClock
from tests.hardware.recording_sink import RecordingSink, SinkDownError

DEVICES = {"sim-room-1": "Interview Room 1", "sim-room-2": "Interview Room 2"}


def test_pressing_by_room_name_raises_an_alarm_like_a_real_button(sink: RecordingSink) -> None:
    clock = FakeClock()
    source = SimulatedButtonSource(sink, clock, DEVICES, heartbeat_interval_s=None)
    receipt = source.press("interview room 1")
    assert receipt.created
    [press] = sink.presses
    assert press.device_id == "sim-room-1" and press.source is DeviceKind.SIMULATED
    assert press.pressed_at == clock.now() and press.boot_id == source.boot_id
    assert source.led_states["sim-room-1"] is LedState.DELIVERED
    assert source.led_history[-2:] == [
        ("sim-room-1", LedState.WAITING),
        ("sim-room-1", LedState.DELIVERED),
    ]
    # What it "sent" is exactly what a USB button would have put on the wire.
    [wire] = source.sent_frames
    assert protocol.decode(wire) == protocol.press("sim-room-1", source.boot_id, 1, 0)


def test_pressing_by_device_id_works_and_an_unknown_name_lists_what_is_known(
    sink: RecordingSink,
) -> None:
    source = SimulatedButtonSource(sink, FakeClock(), DEVICES, heartbeat_interval_s=None)
    source.press("sim-room-2")
    assert sink.presses[0].device_id == "sim-room-2"
    with pytest.raises(UnknownButtonError, match="Interview Room 1"):
        source.press("Kitchen")


def test_a_resend_is_the_same_press_and_keeps_its_press_time(sink: RecordingSink) -> None:
    clock = FakeClock()
    source = SimulatedButtonSource(sink, clock, DEVICES, heartbeat_interval_s=None)
    first = source.press("sim-room-1")
    clock.advance(2)
    again = source.resend("sim-room-1", age_s=2)
    assert again.alarm_id == first.alarm_id and not again.created
    assert sink.presses[0].pressed_at == sink.presses[1].pressed_at


def test_a_failed_simulated_press_shows_not_delivered_and_raises(sink: RecordingSink) -> None:
    source = SimulatedButtonSource(sink, FakeClock(), DEVICES, heartbeat_interval_s=None)
    sink.set_down(True)
    with pytest.raises(SinkDownError):
        source.press("sim-room-1")
    assert source.led_states["sim-room-1"] is LedState.NOT_DELIVERED


def test_a_weekly_test_press_shows_the_test_light(sink: RecordingSink) -> None:
    source = SimulatedButtonSource(sink, FakeClock(), DEVICES, heartbeat_interval_s=None)
    sink.test_devices.add("sim-room-2")
    assert source.press("Interview Room 2").is_test
    assert source.led_states["sim-room-2"] is LedState.TEST


def test_started_simulated_buttons_beat_and_go_offline_when_stopped(sink: RecordingSink) -> None:
    statuses: list[DeviceStatus] = []
    source = SimulatedButtonSource(
        sink, SystemClock(), DEVICES, on_status=statuses.append, heartbeat_interval_s=0.05
    )
    source.start()
    try:
        assert sink.wait_until(lambda: len(sink.heard_events) >= 6)
        assert source.online_devices() == set(DEVICES)
        source.set_led("Interview Room 1", LedState.RESPONDING)
        assert source.led_states["sim-room-1"] is LedState.RESPONDING
    finally:
        source.stop()
    assert source.online_devices() == frozenset()
    assert sorted((s.device_id, s.online) for s in statuses) == [
        ("sim-room-1", False),
        ("sim-room-1", True),
        ("sim-room-2", False),
        ("sim-room-2", True),
    ]


def test_press_delivery_retries_with_the_same_press_until_the_sink_takes_it(
    sink: RecordingSink,
) -> None:
    delivered: list[tuple[ButtonPress, PressReceipt]] = []
    failures: list[int] = []
    delivery = PressDelivery(
        sink,
        SystemClock(),
        on_delivered=lambda p, r: delivered.append((p, r)),
        on_failed=lambda p, n: failures.append(n),
        retry_initial_s=0.01,
        retry_max_s=0.04,
    )
    press = ButtonPress("gpio-room-1", 1, SystemClock().now(), DeviceKind.GPIO, boot_id=7)
    sink.set_down(True)
    delivery.start()
    try:
        delivery.submit(press)
        assert sink.wait_until(lambda: len(sink.failed_presses) >= 5)
        assert delivery.pending() == [press]
        sink.set_down(False)
        assert sink.wait_until(lambda: len(sink.presses) == 1)
        deadline = time.monotonic() + 2
        while not delivered and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        undelivered = delivery.stop()
    assert undelivered == []
    assert [p for p, _ in delivered] == [press]
    assert set(sink.failed_presses) == {press}
    assert failures[:5] == [1, 2, 3, 4, 5]
    assert sink.presses == [press]  # delivered once, not once per attempt


def test_presses_never_delivered_are_reported_loudly_on_stop(
    sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    delivery = PressDelivery(
        sink, SystemClock(), on_delivered=lambda p, r: None, on_failed=lambda p, n: None
    )
    sink.set_down(True)
    delivery.start()
    press = ButtonPress("gpio-room-1", 3, SystemClock().now(), DeviceKind.GPIO, boot_id=1)
    delivery.submit(press)
    assert sink.wait_until(lambda: len(sink.failed_presses) >= 1)
    assert delivery.stop() == [press]
    assert "1 panic press(es) NOT delivered" in caplog.text
