"""Presses are never held up by heartbeats, and an outage is logged once, not at every retry.

Before: a GPIO delivery thread or a USB port's reader recorded each heartbeat itself, so with a
slow or hung database a press waited behind its own heartbeats; and every failed attempt logged a
traceback (8,800 lines a minute for 3 buttons). Real parts: the GPIO driver on MockFactory pins,
the serial driver on a pty with a simulated USB button, the real outbox sink; the database at the
edge is a hand-written sink whose heartbeats are slow (as a hung server makes them).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from hardware.gpio_button import GpioButtonConfig, GpioButtonSource
from hardware.press_delivery import PressDelivery
from hardware.serial_button import SerialButtonConfig, SerialButtonSource
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind, LedState, PressReceipt
from safedesk.clock import SystemClock
from safedesk.outbox import LocalOutbox, StoreAndForwardSink
from tests.hardware.recording_sink import RecordingSink

SLOW_HEARTBEAT_S = 2.0


class SlowHeartbeats(RecordingSink):
    """Presses answer at once; every heartbeat takes 2 s (a database that is nearly hung)."""

    def __init__(self) -> None:
        super().__init__()
        self.heartbeats_started = threading.Event()

    def heard(self, heard: DeviceHeard) -> None:
        self.heartbeats_started.set()
        time.sleep(SLOW_HEARTBEAT_S)
        super().heard(heard)


@pytest.fixture
def slow_sink(tmp_path: Path) -> Iterator[tuple[SlowHeartbeats, StoreAndForwardSink]]:
    inner = SlowHeartbeats()
    outbox = LocalOutbox(tmp_path / "outbox.sqlite3")
    sink = StoreAndForwardSink(inner, outbox, SystemClock())
    sink.start()
    try:
        yield inner, sink
    finally:
        sink.stop()
        outbox.close()


def test_a_gpio_press_is_not_held_up_by_slow_heartbeats(
    slow_sink: tuple[SlowHeartbeats, StoreAndForwardSink],
) -> None:
    inner, sink = slow_sink
    pins = MockFactory()
    source = GpioButtonSource(
        sink,
        SystemClock(),
        [GpioButtonConfig(device_id="gpio:pi:17", pin=17, led_pin=27, debounce_s=0.01)],
        pin_factory=pins,
        heartbeat_s=0.1,
    )
    source.start()
    try:
        assert inner.heartbeats_started.wait(5)
        time.sleep(0.2)  # a heartbeat is being written now
        started = time.monotonic()
        pins.pin(17).drive_low()
        time.sleep(0.05)
        pins.pin(17).drive_high()
        assert inner.wait_until(lambda: len(inner.presses) == 1, timeout=SLOW_HEARTBEAT_S * 3)
        took = time.monotonic() - started
        assert took < 0.8, f"the press waited {took:.1f} s behind heartbeats"
        deadline = time.monotonic() + 2
        while source.led_state("gpio:pi:17") is not LedState.DELIVERED:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        source.stop()


def test_a_usb_press_is_not_held_up_by_slow_heartbeats_on_its_port(
    slow_sink: tuple[SlowHeartbeats, StoreAndForwardSink], tmp_path: Path
) -> None:
    inner, sink = slow_sink
    button = SimulatedSerialDevice(
        device_id="room-3-button", heartbeat_s=0.1, resend_s=0.3, host_timeout_s=30.0
    )
    button.plug_in()
    source = SerialButtonSource(
        sink,
        SystemClock(),
        SerialButtonConfig(
            port_urls=(button.port_path,), discover=False, scan_interval_s=0.05, silent_after_s=60
        ),
    )
    source.start()
    try:
        assert inner.heartbeats_started.wait(5)
        time.sleep(0.5)  # several heartbeats have arrived on the port meanwhile
        started = time.monotonic()
        seq = button.press()
        assert button.wait_for_ack(seq, timeout=SLOW_HEARTBEAT_S * 3)
        took = time.monotonic() - started
        assert took < 0.8, f"the press waited {took:.1f} s behind its own heartbeats"
    finally:
        source.stop()
        button.close()


def test_an_outage_logs_a_press_failure_once_and_its_recovery_once(
    sink: RecordingSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hardware.press_delivery")
    delivered: list[PressReceipt] = []
    delivery = PressDelivery(
        sink,
        SystemClock(),
        on_delivered=lambda _p, r: delivered.append(r),
        on_failed=lambda _p, _n: None,
        retry_initial_s=0.005,
        retry_max_s=0.01,
    )
    press = ButtonPress("hotkey:room:1", 1, SystemClock().now(), DeviceKind.HOTKEY, boot_id=9)
    sink.set_down(True)
    delivery.start()
    try:
        delivery.submit(press)
        assert sink.wait_until(lambda: len(sink.failed_presses) >= 40)
        sink.set_down(False)
        assert sink.wait_until(lambda: len(sink.presses) == 1)
        deadline = time.monotonic() + 2
        while not delivered and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        delivery.stop()
    loud = [r for r in caplog.records if r.levelno >= logging.INFO]
    # Was one traceback per attempt: 40 here, 8,800 a minute for three buttons in an outage.
    assert [r.levelno for r in loud if r.exc_info] == [logging.ERROR]
    assert any("went through after" in r.getMessage() for r in loud)
    assert len(loud) <= 3, [r.getMessage() for r in loud]


def test_a_delivery_that_runs_only_while_presses_wait_delivers_each_and_then_ends() -> None:
    """The demo office's simulated buttons: a thread while a press is on its way (retried until
    the sink takes it), none afterwards, a new one for the next press."""
    sink = RecordingSink()
    delivered: list[ButtonPress] = []
    delivery = PressDelivery(
        sink,
        SystemClock(),
        on_delivered=lambda press, _receipt: delivered.append(press),
        on_failed=lambda _press, _attempts: None,
        retry_initial_s=0.02,
        name="demo-presses",
        while_pending=True,
    )
    names = lambda: [t.name for t in threading.enumerate()].count("demo-presses")  # noqa: E731
    assert names() == 0
    sink.set_down(True)
    first = ButtonPress("simulated:room:1", 1, SystemClock().now(), DeviceKind.SIMULATED, 5)
    delivery.submit(first)
    assert sink.wait_until(lambda: len(sink.failed_presses) >= 3)
    assert names() == 1, "kept trying while the sink is down"
    sink.set_down(False)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    deadline = time.monotonic() + 2
    while names() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert names() == 0, "no thread once nothing waits"
    second = ButtonPress("simulated:room:2", 2, SystemClock().now(), DeviceKind.SIMULATED, 5)
    delivery.submit(second)
    assert sink.wait_until(lambda: len(sink.presses) == 2)
    assert [p.sequence for p in sink.presses] == [1, 2]
    assert delivery.stop() == []
