"""Wired GPIO panic buttons on gpiozero's MockFactory pins, and the debouncing we own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from hardware.gpio_button import Debouncer, GpioButtonConfig, GpioButtonSource, GpioConfigError
from safedesk.button_events import DeviceKind, LedState
from safedesk.clock import SystemClock
from tests.hardware.recording_sink import RecordingSink
from tests.helpers.waiting import eventually

ROOM_1 = GpioButtonConfig("gpio-room-1", pin=17, led_pin=27, buzzer_pin=22)


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    previous = Device.pin_factory
    factory = MockFactory()
    Device.pin_factory = factory
    try:
        yield factory
    finally:
        factory.reset()
        Device.pin_factory = previous


@pytest.fixture
def gpio(mock_pins: MockFactory, sink: RecordingSink) -> Iterator[list[GpioButtonSource]]:
    started: list[GpioButtonSource] = []
    try:
        yield started
    finally:
        for source in started:
            source.stop()


def start(
    started: list[GpioButtonSource], sink: RecordingSink, *buttons: GpioButtonConfig
) -> GpioButtonSource:
    source = GpioButtonSource(
        sink, SystemClock(), buttons or [ROOM_1], heartbeat_s=0.1, retry_initial_s=0.05
    )
    source.start()
    started.append(source)
    return source


def press_for(factory: MockFactory, seconds: float, pin: int = 17) -> None:
    factory.pin(pin).drive_low()
    time.sleep(seconds)
    factory.pin(pin).drive_high()


# ---- the debouncing rule, on an injected clock ---------------------------------------------


def feed(debouncer: Debouncer, readings: list[tuple[float, bool]]) -> list[float]:
    return [t for t, pressed in readings if debouncer.update(pressed, t)]


def test_a_glitch_shorter_than_the_debounce_time_is_not_a_press() -> None:
    debouncer = Debouncer(debounce_s=0.03)
    assert feed(debouncer, [(0.0, True), (0.01, False), (0.02, True), (0.025, False)]) == []
    assert feed(debouncer, [(0.1, False), (0.2, False)]) == []


def test_a_bouncing_press_counts_once_when_it_settles() -> None:
    debouncer = Debouncer(debounce_s=0.03)
    readings = [(0.000, True), (0.002, False), (0.004, True), (0.006, False), (0.008, True)]
    readings += [(0.020, True), (0.037, True), (0.039, True), (0.500, True)]
    assert feed(debouncer, readings) == [0.039]  # 30 ms after the last bounce at 0.008
    release = [(0.6, False), (0.602, True), (0.604, False), (0.7, False), (0.8, True)]
    assert feed(debouncer, release) == []
    assert feed(debouncer, [(0.85, True)]) == [0.85]  # a second, real press


def test_with_a_hold_time_only_a_deliberate_press_counts() -> None:
    debouncer = Debouncer(debounce_s=0.03, hold_s=0.5)
    assert feed(debouncer, [(0.0, True), (0.3, True), (0.35, False), (0.6, False)]) == []
    assert feed(debouncer, [(1.0, True), (1.3, True), (1.5, True), (1.7, True)]) == [1.5]
    assert debouncer.candidate_since == 1.0


# ---- the driver on MockFactory pins --------------------------------------------------------


def test_a_wired_press_raises_an_alarm_and_the_led_goes_steady(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    source = start(gpio, sink)
    assert source.led_state("gpio-room-1") is LedState.IDLE
    before = datetime.now(UTC)
    press_for(mock_pins, 0.1)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    [press] = sink.presses
    assert press.device_id == "gpio-room-1" and press.source is DeviceKind.GPIO
    assert press.boot_id == source.boot_id and press.sequence == 1
    assert before <= press.pressed_at <= before + timedelta(milliseconds=80)
    assert eventually(lambda: source.led_state("gpio-room-1") is LedState.DELIVERED)
    assert mock_pins.pin(27).state == 1
    assert eventually(lambda: 1 in [s.state for s in mock_pins.pin(22).states])  # chirp


def test_a_press_while_the_pi_is_too_busy_to_sample_still_counts_from_when_it_began(
    gpio: list[GpioButtonSource],
    sink: RecordingSink,
    mock_pins: MockFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sampling thread gets no CPU for the whole press: the stamped edges still count."""
    source = start(gpio, sink)
    running = threading.Event()
    running.set()
    sample = source._sample

    def starved(room: Any) -> None:
        running.wait()
        sample(room)

    monkeypatch.setattr(source, "_sample", starved)
    running.clear()  # from here the sampler cannot look at the pin
    before = datetime.now(UTC)
    press_for(mock_pins, 0.1)  # pressed and released while nobody samples
    time.sleep(1.0)
    assert sink.presses == []
    running.set()  # the Pi catches up
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    pressed_at = sink.presses[0].pressed_at
    # When the press began, not when the starved sampler got round to it (a second later).
    assert before - timedelta(milliseconds=10) <= pressed_at <= before + timedelta(seconds=0.5)
    time.sleep(0.1)
    assert len(sink.presses) == 1


def test_contact_bounce_on_the_pin_makes_one_alarm(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    start(gpio, sink)
    pin = mock_pins.pin(17)
    for _ in range(5):
        pin.drive_low()
        time.sleep(0.002)
        pin.drive_high()
        time.sleep(0.002)
    press_for(mock_pins, 0.15)
    for _ in range(3):  # bouncy release
        pin.drive_low()
        time.sleep(0.002)
        pin.drive_high()
    time.sleep(0.2)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    time.sleep(0.1)
    assert len(sink.presses) == 1


def test_a_brush_against_a_button_with_a_hold_time_is_not_an_alarm(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    start(gpio, sink, GpioButtonConfig("gpio-room-2", pin=5, hold_s=0.3))
    press_for(mock_pins, 0.1, pin=5)
    time.sleep(0.3)
    assert sink.presses == []
    pressed = datetime.now(UTC)
    press_for(mock_pins, 0.5, pin=5)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    # The alarm carries when the press began, not when it had been held long enough.
    assert sink.presses[0].pressed_at - pressed < timedelta(milliseconds=100)


def test_a_press_the_system_cannot_take_is_retried_until_it_can_and_shows_not_delivered(
    gpio: list[GpioButtonSource],
    sink: RecordingSink,
    mock_pins: MockFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = start(gpio, sink)
    sink.set_down(True)
    press_for(mock_pins, 0.1)
    assert sink.wait_until(lambda: len(sink.failed_presses) >= 3)
    assert source.led_state("gpio-room-1") is LedState.NOT_DELIVERED
    assert "PANIC PRESS NOT DELIVERED" in caplog.text
    keys = {(p.device_id, p.boot_id, p.sequence) for p in sink.failed_presses}
    assert len(keys) == 1  # every retry is the same press: idempotent at the sink

    sink.set_down(False)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    assert eventually(lambda: source.led_state("gpio-room-1") is LedState.DELIVERED)
    assert source.pending_presses() == []
    assert set(sink.alarms) == keys


def test_the_led_and_buzzer_follow_what_the_system_says(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    source = start(gpio, sink)
    led = mock_pins.pin(27)
    source.set_led("gpio-room-1", LedState.RESPONDING)
    led.clear_states()
    time.sleep(1.1)  # blinking 0.9 s on, 0.1 s off
    assert {s.state for s in led.states} == {0, 1}
    source.set_led("gpio-room-1", LedState.DELIVERED)
    assert led.state == 1
    source.set_led("gpio-room-1", LedState.NOT_DELIVERED)
    assert eventually(lambda: mock_pins.pin(22).state == 1)  # the not-delivered beep
    source.set_led("gpio-room-1", LedState.IDLE)
    assert eventually(lambda: mock_pins.pin(22).state == 0)
    with pytest.raises(KeyError, match="no GPIO panic button"):
        source.set_led("gpio-room-9", LedState.IDLE)


def test_a_press_while_help_is_already_coming_keeps_the_responding_light(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    source = start(gpio, sink)
    press_for(mock_pins, 0.1)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    source.set_led("gpio-room-1", LedState.RESPONDING)
    sink.alarms[("gpio-room-1", source.boot_id, 2)] = 1  # the service: "pressed again"
    time.sleep(0.1)  # released for longer than the debounce time
    press_for(mock_pins, 0.1)
    assert sink.wait_until(lambda: len(sink.presses) == 2)
    assert eventually(lambda: source.led_state("gpio-room-1") is LedState.RESPONDING)


def test_heartbeats_keep_wired_buttons_supervised(
    gpio: list[GpioButtonSource], sink: RecordingSink
) -> None:
    source = start(gpio, sink, ROOM_1, GpioButtonConfig("gpio-room-2", pin=5))
    assert sink.wait_until(lambda: len(sink.heard_events) >= 6)
    assert {h.device_id for h in sink.heard_events} == {"gpio-room-1", "gpio-room-2"}
    assert source.online_devices() == {"gpio-room-1", "gpio-room-2"}


def test_a_restart_gets_a_new_boot_id_so_sequences_never_collide(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    source = start(gpio, sink)
    first_boot = source.boot_id
    source.stop()
    assert source.online_devices() == frozenset()
    source.start()
    assert source.boot_id != first_boot
    press_for(mock_pins, 0.1)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
    assert sink.presses[0].boot_id == source.boot_id


def test_two_buttons_on_one_pin_is_refused_with_the_button_named(
    gpio: list[GpioButtonSource], sink: RecordingSink
) -> None:
    clash = GpioButtonConfig("gpio-room-2", pin=17)
    with pytest.raises(GpioConfigError, match=r"gpio-room-2.*17"):
        start(gpio, sink, ROOM_1, clash)
    with pytest.raises(GpioConfigError, match="unique"):
        GpioButtonSource(sink, SystemClock(), [ROOM_1, ROOM_1])


def test_a_short_press_is_caught_even_if_no_edge_callback_arrives(
    gpio: list[GpioButtonSource], sink: RecordingSink, mock_pins: MockFactory
) -> None:
    source = start(gpio, sink)
    for room in source._rooms.values():  # as if the GPIO library lost its edge events
        room.button.when_activated = None
        room.button.when_deactivated = None
    press_for(mock_pins, 0.08)
    assert sink.wait_until(lambda: len(sink.presses) == 1)
