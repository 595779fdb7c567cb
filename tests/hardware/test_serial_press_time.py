"""A press keeps the time its bytes arrived, even while the port's previous press waits.

Before: the port's reader handled each frame itself, so while a press waited on a hung database
(up to the press deadline, 3 s) the next press on that port sat unread in the serial buffer and
was stamped when it was finally read: up to one deadline late. Real parts: the serial driver on
a real pseudo-terminal pair with a simulated USB button; the database at the edge is a sink that
hangs for the whole deadline on the first press, as a frozen server does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hardware import wire_protocol as protocol
from hardware.frame_handoff import Arrival, FrameHandoff
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.button_events import ButtonPress, PressReceipt
from safedesk.clock import SystemClock
from safedesk.db import DatabaseUnavailable
from tests.hardware.conftest import SourceFactory
from tests.hardware.recording_sink import RecordingSink

DEADLINE_S = 3.0


class HungOnce(RecordingSink):
    """The first press waits the whole press deadline and then fails (no answer from the
    database); every later call answers at once."""

    def __init__(self) -> None:
        super().__init__()
        self.hanging = threading.Event()
        self._hung = False

    def press(self, press: ButtonPress) -> PressReceipt:
        if not self._hung:
            self._hung = True
            self.hanging.set()
            time.sleep(DEADLINE_S)
            raise DatabaseUnavailable(f"no answer from the database within {DEADLINE_S:g} s")
        return super().press(press)


@pytest.fixture
def sink() -> HungOnce:
    return HungOnce()


@pytest.fixture
def button(tmp_path: Path) -> Iterator[SimulatedSerialDevice]:
    device = SimulatedSerialDevice(
        device_id="room-3-button",
        heartbeat_s=0.2,
        resend_s=1.0,
        host_timeout_s=10.0,
        link_path=tmp_path / "ttyBUTTON",
    )
    device.plug_in()
    try:
        yield device
    finally:
        device.close()


def test_a_second_press_while_the_first_waits_on_a_hung_database_keeps_its_own_time(
    serial_source: tuple[SourceFactory, list[object]],
    sink: HungOnce,
    button: SimulatedSerialDevice,
) -> None:
    make, _ = serial_source
    source = make(button.port_path)
    deadline = time.monotonic() + 5
    while "room-3-button" not in source.online_devices() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "room-3-button" in source.online_devices()

    first = button.press()
    assert sink.hanging.wait(2), "the first press reached the sink"
    time.sleep(0.5)
    second_pressed_at = datetime.now(UTC)
    second = button.press()  # while the first is still waiting on the database

    assert button.wait_for_ack(second, timeout=DEADLINE_S + 3)
    assert button.wait_for_ack(first, timeout=5), "the first press, resent, got through too"
    by_seq = {p.sequence: p for p in sink.presses}
    late = by_seq[second].pressed_at - second_pressed_at
    print(f"second press recorded {late.total_seconds() * 1000:.0f} ms after it was pressed")
    # Was about 2.5 s late: the time the first press finished waiting.
    assert abs(late) < timedelta(milliseconds=300)


def test_a_port_far_behind_drops_heartbeats_but_never_a_press_and_keeps_the_order() -> None:
    """The handoff between a port's reader and its handler is bounded: heartbeats (only the
    newest last-seen matters) give way; a press waits for room."""
    handled: list[tuple[str, int]] = []
    busy = threading.Event()
    release = threading.Event()

    def handle(frame: protocol.Frame, _arrival: Arrival) -> None:
        busy.set()
        release.wait(5)  # the database hangs
        handled.append((frame.kind, frame.seq))

    handoff = FrameHandoff("test port", handle, limit=4)
    handoff.start()
    clock = SystemClock()
    handoff.put(protocol.press("b", 1, 1, 0), Arrival.now(clock))
    assert busy.wait(5)
    for seq in range(1, 7):
        handoff.put(protocol.heartbeat("b", 1, seq, "idle"), Arrival.now(clock))
    assert handoff.dropped_heartbeats >= 1
    put_press = threading.Thread(
        target=handoff.put, args=(protocol.press("b", 1, 99, 0), Arrival.now(clock))
    )
    put_press.start()
    time.sleep(0.2)
    assert put_press.is_alive(), "the press waits for room instead of being dropped"
    release.set()
    put_press.join(5)
    handoff.close(timeout=5)
    assert handled[0] == (protocol.PRESS, 1) and handled[-1] == (protocol.PRESS, 99)
    assert handoff.dropped_heartbeats == 2
    beats = [seq for kind, seq in handled if kind == protocol.HEARTBEAT]
    assert beats == sorted(beats)
